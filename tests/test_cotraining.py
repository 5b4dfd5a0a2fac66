import numpy as np
import pytest
import yaml
from conftest import ROOT
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.utils._param_validation import StrOptions

from gocotrain.learning.cotraining import COMBINE_RULES, VIEW_ESTIMATOR_KEYS, CoTrainingClassifier
from gocotrain.learning.sampling import bootstrap_win_share, weighted_average_precision
from gocotrain.learning.view_learners import default_view_estimator


def two_view_problem(n=600, n_labeled=120, seed=0, signal=1.5):
    """Two conditionally independent noisy views of one binary class."""
    rng = np.random.default_rng(seed)
    truth = (rng.random(n) < 0.3).astype(int)
    view1 = rng.normal(size=(n, 5)) + truth[:, None] * signal
    view2 = rng.normal(size=(n, 4)) + truth[:, None] * signal
    y = np.full(n, -1)
    labeled = rng.choice(n, n_labeled, replace=False)
    y[labeled] = truth[labeled]
    return view1, view2, y, truth


def test_clone_and_params_follow_scikit_learn():
    model = CoTrainingClassifier(rounds=3, pool_size=50, random_state=7)
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    assert copy is not model
    copy.set_params(rounds=0, combine="mean")
    assert copy.get_params()["rounds"] == 0 and model.get_params()["rounds"] == 3
    assert "positives_per_round" in model.get_params()


def test_cotraining_adds_balanced_pseudo_labels_and_scores_well():
    view1, view2, y, truth = two_view_problem()
    model = CoTrainingClassifier(
        rounds=5, pool_size=100, positives_per_round=2, validation_fraction=0, random_state=0
    )
    model.fit((view1, view2), y)
    assert model.decision_ == "cotraining"
    assert model.rounds_ == len(model.history_) == 5
    added_positive = sum(
        r["view1_added_positive"] + r["view2_added_positive"] for r in model.history_
    )
    added_negative = sum(
        r["view1_added_negative"] + r["view2_added_negative"] for r in model.history_
    )
    assert added_positive > 0
    # negatives follow the class ratio of the labeled data (about 7 : 3)
    assert 1 <= added_negative / added_positive <= 4
    assert sum(model.n_pseudo_labeled_) == added_positive + added_negative
    unlabeled = y == -1
    probability = model.predict_proba((view1[unlabeled], view2[unlabeled]))
    assert probability.shape == (unlabeled.sum(), 2)
    np.testing.assert_allclose(probability.sum(axis=1), 1)
    assert average_precision_score(truth[unlabeled], probability[:, 1]) > 0.8


def test_pseudo_positive_share_scales_each_rounds_positives_with_the_labeled_ones():
    """With a share, a term with 36 labeled positives gets about a tenth of them per view and
    round, not the fixed one; the negatives keep the class ratio, up to their cap."""
    view1, view2, y, _ = two_view_problem(n=1200, n_labeled=120)
    labeled_positives = int((y == 1).sum())
    common = {"rounds": 3, "pool_size": 400, "validation_fraction": 0, "random_state": 0}
    fixed = CoTrainingClassifier(**common).fit((view1, view2), y)
    shared = CoTrainingClassifier(pseudo_positive_share=0.1, **common).fit((view1, view2), y)
    per_round = round(0.1 * labeled_positives)
    assert per_round > 1
    for model, expected in ((fixed, 1), (shared, per_round)):
        for record in model.history_:
            assert record["view1_added_positive"] == expected
            assert record["view2_added_positive"] == expected
    assert sum(shared.n_pseudo_labeled_) > 2 * sum(fixed.n_pseudo_labeled_)
    with pytest.raises(ValueError, match=r"'pseudo_positive_share' parameter .* range"):
        CoTrainingClassifier(pseudo_positive_share=1.5).fit((view1, view2), y)


