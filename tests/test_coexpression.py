"""The co-expression network and its neighbour vote: the expression view's per-term features."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from gocotrain.evaluation.methods import multifunctionality
from gocotrain.evaluation.metrics import view_signal
from gocotrain.views.coexpression import CoexpressionGraph, NewGenesCoexpression, profile_columns
from gocotrain.views.features import FeatureMatrix, expression_features


def modules(n_per_module=60, n_samples=40, seed=0):
    """Two co-expressed modules of genes (a shared pattern plus noise) and unrelated genes."""
    rng = np.random.default_rng(seed)
    patterns = rng.normal(size=(2, n_samples))
    rows = [patterns[0] + 0.5 * rng.normal(size=(n_per_module, n_samples))]
    rows.append(patterns[1] + 0.5 * rng.normal(size=(n_per_module, n_samples)))
    rows.append(rng.normal(size=(n_per_module, n_samples)))
    module = np.repeat([0, 1, 2], n_per_module)
    return np.vstack(rows), module


def test_neighbours_are_the_most_correlated_genes_ranked_and_kept_from_either_end():
    profiles, module = modules()
    graph = CoexpressionGraph(profiles, neighbours=10)
    weights = graph.weights.toarray()
    assert (np.count_nonzero(weights, axis=1) >= 10).all()
    np.testing.assert_array_equal(weights, weights.T)
    assert np.diag(weights).sum() == 0  # never its own neighbour
    first = np.flatnonzero(module == 0)
    # A module gene is linked to its module and to unrelated genes that chose it (their best
    # match), never to the other module; its best neighbour weighs 1.
    assert (module[np.nonzero(weights[first])[1]] != 1).all()
    assert (weights[first][:, first] > 0).sum(axis=1).min() >= 10
    correlation = np.corrcoef(profiles)[0]
    correlation[0] = -np.inf
    assert weights[0, int(np.argmax(correlation))] == 1.0
    np.testing.assert_allclose(graph.transition.sum(axis=1), 1.0)


def test_votes_find_a_module_from_a_tenth_of_its_labels():
    profiles, module = modules()
    rng = np.random.default_rng(1)
    labeled = rng.random(len(module)) < 0.1
    positive = module == 0
    vote, two_steps = CoexpressionGraph(profiles).term_features(labeled, positive).T
    unlabeled = ~labeled
    for feature in (vote, two_steps):
        known = unlabeled & ~np.isnan(feature)
        assert known.sum() > 100
        assert roc_auc_score(positive[known], feature[known]) > 0.9


def test_a_genes_own_label_never_enters_its_own_features():
    """Neither directly nor by a path back to itself two steps away."""
    profiles, module = modules()
    graph = CoexpressionGraph(profiles, neighbours=15)
    labeled = np.ones(len(module), dtype=bool)
    positive = module == 0
    before = graph.term_features(labeled, positive)
    for gene in (3, 70, 150):
        flipped = positive.copy()
        flipped[gene] = not flipped[gene]
        after = graph.term_features(labeled, flipped)
        np.testing.assert_allclose(before[gene], after[gene], atol=1e-6)
        assert not np.allclose(before, after)  # its neighbours do read it
        unlabeled = labeled.copy()
        unlabeled[gene] = False
        np.testing.assert_allclose(
            graph.term_features(unlabeled, positive)[gene], before[gene], atol=1e-6
        )


def test_genes_without_or_with_flat_expression_have_no_neighbours_and_no_vote():
    profiles, module = modules()
    profiles[5] = np.nan
    profiles[6] = 2.0  # flat: correlates with nothing
    graph = CoexpressionGraph(profiles, neighbours=10)
    features = graph.term_features(np.ones(len(module), bool), module == 0)
    assert np.isnan(features[[5, 6]]).all()
    assert graph.weights[:, [5, 6]].nnz == 0
    assert np.isfinite(np.delete(features, [5, 6], axis=0)).all()


def test_new_genes_joined_to_a_saved_network_get_the_runs_features():
    """A saved model scores a run's own gene again with the run's votes: its neighbours are
    the run's, never its own training copy, and paths back through the copy are left out.
    A gene unlike any other gets neighbours and votes all the same."""
    profiles, module = modules()
    # Isoforms joined to one expression row share a profile: ties the run broke its way.
    profiles[[66, 67, 131]] = profiles[[65, 65, 130]]
    rng = np.random.default_rng(2)
    labeled = rng.random(len(module)) < 0.3
    positive = module == 1
    graph = CoexpressionGraph(profiles, neighbours=12)
    run = graph.term_features(labeled, positive)
    again = [4, 65, 130, 170]
    novel = rng.normal(size=(1, profiles.shape[1]))
    twins = np.array([*again, -1])
    joined = NewGenesCoexpression(graph, np.vstack([profiles[again], novel]), twins)
    rows_labeled = np.concatenate([labeled, np.zeros(5, bool)])
    rows_positive = np.concatenate([positive, np.zeros(5, bool)])
    features = joined.term_features(rows_labeled, rows_positive)
    n = len(profiles)
    np.testing.assert_allclose(features[:n], run, atol=1e-6)
    np.testing.assert_allclose(features[n : n + 4], run[again], atol=1e-6)
    assert np.isfinite(features[-1]).all()


def test_profile_columns_are_the_profile_not_the_summaries():
    values = pd.DataFrame(np.arange(12.0).reshape(3, 4) ** 1.5, index=["a", "b", "c"])
    features, _, _ = expression_features(values, n_components=0)
    mask = profile_columns(features.columns)
    assert [name for name, keep in zip(features.columns, mask, strict=True) if not keep] == [
        "expr_mean",
        "expr_sd",
        "expr_fraction_expressed",
    ]


def test_multifunctionality_control_is_term_frequency_times_hub_percentile():
    profiles, module = modules()
    genes = np.array([f"g{index:03d}" for index in range(len(module))])
    columns = np.array([f"expr_sample_{index}" for index in range(profiles.shape[1])])
    expression = FeatureMatrix(genes, columns, profiles.astype(np.float32))
    labels = pd.DataFrame(
        {
            "gene_id": ["g000", "g001", "g002", "g001"],
            "aspect": "P",
            "go_id": ["GO:1", "GO:1", "GO:2", "GO:2"],
        }
    )
    targets = ["g100", "g150", "unknown"]
    predictions = multifunctionality(expression, labels, "P", targets)
    assert set(predictions) == set(targets)
    # Each term's frequency among the 3 training genes, scaled alike within a gene.
    for gene in targets:
        scores = predictions[gene]
        assert scores["GO:1"] / scores["GO:2"] == pytest.approx((2 / 3) / (2 / 3))
    assert predictions["unknown"]["GO:1"] == pytest.approx(2 / 3 * 0.5)  # no expression
    assert all(0 < predictions[g]["GO:1"] <= 2 / 3 for g in targets)


def test_view_signal_reads_the_margins_a_user_needs():
    rows = [
        ("naive", 0.30),
        ("multifunctionality", 0.31),
        ("sequence_only", 0.45),
        ("expression_only", 0.36),
        ("two_view_supervised", 0.48),
        ("cotraining", 0.49),
    ]
    metrics = pd.DataFrame(
        [
            {"targets": "cross_validation", "aspect": "biological_process", "method": m, "fmax": f}
            for m, f in rows
        ]
    )
    signal = view_signal(metrics).iloc[0]
    assert signal["expression_over_controls"] == pytest.approx(0.05)
    assert signal["two_views_over_sequence"] == pytest.approx(0.03)
    assert signal["cotraining_over_supervised"] == pytest.approx(0.01)
    partial = view_signal(metrics[metrics["method"] != "multifunctionality"]).iloc[0]
    assert np.isnan(partial["expression_over_controls"])
