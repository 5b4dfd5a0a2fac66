"""Two-view co-training (Blum & Mitchell 1998) with the scikit-learn estimator API.

Two things make it fast and safe enough for thousands of GO terms:

* Warm-started boosting. With XGBoost views (the default), the rounds do not refit from
  scratch: a base model of most of the trees is fitted on the labeled genes, and each round
  adds a few trees fitted on the labeled plus the pseudo-labeled genes. The quantile sketch of
  each view is computed once per fit and reused by every later training set. The supervised
  model has the same number of trees, so a co-trained model costs about what a supervised
  one does.
* A validated choice per term. Part of the labeled genes is held out; co-training and the
  supervised model are both fitted on the rest (sharing their base trees) and scored there.
  Only if co-training scores higher, and does so on most bootstrap resamples of the held-out
  genes (a single hold-out of a few dozen positives is noisy, and a chance win would let a
  worse model through), is it refitted on all labeled genes; otherwise the supervised model
  is, which makes the result exactly the supervised one. Too few held-out positives to tell
  also means the supervised model.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import ClassVar

import numpy as np
import xgboost as xgb
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context, clone
from sklearn.metrics import average_precision_score
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from xgboost import XGBClassifier

COMBINE_RULES = ("product", "mean")
EPSILON = 1e-6
COTRAINING = "cotraining"
SUPERVISED = "supervised"
# Enough resamples to tell a 90 % win share from a coin flip, cheap next to a term's trees.
BOOTSTRAP_RESAMPLES = 200


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


def weighted_average_precision(y: np.ndarray, score: np.ndarray, weights: np.ndarray):
    """Average precision (scikit-learn's definition, ties grouped) under each row of `weights`.

    Written out rather than calling ``average_precision_score(sample_weight=...)`` once per
    bootstrap resample: one pass over all resamples is about ten times faster, which
    matters with hundreds of resamples for each of thousands of terms.
    """
    order = np.argsort(-score, kind="stable")
    score, y = score[order], y[order].astype(float)
    weights = np.asarray(weights, dtype=float)[:, order]
    # The last row of each run of tied scores: one threshold per distinct score.
    ends = np.append(np.flatnonzero(np.diff(score)), len(score) - 1)
    true_positives = np.cumsum(weights * y, axis=1)[:, ends]
    predicted = np.cumsum(weights, axis=1)[:, ends]
    precision = np.divide(
        true_positives, predicted, out=np.zeros_like(predicted), where=predicted > 0
    )
    recall = true_positives / true_positives[:, -1:]
    return np.sum(np.diff(recall, axis=1, prepend=0) * precision, axis=1)


def bootstrap_win_share(
    y: np.ndarray, first: np.ndarray, second: np.ndarray, rng: np.random.Generator
) -> float:
    """Share of stratified bootstrap resamples of the rows on which `first` has a higher
    average precision than `second` (paired: both are scored on the same resample)."""
    weights = np.zeros((BOOTSTRAP_RESAMPLES, len(y)))
    for label in (0, 1):
        rows = np.flatnonzero(y == label)
        weights[:, rows] = rng.multinomial(
            len(rows), np.full(len(rows), 1 / len(rows)), size=BOOTSTRAP_RESAMPLES
        )
    wins = weighted_average_precision(y, first, weights) > weighted_average_precision(
        y, second, weights
    )
    return float(wins.mean())


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
        self.reference = self.reference_rows = None

    def sketch(self, rows: np.ndarray) -> None:
        """The quantile sketch every training set of the fit is binned by: that of the final
        fit's labeled rows. Sketching all rows of X (the whole proteome) instead cost more
        than a rare term's trees."""
        self.reference = self._matrix(rows)
        self.reference_rows = rows

    def prepare(self, rows: np.ndarray):
        if np.array_equal(rows, self.reference_rows):
            return self.reference
        return self._matrix(rows, self.reference)

    def _matrix(self, rows: np.ndarray, reference=None):
        # The view's threads, not XGBoost's default of every core: terms already run in
        # parallel, and a small matrix took six times longer to sketch with all of them.
        return xgb.QuantileDMatrix(
            self.X[rows], ref=reference, max_bin=self.max_bin, nthread=self.params["nthread"]
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


def _view_learner(estimator, X: np.ndarray, seed: int):
    if isinstance(estimator, XGBClassifier):
        return _BoostedView(estimator, X, seed)
    return _RefitView(estimator, X, seed)


def combine_probabilities(first, second, prior: float, rule: str = "product") -> np.ndarray:
    """Positive-class probability from two views' own; NaN marks a view missing for a gene.

    "product" adds the views' log-odds minus the prior's (the views taken as independent
    given the class); "mean" averages the probabilities. A gene with neither view gets the
    prior: nothing is known about it.
    """
    first = np.asarray(first, dtype=np.float64)
    second = np.asarray(second, dtype=np.float64)
    if rule == "product":
        combined = _logit(first) + _logit(second) - _logit(np.array(prior))
        both = 1.0 / (1.0 + np.exp(-combined))
    else:
        both = (first + second) / 2
    positive = np.where(np.isnan(first), second, np.where(np.isnan(second), first, both))
    return np.where(np.isnan(positive), prior, positive)


class CoTrainingClassifier(ClassifierMixin, BaseEstimator):
    """Binary co-training over two feature views of the same samples.

    Each round, each view's classifier labels the unlabeled samples of a random pool that it
    is most confident about, ``positives_per_round`` positives and negatives in proportion to
    the class ratio of the labeled data (at most ``max_negatives_per_round``), and hands them
    to the *other* view's training set. A pseudo-label needs a probability of at least
    ``confidence_threshold`` for its class.
    A sample whose row in one view is all-NaN (the view is missing for it) is used and scored
    by the other view only.

    With XGBoost views, ``n_estimators`` of the view estimator is the total number of trees of
    every final model, co-trained or supervised; the share ``cotraining_trees`` of them is
    grown during the rounds, on labeled plus pseudo-labeled samples. Other estimators are
    refitted on each round instead.

    Before using co-training for a term, ``validation_fraction`` of the labeled samples
    (stratified) is held out, and co-training and supervised models fitted on the rest are
    compared by average precision there. Co-training is kept only if it scores higher by more
    than ``min_improvement`` and scores higher on at least ``validation_confidence`` of
    stratified bootstrap resamples of the held-out samples; otherwise, or when fewer than
    ``min_validation_positives`` positives would be held out, the model is fitted without
    unlabeled samples. ``validation_fraction=0`` skips the check and always co-trains.

    Parameters
    ----------
    estimator : classifier for view 1 (default: XGBoost, see ``default_view_estimator``).
    second_estimator : classifier for view 2 (default: ``estimator``).
    rounds : co-training rounds; 0 gives plain supervised two-view training.
    pool_size : size of the random pool of unlabeled samples examined each round.
    positives_per_round : positives each view may add per round (at least).
    pseudo_positive_share : each view may add this share of the fit's labeled positives per
        round, where that is more than ``positives_per_round``; 0 for a fixed number.
    max_negatives_per_round : cap on negatives each view may add per round.
    confidence_threshold : minimum probability of the chosen class for a pseudo-label.
    combine : "product" or "mean", see ``combine_probabilities``.
    cotraining_trees : share of the trees grown during the rounds (XGBoost views).
    validation_fraction : share of the labeled samples held out to choose co-training.
    min_validation_positives : fewest held-out positives for which the choice is made.
    min_improvement : how much higher co-training's held-out average precision must be.
    validation_confidence : share of bootstrap resamples of the held-out samples on which
        co-training must score higher; 0 trusts the single held-out comparison.
    negatives_per_positive : labeled negatives each fit trains on, at most this many times
        its positives (a seeded sample, weighted up to keep the class balance); None for all.
    view_columns : for ``fit(X, y)`` with X one matrix, the columns of each view (a column
        selection per view, e.g. ``(slice(0, 30), slice(30, None))``); None where X is given
        as ``(X_view1, X_view2)``.
    random_state : seed for the split, the samples, the pool draws and the view estimators.

    The parameters are named as the keys of the config's ``cotraining`` section
    (`from_settings`), and checked in one place, `_parameter_constraints`, when ``fit``
    starts (the config schema's ranges are tested against it).

    Attributes
    ----------
    classes_ : array [0, 1].
    prior_ : share of positives among the labeled samples.
    estimators_ : the two views' fitted models (XGBoost Boosters for XGBoost views); None
        for a view whose samples did not hold both classes.
    decision_ : "cotraining" or "supervised", what the final models are.
    decision_reason_ : why, in words (the held-out comparison, or why none was made).
    validation_ : the held-out check's history: round 0 the supervised average precision
        (and the bootstrap win share), then co-training's after each round; empty without
        a check.
    history_ : per round of the final fit, the pseudo-labels each view added.
    n_pseudo_labeled_ : pseudo-labels each view received in the final fit.
    pseudo_positive_rows_ : the unlabeled samples (rows of the fit) that either view was
        given as positives in the final fit: the term came to them through the other view.
    rounds_ : rounds run in the final fit.
    """

    _parameter_constraints: ClassVar[dict] = {
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
        "second_estimator": [HasMethods(["fit", "predict_proba"]), None],
        "rounds": [Interval(Integral, 0, None, closed="left")],
        "pool_size": [Interval(Integral, 1, None, closed="left")],
        "positives_per_round": [Interval(Integral, 1, None, closed="left")],
        "pseudo_positive_share": [Interval(Real, 0, 1, closed="both")],
        "max_negatives_per_round": [Interval(Integral, 1, None, closed="left")],
        "confidence_threshold": [Interval(Real, 0.5, 1, closed="both")],
        "combine": [StrOptions(set(COMBINE_RULES))],
        "cotraining_trees": [Interval(Real, 0, 1, closed="left")],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "min_validation_positives": [Interval(Integral, 1, None, closed="left")],
        "min_improvement": [Interval(Real, 0, None, closed="left")],
        "validation_confidence": [Interval(Real, 0, 1, closed="both")],
        "negatives_per_positive": [Interval(Integral, 1, None, closed="left"), None],
        "view_columns": [list, tuple, None],
        "random_state": [Interval(Integral, 0, None, closed="left"), None],
    }

    def __init__(
        self,
        estimator=None,
        second_estimator=None,
        rounds: int = 5,
        pool_size: int = 200,
        positives_per_round: int = 1,
        pseudo_positive_share: float = 0.0,
        max_negatives_per_round: int = 50,
        confidence_threshold: float = 0.5,
        combine: str = "product",
        cotraining_trees: float = 0.3,
        validation_fraction: float = 0.2,
        min_validation_positives: int = 3,
        min_improvement: float = 0.0,
        validation_confidence: float = 0.9,
        negatives_per_positive: int | None = 20,
        view_columns=None,
        random_state=None,
    ) -> None:
        self.estimator = estimator
        self.second_estimator = second_estimator
        self.rounds = rounds
        self.pool_size = pool_size
        self.positives_per_round = positives_per_round
        self.pseudo_positive_share = pseudo_positive_share
        self.max_negatives_per_round = max_negatives_per_round
        self.confidence_threshold = confidence_threshold
        self.combine = combine
        self.cotraining_trees = cotraining_trees
        self.validation_fraction = validation_fraction
        self.min_validation_positives = min_validation_positives
        self.min_improvement = min_improvement
        self.validation_confidence = validation_confidence
        self.negatives_per_positive = negatives_per_positive
        self.view_columns = view_columns
        self.random_state = random_state

    # -- set-up ---------------------------------------------------------------------------

    def _check(self, X, y):
        """The views of `X` (`as_views`) and `y`, checked: the parameters are checked by
        `_parameter_constraints` before."""
        views = as_views(X, self.view_columns)
        y = np.asarray(y)
        if len(views[0]) != len(y):
            raise ValueError("X and y must have the same number of samples")
        labeled = y != -1
        if set(np.unique(y[labeled])) != {0, 1}:
            raise ValueError(
                "y needs labeled samples of both classes 0 and 1 (and -1 for unlabeled)"
            )
        return views, y.astype(np.int8)

    def _tree_schedule(self, n_trees: int, warm_start: bool) -> tuple[int, int]:
        """Trees of the base model and trees added per round."""
        if not warm_start or self.rounds == 0:
            return n_trees, n_trees
        per_round = max(1, round(n_trees * self.cotraining_trees / self.rounds))
        return max(1, n_trees - per_round * self.rounds), per_round

    def _split(self, labeled_rows: np.ndarray, y: np.ndarray, rng: np.random.Generator):
        """Stratified hold-out of labeled rows, or None when too few positives for it."""
        if self.validation_fraction == 0:
            return None
        held_out = []
        for label in (0, 1):
            rows = rng.permutation(labeled_rows[y[labeled_rows] == label])
            count = round(len(rows) * self.validation_fraction)
            if label == 1 and (count < self.min_validation_positives or count >= len(rows) - 1):
                return None
            held_out.append(rows[:count])
        validation = np.sort(np.concatenate(held_out))
        return np.setdiff1d(labeled_rows, validation), validation

    def _sampled(self, rows: np.ndarray, y: np.ndarray, rng: np.random.Generator):
        """`rows` with their negatives sampled down to ``negatives_per_positive`` times the
        positives, and each row's training weight: the kept negatives are weighted up so
        that the classes keep their balance.

        A rare term has a few dozen positives among thousands of negatives; the trees learn
        about as much from a sample of the negatives, at a fraction of the cost.
        """
        weight = np.ones(len(y), dtype=np.float32)
        negatives = rows[y[rows] == 0]
        most = None
        if self.negatives_per_positive is not None:
            most = self.negatives_per_positive * int((y[rows] == 1).sum())
        if most is None or len(negatives) <= most:
            return rows, weight
        kept = rng.choice(negatives, size=most, replace=False)
        weight[kept] = len(negatives) / most
        return np.sort(np.concatenate([rows[y[rows] == 1], kept])), weight

    # -- fitting --------------------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit on two views: `X` is ``(X_view1, X_view2)``, or one matrix that
        ``view_columns`` splits; ``y`` holds 0/1 for labeled samples and -1 for unlabeled
        ones."""
        (X_view1, X_view2), y = self._check(X, y)
        rng = np.random.default_rng(self.random_state)
        first = default_view_estimator() if self.estimator is None else self.estimator
        second = first if self.second_estimator is None else self.second_estimator
        views = [
            _view_learner(template, X, int(rng.integers(2**31 - 1)))
            for template, X in ((first, X_view1), (second, X_view2))
        ]
        self._available = [~np.all(np.isnan(X), axis=1) for X in (X_view1, X_view2)]
        labeled = np.flatnonzero(y != -1)
        unlabeled = np.flatnonzero(y == -1)
        # The final fit's rows, drawn and sketched first: a term that keeps the supervised
        # model then gets exactly the model of rounds=0, whatever the held-out check drew.
        final_rows, final_weight = self._sampled(
            labeled, y, np.random.default_rng(rng.integers(2**63 - 1))
        )
        for index, view in enumerate(views):
            view.sketch(final_rows[self._available[index][final_rows]])
        self.classes_ = np.array([0, 1])
        self.prior_ = float(y[labeled].mean())
        self.validation_ = []
        self.decision_ = SUPERVISED
        self.decision_reason_ = "no co-training rounds"
        use_cotraining = self.rounds > 0 and len(unlabeled) > 0
        if self.rounds > 0 and not len(unlabeled):
            self.decision_reason_ = "no unlabeled samples"
        if use_cotraining and self.validation_fraction > 0:
            split = self._split(labeled, y, rng)
            if split is None:
                use_cotraining = False
                self.decision_reason_ = "too few labeled positives to validate co-training"
            else:
                fit_rows, validation = split
                fit_rows, self._weight = self._sampled(fit_rows, y, rng)
                use_cotraining = self._validate(views, y, fit_rows, validation, unlabeled, rng)
        labeled, self._weight = final_rows, final_weight
        if use_cotraining:
            self.decision_ = COTRAINING
            if self.validation_fraction == 0:
                self.decision_reason_ = "co-training without validation"
            models, self.history_, self.n_pseudo_labeled_, _ = self._cotrain(
                views, y, labeled, unlabeled, rng
            )
        else:
            # One go of all the trees: exactly the model of rounds=0.
            prepared = self._prepare(views, labeled)
            models = [
                self._train(view, part, y, view.n_trees)
                for view, part in zip(views, prepared, strict=True)
            ]
            self.history_, self.n_pseudo_labeled_ = [], [0, 0]
            self.pseudo_positive_rows_ = np.array([], dtype=int)
        if models[0] is None and models[1] is None:
            raise ValueError("neither view has labeled samples of both classes")
        self.estimators_ = models
        self.rounds_ = len(self.history_)
        del self._available, self._weight
        self.__dict__.pop("_n_positive", None)  # set by the rounds, when there were any
        return self

    def _prepare(self, views, rows: np.ndarray) -> list[tuple]:
        """Per view: the rows it has features for, and a training matrix over them."""
        prepared = []
        for index, view in enumerate(views):
            usable = rows[self._available[index][rows]]
            prepared.append((usable, view.prepare(usable)))
        return prepared

    def _train(self, view, prepared, labels, n_trees: int, previous=None):
        """Add n_trees to `previous` on the rows whose label (over all rows) is known.

        Returns `previous` unchanged when the rows do not hold both classes: that view
        cannot learn (more of) the term, and the other view decides.
        """
        rows, data = prepared
        labels = labels[rows]
        known = labels >= 0
        if len(np.unique(labels[known])) < 2:
            return previous
        weights = np.where(known, self._weight[rows], 0).astype(np.float32)
        return view.train(data, np.where(known, labels, 0), weights, n_trees, previous)

    def _candidates(self, unlabeled: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """The unlabeled rows that can enter the pool, in the order they will."""
        n_positive, n_negative = self._n_positive, self._n_negative()
        most = self.pool_size + 2 * self.rounds * (n_positive + n_negative)
        return rng.permutation(unlabeled)[:most]

    def _positives_per_round(self, y: np.ndarray, rows: np.ndarray) -> int:
        """Positives each view gives the other per round: ``positives_per_round``, or more
        where ``pseudo_positive_share`` of the fit's labeled positives is more, so that a
        term with many positives gains as much in proportion as a rare one."""
        share = round(self.pseudo_positive_share * int((y[rows] == 1).sum()))
        return max(self.positives_per_round, share)

    def _n_negative(self) -> int:
        """Negatives per round, in the labeled class ratio (Blum & Mitchell's rule)."""
        ratio = (1 - self.prior_) / self.prior_
        return max(1, int(min(self.max_negatives_per_round, round(self._n_positive * ratio))))

    def _cotrain(self, views, y, rows, unlabeled, rng, validation=None):
        """Co-train from labeled `rows` and `unlabeled`; with `validation`, also fit the
        supervised model from the same base trees and score both there."""
        self._n_positive = self._positives_per_round(y, rows)
        candidates = self._candidates(unlabeled, rng)
        prepared = self._prepare(views, np.sort(np.concatenate([rows, candidates])))
        base_labels = np.full(len(y), -1, dtype=np.int8)
        base_labels[rows] = y[rows]
        models = []
        for view, part in zip(views, prepared, strict=True):
            base_trees, _ = self._tree_schedule(view.n_trees, view.warm_start)
            models.append(self._train(view, part, base_labels, base_trees))
        supervised_probability = cotrained_probability = None
        if validation is not None:
            supervised = list(models)
            for index, (view, part) in enumerate(zip(views, prepared, strict=True)):
                if view.warm_start and supervised[index] is not None:
                    _, per_round = self._tree_schedule(view.n_trees, True)
                    # The trees co-training grows in its rounds, grown without pseudo-labels.
                    supervised[index] = self._train(
                        view, part, base_labels, per_round * self.rounds, supervised[index]
                    )
            supervised_probability = self._combined(views, supervised, validation)
        n_negative = self._n_negative()
        # Training labels of each view: the labeled samples plus the other view's picks.
        view_labels = [base_labels.copy() for _ in views]
        pool, reserve = candidates[: self.pool_size], candidates[self.pool_size :]
        history = []
        for round_number in range(1, self.rounds + 1):
            picked: set[int] = set()
            record = {"round": round_number}
            for source, target in ((0, 1), (1, 0)):
                chosen = pool[self._available[source][pool] & self._available[target][pool]]
                chosen = chosen[view_labels[target][chosen] < 0]
                positives = negatives = np.array([], dtype=int)
                if models[source] is not None and len(chosen):
                    probability = views[source].predict(models[source], chosen)
                    order = np.argsort(-probability, kind="stable")
                    top = order[: self._n_positive]
                    positives = chosen[top[probability[top] >= self.confidence_threshold]]
                    bottom = order[::-1][:n_negative]
                    negatives = chosen[bottom[1 - probability[bottom] >= self.confidence_threshold]]
                    negatives = np.setdiff1d(negatives, positives)
                view_labels[target][positives] = 1
                view_labels[target][negatives] = 0
                picked.update(positives.tolist())
                picked.update(negatives.tolist())
                record[f"view{source + 1}_added_positive"] = len(positives)
                record[f"view{source + 1}_added_negative"] = len(negatives)
            for index, (view, part) in enumerate(zip(views, prepared, strict=True)):
                _, per_round = self._tree_schedule(view.n_trees, view.warm_start)
                previous = models[index] if view.warm_start else None
                trained = self._train(view, part, view_labels[index], per_round, previous)
                models[index] = trained if trained is not None else models[index]
            if validation is not None:
                cotrained_probability = self._combined(views, models, validation)
                record["validation_average_precision"] = float(
                    average_precision_score(y[validation], cotrained_probability)
                )
            history.append(record)
            pool = np.array([index for index in pool if index not in picked], dtype=int)
            refill = min(len(picked), len(reserve))
            pool, reserve = np.concatenate([pool, reserve[:refill]]), reserve[refill:]
        # Pseudo-labels each view received (view 1's come from view 2, and back).
        added = [int(((labels >= 0) & (y == -1)).sum()) for labels in view_labels]
        self.pseudo_positive_rows_ = np.flatnonzero(
            ((view_labels[0] == 1) | (view_labels[1] == 1)) & (y == -1)
        )
        if validation is not None:
            supervised_score = float(average_precision_score(y[validation], supervised_probability))
            history.insert(0, {"round": 0, "supervised_average_precision": supervised_score})
        return models, history, added, (supervised_probability, cotrained_probability)

    def _combined(self, views, models, rows) -> np.ndarray:
        """Both views' probabilities for `rows`, combined."""
        probabilities = []
        for index, (view, model) in enumerate(zip(views, models, strict=True)):
            probability = np.full(len(rows), np.nan)
            present = self._available[index][rows]
            if model is not None and present.any():
                probability[present] = view.predict(model, rows[present])
            probabilities.append(probability)
        return combine_probabilities(*probabilities, self.prior_, self.combine)

    def _validate(self, views, y, fit_rows, validation, unlabeled, rng) -> bool:
        """Co-train and fit supervised on `fit_rows`; is co-training better on `validation`?"""
        _, history, _, probabilities = self._cotrain(views, y, fit_rows, unlabeled, rng, validation)
        supervised = history[0]["supervised_average_precision"]
        cotrained = history[-1]["validation_average_precision"]
        self.validation_ = history
        self.decision_reason_ = (
            f"held-out average precision {cotrained:.4f} co-trained vs {supervised:.4f} supervised"
        )
        if not cotrained > supervised + self.min_improvement:
            return False
        if self.validation_confidence == 0:
            return True
        supervised_probability, cotrained_probability = probabilities
        share = bootstrap_win_share(
            y[validation], cotrained_probability, supervised_probability, rng
        )
        history[0]["cotraining_win_share"] = share
        self.decision_reason_ += (
            f"; co-training higher on {share:.0%} of {BOOTSTRAP_RESAMPLES} bootstrap resamples"
        )
        return share >= self.validation_confidence

    # -- prediction -----------------------------------------------------------------------

    def predict_proba_views(self, X) -> tuple[np.ndarray, np.ndarray]:
        """Each view's probability of the positive class; NaN where a view is missing. `X`
        as ``fit`` takes it."""
        check_is_fitted(self, "estimators_")
        results = []
        for model, part in zip(self.estimators_, as_views(X, self.view_columns), strict=True):
            probability = np.full(len(part), np.nan)
            available = ~np.all(np.isnan(part), axis=1)
            if model is not None and available.any():
                if isinstance(model, xgb.Booster):
                    probability[available] = model.inplace_predict(part[available])
                else:
                    probability[available] = model.predict_proba(part[available])[:, 1]
            results.append(probability)
        return results[0], results[1]

    def predict_proba(self, X) -> np.ndarray:
        return self.combine_views(*self.predict_proba_views(X))

    def combine_views(self, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """Class probabilities from the views' own (see ``predict_proba_views``)."""
        check_is_fitted(self, "estimators_")
        positive = combine_probabilities(first, second, self.prior_, self.combine)
        return np.column_stack([1 - positive, positive])

    def predict(self, X) -> np.ndarray:
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)


# The config's cotraining keys that set the view estimator rather than co-training itself.
VIEW_ESTIMATOR_KEYS = ("n_estimators", "max_depth", "learning_rate", "max_bin")


def from_settings(settings: dict, seed: int) -> CoTrainingClassifier:
    """The co-training estimator of the config's ``cotraining`` section, as validated by the
    schema (which fills in every default): the view estimator's keys go to XGBoost, the
    others are the estimator's parameters of the same names."""
    view_estimator = default_view_estimator().set_params(
        **{key: settings[key] for key in VIEW_ESTIMATOR_KEYS}
    )
    parameters = {key: value for key, value in settings.items() if key not in VIEW_ESTIMATOR_KEYS}
    return CoTrainingClassifier(estimator=view_estimator, random_state=seed, **parameters)
