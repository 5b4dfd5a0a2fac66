"""Methods to compare GOcotrain with, each predicting the GO terms of one aspect for targets.

Every method returns CAFA-style predictions, ``{gene: {term: score}}`` with scores in [0, 1]
and one entry per target gene (possibly empty), and learns only from the training labels
(a labels table as `annotations.build_labels` makes it: gene_id, aspect, go_id, propagated,
roots left out). The targets' own rows in the training labels, if any, are ignored: a target
is always treated as unlabeled, so no method can see the answer it is scored on.

Hierarchy: `naive` and `homology_transfer` score a term at most as high as its ancestors,
because the training labels are propagated. The per-term learners need not; they are not
propagated here because `evaluation.evaluate` max-propagates predictions (as CAFA does) and
`export.consistent_with_hierarchy` does the same for written predictions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd
from joblib import Parallel, delayed
from sklearn.base import clone
from sklearn.semi_supervised import SelfTrainingClassifier

from gocotrain.cotraining import CoTrainingClassifier, default_view_estimator
from gocotrain.features import FeatureMatrix
from gocotrain.homology import (  # noqa: F401  (re-exported: the baselines' search)
    DIAMOND_COLUMNS,
    HomologyGraph,
    MissingToolError,
    read_diamond_hits,
    run_diamond,
)
from gocotrain.scoring import align_views, select_terms, term_seed, with_homology

Predictions = dict[str, dict[str, float]]

HOMOLOGY_RULES = ("knn", "best_hit", "max_identity")
DEFAULT_MIN_POSITIVES = 20  # as the config schema's min_positives


def _aspect_labels(train_labels: pd.DataFrame, aspect: str, targets: Iterable[str]):
    """The aspect's training labels without any row of a target gene."""
    labels = train_labels[train_labels["aspect"] == aspect]
    return labels[~labels["gene_id"].isin(set(targets))]


def naive(train_labels: pd.DataFrame, aspect: str, targets: Iterable[str]) -> Predictions:
    """CAFA's naive baseline: every target gets each term's frequency among training genes."""
    targets = sorted(set(targets))
    labels = _aspect_labels(train_labels, aspect, targets)
    n_genes = labels["gene_id"].nunique()
    frequency = labels.drop_duplicates(["gene_id", "go_id"])["go_id"].value_counts() / n_genes
    scores = {term: float(value) for term, value in sorted(frequency.items())}
    return {gene: dict(scores) for gene in targets}


# ----------------------------------------------------------------------------------------
# Homology


def homology_transfer(
    hits: pd.DataFrame,
    train_labels: pd.DataFrame,
    aspect: str,
    targets: Iterable[str],
    k: int | None = None,
    rule: str = "knn",
) -> Predictions:
    """Transfer the terms of a target's labeled homologs to it.

    `hits` needs columns query, subject and bitscore (and pident for ``max_identity``). Only
    hits of a target to a labeled training gene of `aspect` count, so self-hits never do; of
    these, each target keeps its `k` best subjects by bitscore (all if None).

    * ``knn`` (DIAMOND score of DeepGOPlus): score(t) = the bitscores of the kept hits
      carrying t, summed, over the bitscores of all kept hits, summed.
    * ``best_hit``: the terms of the best hit, each scored 1.
    * ``max_identity`` (CAFA's BLAST baseline): score(t) = the highest identity (pident / 100)
      among the kept hits carrying t.
    """
    if rule not in HOMOLOGY_RULES:
        raise ValueError(f"rule must be one of {HOMOLOGY_RULES}, not {rule!r}")
    if k is not None and k < 1:
        raise ValueError(f"k must be at least 1 or None, not {k}")
    targets = sorted(set(targets))
    labels = _aspect_labels(train_labels, aspect, targets)
    training = set(labels["gene_id"])
    # A target's hit to itself is never used: targets are not training genes.
    usable = hits["query"].isin(targets) & hits["subject"].isin(training)
    kept_columns = ["bitscore", "pident"] if rule == "max_identity" else ["bitscore"]
    # DIAMOND may report several HSPs of one pair; the pair counts once, with its best one.
    pairs = (
        hits.loc[usable]
        .groupby(["query", "subject"], as_index=False)[kept_columns]
        .max()
        .sort_values(["query", "bitscore", "subject"], ascending=[True, False, True])
    )
    if rule == "best_hit":
        k = 1
    if k is not None:
        pairs = pairs.groupby("query").head(k)
    carried = pairs.merge(
        labels[["gene_id", "go_id"]].drop_duplicates(), left_on="subject", right_on="gene_id"
    )
    per_term = carried.groupby(["query", "go_id"])
    if rule == "knn":
        total = pairs.groupby("query")["bitscore"].sum()
        carried_score = per_term["bitscore"].sum()
        scores = carried_score / total.reindex(carried_score.index.get_level_values(0)).to_numpy()
    elif rule == "best_hit":
        scores = pd.Series(1.0, index=per_term.size().index)
    else:
        scores = per_term["pident"].max() / 100
    predictions: Predictions = {gene: {} for gene in targets}
    for (gene, term), score in scores.items():
        predictions[gene][term] = float(min(score, 1.0))
    return predictions


