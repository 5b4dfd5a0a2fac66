"""Methods to compare GOcotrain with, each predicting the GO terms of one aspect for targets.

Every method returns CAFA-style predictions, ``{gene: {term: score}}`` with scores in [0, 1]
and one entry per target gene (possibly empty), and learns only from the training labels
(a labels table as `annotations.build_labels` makes it: gene_id, aspect, go_id, propagated,
roots left out). The targets' own rows in the training labels, if any, are ignored: a target
is always treated as unlabeled, so no method can see the answer it is scored on.

The learned methods are models with the two-view interface of `CoTrainingClassifier`, run
through the product's own per-term path, `terms.score_aspect`: ``cotraining`` is the product's
model exactly, and the others differ from it only by what they do with the views and the
unlabeled genes (`LEARNERS`). Homology transfer of rare terms, and its blend into the modelled
terms' scores, is added by the evaluation as the product adds it (`transfer.with_transfer`).

Hierarchy: `naive` and `transfer.homology_transfer` score a term at most as high as its
ancestors, because the training labels are propagated. The per-term learners need not; they
are not propagated here because `metrics.evaluate` max-propagates predictions (as CAFA does)
and `predictions.consistent_with_hierarchy` does the same for written predictions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.semi_supervised import SelfTrainingClassifier

from gocotrain.evaluation.blend_weights import BlendParts
from gocotrain.evaluation.method_names import TRANSFERS_RARE_TERMS
from gocotrain.learning.cotraining import CoTrainingClassifier, from_settings
from gocotrain.learning.terms import AspectScores, score_aspect
from gocotrain.learning.view_learners import combine_probabilities
from gocotrain.teaching.transfer import (
    Predictions,
    homology_transfer,
    term_frequencies,
    training_labels,
)
from gocotrain.views.coexpression import CoexpressionGraph, profile_columns
from gocotrain.views.features import FeatureMatrix
from gocotrain.views.homology import read_hits

if TYPE_CHECKING:
    from gocotrain.teaching.teacher import Teacher


def naive(
    train_labels: pd.DataFrame, aspect: str, targets: Iterable[str], top: int | None = None
) -> Predictions:
    """CAFA's naive baseline: every target gets each term's frequency among training genes
    (its `top` most frequent terms only, if given: against a large reference, Fmax's
    threshold sits far above the others, and every target holding every term is heavy)."""
    targets = sorted(set(targets))
    scores = term_frequencies(training_labels(train_labels, aspect, targets), top)
    return {gene: dict(scores) for gene in targets}


def multifunctionality(
    expression: FeatureMatrix, train_labels: pd.DataFrame, aspect: str, targets: Iterable[str]
) -> Predictions:
    """The multifunctionality control (Gillis & Pavlidis 2011): a score that knows nothing of
    a gene's function but how connected it is. Each term's training frequency (naive) times
    the gene's percentile of network degree in the co-expression network (how many genes
    count it among their nearest neighbours); a gene without expression gets the median.
    Multifunctional genes are hubs, so a method that does no better than this has learned
    only which genes carry many terms, not which terms."""
    targets = sorted(set(targets))
    frequencies = term_frequencies(training_labels(train_labels, aspect, targets))
    profiles = expression.values[:, profile_columns(expression.columns)]
    graph = CoexpressionGraph(profiles)
    degree = np.asarray(graph.weights.sum(axis=0)).ravel()[graph.present]
    percentile = pd.Series(degree, index=expression.genes[graph.present]).rank(pct=True)
    return {
        gene: {
            term: value * float(percentile.get(gene, 0.5)) for term, value in frequencies.items()
        }
        for gene in targets
    }


def _seeded(model, random_state: int):
    """A clone of `model` with every random_state parameter, nested ones too, set."""
    model = clone(model)
    keys = [key for key in model.get_params() if key.split("__")[-1] == "random_state"]
    return model.set_params(**dict.fromkeys(keys, random_state))


class OneModelClassifier(ClassifierMixin, BaseEstimator):
    """One classifier over the sequence view, the expression view or both side by side, with
    the two-view interface of `CoTrainingClassifier` (its scores as the first view's).

    Parameters
    ----------
    estimator : a scikit-learn classifier; a `SelfTrainingClassifier` with ``use_unlabeled``.
    view : "sequence", "expression" or "both" (concatenated; the estimator must accept NaN).
    use_unlabeled : fit on every row, with y = -1 for the unlabeled ones (self-training);
        otherwise on the labeled rows only.
    random_state : seeds every random_state of the estimator, nested ones too.

    Attributes
    ----------
    model_ : the fitted estimator, or None when its rows do not hold both classes.
    prior_ : share of positives among the labeled samples; the score of a gene the model
        cannot score (its view is missing, or there is no model).
    estimators_ : (model_, None), as `CoTrainingClassifier`'s per-view models.
    """

    def __init__(self, estimator=None, view="both", use_unlabeled=False, random_state=None):
        self.estimator = estimator
        self.view = view
        self.use_unlabeled = use_unlabeled
        self.random_state = random_state

    def _features(self, X_sequence, X_expression) -> np.ndarray:
        if self.view not in ("sequence", "expression", "both"):
            raise ValueError(f"view must be sequence, expression or both, not {self.view!r}")
        if self.view == "both":
            return np.hstack([X_sequence, X_expression])
        return np.asarray(X_sequence if self.view == "sequence" else X_expression)

    def _available(self, X: np.ndarray) -> np.ndarray:
        # Concatenated views: the estimator handles missing values itself.
        if self.view == "both":
            return np.ones(len(X), dtype=bool)
        return ~np.isnan(X).all(axis=1)

    def fit(self, X, y):
        """`X` is ``(X_sequence, X_expression)``, as `CoTrainingClassifier.fit` takes it."""
        X, y = self._features(*X), np.asarray(y)
        labeled = y >= 0
        self.prior_ = float(y[labeled].mean())
        self.classes_ = np.array([0, 1])
        rows = self._available(X) & (True if self.use_unlabeled else labeled)
        self.model_ = None
        if len(np.unique(y[rows & labeled])) == 2:
            self.model_ = _seeded(self.estimator, self.random_state).fit(X[rows], y[rows])
        self.estimators_ = (self.model_, None)
        return self

    def predict_proba_views(self, X):
        X = self._features(*X)
        probability = np.full(len(X), np.nan)
        available = self._available(X)
        if self.model_ is not None and available.any():
            probability[available] = self.model_.predict_proba(X[available])[:, 1]
        return probability, np.full(len(X), np.nan)

    def combine_views(self, views):
        positive = combine_probabilities(views, self.prior_)
        return np.column_stack([1 - positive, positive])


# Each learned method's model, from the co-training model of the settings (built by
# `cotraining.from_settings`, handed to `learned`): every learner uses its view estimator, so
# the methods differ by what they do with the views and the unlabeled genes, not by the trees.
LEARNERS: dict[str, Callable[[CoTrainingClassifier], object]] = {
    "sequence_only": lambda model: OneModelClassifier(model.estimator, view="sequence"),
    "expression_only": lambda model: OneModelClassifier(model.estimator, view="expression"),
    "concatenated": lambda model: OneModelClassifier(model.estimator, view="both"),
    # The ablation that tells what co-training's pseudo-labels add over combining the views.
    "two_view_supervised": lambda model: clone(model).set_params(rounds=0),
    # As many self-labelling rounds as co-training has, not scikit-learn's 10; it does not
    # balance classes, so rare terms gain almost only negative pseudo-labels.
    "self_training": lambda model: OneModelClassifier(
        SelfTrainingClassifier(estimator=model.estimator, max_iter=model.rounds),
        view="both",
        use_unlabeled=True,
    ),
    "cotraining": clone,
}


def learned(
    method: str,
    model: CoTrainingClassifier,
    sequence: FeatureMatrix,
    expression: FeatureMatrix,
    train_labels: pd.DataFrame,
    aspect: str,
    targets: Iterable[str],
    *,
    min_positives: int,
    seed: int,
    n_jobs: int = 1,
    hits: pd.DataFrame | None = None,
) -> AspectScores:
    """A learned method's scores of `targets` for the modelled terms: its model (`LEARNERS`,
    from the product's co-training `model`) fitted per modelled term on the training genes by
    the product's per-term path, every other gene unlabeled. `hits` give the sequence view
    its homology features, from the training labels only (`as_predictions` makes them
    predictions)."""
    targets = sorted(set(targets))
    labels = training_labels(train_labels, aspect, targets)
    scores, _ = score_aspect(
        aspect,
        sequence,
        expression,
        labels,
        hits if method != "expression_only" else None,
        LEARNERS[method](model),
        min_positives,
        seed,
        n_jobs=n_jobs,
        score_genes=targets,
    )
    return scores


def as_predictions(
    scores: AspectScores, targets: Iterable[str], transferred: Predictions | None = None
) -> Predictions:
    """`scores` of the `targets` as predictions, with the `transferred` scores of rare terms."""
    row_of = {gene: row for row, gene in enumerate(scores.genes.tolist())}
    terms = scores.terms.tolist()
    transferred = transferred or {}
    return {
        gene: dict(zip(terms, scores.score[row_of[gene]].astype(float).tolist(), strict=True))
        | transferred.get(gene, {})
        for gene in sorted(set(targets))
    }


Made = tuple[Predictions, BlendParts | None]


def _without_parts(predict: Callable[..., Predictions]) -> Callable[..., Made]:
    return lambda labels, aspect, targets: (predict(labels, aspect, targets), None)


def predictor(
    method: str, settings: dict, seed: int, threads: int, inputs: dict[str, str], teacher: Teacher
) -> Callable[..., Made]:
    """`method` as one function (training labels, aspect, targets) -> predictions and, where
    the finish blends the transfer in by a weight the evaluation chooses, their `BlendParts`
    (else None); trained with the run's `settings` (``cotraining``, ``homology``,
    ``min_positives``) on `inputs` (the ``sequence`` and ``expression`` views, the ``hits``).

    The learned methods' scores are finished by `teacher` (the product's, fitted without the
    targets' labels: `teaching.Teacher.fit`), as the product finishes them; where a reference
    teaches, they learn from the `resolved` training labels as the product does, and the
    homology baselines transfer from the reference's labeled homologs beside the organism's.
    `naive` stays the frequencies of the organism's own training labels.
    """
    hits = read_hits(inputs["hits"])
    neighbours = settings["homology"]["neighbours"]
    if method == "naive":
        return _without_parts(naive)
    if method == "multifunctionality":
        expression = FeatureMatrix.from_npz(inputs["expression"])
        return _without_parts(partial(multifunctionality, expression))
    if method in ("blast", "homology"):
        # blast: CAFA's BLAST baseline, the highest identity carrying the term
        k, rule = (neighbours, "knn") if method == "homology" else (None, "max_identity")
        return _without_parts(
            lambda labels, aspect, targets: homology_transfer(
                teacher.hits,
                teacher.without(targets).transferred_labels(),
                aspect,
                targets,
                k,
                rule,
            )
        )
    sequence = FeatureMatrix.from_npz(inputs["sequence"])
    expression = FeatureMatrix.from_npz(inputs["expression"])
    model = from_settings(settings["cotraining"], seed)
    finishes = method in TRANSFERS_RARE_TERMS

    def predict(labels, aspect, targets):
        fitted = teacher.fit([aspect], frozenset(targets))
        scores = learned(
            method,
            model,
            sequence,
            expression,
            fitted.model_labels(labels, targets),
            aspect,
            targets,
            min_positives=settings["min_positives"],
            seed=seed,
            n_jobs=threads,
            hits=hits,
        )
        if not finishes:
            return as_predictions(scores, targets), None
        return finished(fitted, scores, aspect, targets)

    return predict


def finished(teacher: Teacher, scores: AspectScores, aspect: str, targets) -> Made:
    """The targets' `scores` finished by the `teacher`, and where it blends the transfer in by
    a weight the evaluation chooses, the model's scores and the transfer apart."""
    transferred = teacher.blend_parts(scores, aspect)
    if transferred is None:
        return teacher.finish(scores, aspect).predictions(targets), None
    done = teacher.finish(scores, aspect, transferred=transferred)
    modelled = AspectScores(scores.genes, scores.terms, scores.score, {})
    return done.predictions(targets), BlendParts(modelled, transferred)
