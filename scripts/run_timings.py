"""Print the time and memory per rule (Snakemake `benchmark:` files), the terms modelled of a
finished run and, beside the figures of issue 16 ("a proteome in an hour with the defaults"),
what the run measured for its goals 1 and 2, e.g. `python scripts/run_timings.py ../human-run`
after `snakemake --cores 2 --configfile config/human-2022.yaml --directory ../human-run`."""

from __future__ import annotations

import json
import sys
from datetime import datetime
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
    print()
    release = summaries[-1].parent.parent
    if not (release / "evaluation/cross_validation/metrics.tsv").is_file():
        # A run that learns from a reference: scripts/benchmark_new_organism.py scores it.
        print(f"no cross-validation in {release}: nothing to compare with issue 16's goals")
        return
    print(goals(root, release, summary, pd.DataFrame(rows)).to_string())


# Issue 16's figures of config/human-2022.yaml before it (README of 2026-12-01: 480 terms,
# min_positives 300), and its goals.
BEFORE = {"wall_min": 67.0, "cpu_s_per_term": 3.6, "fmax": (0.477, 0.736, 0.686)}
ASPECTS = ("biological_process", "molecular_function", "cellular_component")


def goals(root: Path, release: Path, summary: dict, jobs: pd.DataFrame) -> pd.DataFrame:
    """Goals 1 and 2 of issue 16: this run beside the figures before and the goal."""
    # The longest Snakemake log is the whole run; later ones may have added a job or two.
    wall = (
        max(
            datetime.fromtimestamp(log.stat().st_mtime)
            - datetime.strptime(log.name[:17], "%Y-%m-%dT%H%M%S")
            for log in (root / ".snakemake/log").glob("*.snakemake.log")
        ).total_seconds()
        / 60
    )
    cotrain = jobs[jobs["rule"].str.contains("/cotrain/")]
    terms = sum(report["terms_modelled"] for report in summary["aspects"].values())
    metrics = pd.read_csv(release / "evaluation/cross_validation/metrics.tsv", sep="\t")
    fmax = metrics.set_index(["method", "aspect"])["fmax"]

    def per_aspect(method: str) -> str:
        return " / ".join(f"{fmax.get((method, aspect), float('nan')):.3f}" for aspect in ASPECTS)

    rows = [
        ("whole run, wall (min), longest log", f"{wall:.1f}", BEFORE["wall_min"], "<= 60"),
        ("largest job's peak memory (MB)", int(jobs["max_rss_mb"].max()), "", "< 8000 in all"),
        ("terms modelled", terms, 480, "every term >= min_positives"),
        (
            "co-training jobs, CPU s per term",
            f"{cotrain['cpu_s'].sum() / terms:.2f}",
            BEFORE["cpu_s_per_term"],
            "<= 0.5",
        ),
        (
            "co-training Fmax P / F / C",
            per_aspect("cotraining"),
            " / ".join(f"{value:.3f}" for value in BEFORE["fmax"]),
            ">= before",
        ),
        ("BLAST (CAFA's, highest identity) Fmax", per_aspect("blast"), "", "< co-training"),
        ("homology (DIAMOND kNN) Fmax", per_aspect("homology"), "", "< co-training"),
        ("naive Fmax", per_aspect("naive"), "", "< co-training"),
    ]
    return pd.DataFrame(rows, columns=["measure", "this run", "before", "goal"]).set_index(
        "measure"
    )


if __name__ == "__main__":
    main(*sys.argv[1:])
