"""Co-training terms split into batches by expected cost, and the batches merged back."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from gocotrain.batches import (
    assign_batches,
    batch_seconds,
    batch_terms,
    expected_seconds,
    parse_scatter_item,
    read_costs,
    term_costs,
)
from gocotrain.resources import cotrain_runtime
from gocotrain.terms import AspectScores, TermReport, merge_batches


@pytest.fixture
def human_like_costs():
    """Positive counts shaped like the human BP terms: many near the threshold, a long tail."""
    rng = np.random.default_rng(0)
    positives = np.round(300 * np.exp(rng.exponential(1.0, size=311))).astype(int)
    series = pd.Series(positives, index=[f"GO:{i:07d}" for i in range(311)])
    return term_costs(series, genes=17_459)


def test_every_term_lands_in_exactly_one_batch(human_like_costs):
    batches = assign_batches(human_like_costs, 8)
    placed = [term for batch in batches for term in batch]
    assert sorted(placed) == sorted(human_like_costs["term"])
    assert len(placed) == len(set(placed))
    assert all(batch == sorted(batch) for batch in batches)


def test_batches_are_balanced_by_cost_not_count(human_like_costs):
    batches = assign_batches(human_like_costs, 8)
    cost = human_like_costs.set_index("term")["expected_seconds"]
    loads = [cost[batch].sum() for batch in batches]
    # Longest-processing-time first: no batch exceeds the mean by more than one term's cost.
    assert max(loads) - np.mean(loads) <= cost.max()
    assert max(loads) / min(loads) < 1.05
    # Expensive terms are spread: batches of cheap terms hold more of them.
    counts = [len(batch) for batch in batches]
    assert max(counts) > min(counts)


def test_the_split_depends_only_on_the_terms(human_like_costs):
    shuffled = human_like_costs.sample(frac=1, random_state=3)
    assert assign_batches(shuffled, 5) == assign_batches(human_like_costs, 5)


def test_more_batches_than_terms_leaves_some_empty():
    costs = term_costs(pd.Series([300, 500], index=["GO:0000002", "GO:0000001"]), genes=1000)
    batches = assign_batches(costs, 4)
    assert sorted(map(len, batches)) == [0, 0, 1, 1]
    assert batch_terms(costs, "4-of-4") == []


def test_cost_grows_with_positives_and_genes():
    assert expected_seconds(1000, 17_000) > expected_seconds(300, 17_000)
    assert expected_seconds(300, 34_000) == pytest.approx(2 * expected_seconds(300, 17_000))


@pytest.mark.parametrize("item", ["0-of-4", "5-of-4", "1of4", "a-of-b"])
def test_malformed_scatter_items_are_refused(item):
    with pytest.raises(ValueError, match="scatter item"):
        parse_scatter_item(item)


def test_runtime_request_follows_the_batch_threads_and_attempt(tmp_path, human_like_costs):
    path = tmp_path / "terms.tsv"
    human_like_costs.to_csv(path, sep="\t", index=False)
    assert read_costs(path).equals(human_like_costs)
    wildcards = SimpleNamespace(scatteritem="1-of-4")
    inputs = SimpleNamespace(terms=str(path))
    one_thread = cotrain_runtime(wildcards, inputs, threads=1, attempt=1)
    eight_threads = cotrain_runtime(wildcards, inputs, threads=8, attempt=1)
    assert one_thread > eight_threads >= 10
    assert cotrain_runtime(wildcards, inputs, threads=8, attempt=2) == 2 * eight_threads
    assert batch_seconds(human_like_costs, "1-of-4") == pytest.approx(
        human_like_costs["expected_seconds"].sum() / 4, rel=0.02
    )


def test_runtime_waits_for_the_plan(tmp_path):
    """A missing plan raises FileNotFoundError naming it, which Snakemake reads as <TBD>."""
    missing = str(tmp_path / "terms.tsv")
    with pytest.raises(FileNotFoundError) as error:
        cotrain_runtime(SimpleNamespace(scatteritem="1-of-2"), SimpleNamespace(terms=missing), 2, 1)
    assert error.value.filename == missing


def _part(genes, terms, offset):
    values = np.arange(len(genes) * len(terms), dtype=np.float32).reshape(len(genes), -1) + offset
    scores = AspectScores(
        genes=np.asarray(genes),
        terms=np.asarray(terms),
        score=values,
        score_sequence=values + 0.5,
        score_expression=values + 0.25,
    )
    report = {
        "aspect": "P",
        "terms_modelled": 3,
        "terms": [
            TermReport(term, "cotraining", "held-out check", [2, 2]).to_dict() for term in terms
        ],
        "feature_importance": {"sequence": {"aac_A": 0.5 * offset}, "expression": {"pc1": 1.0}},
    }
    return scores, report


def test_merge_puts_columns_in_plan_order_and_weights_importance():
    genes = ["g1", "g2"]
    merged, report = merge_batches(
        [_part(genes, ["GO:3", "GO:1"], 0), _part(genes, ["GO:2"], 100)], ["GO:1", "GO:2", "GO:3"]
    )
    assert merged.terms.tolist() == ["GO:1", "GO:2", "GO:3"]
    np.testing.assert_array_equal(merged.score[:, 0], [1, 3])  # GO:1 was column 2 of part 1
    np.testing.assert_array_equal(merged.score[:, 1], [100, 101])
    np.testing.assert_array_equal(merged.score_sequence[:, 2], [0.5, 2.5])
    assert [entry["term"] for entry in report["terms"]] == ["GO:1", "GO:2", "GO:3"]
    assert report["terms_cotrained"] == 3
    assert report["pseudo_labels_added_mean"] == 4
    assert report["feature_importance"]["sequence"]["aac_A"] == pytest.approx(50 / 3, abs=1e-6)


def test_merge_refuses_batches_that_do_not_fit_together():
    with pytest.raises(ValueError, match="different genes"):
        merge_batches([_part(["g1"], ["GO:1"], 0), _part(["g2"], ["GO:2"], 0)], ["GO:1", "GO:2"])
    with pytest.raises(ValueError, match="the plan has 3"):
        merge_batches([_part(["g1"], ["GO:1"], 0)], ["GO:1", "GO:2", "GO:3"])