def rare_terms(labels: pd.DataFrame, min_positives: int) -> set[str]:
    """Terms of an aspect's labels with at least one but fewer than `min_positives` positives.

    These are the terms `scoring.select_terms` leaves to homology transfer: every ancestor
    of a rare term is rare, modelled, universal (carried by every labeled gene) or a root.
    """
    counts = labels["go_id"].value_counts()  # counted as select_terms counts them
    return set(counts.index[counts < min_positives])


def transfer_rare_terms(
    hits: pd.DataFrame,
    train_labels: pd.DataFrame,
    aspect: str,
    targets: Iterable[str],
    min_positives: int,
    k: int | None,
) -> Predictions:
    """`homology_transfer` (``knn``) restricted to the terms too rare to model.

    A learner models the terms with at least `min_positives` positives; the rarer ones,
    most of the specific terms, would otherwise get no score at all. Transferred scores
    obey the hierarchy among themselves, because the training labels are propagated.
    """
    targets = sorted(set(targets))
    rare = rare_terms(_aspect_labels(train_labels, aspect, targets), min_positives)
    transferred = homology_transfer(hits, train_labels, aspect, targets, k=k, rule="knn")
    return {
        gene: {term: score for term, score in scores.items() if term in rare}
        for gene, scores in transferred.items()
    }


# ----------------------------------------------------------------------------------------
# Per-term learners over the sequence and expression views

# fit_score(X_sequence, X_expression, y, target_rows, random_state) -> target scores, where
# y is 1/0 for training genes and -1 for every other row (targets and unlabeled genes).
TermLearner = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int], np.ndarray]


def _seeded(model, random_state: int):
    """A clone of `model` with every random_state parameter, nested ones too, set."""
    model = clone(model)
    keys = [key for key in model.get_params() if key.split("__")[-1] == "random_state"]
    return model.set_params(**dict.fromkeys(keys, random_state))


def _score_modelled_terms(
    fit_score: TermLearner,
    sequence: FeatureMatrix,
    expression: FeatureMatrix,
    train_labels: pd.DataFrame,
    aspect: str,
    targets: Iterable[str],
    *,
    use_unlabeled: bool,
    min_positives: int,
    seed: int,
    n_jobs: int,
    hits: pd.DataFrame | None = None,
) -> Predictions:
    """Fit one model per modelled term on the training genes and score the targets.

    Rows are the labeled training genes, then the targets, then (if `use_unlabeled`) every
    other gene of either view that is unlabeled in the aspect; each group sorted, so the
    input order does not matter. Terms are chosen by `scoring.select_terms`. With `hits`,
    the sequence view gains the term's homology features, computed from the training
    labels only (as `scoring.score_aspect` does for the product's own run).
    """
    targets = sorted(set(targets))
    labels = _aspect_labels(train_labels, aspect, targets)
    training = sorted(set(labels["gene_id"]))
    others = []
    if use_unlabeled:
        with_features = set(sequence.genes) | set(expression.genes)
        others = sorted(with_features - set(training) - set(targets))
    genes = training + targets + others
    X_sequence, X_expression = align_views(genes, sequence, expression)
    terms, _ = select_terms(labels, len(training), min_positives)
    base = np.full(len(genes), -1, dtype=np.int8)
    base[: len(training)] = 0
    target_rows = np.arange(len(training), len(training) + len(targets))
    row_of = {gene: row for row, gene in enumerate(training)}
    positives_of = labels.groupby("go_id")["gene_id"].apply(list)
    graph = HomologyGraph(genes, hits) if hits is not None else None

    def score_term(term: str) -> np.ndarray:
        y = base.copy()
        y[[row_of[gene] for gene in positives_of[term]]] = 1
        X_term_sequence = with_homology(X_sequence, graph, y)
        return fit_score(X_term_sequence, X_expression, y, target_rows, term_seed(seed, term))

    # Threads, as in scoring.score_aspect: XGBoost releases the GIL and the views are shared.
    columns = Parallel(n_jobs=n_jobs, backend="threading")(
        delayed(score_term)(term) for term in terms
    )
    matrix = np.column_stack(columns) if columns else np.empty((len(targets), 0))
    return {
        gene: dict(zip(terms, matrix[row].astype(float).tolist(), strict=True))
        for row, gene in enumerate(targets)
    }


