"""Homology transfer, the product's score for the terms too rare to model (and the evaluation's
homology baseline)."""

import pandas as pd
import pytest

from gocotrain.transfer import homology_transfer, transfer_rare_terms


def labels_table(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["gene_id", "aspect", "go_id"])


HITS = pd.DataFrame(
    [
        ("q", "q", 100.0, 900.0),  # self-hit
        ("q", "a", 90.0, 100.0),
        ("q", "a", 70.0, 80.0),  # a second, weaker HSP of the same pair
        ("q", "u", 95.0, 200.0),  # u is not labeled in F
        ("q", "b", 50.0, 60.0),
        ("q", "c", 30.0, 40.0),
        ("r", "a", 35.0, 10.0),
        ("other", "a", 99.0, 500.0),  # not a target
    ],
    columns=["query", "subject", "pident", "bitscore"],
)
HOMOLOGY_LABELS = labels_table(
    [
        ("a", "F", "T1"),
        ("a", "F", "T2"),
        ("b", "F", "T1"),
        ("c", "F", "T3"),
        ("q", "F", "T9"),  # the target's own label
        ("u", "P", "T5"),
    ]
)


@pytest.mark.parametrize(
    ("options", "expected_q"),
    [
        # all hits: bitscores a 100, b 60, c 40 (total 200)
        ({}, {"T1": 160 / 200, "T2": 100 / 200, "T3": 40 / 200}),
        ({"k": 2}, {"T1": 160 / 160, "T2": 100 / 160}),
        ({"rule": "best_hit"}, {"T1": 1.0, "T2": 1.0}),
        ({"rule": "max_identity"}, {"T1": 0.9, "T2": 0.9, "T3": 0.3}),
    ],
)
def test_homology_transfer_known_answers(options, expected_q):
    predictions = homology_transfer(HITS, HOMOLOGY_LABELS, "F", ["q", "r", "s"], **options)
    assert set(predictions) == {"q", "r", "s"}
    assert predictions["q"] == pytest.approx(expected_q)
    assert predictions["s"] == {}  # no hits
    if options.get("rule") != "max_identity":
        assert predictions["r"] == {"T1": 1.0, "T2": 1.0}
    # The target's own label (T9) could only come from its self-hit; removing it changes nothing.
    without_own = HOMOLOGY_LABELS[HOMOLOGY_LABELS["gene_id"] != "q"]
    assert homology_transfer(HITS, without_own, "F", ["q", "r", "s"], **options) == predictions


def test_only_the_terms_too_rare_to_model_are_transferred():
    """With min_positives 2, T1 (genes a and b) is modelled; T2 and T3 (one gene) are not."""
    transferred = transfer_rare_terms(HITS, HOMOLOGY_LABELS, "F", ["q", "r", "s"], 2, k=None)
    assert transferred["q"] == pytest.approx({"T2": 100 / 200, "T3": 40 / 200})
    assert transferred["r"] == {"T2": 1.0}
    assert transferred["s"] == {}
    # Rare is counted without the targets' own labels: q's T9 is neither modelled nor known.
    assert all("T9" not in scores for scores in transferred.values())
    assert transfer_rare_terms(HITS, HOMOLOGY_LABELS, "F", ["q"], 1, k=None) == {"q": {}}


def test_homology_transfer_refuses_unknown_rules():
    with pytest.raises(ValueError, match="rule"):
        homology_transfer(HITS, HOMOLOGY_LABELS, "F", ["q"], rule="vote")
    with pytest.raises(ValueError, match="k must"):
        homology_transfer(HITS, HOMOLOGY_LABELS, "F", ["q"], k=0)
