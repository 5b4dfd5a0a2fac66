"""What the co-training estimator is built from, per view: the view's learner (warm-started
XGBoost, or any scikit-learn classifier refitted each round), the views of an input matrix,
and how the views' probabilities combine into one.

`cotraining.CoTrainingClassifier` uses them; `combine_probabilities` also serves the
evaluation's two-view supervised method.
"""

from __future__ import annotations

import numpy as np
import xgboost as xgb
from sklearn.base import clone
from xgboost import XGBClassifier

EPSILON = 1e-6


def default_view_estimator() -> XGBClassifier:
    """Boosted trees: fast, handle unscaled mixed features and missing values."""
    return XGBClassifier(
        n_estimators=50,
        max_depth=4,
        learning_rate=0.1,
        subsample=0.8,
        colsample_bytree=0.5,
        tree_method="hist",
        max_bin=64,
        n_jobs=1,
        verbosity=0,
    )


def as_views(X, view_columns=None) -> list[np.ndarray]:
    """The views of `X`: a sequence of one matrix per view, or one matrix whose columns
    `view_columns` splits (a column selection per view, e.g. two slices), as a scikit-learn
    `Pipeline` or `GridSearchCV` hands one matrix on."""
    if isinstance(X, (tuple, list)):
        views = [np.asarray(part, dtype=np.float32) for part in X]
    elif view_columns is None:
        raise ValueError(
            "X is one matrix: set view_columns (the columns of each view), or give X as "
            "(X_view1, X_view2)"
        )
    else:
        X = np.asarray(X, dtype=np.float32)
        views = [X[:, columns] for columns in view_columns]
    if len(views) != 2:
        raise ValueError(f"co-training takes two views, not {len(views)}")
    if len(views[0]) != len(views[1]):
        raise ValueError("the views must have the same number of samples")
    return views


def _logit(probability: np.ndarray) -> np.ndarray:
    probability = np.clip(probability, EPSILON, 1 - EPSILON)
    return np.log(probability) - np.log1p(-probability)


class _BoostedView:
    """One view learned by XGBoost, trees added to a previous model on each call.

    The native API is used (not XGBClassifier.fit) because it lets every training matrix of a
    fit share one quantile sketch (`QuantileDMatrix(ref=...)`), lets a matrix be reused
    across rounds with new labels and weights, and continues a booster; re-sketching the
    features on every refit cost more than the trees themselves.
    """

    warm_start = True

    def __init__(self, estimator: XGBClassifier, X: np.ndarray, seed: int) -> None:
        params = {k: v for k, v in estimator.get_xgb_params().items() if v is not None}
        params.update(objective="binary:logistic", seed=seed, verbosity=0)
        # The estimator's n_jobs, as the native API names it (terms already run in parallel).
        params["nthread"] = params.pop("n_jobs", None) or 1
        self.params = params
        self.max_bin = int(params.get("max_bin", 256))
        self.n_trees = int(estimator.n_estimators or 100)
        self.X = X
        self.sketched = self.sketched_rows = None

    def sketch(self, rows: np.ndarray) -> None:
        """The quantile sketch every training set of the fit is binned by: that of the final
        fit's labeled rows. Sketching all rows of X (the whole proteome) instead cost more
        than a rare term's trees."""
        self.sketched = self._matrix(rows)
        self.sketched_rows = rows

    def prepare(self, rows: np.ndarray):
        if np.array_equal(rows, self.sketched_rows):
            return self.sketched
        return self._matrix(rows, self.sketched)

    def _matrix(self, rows: np.ndarray, sketched=None):
        # The view's threads, not XGBoost's default of every core: terms already run in
        # parallel, and a small matrix took several times longer to sketch with all of them.
        return xgb.QuantileDMatrix(
            self.X[rows], ref=sketched, max_bin=self.max_bin, nthread=self.params["nthread"]
        )

    def train(self, data, labels, weights, n_trees: int, previous=None):
        data.set_label(labels)
        data.set_weight(weights)
        return xgb.train(self.params, data, num_boost_round=n_trees, xgb_model=previous)

    def predict(self, model, rows: np.ndarray) -> np.ndarray:
        return model.inplace_predict(self.X[rows]).astype(np.float64)


class _RefitView:
    """Any other scikit-learn classifier: refitted from scratch on each call."""

    warm_start = False

    def __init__(self, estimator, X: np.ndarray, seed: int) -> None:
        self.estimator = clone(estimator)
        if "random_state" in self.estimator.get_params():
            self.estimator.set_params(random_state=seed)
        self.n_trees = 1
        self.X = X

    def sketch(self, rows: np.ndarray) -> None:
        pass

    def prepare(self, rows: np.ndarray):
        return rows

    def train(self, data, labels, weights, n_trees: int, previous=None):
        # Up-weighted sampled negatives are not passed on: not every estimator takes weights.
        used = weights > 0
        return clone(self.estimator).fit(self.X[data[used]], labels[used])

    def predict(self, model, rows: np.ndarray) -> np.ndarray:
        return model.predict_proba(self.X[rows])[:, 1]


def view_learner(estimator, X: np.ndarray, seed: int):
    if isinstance(estimator, XGBClassifier):
        return _BoostedView(estimator, X, seed)
    return _RefitView(estimator, X, seed)


def view_probability(model, X: np.ndarray) -> np.ndarray:
    """A fitted view model's (a Booster's or a classifier's) probability of the positive
    class for each row of its view `X`; NaN where the view is missing (a row all NaN) or
    there is no model."""
    probability = np.full(len(X), np.nan)
    available = ~np.all(np.isnan(X), axis=1)
    if model is not None and available.any():
        if isinstance(model, xgb.Booster):
            probability[available] = model.inplace_predict(X[available])
        else:
            probability[available] = model.predict_proba(X[available])[:, 1]
    return probability


def combine_probabilities(views, prior: float, rule: str = "product") -> np.ndarray:
    """Positive-class probability from each view's own (a sequence of arrays, one per view);
    NaN marks a view missing for a gene.

    "product" adds the views' log-odds minus the prior's once per view beyond the first (the
    views taken as independent given the class); "mean" averages the probabilities. A gene
    with one view gets that view's probability; with none, the prior: nothing is known of it.
    """
    views = np.asarray(views, dtype=np.float64)
    present = ~np.isnan(views)
    count = present.sum(axis=0)
    given = np.where(present, views, 0.0).sum(axis=0)
    if rule == "product":
        log_odds = np.where(present, _logit(np.where(present, views, 0.5)), 0.0).sum(axis=0)
        combined = 1.0 / (1.0 + np.exp(-(log_odds - (count - 1) * _logit(np.array(prior)))))
    else:
        combined = given / np.maximum(count, 1)
    return np.where(count == 0, prior, np.where(count == 1, given, combined))
