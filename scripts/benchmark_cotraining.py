"""Co-training vs supervised vs the field's co-training packages, on the human data set.

For GO terms of all three aspects, rare to common, each term's labeled genes are split 70/30
(stratified, seeded per term). Of the 70 %, the labels of 5, 10, 25 and 100 % are kept (the
rest become unlabeled); the 30 % are never used for training, not even as unlabeled genes.
Every method gets the same views and the same base learner, and is scored by average
precision (AUPR) on the 30 %:

* supervised: one XGBoost model per view, combined by the product rule (co-training with no
  rounds, the same code path);
* cotraining: GOcotrain's `CoTrainingClassifier` with the workflow's default settings;
* cotraining_single_check: the same, trusting a single held-out comparison to choose
  co-training (`validation_confidence=0`, no bootstrap);
* sslearn: `sslearn.wrapper.CoTraining` (if installed);
* mvlearn: `mvlearn.semi_supervised.CTClassifier` (if installed).

The sequence view is the workflow's composition features plus the two homology features of
the term (computed from the kept labels only); the expression view is the workflow's.

Needs ../shared/data/human-2022 (this benchmark says so: it is not part of the workflow). The
features, labels and homology hits are made by the workflow itself, in --workdir:

    python scripts/benchmark_cotraining.py --workdir ../human-run

It prints the tables and writes the per-term results to <workdir>/benchmark-cotraining/.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from joblib import Parallel, delayed
from sklearn.metrics import average_precision_score
from xgboost import XGBClassifier

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from gocotrain.inputs.annotations import Labels  # noqa: E402
from gocotrain.learning.cotraining import CoTrainingClassifier  # noqa: E402
from gocotrain.learning.term_model import (  # noqa: E402
    TermGraphs,
    fit_term,
    score_term,
    term_seed,
    term_views,
)
from gocotrain.learning.terms import align_views  # noqa: E402
from gocotrain.learning.view_learners import default_view_estimator  # noqa: E402
from gocotrain.views.features import FeatureMatrix  # noqa: E402
from gocotrain.views.homology import read_hits  # noqa: E402

FRACTIONS = (0.05, 0.10, 0.25, 1.0)
# GOcotrain's estimator as each method runs it (settings beyond the workflow's defaults).
GOCOTRAIN_METHODS = {
    "supervised": {},
    "cotraining": {},
    # The held-out check without its bootstrap: a single comparison decides.
    "cotraining_single_check": {"validation_confidence": 0},
}
ASPECTS = ("P", "F", "C")


HUMAN_CONFIG = ROOT / "config" / "human-2022.yaml"
HUMAN_RELEASE_DIR = f"results/releases/{yaml.safe_load(HUMAN_CONFIG.read_text())['release']}"


def base_learner(n_estimators: int) -> XGBClassifier:
    """The workflow's view learner (config defaults), one thread per fit."""
    return default_view_estimator().set_params(n_estimators=n_estimators)


def prepare(workdir: Path, cores: int) -> None:
    targets = [
        "results/features/sequence.npz",
        "results/features/expression.npz",
        f"{HUMAN_RELEASE_DIR}/labels/labels.tsv",
        "results/homology/hits.tsv",
    ]
    if all((workdir / target).exists() for target in targets):
        return
    workdir.mkdir(parents=True, exist_ok=True)
    command = [
        "snakemake",
        "--snakefile",
        str(ROOT / "Snakefile"),
        "--configfile",
        str(HUMAN_CONFIG),
        "--directory",
        str(workdir),
        "--cores",
        str(cores),
        *targets,
    ]
    if not shutil.which("diamond"):
        print("DIAMOND is not installed: the homology search uses pyswrd", flush=True)
        command += ["--config", "homology={engine: pyswrd}"]
    subprocess.run(command, check=True)


def choose_terms(labels: pd.DataFrame, per_aspect: int, min_positives: int) -> list[tuple]:
    """Terms spread evenly on a log scale of their positive count, in every aspect."""
    chosen = []
    for aspect in ASPECTS:
        table = labels[labels["aspect"] == aspect]
        n_labeled = table["gene_id"].nunique()
        counts = table["go_id"].value_counts()
        counts = counts[(counts >= min_positives) & (counts <= 0.5 * n_labeled)]
        counts = counts.sort_values(kind="stable")
        grid = np.geomspace(counts.iloc[0], counts.iloc[-1], per_aspect)
        picked: list[str] = []
        for value in grid:
            distance = (np.log(counts) - np.log(value)).abs()
            for term in distance.sort_values(kind="stable").index:
                if term not in picked:
                    picked.append(term)
                    break
        chosen += [(aspect, term, int(counts[term])) for term in picked]
    return chosen


