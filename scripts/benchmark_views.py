"""Each view's signal and co-training's gain where own labels are scarce (issue 26, goals 1-2).

A seeded share of the labeled genes (5 %, 10 %, ...) keeps its labels; every other labeled
gene is a target whose labels no method reads (as a cross-validation fold hides them, in
every aspect). Every method is the evaluation's own (`steps.evaluation.evaluation_predict`,
the product's per-term path for the learned ones) and is scored as `gocotrain evaluate`
scores (CAFA Fmax, roots excluded): naive, the multifunctionality control, DIAMOND/BLAST kNN
(`homology`), each view alone, the two views supervised (`rounds: 0`) and co-training.

The features, labels and homology hits are the workflow's, made in --workdir from --config
(the config's settings are the product's defaults unless it sets them):

    python scripts/benchmark_views.py --config config/yeast-2019.yaml --workdir ../yeast-run

Needs ../shared/data/ (this benchmark says so; it is not part of the workflow). It prints one
Fmax table per share and writes every method's predictions and metrics under
<workdir>/benchmark-views/.
"""

from __future__ import annotations

import argparse
import dataclasses
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from snakemake.utils import validate  # noqa: E402

from gocotrain.evaluation.metrics import evaluate, information_accretion  # noqa: E402
from gocotrain.evaluation.splits import labels_to_truth  # noqa: E402
from gocotrain.inputs.annotations import Labels, resolved  # noqa: E402
from gocotrain.inputs.ontology import Ontology  # noqa: E402
from gocotrain.learning import term_model, terms  # noqa: E402
from gocotrain.learning.cotraining import from_settings  # noqa: E402
from gocotrain.steps.evaluation import (  # noqa: E402
    TARGET_COLUMNS,
    MethodFiles,
    Training,
    evaluation_predict,
)
from gocotrain.views.features import FeatureMatrix  # noqa: E402
from gocotrain.views.homology import read_hits, resolved_engine  # noqa: E402

METHODS = [
    "naive",
    "multifunctionality",
    "homology",
    "sequence_only",
    "expression_only",
    "two_view_supervised",
    "cotraining",
]
INPUTS = {
    "sequence": "results/features/sequence.npz",
    "expression": "results/features/expression.npz",
    "hits": "results/homology/hits.tsv",
}


def settings_of(config_path: Path) -> dict:
    """The config with the schema's defaults filled in, as the workflow reads it."""
    config = yaml.safe_load(config_path.read_text())
    validate(config, schema=str(ROOT / "workflow/schemas/config.schema.yaml"))
    config["homology"]["engine"], _ = resolved_engine(config["homology"]["engine"])
    return config


def prepare(config_path: Path, workdir: Path, config: dict, cores: int) -> Path:
    """The workflow's labels, features and hits for the config, in `workdir`; the labels."""
    labels = f"results/releases/{config['release']}/labels/labels.tsv"
    ontology = f"results/releases/{config['release']}/ontology/ontology.json"
    command = [
        sys.executable, "-m", "snakemake", "--snakefile", str(ROOT / "Snakefile"),
        "--configfile", str(config_path.resolve()), "--directory", str(workdir),
        "--cores", str(cores), labels, ontology, *INPUTS.values(),
    ]  # fmt: skip
    # Relative paths in the config are read from the repository, as a user's run reads them.
    subprocess.run(command, check=True, cwd=ROOT)
    return workdir / labels


def scarce_targets(labels: pd.DataFrame, share: float, seed: int) -> pd.DataFrame:
    """Targets (TARGET_COLUMNS) of one split: every labeled gene but a seeded `share`."""
    genes = np.array(sorted(labels["gene_id"].unique()))
    rng = np.random.default_rng(seed)
    kept = set(rng.choice(genes, size=round(share * len(genes)), replace=False).tolist())
    targets = labels.loc[~labels["gene_id"].isin(kept), ["aspect", "gene_id", "go_id"]].copy()
    targets.insert(0, "targets", "cross_validation")
    targets.insert(0, "split", "scarce")
    return targets.reindex(columns=TARGET_COLUMNS)


def run_share(args, config, labels_tsv: Path, share: float) -> pd.DataFrame:
    labels = Labels.from_tsv(labels_tsv).table
    labels = labels[labels["aspect"].isin(config["aspects"])]
    variant = "-without-coexpression" if args.without_coexpression else ""
    out = args.workdir / "benchmark-views" / f"share-{share:g}{variant}"
    out.mkdir(parents=True, exist_ok=True)
    targets = scarce_targets(labels, share, args.seed)
    targets.to_csv(out / "targets.tsv", sep="\t", index=False)
    ontology = Ontology.from_json(labels_tsv.parent.parent / "ontology/ontology.json")
    ia = information_accretion(labels_to_truth(labels), ontology)
    truth = labels_to_truth(targets)
    settings = {key: config[key] for key in ("cotraining", "homology", "min_positives")}
    settings["min_score"] = config["export"]["min_score"]
    rows = []
    for method in args.methods:
        started = time.monotonic()
        files = MethodFiles(
            str(labels_tsv),
            str(out / "targets.tsv"),
            *(str(args.workdir / INPUTS[name]) for name in ("sequence", "expression", "hits")),
            predictions=str(out / f"{method}.tsv"),
        )
        training = Training(settings, config["seed"], args.cores)
        predictions = evaluation_predict(
            method, "scarce", "cross_validation", config["aspects"], files, training
        )
        predicted: dict = {}
        for gene, term, score in predictions.itertuples(index=False):
            predicted.setdefault(gene, {})[term] = score
        scored = evaluate(truth, predicted, ontology, ia).assign(method=method, share=share)
        scored["seconds"] = round(time.monotonic() - started)
        rows.append(scored)
        print(scored[["method", "aspect", "n_proteins", "fmax", "seconds"]].to_string(index=False))
    table = pd.concat(rows, ignore_index=True)
    table.to_csv(out / "metrics.tsv", sep="\t", index=False, float_format="%.4f")
    return table