def test_same_seed_same_result_and_zero_rounds_is_supervised():
    view1, view2, y, _ = two_view_problem(seed=3)
    first = CoTrainingClassifier(rounds=3, random_state=1).fit((view1, view2), y)
    second = CoTrainingClassifier(rounds=3, random_state=1).fit((view1, view2), y)
    np.testing.assert_array_equal(
        first.predict_proba((view1, view2)), second.predict_proba((view1, view2))
    )
    supervised = CoTrainingClassifier(rounds=0, random_state=1).fit((view1, view2), y)
    assert supervised.rounds_ == 0 and supervised.n_pseudo_labeled_ == [0, 0]


def test_product_rule_is_views_log_odds_over_prior():
    view1, view2, y, _ = two_view_problem(seed=4)
    model = CoTrainingClassifier(rounds=0, random_state=0).fit((view1, view2), y)
    first, second = model.predict_proba_views((view1[:5], view2[:5]))
    logit = lambda p: np.log(p / (1 - p))  # noqa: E731
    expected = 1 / (1 + np.exp(-(logit(first) + logit(second) - logit(model.prior_))))
    np.testing.assert_allclose(
        model.predict_proba((view1[:5], view2[:5]))[:, 1], expected, rtol=1e-5
    )


def test_samples_missing_a_view_are_scored_by_the_other():
    view1, view2, y, _ = two_view_problem(seed=5)
    view2 = view2.copy()
    view2[:50] = np.nan
    model = CoTrainingClassifier(rounds=3, random_state=0).fit((view1, view2), y)
    first, second = model.predict_proba_views((view1[:60], view2[:60]))
    assert np.isnan(second[:50]).all() and not np.isnan(second[50:]).any()
    combined = model.predict_proba((view1[:60], view2[:60]))[:, 1]
    np.testing.assert_allclose(combined[:50], first[:50])


def test_any_scikit_learn_classifier_can_be_a_view():
    view1, view2, y, _ = two_view_problem(seed=6)
    model = CoTrainingClassifier(
        estimator=LogisticRegression(),
        second_estimator=LogisticRegression(C=0.5),
        rounds=2,
        random_state=0,
    ).fit((view1, view2), y)
    assert model.predict((view1, view2)).shape == (len(y),)


def test_one_class_labels_are_rejected():
    view1, view2, _, _ = two_view_problem()
    y = np.full(len(view1), -1)
    y[:10] = 1
    with pytest.raises(ValueError, match="both classes"):
        CoTrainingClassifier().fit((view1, view2), y)


def test_every_final_model_has_n_estimators_trees_warm_started_or_not():
    view1, view2, y, _ = two_view_problem(seed=7)
    estimator = default_view_estimator().set_params(n_estimators=40)
    for rounds, validation in ((0, 0.2), (4, 0), (4, 0.2)):
        model = CoTrainingClassifier(
            estimator, rounds=rounds, validation_fraction=validation, random_state=0
        ).fit((view1, view2), y)
        assert [m.num_boosted_rounds() for m in model.estimators_] == [40, 40]


def test_cotraining_is_kept_only_when_it_wins_on_held_out_genes():
    """Otherwise the model is exactly the supervised one: the same trees, the same scores."""
    view1, view2, y, _ = two_view_problem(seed=8)
    supervised = CoTrainingClassifier(rounds=0, random_state=3).fit((view1, view2), y)
    unbeatable = CoTrainingClassifier(rounds=3, min_improvement=1.0, random_state=3)
    unbeatable.fit((view1, view2), y)
    assert unbeatable.decision_ == "supervised"
    assert "held-out average precision" in unbeatable.decision_reason_
    # The validation record: the supervised score, then one score per co-training round.
    assert unbeatable.validation_[0]["round"] == 0
    assert [r["round"] for r in unbeatable.validation_[1:]] == [1, 2, 3]
    np.testing.assert_array_equal(
        unbeatable.predict_proba((view1, view2)), supervised.predict_proba((view1, view2))
    )
    # No margin and no bootstrap check: co-training must still score strictly higher. Here both
    # models rank the held-out genes perfectly, and a tie keeps the supervised model.
    trusting = CoTrainingClassifier(
        rounds=3, min_improvement=0.0, validation_confidence=0, random_state=3
    )
    trusting.fit((view1, view2), y)
    assert trusting.validation_ == unbeatable.validation_  # the margin decides, it does not score
    assert trusting.validation_[0]["supervised_average_precision"] == 1.0
    assert trusting.validation_[-1]["validation_average_precision"] == 1.0
    assert trusting.decision_ == "supervised"
    np.testing.assert_array_equal(
        trusting.predict_proba((view1, view2)), supervised.predict_proba((view1, view2))
    )


