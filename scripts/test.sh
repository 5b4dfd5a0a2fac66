#!/usr/bin/env bash
# Set up, then run the test suite (unit tests, lint, and the workflow on the demo data).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
# One worker per core (pytest-xdist), each taking whole test files, so that a file's fixtures
# (a SLURM cluster, a copied run) are made once; the workers share one demo run, and take the
# longest files first (tests/conftest.py, LONGEST_FIRST) so that they end together.
exec .venv/bin/python -m pytest -n auto --dist loadfile "$@"
