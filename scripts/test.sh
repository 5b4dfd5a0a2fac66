#!/usr/bin/env bash
# Set up, then run the test suite (unit tests, lint, and the workflow on the demo data).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
exec .venv/bin/python -m pytest "$@"