def split_term(y_all: np.ndarray, labeled: np.ndarray, seed: int):
    """Stratified 70/30 split of the labeled genes."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for label in (0, 1):
        rows = rng.permutation(np.flatnonzero(labeled & (y_all == label)))
        cut = round(0.3 * len(rows))
        test.append(rows[:cut])
        train.append(rows[cut:])
    return np.sort(np.concatenate(train)), np.sort(np.concatenate(test))


def run_term(task: dict, X_sequence, X_expression, graph, settings: dict) -> list[dict]:
    warnings.filterwarnings("ignore")
    seed = term_seed(settings["seed"], task["term"])
    y_all, labeled = task["y"], task["labeled"]
    train, test = split_term(y_all, labeled, seed)
    rng = np.random.default_rng(seed + 1)
    rows = []
    for fraction in settings["fractions"]:
        kept = train
        if fraction < 1:
            kept = np.sort(rng.choice(train, round(fraction * len(train)), replace=False))
        if y_all[kept].sum() < 2 or y_all[kept].sum() == len(kept):
            continue
        # Everything but the test genes; kept labels only.
        usable = np.ones(len(y_all), dtype=bool)
        usable[test] = False
        kept_mask = np.zeros(len(y_all), dtype=bool)
        kept_mask[kept] = True
        y = np.where(kept_mask, y_all, -1).astype(np.int8)
        rows_fit = np.flatnonzero(usable)
        y_fit, y_test = y[rows_fit], y_all[test]
        views = (X_sequence, X_expression, graph, y, rows_fit, test)
        base = dict(
            aspect=task["aspect"],
            term=task["term"],
            positives=task["positives"],
            fraction=fraction,
            kept_labels=len(kept),
            kept_positives=int(y_all[kept].sum()),
            unlabeled=int((y_fit == -1).sum()),
            test_positives=int(y_test.sum()),
        )
        for method in settings["methods"]:
            started = time.process_time()
            score, extra = fit_score(method, task["term"], views, settings)
            seconds = time.process_time() - started
            rows.append(
                {
                    **base,
                    "method": method,
                    "aupr": average_precision_score(y_test, score),
                    "cpu_seconds": seconds,
                    **extra,
                }
            )
    return rows


def fit_score(method, term, views, settings):
    """`method`'s scores of the test genes; GOcotrain's through the product's per-term path."""
    X_sequence, X_expression, graph, y, rows_fit, test = views
    learner = base_learner(settings["n_estimators"])
    if method in GOCOTRAIN_METHODS:
        model = CoTrainingClassifier(
            estimator=learner,
            rounds=0 if method == "supervised" else settings["rounds"],
            **GOCOTRAIN_METHODS[method],
        )
        fitted, X1, X2 = fit_term(
            model, X_sequence, X_expression, graph, y, term, settings["seed"], rows_fit
        )
        extra = {"chose_cotraining": fitted.decision_ == "cotraining"}
        return score_term(fitted, X1, X2, test)[0], extra
    seed = term_seed(settings["seed"], term)
    X1, X2 = term_views(X_sequence, X_expression, graph, y)
    X1, X2, X1_test, X2_test = X1[rows_fit], X2[rows_fit], X1[test], X2[test]
    y = y[rows_fit]
    # The peers reject NaN (scikit-learn's input checks): missing values become -1, which
    # the trees can split off just as they route NaN.
    X1, X2, X1_test, X2_test = (np.nan_to_num(X, nan=-1.0) for X in (X1, X2, X1_test, X2_test))
    if method == "sslearn":
        from sslearn.wrapper import CoTraining

        model = CoTraining(
            base_estimator=learner,
            max_iterations=settings["peer_rounds"],
            poolsize=75,
            random_state=seed % 2**31,
        )
        model.fit(X1, y, X2=X2)
        return model.predict_proba(X1_test, X2=X2_test)[:, 1], {}
    if method == "mvlearn":
        from mvlearn.semi_supervised import CTClassifier

        model = CTClassifier(
            learner,
            base_learner(settings["n_estimators"]),
            unlabeled_pool_size=75,
            num_iter=settings["peer_rounds"],
            random_state=seed % 2**31,
        )
        model.fit([X1, X2], np.where(y == -1, np.nan, y))
        return model.predict_proba([X1_test, X2_test])[:, 1], {}
    raise ValueError(method)


def available_methods(requested: list[str]) -> list[str]:
    methods = []
    for method in requested:
        module = {"sslearn": "sslearn", "mvlearn": "mvlearn"}.get(method)
        if module:
            try:
                __import__(module)
            except ImportError:
                print(f"{method} is not installed: left out", flush=True)
                continue
        methods.append(method)
    return methods


