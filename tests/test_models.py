"""Saved models: boosters round-trip exactly, and incompatible features are refused by name."""

import json

import numpy as np
import pytest
from test_cotraining import two_view_problem

from gocotrain.errors import InputError
from gocotrain.export.models import (
    MODEL_FORMAT,
    SEQUENCE_FEATURES_VERSION,
    SavedModel,
    compatibility_problems,
    feature_definition,
    write_term_boosters,
)
from gocotrain.learning.cotraining import CoTrainingClassifier
from gocotrain.learning.view_learners import default_view_estimator

HOMOLOGY = {"engine": "pyswrd", "diamond_sensitivity": "more-sensitive"}
SEQUENCE_COLUMNS = ["aac_A", "aac_C", "log10_length"]
SAMPLES = ["cell_1", "cell_2", "cell_3"]


def definition():
    return feature_definition(
        SEQUENCE_COLUMNS,
        HOMOLOGY,
        ["homology_knn", "homology_identity"],
        "fpkm",
        SAMPLES,
        ["expr_mean", "expr_pc1"],
    )


@pytest.mark.parametrize("rounds", [0, 3])
def test_saved_boosters_give_the_fitted_models_scores(tmp_path, rounds):
    X1, X2, y, _ = two_view_problem()
    model = CoTrainingClassifier(default_view_estimator(), rounds=rounds, random_state=0).fit(
        (X1, X2), y
    )
    entry = write_term_boosters(model, "GO:0006936", tmp_path / "P")
    assert entry["sequence"] == "GO_0006936.sequence.ubj"
    assert (tmp_path / "P" / entry["expression"]).is_file()
    meta = {
        "format": MODEL_FORMAT,
        "combine": model.combine,
        "aspects": {"P": {"terms": {"GO:0006936": entry}}},
    }
    (tmp_path / "model.json").write_text(json.dumps(meta))
    saved = SavedModel.load(tmp_path)
    first, second = saved.boosters("P", "GO:0006936")
    expected = model.predict_proba_views((X1, X2))
    np.testing.assert_array_equal(first.inplace_predict(X1.astype(np.float32)), expected[0])
    np.testing.assert_array_equal(second.inplace_predict(X2.astype(np.float32)), expected[1])
    assert entry["prior"] == pytest.approx(model.prior_)
    assert entry["decision"] == model.decision_
    # The loaded model scores through the estimator's own code, as the fitted one did.
    loaded = saved.term_model("P", "GO:0006936")
    np.testing.assert_array_equal(loaded.predict_proba((X1, X2)), model.predict_proba((X1, X2)))


def test_a_folder_without_model_json_or_of_another_format_is_refused(tmp_path):
    with pytest.raises(InputError, match=r"no model\.json"):
        SavedModel.load(tmp_path)
    (tmp_path / "model.json").write_text(json.dumps({"format": MODEL_FORMAT + 1}))
    with pytest.raises(InputError, match=f"model format {MODEL_FORMAT + 1}"):
        SavedModel.load(tmp_path)
    (tmp_path / "model.json").write_text("{not json")
    with pytest.raises(InputError, match="not valid JSON"):
        SavedModel.load(tmp_path)


def test_matching_features_have_no_problem():
    problems = compatibility_problems(
        definition(), SEQUENCE_COLUMNS, ["homology_knn", "homology_identity"], "fpkm", SAMPLES
    )
    assert problems == []
    # Extra samples in the new file are fine: the projection reads the model's own.
    assert not compatibility_problems(
        definition(),
        SEQUENCE_COLUMNS,
        ["homology_knn", "homology_identity"],
        "fpkm",
        [*SAMPLES, "cell_9"],
    )


def test_every_mismatch_is_named():
    saved = definition()
    saved["sequence"]["version"] = SEQUENCE_FEATURES_VERSION + 1
    problems = compatibility_problems(
        saved,
        ["aac_A", "aac_D", "log10_length"],
        ["homology_knn"],
        "counts",
        ["cell_1"],
    )
    text = "\n".join(problems)
    assert f"sequence features version {SEQUENCE_FEATURES_VERSION + 1}" in text
    assert "['aac_C'] are not made now" in text and "['aac_D'] are new" in text
    assert "homology features" in text
    assert "expression_kind 'fpkm' in the model, 'counts' now" in text
    assert "2 of the model's 3 expression samples" in text and "cell_2, cell_3" in text
    assert len(problems) == 5


def test_reordered_columns_are_a_mismatch_too():
    problems = compatibility_problems(
        definition(), SEQUENCE_COLUMNS[::-1], ["homology_knn", "homology_identity"], None, None
    )
    assert problems == ["sequence feature columns differ; same names in another order"]
