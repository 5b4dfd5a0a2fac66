"""What one GO term costs and how well it is learned: the defaults against the settings before
issue 16, on the same terms of the human data set, in one run.

Issue 16's goal 2: every term with at least `min_positives` (20) positives gets a model, at
an average of at most 0.5 CPU s per term. For each aspect, a seeded fifth of the labeled genes
is held out; terms spread evenly over the range of positive counts (among the terms with at
least 20 positives in the rest) are fitted and scored through the product's per-term path
(`terms.score_aspect`, one thread), and their held-out genes scored by average precision.

* `defaults`: the config schema's defaults (the sequence view without dipeptide composition,
  negatives sampled down to `cotraining.negatives_per_positive` times the positives).
* `before`: the sequence view with its 400 dipeptide-composition columns back and every
  labeled negative in every fit, as GOcotrain trained before (its quantile sketch of all rows
  of a view, also gone, cost more on top: the README gives the CPU seconds measured then).

It also fits the cost model that `gocotrain.learning.batches` uses to balance co-training batches,
from the `defaults` timings (each term fitted alone, the per-batch set-up subtracted), and
shows how balancing by it does against balancing by count.
Needs a finished run on the human data set (its expression features, homology hits and
labels) and the human proteins; nothing is downloaded:

    snakemake --cores 2 --configfile config/human-2022.yaml --directory ../human-run
    .venv/bin/python scripts/benchmark_term_cost.py ../human-run --terms-per-aspect 12
"""

from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from sklearn.metrics import average_precision_score

from gocotrain.inputs.annotations import Labels
from gocotrain.inputs.sequences import read_sequences
from gocotrain.learning import batches
from gocotrain.learning.cotraining import from_settings
from gocotrain.learning.terms import score_aspect, select_terms
from gocotrain.views import homology
from gocotrain.views.features import AMINO_ACIDS, FeatureMatrix, sequence_features

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "workflow" / "schemas" / "config.schema.yaml"
HUMAN_PROTEINS = ROOT.parent / "shared" / "data" / "human-2022" / "proteins.fa.gz"


def cotraining_defaults() -> dict:
    schema = yaml.safe_load(SCHEMA.read_text())
    section = schema["properties"]["cotraining"]["properties"]
    return {key: spec["default"] for key, spec in section.items()}


def with_dipeptides(view: FeatureMatrix, proteins: dict[str, str]) -> FeatureMatrix:
    """The sequence view plus dipeptide composition, as `sequence_features` made it before."""
    index = {letter: code for code, letter in enumerate(AMINO_ACIDS)}
    pairs = np.zeros((len(view.genes), 400), dtype=np.float32)
    for row, gene in enumerate(view.genes):
        protein = proteins[gene]
        codes = [index.get(letter, -1) for letter in protein]
        for first, second in itertools.pairwise(codes):
            if first >= 0 and second >= 0:
                pairs[row, first * 20 + second] += 1
        pairs[row] /= max(len(protein) - 1, 1)
    names = [f"dpc_{a}{b}" for a in AMINO_ACIDS for b in AMINO_ACIDS]
    return FeatureMatrix(
        view.genes, np.array([*view.columns, *names]), np.hstack([view.values, pairs])
    )