FITS = []  # (rows, fitted model) of every RecordingLogisticRegression fit, in order


class RecordingLogisticRegression(LogisticRegression):
    """A view classifier that records the rows of each fit and the model it became."""

    def fit(self, X, y, sample_weight=None):
        FITS.append((np.array(X), self))
        return super().fit(X, y, sample_weight)


def product_rule(first, second, prior):
    logit = lambda p: np.log(p / (1 - p))  # noqa: E731
    return 1 / (1 + np.exp(-(logit(first) + logit(second) - logit(prior))))


@pytest.mark.parametrize(
    ("seed", "signal", "decision"), [(15, 0.8, "cotraining"), (8, 0.6, "supervised")]
)
def test_held_out_scores_are_scikit_learns_on_genes_no_validation_model_saw(seed, signal, decision):
    """The validation record, recomputed from the rows each view model was fitted on."""
    view1, view2, y, _ = two_view_problem(seed=seed, signal=signal)
    views = [view1.astype(np.float32), view2.astype(np.float32)]
    FITS.clear()
    model = CoTrainingClassifier(
        RecordingLogisticRegression(), rounds=3, validation_confidence=0, random_state=3
    ).fit(tuple(views), y)
    # Fits alternate view 1, view 2: the base pair, one pair per round, then the final models.
    row_of = [{row.tobytes(): index for index, row in enumerate(view)} for view in views]
    seen = [{row_of[i % 2][row.tobytes()] for row in X} for i, (X, _) in enumerate(FITS)]
    validation_fits, final_fits = FITS[:8], FITS[8:]
    assert len(final_fits) == (8 if decision == "cotraining" else 2)
    labeled = np.flatnonzero(y != -1)
    fit_rows = np.array(sorted(seen[0]))
    held_out = np.setdiff1d(labeled, fit_rows)
    # A stratified fifth of the labeled genes, never seen by a validation model, not even
    # pseudo-labeled; the final models are fitted on all labeled genes, held-out ones too.
    positives = int((y[labeled] == 1).sum())
    assert int(y[held_out].sum()) == round(0.2 * positives)
    assert len(held_out) - int(y[held_out].sum()) == round(0.2 * (len(labeled) - positives))
    assert not set(held_out) & set().union(*seen[:8])
    assert set(labeled) <= seen[8] and set(labeled) <= seen[9]
    prior = y[labeled].mean()

    def held_out_ap(first, second):
        probability = [
            m.predict_proba(v[held_out])[:, 1] for m, v in zip((first, second), views, strict=True)
        ]
        return average_precision_score(y[held_out], product_rule(*probability, prior))

    supervised = [LogisticRegression().fit(view[fit_rows], y[fit_rows]) for view in views]
    expected = [held_out_ap(*supervised)]
    expected += [
        held_out_ap(validation_fits[2 * r][1], validation_fits[2 * r + 1][1]) for r in (1, 2, 3)
    ]
    assert model.validation_[0]["supervised_average_precision"] == pytest.approx(expected[0])
    recorded = [r["validation_average_precision"] for r in model.validation_[1:]]
    assert recorded == pytest.approx(expected[1:])
    assert model.decision_ == decision
    assert model.decision_reason_ == (
        f"held-out average precision {expected[-1]:.4f} co-trained vs {expected[0]:.4f} supervised"
    )


