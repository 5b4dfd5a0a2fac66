"""Co-training terms split into batches by expected cost, and the batches merged back."""

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from gocotrain.learning.batches import (
    assign_batches,
    batch_seconds,
    batch_terms,
    expected_seconds,
    parse_scatter_item,
    read_costs,
    surplus_batches_warning,
    term_costs,
)
from gocotrain.learning.terms import AspectScores, TermReport, merge_batches
from gocotrain.resources import cotrain_runtime
from gocotrain.steps.cotrain import plan_cotraining
from gocotrain.views.features import FeatureMatrix


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


def test_more_batches_than_terms_counts_the_batches_left_empty(human_like_costs):
    warning = surplus_batches_warning("P", human_like_costs, 500)
    empty = sum(not batch for batch in assign_batches(human_like_costs, 500))
    assert empty == 189
    assert warning.startswith("aspect P: 311 terms, 500 co-training batches: 189 batches ")
    assert "cotrain_batches (config) or --set-scatter cotrain=N to at most 311" in warning
    assert surplus_batches_warning("P", human_like_costs, 311) is None
    # An aspect without terms still has its one batch: only more than one is a surplus.
    no_terms = human_like_costs.iloc[:0]
    assert surplus_batches_warning("C", no_terms, 1) is None
    assert "0 terms, 2 co-training batches: 2 batches" in surplus_batches_warning("C", no_terms, 2)


def write_plan_inputs(folder) -> tuple[str, str]:
    """Labels of aspect F with three terms to model at min_positives 4 (GO:0000009 is too
    rare, its genes the negatives), and sequence features of their genes."""
    genes = [f"g{index}" for index in range(8)]
    positives = {"GO:0000001": 5, "GO:0000002": 6, "GO:0000003": 4}
    rows = [(gene, "F", term) for term, count in positives.items() for gene in genes[:count]]
    rows += [(gene, "F", "GO:0000009") for gene in genes[6:]]
    labels = folder / "labels.tsv"
    pd.DataFrame(rows, columns=["gene_id", "aspect", "go_id"]).to_csv(labels, sep="\t", index=False)
    sequence = folder / "sequence.npz"
    FeatureMatrix(np.array(genes), np.array(["a"]), np.ones((8, 1), np.float32)).to_npz(sequence)
    return str(labels), str(sequence)


def test_the_plan_warns_of_batches_without_a_term_and_plans_the_same(tmp_path, caplog):
    labels, sequence = write_plan_inputs(tmp_path)
    plans = {}
    for n_batches in (None, 3, 5):
        caplog.clear()
        plans[n_batches] = tmp_path / f"terms-{n_batches}.tsv"
        plan_cotraining("F", labels, sequence, 4, str(plans[n_batches]), n_batches=n_batches)
        warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
        if n_batches == 5:
            assert warnings == [
                "aspect F: 3 terms, 5 co-training batches: 2 batches without a term (each a job "
                "that scores nothing); lower cotrain_batches (config) or --set-scatter "
                "cotrain=N to at most 3"
            ]
        else:
            assert warnings == []
    assert len(read_costs(plans[None])) == 3
    # The number of batches only changes what the log says, never the plan.
    assert plans[None].read_bytes() == plans[3].read_bytes() == plans[5].read_bytes()


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
        views={"sequence": values + 0.5, "expression": values + 0.25},
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
    np.testing.assert_array_equal(merged.views["sequence"][:, 2], [0.5, 2.5])
    assert [entry["term"] for entry in report["terms"]] == ["GO:1", "GO:2", "GO:3"]
    assert report["terms_cotrained"] == 3
    assert report["pseudo_labels_added_mean"] == 4
    assert report["feature_importance"]["sequence"]["aac_A"] == pytest.approx(50 / 3, abs=1e-6)


def test_merge_refuses_batches_that_do_not_fit_together():
    with pytest.raises(ValueError, match="different genes"):
        merge_batches([_part(["g1"], ["GO:1"], 0), _part(["g2"], ["GO:2"], 0)], ["GO:1", "GO:2"])
    with pytest.raises(ValueError, match="the plan has 3"):
        merge_batches([_part(["g1"], ["GO:1"], 0)], ["GO:1", "GO:2", "GO:3"])


def test_aspect_scores_keep_every_view_through_their_file(tmp_path):
    """The score type maps view names to matrices: a third view is saved and read back
    beside the combined score, in its order."""
    matrix = np.arange(6, dtype=np.float32).reshape(2, 3)
    views = {"sequence": matrix + 1, "expression": matrix + 2, "structure": matrix + 3}
    scores = AspectScores(np.array(["a", "b"]), np.array(["GO:1", "GO:2", "GO:3"]), matrix, views)
    scores.to_npz(tmp_path / "scores.npz")
    back = AspectScores.from_npz(tmp_path / "scores.npz")
    assert list(back.views) == ["sequence", "expression", "structure"]
    assert list(back.matrices()) == [
        "score",
        "score_sequence",
        "score_expression",
        "score_structure",
    ]
    for name, values in back.matrices().items():
        np.testing.assert_array_equal(values, scores.matrices()[name])