def pseudo_label_precision(args, config, labels_tsv: Path, share: float) -> pd.DataFrame:
    """Why co-training gains what it gains: per aspect, how many pseudo-positives the
    product's co-training gives a term (always co-training, ``validation_fraction: 0``, so
    every term shows its pseudo-labels) and the share of those whose hidden truth has the
    term, beside the base rate among the held-out genes. Modelled terms, at most 60 an aspect."""
    labels = resolved(Labels.from_tsv(labels_tsv).table)
    held_out = set(scarce_targets(labels, share, args.seed)["gene_id"])
    sequence = FeatureMatrix.from_npz(args.workdir / INPUTS["sequence"])
    expression = FeatureMatrix.from_npz(args.workdir / INPUTS["expression"])
    genes = terms.view_genes(sequence, expression)
    index = pd.Index(genes)
    X_sequence, X_expression = terms.align_views(genes, sequence, expression)
    hits = read_hits(args.workdir / INPUTS["hits"])
    graphs = term_model.TermGraphs.of(genes, hits, X_expression, expression.columns)
    model = from_settings(config["cotraining"], config["seed"]).set_params(validation_fraction=0)
    rows = []
    for aspect in config["aspects"]:
        in_aspect = labels[labels["aspect"] == aspect]
        known = index.isin(list(set(in_aspect["gene_id"])))
        training = known & ~index.isin(list(held_out))
        counts = in_aspect[in_aspect["gene_id"].isin(set(index[training]))]["go_id"]
        counts = counts.value_counts()
        chosen = counts[(counts >= config["min_positives"]) & (counts < training.sum())]
        for term in sorted(chosen.index)[:60]:
            positive = index.isin(list(set(in_aspect.loc[in_aspect["go_id"] == term, "gene_id"])))
            y = np.where(training, positive.astype(int), -1)
            fitted, _, _ = term_model.fit_term(
                model, X_sequence, X_expression, graphs, y, term, config["seed"]
            )
            judged = fitted.pseudo_positive_rows_[known[fitted.pseudo_positive_rows_]]
            if len(judged):
                rows.append(
                    {
                        "aspect": aspect,
                        "pseudo_positives_judged": len(judged),
                        "precision": positive[judged].mean(),
                        "base_rate": positive[known & ~training].mean(),
                        "labeled_positives": int((y == 1).sum()),
                    }
                )
    table = pd.DataFrame(rows).groupby("aspect").mean().round(3)
    print(f"\nCo-training's pseudo-positives against the hidden truth (share {share:g}):")
    print(table.to_string())
    return table


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=ROOT / "config/yeast-2019.yaml")
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--share", type=float, action="append", help="default: 0.05 and 0.1")
    parser.add_argument("--methods", nargs="+", default=METHODS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument(
        "--without-coexpression",
        action="store_true",
        help="ablation, not the product: the expression view without its per-term "
        "co-expression features (profile components only, as before issue 26)",
    )
    parser.add_argument(
        "--pseudo-labels",
        action="store_true",
        help="also print the precision of co-training's pseudo-positives (pseudo_label_precision)",
    )
    args = parser.parse_args(argv)
    if args.without_coexpression:
        original = term_model.TermGraphs.of

        def without_coexpression(*arguments, **keywords):
            return dataclasses.replace(original(*arguments, **keywords), coexpression=None)

        term_model.TermGraphs.of = without_coexpression
    args.workdir = args.workdir.resolve()
    config = settings_of(args.config)
    labels_tsv = prepare(args.config, args.workdir, config, args.cores)
    tables = [run_share(args, config, labels_tsv, share) for share in args.share or [0.05, 0.1]]
    table = pd.concat(tables, ignore_index=True)
    wide = table.pivot_table(index=["share", "method"], columns="aspect", values="fmax")
    print(f"\nFmax on the genes whose labels no method read ({args.config.name}):")
    print(wide.round(3).to_string())
    if args.pseudo_labels:
        for share in args.share or [0.05, 0.1]:
            pseudo_label_precision(args, config, labels_tsv, share)


if __name__ == "__main__":
    main()
