"""One GO term's model: its two views with the per-term features made from its labels
(`TermGraphs`, `term_views`), its seed, its fit (`fit_term`) and scores (`score_term`), and
its boosters' gain shares.

`terms.score_aspect` runs these over an aspect's terms; the benchmark scripts fit and score
terms with the same `fit_term` and `score_term`, and saved-model prediction (`predict`)
scores through `term_views` and `score_term`. A model is anything with
`CoTrainingClassifier`'s two-view interface: ``fit((X_sequence, X_expression), y)``,
``predict_proba_views`` and ``combine_views``.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import xgboost as xgb
from sklearn.base import clone

from gocotrain.views.coexpression import COEXPRESSION_FEATURES, CoexpressionGraph, profile_columns
from gocotrain.views.homology import HOMOLOGY_FEATURES, HomologyGraph


def term_seed(seed: int, term: str) -> int:
    """A seed per term that does not depend on the order or the number of workers."""
    return zlib.crc32(f"{seed}:{term}".encode())


def term_sequence_view(X_sequence: np.ndarray, graph: HomologyGraph | None, y: np.ndarray):
    """The sequence view of one term: composition plus the term's homology features.

    They are computed from the labels in `y` (1/0 labeled, -1 unlabeled) only; a gene's own
    label never enters its own features.
    """
    if graph is None:
        return X_sequence
    features = graph.term_features(y >= 0, y == 1)
    # A gene without any sequence keeps an all-NaN row: the view is missing for it.
    features[np.all(np.isnan(X_sequence), axis=1)] = np.nan
    return np.hstack([X_sequence, features])


def term_expression_view(
    X_expression: np.ndarray, coexpression: CoexpressionGraph | None, y: np.ndarray
) -> np.ndarray:
    """The expression view of one term: profile features plus the term's co-expression
    neighbour vote, from the labels in `y` only (as `term_sequence_view`)."""
    if coexpression is None:
        return X_expression
    features = coexpression.term_features(y >= 0, y == 1)
    features[np.all(np.isnan(X_expression), axis=1)] = np.nan
    return np.hstack([X_expression, features])


def term_views(X_sequence, X_expression, graphs: TermGraphs, y: np.ndarray):
    """Both views of one term, their per-term features made from the labels in `y`."""
    return (
        term_sequence_view(X_sequence, graphs.homology, y),
        term_expression_view(X_expression, graphs.coexpression, y),
    )


@dataclass
class TermGraphs:
    """The graphs a term's per-term features are read from: homology hits and co-expression
    (None: that view gets no per-term features)."""

    homology: HomologyGraph | None = None
    coexpression: CoexpressionGraph | None = None

    @classmethod
    def of(cls, genes: list[str], hits, X_expression, expression_columns) -> TermGraphs:
        """Graphs over the rows `genes`: homology from `hits` (None for none), co-expression
        from the expression view's profile columns."""
        profiles = X_expression[:, profile_columns(expression_columns)]
        return cls(
            homology=HomologyGraph(genes, hits) if hits is not None else None,
            coexpression=CoexpressionGraph(profiles) if profiles.shape[1] else None,
        )

    def feature_names(self) -> tuple[list[str], list[str]]:
        """Names of the per-term features each view gets."""
        return (
            list(HOMOLOGY_FEATURES) if self.homology is not None else [],
            list(COEXPRESSION_FEATURES) if self.coexpression is not None else [],
        )


def fit_term(model, X_sequence, X_expression, graphs, y, term: str, seed: int, rows=None):
    """A clone of `model` fitted on one term (its seed from the term), and the term's views.

    `rows` restricts the fit to some rows (default all); the per-term features are made over
    all rows, from the labels in `y` (`term_views`).
    """
    model = clone(model).set_params(random_state=term_seed(seed, term))
    X_term_sequence, X_term_expression = term_views(X_sequence, X_expression, graphs, y)
    fit_rows = slice(None) if rows is None else rows
    model.fit((X_term_sequence[fit_rows], X_term_expression[fit_rows]), y[fit_rows])
    return model, X_term_sequence, X_term_expression


def score_term(model, X_term_sequence, X_term_expression, rows: np.ndarray):
    """A fitted model's combined score of `rows`, then each view's."""
    views = model.predict_proba_views((X_term_sequence[rows], X_term_expression[rows]))
    return model.combine_views(views)[:, 1], *views


def gain_shares(model, n_features: int) -> np.ndarray:
    """Each feature's share of a booster's total gain (zeros for another kind of model)."""
    shares = np.zeros(n_features)
    if isinstance(model, xgb.Booster):
        for name, gain in model.get_score(importance_type="total_gain").items():
            shares[int(name[1:])] = gain  # features are named f0, f1, ... by position
    total = shares.sum()
    return shares / total if total > 0 else shares
