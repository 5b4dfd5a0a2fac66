"""Homology search and the per-term homology features of the sequence view."""

import shutil

import numpy as np
import pandas as pd
import pytest
from conftest import DEMO

from gocotrain.inputs.sequences import read_fasta
from gocotrain.views.homology import HomologyGraph, search


def hits_table(rows):
    return pd.DataFrame(rows, columns=["query", "subject", "pident", "bitscore", "evalue"])


def test_features_are_weighted_shares_of_labeled_homologs_without_self_hits():
    genes = ["a", "b", "c", "d", "e"]
    hits = hits_table(
        [
            ("a", "a", 100, 900, 0),  # self-hit: never counts
            ("a", "b", 80, 300, 1e-50),
            ("a", "c", 40, 100, 1e-10),
            ("a", "d", 30, 100, 1e-8),
            ("b", "a", 80, 300, 1e-50),
            ("e", "e", 100, 500, 0),
        ]
    )
    graph = HomologyGraph(genes, hits)
    labeled = np.array([True, True, True, False, True])  # d's label is not known
    positive = np.array([True, True, False, True, False])  # d "has" it: must not leak
    knn, identity = graph.term_features(labeled, positive).T
    # a: labeled homologs b (300, positive) and c (100, negative); d is not labeled.
    assert knn[0] == pytest.approx(300 / 400) and identity[0] == pytest.approx(0.8)
    # b's only homolog is a, positive; a's own label counts for b, never for a.
    assert knn[1] == 1 and identity[1] == pytest.approx(0.8)
    # c, d: no hits of their own; e: only a self-hit. No labeled homolog -> missing.
    assert np.isnan(knn[[2, 3, 4]]).all() and np.isnan(identity[[2, 3, 4]]).all()


def test_a_held_out_label_never_changes_any_feature_when_not_given():
    genes = [f"g{i}" for i in range(6)]
    rng = np.random.default_rng(0)
    rows = [
        (genes[i], genes[j], rng.uniform(30, 100), rng.uniform(50, 500), 1e-9)
        for i in range(6)
        for j in range(6)
        if i != j
    ]
    graph = HomologyGraph(genes, hits_table(rows))
    labeled = np.array([1, 1, 1, 0, 1, 1], dtype=bool)
    positive = np.array([1, 0, 1, 0, 0, 1], dtype=bool)
    flipped = positive.copy()
    flipped[3] = True  # the unlabeled gene's truth changes; nothing may notice
    np.testing.assert_array_equal(
        graph.term_features(labeled, positive), graph.term_features(labeled, flipped)
    )


def demo_proteins(n=120):
    records = read_fasta(DEMO / "proteins.fa.gz")[:n]
    return {gene: protein for gene, protein, _ in records}


def test_pyswrd_finds_every_protein_itself_and_sorted_unique_pairs(tmp_path):
    proteins = demo_proteins()
    hits = search("pyswrd", tmp_path / "unused.fa", proteins, threads=1)
    selves = hits[hits["query"] == hits["subject"]]
    assert set(selves["query"]) == set(proteins)
    assert not hits.duplicated(["query", "subject"]).any()
    assert hits.equals(hits.sort_values(["query", "subject"]).reset_index(drop=True))
    assert (selves["pident"] > 99).all() and (hits["evalue"] <= 1e-3).all()


@pytest.mark.skipif(shutil.which("diamond") is None, reason="DIAMOND is not installed")
def test_pyswrd_finds_the_strong_pairs_diamond_finds(tmp_path):
    """pyswrd reports more (DIAMOND masks low-complexity repeats such as zinc fingers), but
    what DIAMOND calls strong, pyswrd finds too."""
    from gocotrain.inputs.sequences import write_fasta

    proteins = demo_proteins(300)
    fasta = tmp_path / "proteins.fa"
    write_fasta(proteins, fasta)
    pairs = {}
    for engine in ("pyswrd", "diamond"):
        hits = search(engine, fasta, proteins, threads=1)
        strong = hits[(hits["bitscore"] >= 100) & (hits["query"] != hits["subject"])]
        pairs[engine] = set(zip(strong["query"], strong["subject"], strict=True))
    shared = pairs["pyswrd"] & pairs["diamond"]
    assert len(pairs["diamond"]) >= 20
    assert len(shared) >= 0.9 * len(pairs["diamond"])


def test_auto_takes_diamond_where_it_is_installed_and_says_when_it_is_not(monkeypatch):
    from gocotrain.views import homology

    monkeypatch.setattr(homology.shutil, "which", lambda name: f"/usr/bin/{name}")
    assert homology.resolved_engine("auto") == ("diamond", None)
    monkeypatch.setattr(homology.shutil, "which", lambda name: None)
    engine, warning = homology.resolved_engine("auto")
    assert engine == "pyswrd"
    assert "DIAMOND is not on PATH" in warning and "apt-get install diamond-aligner" in warning
    # A named engine is the user's choice: no second guess, no warning.
    assert homology.resolved_engine("pyswrd") == ("pyswrd", None)
    assert homology.resolved_engine("diamond") == ("diamond", None)
