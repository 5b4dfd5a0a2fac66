"""Print the time and memory per rule (Snakemake `benchmark:` files) and the terms modelled
of a finished run, e.g. `python scripts/run_timings.py ../human-run`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd


def main(workdir: str = ".") -> None:
    root = Path(workdir)
    rows = []
    for path in sorted((root / "benchmarks").rglob("*.tsv")):  # releases/<release>/... too
        table = pd.read_csv(path, sep="\t")
        rule = str(path.relative_to(root / "benchmarks").with_suffix(""))
        rows.append(
            {
                "rule": rule,
                "wall": table["h:m:s"].iloc[-1],
                "cpu_s": round(float(table["cpu_time"].iloc[-1]), 1),
                "max_rss_mb": round(float(table["max_rss"].iloc[-1])),
            }
        )
    print(pd.DataFrame(rows).to_string(index=False))
    # The newest release's summary (a working directory may hold several).
    summaries = sorted(
        (root / "results/releases").glob("*/predictions/summary.json"),
        key=lambda path: path.stat().st_mtime,
    )
    summary = json.loads(summaries[-1].read_text())
    print(f"release {summary['release']['release']}")
    for aspect, report in summary["aspects"].items():
        print(
            f"{aspect}: {report['terms_modelled']} terms modelled "
            f"({report['terms_cotrained']} co-trained, {report['terms_supervised']} supervised)"
        )


if __name__ == "__main__":
    main(*sys.argv[1:])