def _single_view_learner(estimator, view: int) -> TermLearner:
    def fit_score(X_sequence, X_expression, y, target_rows, random_state):
        X = (X_sequence, X_expression)[view]
        labeled = y >= 0
        prior = float(y[labeled].mean())
        available = ~np.isnan(X).all(axis=1)
        train = labeled & available
        scores = np.full(len(target_rows), prior)
        scorable = available[target_rows]
        if len(np.unique(y[train])) == 2 and scorable.any():
            model = _seeded(estimator, random_state).fit(X[train], y[train])
            scores[scorable] = model.predict_proba(X[target_rows[scorable]])[:, 1]
        return scores

    return fit_score


def sequence_only(
    sequence: FeatureMatrix,
    expression: FeatureMatrix,
    train_labels: pd.DataFrame,
    aspect: str,
    targets: Iterable[str],
    estimator=None,
    *,
    min_positives: int = DEFAULT_MIN_POSITIVES,
    seed: int = 0,
    n_jobs: int = 1,
    hits: pd.DataFrame | None = None,
) -> Predictions:
    """One classifier per term on the sequence view; targets without it get the term's prior.

    The prior is the term's frequency among the training genes. `estimator` defaults to
    `cotraining.default_view_estimator()` (XGBoost). `expression` is not used; it is taken
    so that every learned method has the same signature.
    """
    estimator = default_view_estimator() if estimator is None else estimator
    return _score_modelled_terms(
        _single_view_learner(estimator, view=0),
        sequence,
        expression,
        train_labels,
        aspect,
        targets,
        use_unlabeled=False,
        min_positives=min_positives,
        seed=seed,
        n_jobs=n_jobs,
        hits=hits,
    )


def expression_only(
    sequence: FeatureMatrix,
    expression: FeatureMatrix,
    train_labels: pd.DataFrame,
    aspect: str,
    targets: Iterable[str],
    estimator=None,
    *,
    min_positives: int = DEFAULT_MIN_POSITIVES,
    seed: int = 0,
    n_jobs: int = 1,
    hits: pd.DataFrame | None = None,
) -> Predictions:
    """One classifier per term on the expression view; targets without it get the prior."""
    estimator = default_view_estimator() if estimator is None else estimator
    return _score_modelled_terms(
        _single_view_learner(estimator, view=1),
        sequence,
        expression,
        train_labels,
        aspect,
        targets,
        use_unlabeled=False,
        min_positives=min_positives,
        seed=seed,
        n_jobs=n_jobs,
        hits=None,  # the sequence view, and so its homology features, is not used
    )


def concatenated(
    sequence: FeatureMatrix,
    expression: FeatureMatrix,
    train_labels: pd.DataFrame,
    aspect: str,
    targets: Iterable[str],
    estimator=None,
    *,
    min_positives: int = DEFAULT_MIN_POSITIVES,
    seed: int = 0,
    n_jobs: int = 1,
    hits: pd.DataFrame | None = None,
) -> Predictions:
    """One classifier per term on both views side by side; a missing view is NaN.

    The default XGBoost learns a direction for missing values; another `estimator` must
    accept NaN too.
    """
    estimator = default_view_estimator() if estimator is None else estimator

    def fit_score(X_sequence, X_expression, y, target_rows, random_state):
        X = np.hstack([X_sequence, X_expression])
        labeled = y >= 0
        model = _seeded(estimator, random_state).fit(X[labeled], y[labeled])
        return model.predict_proba(X[target_rows])[:, 1]

    return _score_modelled_terms(
        fit_score,
        sequence,
        expression,
        train_labels,
        aspect,
        targets,
        use_unlabeled=False,
        min_positives=min_positives,
        seed=seed,
        n_jobs=n_jobs,
        hits=hits,
    )


