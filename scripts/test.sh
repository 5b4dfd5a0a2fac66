#!/usr/bin/env bash
# Set up, then run the test suite (unit tests, lint, and the workflow on the demo data).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
# One worker per core and one more (pytest-xdist): the SLURM tests mostly wait on the
# scheduler, and the others' workflow runs keep the cores busy meanwhile. Each worker takes
# whole test files, so that a file's fixtures (a SLURM cluster, a copied run) are made once;
# the workers share one demo run, and take the longest files first (tests/conftest.py,
# LONGEST_FIRST) so that they end together.
workers=$(( $(.venv/bin/python -c 'import os; print(os.cpu_count() or 1)') + 1 ))
exec .venv/bin/python -m pytest -n "$workers" --dist loadfile "$@"
