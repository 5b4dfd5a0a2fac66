#!/usr/bin/env bash
# Set up, then run the whole workflow on the demo data in resources/demo/.
# Extra arguments go to snakemake, e.g. `bash scripts/demo.sh --cores 4`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/snakemake --cores 2 --configfile config/config.yaml "$@"