def held_out_split(labels: pd.DataFrame, aspect: str, seed: int):
    aspect_labels = labels[labels["aspect"] == aspect]
    genes = np.array(sorted(aspect_labels["gene_id"].unique()))
    held_out = set(np.random.default_rng(seed).choice(genes, len(genes) // 5, replace=False))
    return aspect_labels, held_out


def picked_terms(training: pd.DataFrame, min_positives: int, count: int) -> pd.Series:
    terms, _ = select_terms(training, training["gene_id"].nunique(), min_positives)
    positives = training["go_id"].value_counts().reindex(terms).sort_values(kind="stable")
    picks = np.unique(np.linspace(0, len(positives) - 1, count).round().astype(int))
    return positives.iloc[picks]


def run_variant(name, aspect, sequence, expression, labels, held_out, hits, settings, terms):
    """Each term's CPU seconds (fitted alone) and held-out average precision."""
    training = labels[~labels["gene_id"].isin(held_out)]
    targets = sorted(held_out)
    model = from_settings(settings, 0)
    arguments = (aspect, sequence, expression, training, hits, model, 20, 0)
    started = time.process_time()
    score_aspect(*arguments, terms=[], score_genes=targets)  # the per-batch set-up alone
    overhead = time.process_time() - started
    held_out_labels = labels[labels["gene_id"].isin(held_out)]
    rows = []
    for term, positives in terms.items():
        started = time.process_time()
        scores, report = score_aspect(*arguments, n_jobs=1, terms=[term], score_genes=targets)
        seconds = time.process_time() - started - overhead
        truth = held_out_labels.loc[held_out_labels["go_id"] == term, "gene_id"]
        y = np.isin(scores.genes, truth.to_numpy())
        rows.append(
            {
                "variant": name,
                "aspect": aspect,
                "term": term,
                "positives": int(positives),
                "seconds": seconds,
                "average_precision": average_precision_score(y, scores.score[:, 0])
                if y.any()
                else np.nan,
                "decision": report["terms"][0]["decision"],
            }
        )
    return rows


def print_cost_model(table: pd.DataFrame, genes: int, n_batches: int) -> None:
    design = np.column_stack([np.ones(len(table)), np.log(table["positives"])])
    (a, b), *_ = np.linalg.lstsq(design, table["seconds"], rcond=None)
    print(f"\ncost model fit: seconds = {a:.2f} + {b:.2f} * ln(positives) ({len(table)} terms)")
    print(
        f"model in gocotrain.learning.batches: {batches.SECONDS_BASE} + "
        f"{batches.SECONDS_PER_LOG_POSITIVE} * ln(positives) at {batches.COST_MODEL_GENES} genes"
    )
    costs = batches.term_costs(table.set_index("term")["positives"], genes)
    measured = table.set_index("term")["seconds"]
    by_model = batches.assign_batches(costs, n_batches)
    by_count = [list(costs["term"])[index::n_batches] for index in range(n_batches)]
    for name, split in (("expected cost", by_model), ("term count", by_count)):
        loads = np.array([measured[batch].sum() for batch in split])
        print(
            f"{n_batches} batches by {name}: slowest batch {loads.max():.1f} s, "
            f"mean {loads.mean():.1f} s, slowest/mean {loads.max() / loads.mean():.3f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="working directory of a finished human run")
    parser.add_argument("--release", default="2022-09")
    parser.add_argument("--proteins", type=Path, default=HUMAN_PROTEINS)
    parser.add_argument("--terms-per-aspect", type=int, default=12)
    parser.add_argument("--min-positives", type=int, default=20)
    parser.add_argument("--batches", type=int, default=8, help="batches to compare splits for")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    results = args.run / "results"
    proteins = read_sequences(args.proteins).proteins
    sequence = sequence_features(proteins)
    expression = FeatureMatrix.from_npz(results / "features" / "expression.npz")
    labels = Labels.from_tsv(results / "releases" / args.release / "labels" / "labels.tsv").table
    hits = homology.read_hits(results / "homology" / "hits.tsv")
    defaults = cotraining_defaults()
    before = defaults | {"negatives_per_positive": None}
    variants = {
        "before": (with_dipeptides(sequence, proteins), before),
        "defaults": (sequence, defaults),
    }
    print(f"{len(sequence.genes)} proteins; one thread; held-out fifth of labeled genes (seed)")
    rows = []
    for aspect in ("P", "F", "C"):
        aspect_labels, held_out = held_out_split(labels, aspect, args.seed)
        training = aspect_labels[~aspect_labels["gene_id"].isin(held_out)]
        terms = picked_terms(training, args.min_positives, args.terms_per_aspect)
        for name, (view, settings) in variants.items():
            rows += run_variant(
                name, aspect, view, expression, aspect_labels, held_out, hits, settings, terms
            )
            done = pd.DataFrame(rows).query("variant == @name and aspect == @aspect")
            print(
                f"{aspect} {name}: {done['seconds'].mean():.2f} CPU s per term, mean average "
                f"precision {done['average_precision'].mean():.3f}",
                flush=True,
            )
    table = pd.DataFrame(rows)
    summary = table.pivot_table(
        index="aspect", columns="variant", values=["seconds", "average_precision"]
    )
    print("\nper aspect (same terms; CPU seconds per term, mean held-out average precision):")
    print(summary.round(3).to_string())
    print("\nall aspects:")
    print(table.groupby("variant")[["seconds", "average_precision"]].mean().round(3))
    modelled = sum(
        len(select_terms(part, part["gene_id"].nunique(), args.min_positives)[0])
        for _, part in labels.groupby("aspect")
    )
    per_term = table.loc[table["variant"] == "defaults", "seconds"].mean()
    print(
        f"\nterms with >= {args.min_positives} positives (all labels): {modelled}; at "
        f"{per_term:.2f} CPU s each, {modelled * per_term / 60:.0f} CPU minutes of co-training"
    )
    print_cost_model(table[table["variant"] == "defaults"], len(sequence.genes), args.batches)


if __name__ == "__main__":
    main()