def summarise(results: pd.DataFrame) -> None:
    wide = results.pivot_table(
        index=["aspect", "term", "fraction"], columns="method", values="aupr"
    ).reset_index()
    cost = results.pivot_table(
        index="fraction", columns="method", values="cpu_seconds", aggfunc="sum"
    )
    methods = [m for m in (*GOCOTRAIN_METHODS, "sslearn", "mvlearn") if m in wide]
    print("\n## Held-out AUPR, mean over terms (share of terms at or above supervised)")
    lines = []
    for fraction, group in wide.groupby("fraction"):
        line = {"fraction": fraction, "terms": len(group)}
        for method in methods:
            mean = group[method].mean()
            if method == "supervised":
                line[method] = f"{mean:.4f}"
            else:
                share = (group[method] >= group["supervised"] - 1e-12).mean()
                gain = (group[method] - group["supervised"]).mean()
                line[method] = f"{mean:.4f} ({gain:+.4f}; {share:.0%})"
        for method in ("cotraining", "cotraining_single_check"):
            chosen = results[(results["method"] == method) & (results["fraction"] == fraction)]
            if len(chosen):
                line[f"{method} kept"] = f"{chosen['chose_cotraining'].astype(bool).mean():.0%}"
        lines.append(line)
    print(pd.DataFrame(lines).to_string(index=False))
    print("\n## Fit cost: CPU seconds summed over terms (ratio to supervised)")
    table = cost.copy().astype(object)
    for method in cost.columns:
        table[method] = [
            f"{s:.0f} ({s / sup:.2f}x)"
            for s, sup in zip(cost[method], cost["supervised"], strict=True)
        ]
    print(table.to_string())
    total = cost.sum()
    print(
        "all fractions: "
        + ", ".join(f"{m} {total[m] / total['supervised']:.2f}x" for m in cost.columns)
    )
    print("\n## Per aspect, mean AUPR gain of co-training over supervised")
    if "cotraining" in wide:
        wide["gain"] = wide["cotraining"] - wide["supervised"]
        print(wide.pivot_table(index="aspect", columns="fraction", values="gain").round(4))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", type=Path, default=ROOT.parent / "human-run")
    parser.add_argument("--terms-per-aspect", type=int, default=18)
    parser.add_argument("--min-positives", type=int, default=100)
    parser.add_argument("--fractions", type=float, nargs="+", default=list(FRACTIONS))
    parser.add_argument("--methods", nargs="+", default=[*GOCOTRAIN_METHODS, "sslearn", "mvlearn"])
    parser.add_argument("--n-estimators", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--peer-rounds", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=os.cpu_count())
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    workdir = args.workdir.resolve()
    prepare(workdir, args.jobs)
    results_dir = workdir / "benchmark-cotraining"
    results_dir.mkdir(exist_ok=True)
    hits = read_hits(workdir / "results/homology/hits.tsv")
    sequence = FeatureMatrix.from_npz(workdir / "results/features/sequence.npz")
    expression = FeatureMatrix.from_npz(workdir / "results/features/expression.npz")
    labels = Labels.from_tsv(workdir / HUMAN_RELEASE_DIR / "labels/labels.tsv").table
    genes = sorted(sequence.genes)
    X_sequence, X_expression = align_views(genes, sequence, expression)
    graph = TermGraphs.of(genes, hits, X_expression, expression.columns)
    index = pd.Index(genes)
    terms = choose_terms(labels, args.terms_per_aspect, args.min_positives)
    settings = {
        "seed": args.seed,
        "fractions": args.fractions,
        "methods": available_methods(args.methods),
        "n_estimators": args.n_estimators,
        "rounds": args.rounds,
        "peer_rounds": args.peer_rounds,
    }
    tasks = []
    for aspect, term, positives in terms:
        table = labels[labels["aspect"] == aspect]
        labeled = index.isin(table["gene_id"].unique())
        y = np.zeros(len(genes), dtype=np.int8)
        y[index.get_indexer(table.loc[table["go_id"] == term, "gene_id"])] = 1
        tasks.append(dict(aspect=aspect, term=term, positives=positives, y=y, labeled=labeled))
    print(
        f"{len(tasks)} terms, fractions {args.fractions}, methods {settings['methods']}, "
        f"{args.jobs} processes; {len(genes)} genes, {graph.n_pairs} homolog pairs",
        flush=True,
    )
    started = time.monotonic()
    rows = []
    for done, result in enumerate(
        Parallel(n_jobs=args.jobs, return_as="generator")(
            delayed(run_term)(task, X_sequence, X_expression, graph, settings) for task in tasks
        ),
        start=1,
    ):
        rows += result
        print(f"  {done}/{len(tasks)} terms in {time.monotonic() - started:.0f} s", flush=True)
    results = pd.DataFrame(rows)
    results.to_csv(results_dir / "results.tsv", sep="\t", index=False)
    summarise(results)
    print(f"\nper-term results: {results_dir / 'results.tsv'}")


if __name__ == "__main__":
    main()
