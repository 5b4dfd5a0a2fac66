"""Two-view co-training (Blum & Mitchell 1998) with the scikit-learn estimator API."""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.validation import check_is_fitted
from xgboost import XGBClassifier

COMBINE_RULES = ("product", "mean")
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


def _logit(probability: np.ndarray) -> np.ndarray:
    probability = np.clip(probability, EPSILON, 1 - EPSILON)
    return np.log(probability) - np.log1p(-probability)


class CoTrainingClassifier(ClassifierMixin, BaseEstimator):
    """Binary co-training over two feature views of the same samples.

    Each round, each view's classifier labels the unlabeled samples of a random pool that it
    is most confident about, ``n_positive`` positives and negatives in proportion to the class
    ratio of the labeled data, and hands them to the *other* view's training set. Rounds stop
    after ``n_rounds`` or when no pool sample reaches ``threshold``. A sample whose row in one
    view is all-NaN (the view is missing for it) is used and scored by the other view only.

    Parameters
    ----------
    estimator : classifier for view 1 (default: XGBoost, see ``default_view_estimator``).
    second_estimator : classifier for view 2 (default: a clone of ``estimator``).
    n_rounds : maximum co-training rounds; 0 gives plain supervised two-view training.
    pool_size : size of the random pool of unlabeled samples examined each round.
    n_positive : positives each view may add per round.
    max_negative : cap on negatives each view may add per round.
    threshold : minimum probability of the chosen class for a pseudo-label.
    combine : "product" adds the views' log-odds (minus the prior's, as if the views were
        independent given the class) or "mean" averages their probabilities.
    random_state : seed for the pool draws and the view estimators.
    """

    def __init__(
        self,
        estimator=None,
        second_estimator=None,
        n_rounds: int = 10,
        pool_size: int = 200,
        n_positive: int = 1,
        max_negative: int = 50,
        threshold: float = 0.5,
        combine: str = "product",
        random_state=None,
    ) -> None:
        self.estimator = estimator
        self.second_estimator = second_estimator
        self.n_rounds = n_rounds
        self.pool_size = pool_size
        self.n_positive = n_positive
        self.max_negative = max_negative
        self.threshold = threshold
        self.combine = combine
        self.random_state = random_state

    def _view_estimators(self, rng: np.random.Generator):
        first = default_view_estimator() if self.estimator is None else self.estimator
        second = first if self.second_estimator is None else self.second_estimator
        estimators = []
        for template in (first, second):
            estimator = clone(template)
            if "random_state" in estimator.get_params():
                estimator.set_params(random_state=int(rng.integers(2**31 - 1)))
            estimators.append(estimator)
        return estimators

    @staticmethod
    def _available(X) -> np.ndarray:
        return ~np.all(np.isnan(X), axis=1)

    @staticmethod
    def _fit_view(template, X, labels, available):
        train = (labels >= 0) & available
        if len(np.unique(labels[train])) < 2:
            return None  # this view cannot learn the term; the other view decides
        return clone(template).fit(X[train], labels[train])

    def fit(self, X_view1, X_view2, y):
        """Fit on two views; ``y`` holds 0/1 for labeled samples and -1 for unlabeled ones."""
        X_view1 = np.asarray(X_view1, dtype=np.float32)
        X_view2 = np.asarray(X_view2, dtype=np.float32)
        y = np.asarray(y)
        if not len(X_view1) == len(X_view2) == len(y):
            raise ValueError("X_view1, X_view2 and y must have the same number of samples")
        if self.combine not in COMBINE_RULES:
            raise ValueError(f"combine must be one of {COMBINE_RULES}, not {self.combine!r}")
        labeled = y != -1
        if set(np.unique(y[labeled])) != {0, 1}:
            raise ValueError(
                "y needs labeled samples of both classes 0 and 1 (and -1 for unlabeled)"
            )
        rng = np.random.default_rng(self.random_state)
        templates = self._view_estimators(rng)
        views = (X_view1, X_view2)
        available = (self._available(X_view1), self._available(X_view2))
        self.classes_ = np.array([0, 1])
        self.prior_ = float(y[labeled].mean())
        negatives_per_positive = (1 - self.prior_) / self.prior_
        n_negative = int(min(self.max_negative, round(self.n_positive * negatives_per_positive)))
        n_negative = max(n_negative, 1)

        # Training labels of each view: its own labeled samples plus the other view's picks.
        view_labels = [y.astype(np.int8).copy(), y.astype(np.int8).copy()]
        unlabeled = rng.permutation(np.flatnonzero(~labeled))
        pool, reserve = unlabeled[: self.pool_size], unlabeled[self.pool_size :]
        self.history_ = []
        models = [
            self._fit_view(t, X, labels, a)
            for t, X, labels, a in zip(templates, views, view_labels, available, strict=True)
        ]
        for round_number in range(1, self.n_rounds + 1):
            if len(pool) == 0:
                break
            picked: set[int] = set()
            record = {"round": round_number}
            for source, target in ((0, 1), (1, 0)):
                model = models[source]
                candidates = pool[available[source][pool] & available[target][pool]]
                candidates = candidates[view_labels[target][candidates] < 0]
                positives = negatives = np.array([], dtype=int)
                if model is not None and len(candidates):
                    probability = model.predict_proba(views[source][candidates])[:, 1]
                    order = np.argsort(-probability, kind="stable")
                    top = order[: self.n_positive]
                    positives = candidates[top[probability[top] >= self.threshold]]
                    bottom = order[::-1][:n_negative]
                    negatives = candidates[bottom[1 - probability[bottom] >= self.threshold]]
                    negatives = np.setdiff1d(negatives, positives)
                view_labels[target][positives] = 1
                view_labels[target][negatives] = 0
                picked.update(positives.tolist())
                picked.update(negatives.tolist())
                record[f"view{source + 1}_added_positive"] = len(positives)
                record[f"view{source + 1}_added_negative"] = len(negatives)
            self.history_.append(record)
            if not picked:
                break
            pool = np.array([index for index in pool if index not in picked], dtype=int)
            refill = min(len(picked), len(reserve))
            pool, reserve = np.concatenate([pool, reserve[:refill]]), reserve[refill:]
            models = [
                self._fit_view(t, X, labels, a)
                for t, X, labels, a in zip(templates, views, view_labels, available, strict=True)
            ]
        if models[0] is None and models[1] is None:
            raise ValueError("neither view has labeled samples of both classes")
        self.estimators_ = models
        self.n_rounds_ = len(self.history_)
        self.n_pseudo_labeled_ = [
            int(((labels >= 0) & ~labeled).sum()) for labels in view_labels[::-1]
        ]
        return self

    def predict_proba_views(self, X_view1, X_view2) -> tuple[np.ndarray, np.ndarray]:
        """Each view's probability of the positive class; NaN where a view is missing."""
        check_is_fitted(self, "estimators_")
        results = []
        for model, X in zip(self.estimators_, (X_view1, X_view2), strict=True):
            X = np.asarray(X, dtype=np.float32)
            probability = np.full(len(X), np.nan)
            available = self._available(X)
            if model is not None and available.any():
                probability[available] = model.predict_proba(X[available])[:, 1]
            results.append(probability)
        return results[0], results[1]

    def predict_proba(self, X_view1, X_view2) -> np.ndarray:
        return self.combine_views(*self.predict_proba_views(X_view1, X_view2))

    def combine_views(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """Class probabilities from the views' own (see ``predict_proba_views``)."""
        check_is_fitted(self, "estimators_")
        if self.combine == "product":
            combined = _logit(first) + _logit(second) - _logit(np.array(self.prior_))
            both = 1.0 / (1.0 + np.exp(-combined))
        else:
            both = (first + second) / 2
        positive = np.where(np.isnan(first), second, np.where(np.isnan(second), first, both))
        # A sample missing both views gets the prior: nothing is known about it.
        positive = np.where(np.isnan(positive), self.prior_, positive)
        return np.column_stack([1 - positive, positive])

    def predict(self, X_view1, X_view2) -> np.ndarray:
        return (self.predict_proba(X_view1, X_view2)[:, 1] >= 0.5).astype(int)