def two_view_supervised(
    sequence: FeatureMatrix,
    expression: FeatureMatrix,
    train_labels: pd.DataFrame,
    aspect: str,
    targets: Iterable[str],
    estimator=None,
    *,
    combine: str = "product",
    min_positives: int = DEFAULT_MIN_POSITIVES,
    seed: int = 0,
    n_jobs: int = 1,
    hits: pd.DataFrame | None = None,
) -> Predictions:
    """One classifier per view and term, combined by `combine`, without unlabeled genes.

    This is `CoTrainingClassifier` with no rounds: the ablation that tells what co-training's
    pseudo-labels add over combining the two views. It sees the unlabeled genes' features as
    co-training does, for XGBoost's quantile bins only (never their labels), so the two
    differ by the pseudo-labels alone.
    """
    model = CoTrainingClassifier(estimator=estimator, n_rounds=0, combine=combine)

    def fit_score(X_sequence, X_expression, y, target_rows, random_state):
        fitted = _seeded(model, random_state).fit(X_sequence, X_expression, y)
        return fitted.predict_proba(X_sequence[target_rows], X_expression[target_rows])[:, 1]

    return _score_modelled_terms(
        fit_score,
        sequence,
        expression,
        train_labels,
        aspect,
        targets,
        use_unlabeled=True,
        min_positives=min_positives,
        seed=seed,
        n_jobs=n_jobs,
        hits=hits,
    )


def self_training(
    sequence: FeatureMatrix,
    expression: FeatureMatrix,
    train_labels: pd.DataFrame,
    aspect: str,
    targets: Iterable[str],
    model: SelfTrainingClassifier | None = None,
    *,
    min_positives: int = DEFAULT_MIN_POSITIVES,
    seed: int = 0,
    n_jobs: int = 1,
    hits: pd.DataFrame | None = None,
) -> Predictions:
    """scikit-learn self-training per term on both views side by side.

    Unlabeled genes are the targets and every other gene unlabeled in the aspect. `model`
    defaults to `SelfTrainingClassifier(estimator=default_view_estimator())` with
    scikit-learn's defaults (threshold 0.75, 10 iterations); note that it does not balance
    classes, so rare terms gain almost only negative pseudo-labels.
    """
    if model is None:
        model = SelfTrainingClassifier(estimator=default_view_estimator())

    def fit_score(X_sequence, X_expression, y, target_rows, random_state):
        X = np.hstack([X_sequence, X_expression])
        fitted = _seeded(model, random_state).fit(X, y)
        return fitted.predict_proba(X[target_rows])[:, 1]

    return _score_modelled_terms(
        fit_score,
        sequence,
        expression,
        train_labels,
        aspect,
        targets,
        use_unlabeled=True,
        min_positives=min_positives,
        seed=seed,
        n_jobs=n_jobs,
        hits=hits,
    )


def cotraining(
    sequence: FeatureMatrix,
    expression: FeatureMatrix,
    train_labels: pd.DataFrame,
    aspect: str,
    targets: Iterable[str],
    model: CoTrainingClassifier | None = None,
    *,
    min_positives: int = DEFAULT_MIN_POSITIVES,
    seed: int = 0,
    n_jobs: int = 1,
    hits: pd.DataFrame | None = None,
) -> Predictions:
    """GOcotrain's co-training per term, as `scoring.score_aspect` runs it.

    Unlabeled genes are the targets and every other gene unlabeled in the aspect (their
    labels, if any, are never read). `model` carries the settings (default:
    `CoTrainingClassifier()`); its random_state is replaced by a seed per term.
    """
    model = CoTrainingClassifier() if model is None else model

    def fit_score(X_sequence, X_expression, y, target_rows, random_state):
        fitted = _seeded(model, random_state).fit(X_sequence, X_expression, y)
        return fitted.predict_proba(X_sequence[target_rows], X_expression[target_rows])[:, 1]

    return _score_modelled_terms(
        fit_score,
        sequence,
        expression,
        train_labels,
        aspect,
        targets,
        use_unlabeled=True,
        min_positives=min_positives,
        seed=seed,
        n_jobs=n_jobs,
        hits=hits,
    )


LEARNED_METHODS = {
    "sequence_only": sequence_only,
    "expression_only": expression_only,
    "concatenated": concatenated,
    "two_view_supervised": two_view_supervised,
    "self_training": self_training,
    "cotraining": cotraining,
}
