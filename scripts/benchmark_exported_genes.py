"""Is GOcotrain worth more than the baselines on genes like the ones it exports (issue 28)?

Reads a finished run's evaluation (`results/releases/<release>/evaluation/<protocol>/`) and
prints, per target kind and aspect, co-training's Fmax beside naive, BLAST and DIAMOND kNN
(``homology``) with the margins and their 95 % intervals over the held-out genes
(`margins.tsv`, paired bootstrap), whether the goal (every aspect above every baseline by at
least 0.02 on the kind most like the exported genes) is met, and the own term frequencies'
and the transfer's blend weights the run chose (`prior_weights.tsv`). Every figure is the
workflow's own: run it first with only the data set's files set, e.g. on
../shared/data/human-2022 (not shipped):

    mkdir -p ../human-run
    .venv/bin/snakemake --cores 2 --configfile config/human-2022.yaml --directory ../human-run
    .venv/bin/python scripts/benchmark_exported_genes.py ../human-run
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from gocotrain.evaluation.method_names import GENOME_BASELINES  # noqa: E402
from gocotrain.export.targets import headline_targets  # noqa: E402

GOAL_MARGIN = 0.02


def newest(root: Path, pattern: str) -> Path:
    found = sorted(root.glob(pattern), key=lambda path: path.stat().st_mtime)
    if not found:
        sys.exit(f"no {pattern} under {root}: run the workflow there first")
    return found[-1]


def margins(metrics: pd.DataFrame) -> pd.DataFrame:
    """Fmax per kind, aspect and method, with co-training's margin over each baseline."""
    table = metrics.pivot_table(index=["targets", "aspect"], columns="method", values="fmax")
    for baseline in GENOME_BASELINES:
        if baseline in table and "cotraining" in table:
            table[f"cotraining-{baseline}"] = table["cotraining"] - table[baseline]
    return table.round(3)


def main(workdir: str) -> None:
    metrics_tsv = newest(Path(workdir), "results/releases/*/evaluation/*/metrics.tsv")
    metrics = pd.read_csv(metrics_tsv, sep="\t")
    print(f"{metrics_tsv}\n")
    table = margins(metrics)
    columns = [c for c in ["cotraining", *GENOME_BASELINES] if c in table] + [
        c for c in table if c.startswith("cotraining-")
    ]
    print(table[columns].to_string())
    genes = metrics.pivot_table(index=["targets", "aspect"], values="n_proteins", aggfunc="max")
    print("\nheld-out genes per kind and aspect:\n" + genes.to_string())
    headline = headline_targets(metrics)
    margin_columns = [c for c in table if c.startswith("cotraining-")]
    worst = table.loc[headline, margin_columns].min(axis=None)
    verdict = "met" if worst >= GOAL_MARGIN else "not met"
    print(f"\non {headline}: smallest margin over a baseline {worst:+.3f}", end=" ")
    print(f"(goal +{GOAL_MARGIN}: {verdict})")
    intervals = metrics_tsv.with_name("margins.tsv")
    if intervals.exists():
        found = pd.read_csv(intervals, sep="\t")
        print("\nco-training's margins with their 95 % intervals over the held-out genes:")
        print(found.drop(columns=["protocol", "method"]).round(3).to_string(index=False))
    weights = metrics_tsv.with_name("prior_weights.tsv")
    if weights.exists():
        chosen = pd.read_csv(weights, sep="\t", dtype={"half": str})
        print(
            "\nthe weights of the own term frequencies and of the transfer's blend (mixed_in; "
            "half: scored with the other half's choice):"
        )
        print(chosen.drop(columns="fmax_by_weight").to_string(index=False))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
