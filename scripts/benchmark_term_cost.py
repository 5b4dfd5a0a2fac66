"""How long one GO term's co-training takes, against its number of positives.

Fits the cost model that `gocotrain.batches` uses to balance co-training batches, and prints
how well balancing by that model does against balancing by term count, measured on the same
terms. Needs the outputs of a finished run on the human data set (it reads the features, the
labels and the homology hits of that run; nothing is downloaded):

    snakemake --cores 2 --configfile config/human-2022.yaml --directory ../human-run
    .venv/bin/python scripts/benchmark_term_cost.py ../human-run --terms-per-aspect 20
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd

from gocotrain import batches, homology
from gocotrain.annotations import Labels
from gocotrain.cotraining import from_settings
from gocotrain.features import FeatureMatrix
from gocotrain.steps import read_json
from gocotrain.terms import score_aspect, select_terms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="working directory of a finished human run")
    parser.add_argument("--terms-per-aspect", type=int, default=20)
    parser.add_argument("--batches", type=int, default=8, help="batches to compare splits for")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    results = args.run / "results"
    sequence = FeatureMatrix.from_npz(results / "features" / "sequence.npz")
    expression = FeatureMatrix.from_npz(results / "features" / "expression.npz")
    labels = Labels.from_tsv(results / "labels" / "labels.tsv").table
    genes = sorted(sequence.genes)
    hits = homology.read_hits(results / "homology" / "hits.tsv")
    summary = read_json(results / "predictions" / "summary.json")
    settings, min_positives = (
        summary["settings"]["cotraining"],
        summary["settings"]["min_positives"],
    )
    model = from_settings(settings, args.seed)
    print(f"{len(genes)} genes; min_positives {min_positives}; one thread per term")

    # Aligning the views and the homology graph are paid once per batch, not per term: time
    # them apart and subtract them.
    started = time.perf_counter()
    score_aspect("P", sequence, expression, labels, hits, model, min_positives, 0, terms=[])
    overhead = time.perf_counter() - started
    print(f"per-batch overhead (aligning the views, homology graph): {overhead:.2f} s")

    rows = []
    for aspect in ("P", "F", "C"):
        aspect_labels = labels[labels["aspect"] == aspect]
        terms, _ = select_terms(aspect_labels, aspect_labels["gene_id"].nunique(), min_positives)
        positives = aspect_labels["go_id"].value_counts().reindex(terms)
        # Terms spread evenly over the range of positive counts.
        ranked = positives.sort_values(kind="stable")
        picks = np.unique(
            np.linspace(0, len(ranked) - 1, args.terms_per_aspect).round().astype(int)
        )
        for term in ranked.index[picks]:
            started = time.perf_counter()
            _, report = score_aspect(
                aspect, sequence, expression, labels, hits, model, min_positives,
                args.seed, n_jobs=1, terms=[term],
            )  # fmt: skip
            seconds = time.perf_counter() - started - overhead
            rows.append(
                {
                    "aspect": aspect,
                    "term": term,
                    "positives": int(positives[term]),
                    "decision": report["terms"][0]["decision"],
                    "seconds": round(seconds, 2),
                }
            )
            print(rows[-1], flush=True)
    table = pd.DataFrame(rows)

    # seconds = a + b * log(positives), least squares.
    design = np.column_stack([np.ones(len(table)), np.log(table["positives"])])
    (a, b), *_ = np.linalg.lstsq(design, table["seconds"], rcond=None)
    fitted = design @ [a, b]
    r2 = (
        1
        - ((table["seconds"] - fitted) ** 2).sum()
        / ((table["seconds"] - table["seconds"].mean()) ** 2).sum()
    )
    print(f"\nterms timed: {len(table)}; mean {table['seconds'].mean():.2f} s per term")
    print(table.groupby("decision")["seconds"].agg(["count", "mean"]).round(2).to_string())
    print(f"fit: seconds = {a:.2f} + {b:.2f} * ln(positives)   (R^2 {r2:.2f})")
    print(
        f"model in gocotrain.batches: {batches.SECONDS_BASE} + "
        f"{batches.SECONDS_PER_LOG_POSITIVE} * ln(positives) at {batches.REFERENCE_GENES} genes"
    )

    # Balance of the split, measured with the timed seconds: by the model vs by count.
    costs = batches.term_costs(table.set_index("term")["positives"], len(genes))
    measured = table.set_index("term")["seconds"]
    by_model = batches.assign_batches(costs, args.batches)
    by_count = [list(costs["term"])[index :: args.batches] for index in range(args.batches)]
    for name, split in (("expected cost", by_model), ("term count", by_count)):
        loads = np.array([measured[batch].sum() for batch in split])
        print(
            f"{args.batches} batches by {name}: slowest batch {loads.max():.1f} s, "
            f"mean {loads.mean():.1f} s, slowest/mean {loads.max() / loads.mean():.3f}"
        )


if __name__ == "__main__":
    main()