def test_a_chance_win_on_the_held_out_genes_is_not_enough():
    """Seed 19: co-training scores 0.991 against 0.983 on the held-out genes, a win that most
    bootstrap resamples of those genes do not repeat."""
    view1, view2, y, _ = two_view_problem(seed=19)
    trusting = CoTrainingClassifier(rounds=3, validation_confidence=0, random_state=3)
    assert trusting.fit((view1, view2), y).decision_ == "cotraining"
    careful = CoTrainingClassifier(rounds=3, validation_confidence=0.9, random_state=3)
    careful.fit((view1, view2), y)
    assert careful.decision_ == "supervised"
    share = careful.validation_[0]["cotraining_win_share"]
    assert 0 <= share < 0.9
    assert f"higher on {share:.0%} of 200 bootstrap resamples" in careful.decision_reason_
    supervised = CoTrainingClassifier(rounds=0, random_state=3).fit((view1, view2), y)
    np.testing.assert_array_equal(
        careful.predict_proba((view1, view2)), supervised.predict_proba((view1, view2))
    )


def test_bootstrap_average_precision_is_scikit_learns_under_each_resample():
    """Few positives and tied scores, as held-out genes of a rare GO term have."""
    rng = np.random.default_rng(0)
    y = (rng.random(400) < 0.05).astype(int)
    score = np.round(rng.random(400) + 0.4 * y, 1)  # rounded: many ties
    weights = rng.multinomial(400, np.full(400, 1 / 400), size=20)
    expected = [average_precision_score(y, score, sample_weight=w) for w in weights]
    np.testing.assert_allclose(weighted_average_precision(y, score, weights), expected)
    # Paired resamples: a score never beats itself, and beats its reverse every time.
    assert bootstrap_win_share(y, score, score, rng) == 0
    assert bootstrap_win_share(y, score, -score, rng) == 1


def test_too_few_positives_to_validate_falls_back_to_supervised():
    view1, view2, y, _ = two_view_problem(seed=9)
    y = y.copy()
    positives = np.flatnonzero(y == 1)
    y[positives[6:]] = -1  # 6 labeled positives: 20 % of them is 1 held-out positive
    model = CoTrainingClassifier(rounds=3, random_state=0).fit((view1, view2), y)
    assert model.decision_ == "supervised"
    assert model.decision_reason_ == "too few labeled positives to validate co-training"
    assert model.validation_ == [] and model.n_pseudo_labeled_ == [0, 0]


def test_relevant_scikit_learn_estimator_checks_pass():
    """The checks that do not assume fit(X, y): construction, params and cloning."""
    from sklearn.utils.estimator_checks import (
        check_get_params_invariance,
        check_no_attributes_set_in_init,
        check_parameters_default_constructible,
        check_set_params,
    )

    model = CoTrainingClassifier()
    name = type(model).__name__
    check_parameters_default_constructible(name, model)
    check_no_attributes_set_in_init(name, model)
    check_get_params_invariance(name, model)
    check_set_params(name, model)
    fitted = clone(model.set_params(rounds=2))
    view1, view2, y, _ = two_view_problem(seed=10)
    assert fitted.fit((view1, view2), y) is fitted
    assert clone(fitted).get_params() == fitted.get_params()


def test_a_rare_terms_negatives_are_sampled_and_weighted_up():
    """negatives_per_positive caps the negatives each fit trains on; the kept ones carry the
    weight of those left out, so a boosted view's probabilities keep the class balance."""
    view1, view2, y, _ = two_view_problem(n=3000, n_labeled=2400, seed=4, signal=2.0)
    positives = np.flatnonzero(y == 1)
    y[positives[20:]] = 0  # a rare term: 20 positives among 2,400 labeled genes
    views = [view1.astype(np.float32), view2.astype(np.float32)]
    FITS.clear()
    CoTrainingClassifier(
        RecordingLogisticRegression(), rounds=0, negatives_per_positive=10, random_state=0
    ).fit(tuple(views), y)
    assert [len(X) for X, _ in FITS] == [20 + 200, 20 + 200]
    sampled = CoTrainingClassifier(rounds=0, negatives_per_positive=10, random_state=0)
    means = [view.mean() for view in sampled.fit(tuple(views), y).predict_proba_views(tuple(views))]
    # 20 of 2,400 labeled genes are positive (0.008); unweighted, the 20 of 220 training
    # genes would pull each view's mean probability up to about 0.06.
    assert max(means) < 0.025, means
    with pytest.raises(ValueError, match="negatives_per_positive"):
        CoTrainingClassifier(negatives_per_positive=0).fit(tuple(views), y)


