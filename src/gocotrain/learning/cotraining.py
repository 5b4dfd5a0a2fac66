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

This module holds the estimator, its parameter table (`_parameter_constraints`, which the
config schema is tested against) and `from_settings`; each view's learner and how the views'
probabilities combine are in `view_learners`, the rows each fit draws (sampled negatives, the
hold-out, its bootstrap resamples, the pool of each round) in `sampling`.
"""

from __future__ import annotations

from numbers import Integral, Real
from typing import ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.metrics import average_precision_score
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from gocotrain.learning.decisions import COTRAINING, SUPERVISED
from gocotrain.learning.sampling import (
    BOOTSTRAP_RESAMPLES,
    bootstrap_win_share,
    refilled_pool,
    sampled_rows,
    stratified_hold_out,
)
from gocotrain.learning.view_learners import (
    as_views,
    combine_probabilities,
    default_view_estimator,
    view_learner,
    view_probability,
)

COMBINE_RULES = ("product", "mean")


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

    # -- fitting --------------------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y):
        """Fit on two views: `X` is ``(X_view1, X_view2)``, or one matrix that
        ``view_columns`` splits; ``y`` holds 0/1 for labeled samples and -1 for unlabeled
        ones."""
        views, y = self._check(X, y)
        rng = np.random.default_rng(self.random_state)
        first = default_view_estimator() if self.estimator is None else self.estimator
        second = first if self.second_estimator is None else self.second_estimator
        learners = [
            view_learner(template, X, int(rng.integers(2**31 - 1)))
            for template, X in zip((first, second), views, strict=True)
        ]
        self._available = [~np.all(np.isnan(X), axis=1) for X in views]
        labeled = np.flatnonzero(y != -1)
        unlabeled = np.flatnonzero(y == -1)
        # The final fit's rows, drawn and sketched first: a term that keeps the supervised
        # model then gets exactly the model of rounds=0, whatever the held-out check drew.
        final_rows, final_weight = sampled_rows(
            labeled, y, self.negatives_per_positive, np.random.default_rng(rng.integers(2**63 - 1))
        )
        for index, learner in enumerate(learners):
            learner.sketch(final_rows[self._available[index][final_rows]])
        self.classes_ = np.array([0, 1])
        self.prior_ = float(y[labeled].mean())
        use_cotraining = self._choose_cotraining(learners, y, labeled, unlabeled, rng)
        self._weight = final_weight
        models = self._final_models(learners, y, final_rows, unlabeled, rng, use_cotraining)
        if models[0] is None and models[1] is None:
            raise ValueError("neither view has labeled samples of both classes")
        self.estimators_ = models
        self.rounds_ = len(self.history_)
        del self._available, self._weight
        self.__dict__.pop("_n_positive", None)  # set by the rounds, when there were any
        return self

    def _choose_cotraining(self, views, y, labeled, unlabeled, rng) -> bool:
        """Whether the final fit co-trains: there are rounds and unlabeled samples, and
        (unless ``validation_fraction`` is 0) co-training won the held-out check. Sets
        ``validation_``, ``decision_`` and ``decision_reason_`` for a supervised fit."""
        self.validation_ = []
        self.decision_ = SUPERVISED
        self.decision_reason_ = "no co-training rounds"
        use_cotraining = self.rounds > 0 and len(unlabeled) > 0
        if self.rounds > 0 and not len(unlabeled):
            self.decision_reason_ = "no unlabeled samples"
        if use_cotraining and self.validation_fraction > 0:
            split = stratified_hold_out(
                labeled, y, self.validation_fraction, self.min_validation_positives, rng
            )
            if split is None:
                use_cotraining = False
                self.decision_reason_ = "too few labeled positives to validate co-training"
            else:
                fit_rows, validation = split
                fit_rows, self._weight = sampled_rows(fit_rows, y, self.negatives_per_positive, rng)
                use_cotraining = self._validate(views, y, fit_rows, validation, unlabeled, rng)
        return use_cotraining

    def _final_models(self, views, y, labeled, unlabeled, rng, use_cotraining: bool) -> list:
        """The final fit's view models, co-trained or supervised, with the fit's history."""
        if use_cotraining:
            self.decision_ = COTRAINING
            if self.validation_fraction == 0:
                self.decision_reason_ = "co-training without validation"
            models, self.history_, self.n_pseudo_labeled_, _ = self._cotrain(
                views, y, labeled, unlabeled, rng
            )
            return models
        # One go of all the trees: exactly the model of rounds=0.
        prepared = self._prepare(views, labeled)
        self.history_, self.n_pseudo_labeled_ = [], [0, 0]
        self.pseudo_positive_rows_ = np.array([], dtype=int)
        return [
            self._train(view, part, y, view.n_trees)
            for view, part in zip(views, prepared, strict=True)
        ]

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
            supervised_probability = self._supervised_probability(
                views, prepared, base_labels, models, validation
            )
        n_negative = self._n_negative()
        # Training labels of each view: the labeled samples plus the other view's picks.
        view_labels = [base_labels.copy() for _ in views]
        pool, reserve = candidates[: self.pool_size], candidates[self.pool_size :]
        history = []
        for round_number in range(1, self.rounds + 1):
            record = {"round": round_number}
            picked = self._exchange(views, models, view_labels, pool, n_negative, record)
            self._grow(views, prepared, models, view_labels)
            if validation is not None:
                cotrained_probability = self._combined(views, models, validation)
                record["validation_average_precision"] = float(
                    average_precision_score(y[validation], cotrained_probability)
                )
            history.append(record)
            pool, reserve = refilled_pool(pool, reserve, picked)
        # Pseudo-labels each view received (view 1's come from view 2, and back).
        added = [int(((labels >= 0) & (y == -1)).sum()) for labels in view_labels]
        self.pseudo_positive_rows_ = np.flatnonzero(
            ((view_labels[0] == 1) | (view_labels[1] == 1)) & (y == -1)
        )
        if validation is not None:
            supervised_score = float(average_precision_score(y[validation], supervised_probability))
            history.insert(0, {"round": 0, "supervised_average_precision": supervised_score})
        return models, history, added, (supervised_probability, cotrained_probability)

    def _supervised_probability(self, views, prepared, base_labels, models, validation):
        """The supervised model's combined probability for `validation`: the base `models`
        with the trees co-training grows in its rounds, grown without pseudo-labels."""
        supervised = list(models)
        for index, (view, part) in enumerate(zip(views, prepared, strict=True)):
            if view.warm_start and supervised[index] is not None:
                _, per_round = self._tree_schedule(view.n_trees, True)
                supervised[index] = self._train(
                    view, part, base_labels, per_round * self.rounds, supervised[index]
                )
        return self._combined(views, supervised, validation)

    def _exchange(self, views, models, view_labels, pool, n_negative, record) -> set[int]:
        """One round's hand-over: each view labels the `pool` rows both views have and the
        other view has no label for yet, into the other view's `view_labels`; the counts go
        into `record`. Returns the rows picked."""
        picked: set[int] = set()
        for source, target in ((0, 1), (1, 0)):
            chosen = pool[self._available[source][pool] & self._available[target][pool]]
            chosen = chosen[view_labels[target][chosen] < 0]
            positives = negatives = np.array([], dtype=int)
            if models[source] is not None and len(chosen):
                probability = views[source].predict(models[source], chosen)
                positives, negatives = self._confident(chosen, probability, n_negative)
            view_labels[target][positives] = 1
            view_labels[target][negatives] = 0
            picked.update(positives.tolist())
            picked.update(negatives.tolist())
            record[f"view{source + 1}_added_positive"] = len(positives)
            record[f"view{source + 1}_added_negative"] = len(negatives)
        return picked

    def _confident(self, chosen, probability, n_negative: int):
        """The rows of `chosen` a view is most sure are positive (at most the round's
        positives) and negative (at most `n_negative`), each at ``confidence_threshold``."""
        order = np.argsort(-probability, kind="stable")
        top = order[: self._n_positive]
        positives = chosen[top[probability[top] >= self.confidence_threshold]]
        bottom = order[::-1][:n_negative]
        negatives = chosen[bottom[1 - probability[bottom] >= self.confidence_threshold]]
        return positives, np.setdiff1d(negatives, positives)

    def _grow(self, views, prepared, models, view_labels) -> None:
        """One round's trees for each view on its labels (a refitted view starts over);
        a view that cannot learn keeps its model."""
        for index, (view, part) in enumerate(zip(views, prepared, strict=True)):
            _, per_round = self._tree_schedule(view.n_trees, view.warm_start)
            previous = models[index] if view.warm_start else None
            trained = self._train(view, part, view_labels[index], per_round, previous)
            models[index] = trained if trained is not None else models[index]

    def _combined(self, views, models, rows) -> np.ndarray:
        """The views' probabilities for `rows`, combined."""
        probabilities = []
        for index, (view, model) in enumerate(zip(views, models, strict=True)):
            probability = np.full(len(rows), np.nan)
            present = self._available[index][rows]
            if model is not None and present.any():
                probability[present] = view.predict(model, rows[present])
            probabilities.append(probability)
        return combine_probabilities(probabilities, self.prior_, self.combine)

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

    def predict_proba_views(self, X) -> tuple[np.ndarray, ...]:
        """Each view's probability of the positive class, one array per view in `X`'s order;
        NaN where a view is missing. `X` as ``fit`` takes it."""
        check_is_fitted(self, "estimators_")
        views = as_views(X, self.view_columns)
        return tuple(
            view_probability(model, part)
            for model, part in zip(self.estimators_, views, strict=True)
        )

    def predict_proba(self, X) -> np.ndarray:
        return self.combine_views(self.predict_proba_views(X))

    def combine_views(self, views) -> np.ndarray:
        """Class probabilities from the views' own (as ``predict_proba_views`` gives them)."""
        check_is_fitted(self, "estimators_")
        positive = combine_probabilities(views, self.prior_, self.combine)
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
