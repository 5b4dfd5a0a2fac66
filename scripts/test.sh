#!/usr/bin/env bash
# Set up, then run the test suite (unit tests, lint, and the workflow on the demo data).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m pytest "$@"