def test_the_config_schema_states_the_estimators_parameter_constraints():
    """Each co-training key of the config has the range and choices of the estimator's
    parameter of its name (`_parameter_constraints`, the one place they are checked)."""
    schema = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())
    keys = schema["properties"]["cotraining"]["properties"]
    constraints = CoTrainingClassifier._parameter_constraints
    checked = 0
    for key, entry in keys.items():
        if key in VIEW_ESTIMATOR_KEYS:
            continue
        (rule, *rest) = constraints[key]
        if isinstance(rule, StrOptions):
            assert set(entry["enum"]) == rule.options, key
        else:
            low = entry.get("minimum", entry.get("exclusiveMinimum"))
            high = entry.get("maximum", entry.get("exclusiveMaximum"))
            # An unbounded side counts as closed, in the schema as in the constraint.
            schema_closed = ("minimum" in entry or low is None, "maximum" in entry or high is None)
            constraint_closed = (
                rule.closed in ("left", "both") or rule.left is None,
                rule.closed in ("right", "both") or rule.right is None,
            )
            assert (rule.left, rule.right) == (low, high), key
            assert constraint_closed == schema_closed, key
            assert (None in rest) == ("null" in entry["type"]), key
        checked += 1
    assert checked == len(constraints) - 4  # not in the config: the two estimators, the
    # view columns and the seed


def test_scikit_learn_can_search_and_score_it_on_one_matrix():
    """With view_columns, `fit(X, y)` on one matrix: a Pipeline, cross_val_score and
    GridSearchCV call it as any classifier (here every sample labeled)."""
    view1, view2, _, truth = two_view_problem(seed=3)
    X = np.hstack([view1, view2])
    columns = (slice(0, view1.shape[1]), slice(view1.shape[1], None))
    model = CoTrainingClassifier(
        default_view_estimator().set_params(n_estimators=10),
        rounds=1,
        view_columns=columns,
        random_state=0,
    )
    pipeline = make_pipeline(FunctionTransformer(), model)
    scores = cross_val_score(pipeline, X, truth, cv=3, scoring="roc_auc")
    assert scores.min() > 0.7
    search = GridSearchCV(model, {"combine": ["product", "mean"]}, cv=3, scoring="roc_auc")
    search.fit(X, truth)
    assert search.best_params_["combine"] in COMBINE_RULES
    fitted = clone(model).fit(X, truth)
    np.testing.assert_array_equal(
        fitted.predict_proba(X), clone(model).fit((view1, view2), truth).predict_proba(X)
    )
    with pytest.raises(ValueError, match="view_columns"):
        clone(model).set_params(view_columns=None).fit(X, truth)


def test_views_combine_whatever_their_number():
    """The combining rule takes any number of views: a missing view (NaN) counts as absent,
    one view alone gives its own probability, none gives the prior, and a third view adds
    its log-odds beyond the prior as the second does."""
    from gocotrain.learning.view_learners import combine_probabilities

    first, second = np.array([0.9, 0.2, np.nan, np.nan]), np.array([0.7, np.nan, 0.4, np.nan])
    missing = np.full(4, np.nan)
    two = combine_probabilities([first, second], 0.1)
    assert np.array_equal(combine_probabilities([first, second, missing], 0.1), two)
    assert np.allclose(two[1:], [0.2, 0.4, 0.1])

    def logit(p):
        return np.log(p / (1 - p))

    three = combine_probabilities([first[:1], second[:1], np.array([0.6])], 0.1)
    expected = logit(0.9) + logit(0.7) + logit(0.6) - 2 * logit(0.1)
    assert np.allclose(three, 1 / (1 + np.exp(-expected)))
    mean = combine_probabilities([first[:1], second[:1], np.array([0.6])], 0.1, "mean")
    assert np.allclose(mean, [(0.9 + 0.7 + 0.6) / 3])
