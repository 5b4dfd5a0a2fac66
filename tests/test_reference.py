"""A new organism learns from reference species: the held-out check sample, the calibrated
transfer, the labels it teaches and how the organism's own labels win over them."""

import gzip

import numpy as np
import pandas as pd
import pytest

from gocotrain.inputs.annotations import OWN, REFERENCE, resolved
from gocotrain.inputs.releases import automatic_label, header_lines, release_stamp
from gocotrain.learning.terms import AspectScores
from gocotrain.teaching.reference import (
    check_proteins,
    reference_calibrations,
    reference_transfer,
    training_labels,
    write_check_proteins,
)


def labels_table(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["gene_id", "aspect", "go_id"])


def hits_table(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["query", "subject", "pident", "bitscore"])


def test_the_check_sample_is_the_same_whatever_the_order_and_a_subset():
    accessions = [f"P{number:05d}" for number in range(500)]
    chosen = check_proteins(accessions, 50)
    assert len(chosen) == 50 and set(chosen) <= set(accessions)
    assert check_proteins(list(reversed(accessions)), 50) == chosen
    assert set(check_proteins(accessions, 20)) < set(chosen)  # the smallest digests first
    assert chosen != sorted(accessions)[:50]  # a spread sample, not the first accessions


def test_check_proteins_are_written_with_uniprot_accessions(tmp_path):
    fasta = tmp_path / "sprot.fasta.gz"
    with gzip.open(fasta, "wt") as handle:
        for number in range(30):
            handle.write(f">sp|Q{number:05d}|NAME{number}_YEAST Protein OS=yeast\nMKVLA\n")
    written = write_check_proteins(fasta, tmp_path / "check.fa", 10)
    headers = [line for line in (tmp_path / "check.fa").read_text().splitlines() if ">" in line]
    assert written == 10 and len(headers) == 10
    assert all(header.startswith(">Q") and "|" not in header for header in headers)


# Reference labels are propagated: every protein with T1 (a child of T0) also has T0.
REFERENCE_LABELS = labels_table(
    [
        ("r1", "F", "T0"),
        ("r1", "F", "T1"),
        ("r2", "F", "T0"),
        ("r3", "F", "T0"),
        ("r3", "F", "T2"),
        ("c1", "F", "T0"),
        ("c1", "F", "T1"),
        ("c2", "F", "T2"),
    ]
)


def test_taught_labels_obey_the_hierarchy_and_the_threshold():
    hits = hits_table(
        [
            ("g1", "r1", 95.0, 300.0),
            ("g1", "r2", 60.0, 100.0),
            ("g2", "r3", 40.0, 50.0),
        ]
    )
    transfer = reference_transfer(hits, REFERENCE_LABELS, "F", ["g1", "g2"], 10, None)
    score = {(g, t): s for g, t, s in transfer.itertuples(index=False)}
    # g1: T0 carried by both homologs (share 1, best identity 0.95); T1 by r1 only (0.75).
    assert score[("g1", "T0")] == pytest.approx(0.95)
    assert score[("g1", "T1")] == pytest.approx(0.75 * 0.95)
    for gene, term in score:
        if term != "T0":
            assert score[(gene, "T0")] >= score[(gene, term)]  # never above an ancestor
    taught = training_labels(labels_table([]), {"F": transfer}, 0.5)
    assert set(zip(taught["gene_id"], taught["go_id"], strict=True)) == {
        ("g1", "T0"),
        ("g1", "T1"),
    }
    assert set(taught["source"]) == {REFERENCE}


def test_own_labels_win_for_their_genes_and_held_out_genes_learn_from_the_reference():
    own = labels_table([("g1", "F", "T2"), ("g1", "P", "P1")])
    transfer = pd.DataFrame(
        [("g1", "T0", 0.9), ("g2", "T0", 0.8), ("g2", "T1", 0.3)],
        columns=["gene_id", "go_id", "score"],
    )
    table = training_labels(own, {"F": transfer}, 0.5)
    used = resolved(table)
    pairs = set(zip(used["gene_id"], used["aspect"], used["go_id"], used["source"], strict=True))
    assert pairs == {
        ("g1", "F", "T2", OWN),  # g1's own F label, not the reference's T0
        ("g1", "P", "P1", OWN),
        ("g2", "F", "T0", REFERENCE),
    }
    held = resolved(table, held_out={"g1"})
    assert set(zip(held["gene_id"], held["go_id"], strict=True)) == {("g1", "T0"), ("g2", "T0")}
    plain = labels_table([("g1", "F", "T2")])
    assert resolved(plain) is plain  # a table without sources is as it was


def test_the_calibration_reads_held_out_proteins_from_their_other_homologs_only():
    # c1 and c2 are the held-out queries; their self-hits must not count as evidence.
    check_hits = hits_table(
        [
            ("c1", "c1", 100.0, 999.0),
            ("c1", "r1", 90.0, 200.0),
            ("c2", "c2", 100.0, 999.0),
            ("c2", "r1", 90.0, 200.0),
        ]
    )
    calibration = reference_calibrations(check_hits, REFERENCE_LABELS, ["F"], 10)["F"]
    # r1 carries T0 and T1: right for c1 (both), wrong for c2 (it has T2 only). At evidence
    # 0.9 two of four transfers are right, plus the pseudo-transfers at 1.0 (one right, one
    # wrong): a share of one half, whatever the self-hits said.
    assert calibration(np.array([0.9]))[0] == pytest.approx(0.5)


def test_a_release_without_own_annotations_is_named_and_stamped_by_its_reference(tmp_path):
    obo = tmp_path / "go.obo"
    obo.write_text("format-version: 1.2\ndata-version: releases/2022-07-01\n")
    reference = tmp_path / "reference_labels.tsv"
    reference.write_text("protein\tgo_id\nP1\tGO:0005515\n")
    stamp = release_stamp(None, obo, None, [str(reference)])
    assert stamp["annotations_sha256"] == ""
    assert automatic_label(stamp).startswith("go-2022-07-01_ref-")
    lines = header_lines(stamp | {"release": "x"})
    assert lines["annotations"].startswith("none of the organism's own")
    assert lines["reference-annotations-1"] == f"sha256:{stamp['reference_annotations_sha256'][0]}"


def model_scores(genes, terms, model) -> AspectScores:
    """Scores of one model, the same for both views."""
    return AspectScores(
        genes=np.array(genes),
        terms=np.array(terms),
        score=model,
        views={"sequence": model, "expression": model},
    )


def test_taught_genes_keep_their_transfer_and_the_others_get_the_blend():
    from gocotrain.teaching.reference import with_taught_scores

    model = np.array([[0.9, 0.1], [0.8, 0.2]], dtype=np.float32)
    scores = model_scores(["taught", "pool"], ["T0", "T1"], model)
    transferred = {"taught": {"T0": 0.6, "T9": 0.3}, "pool": {"T1": 0.4}}
    combined, rare = with_taught_scores(scores, transferred, {"taught"}, blend=True)
    # The taught gene: its transfer (0 where none), not the mean with its in-sample model;
    # its sequence score is that transfer, and it has no expression score of its own.
    np.testing.assert_allclose(combined.score[0], [0.6, 0.0])
    np.testing.assert_allclose(combined.views["sequence"][0], [0.6, 0.0])
    assert np.isnan(combined.views["expression"][0]).all()
    np.testing.assert_allclose(combined.score[1], [(0.8 + 0.0) / 2, (0.2 + 0.4) / 2])
    np.testing.assert_allclose(combined.views["expression"][1], model[1])
    assert rare == {"taught": {"T9": 0.3}, "pool": {}}


def organism_truth(n_genes: int) -> dict[str, set[str]]:
    """Every gene binds proteins (as most of human's MF annotations say); half are kinases."""
    return {f"g{i:03d}": {"B", "PB"} | ({"CAT", "K"} if i % 2 else set()) for i in range(n_genes)}


def test_the_organisms_own_frequencies_weigh_what_its_labels_say_the_reference_misses():
    from gocotrain.teaching.frequencies import MIN_PRIOR_GENES
    from gocotrain.teaching.reference import fit_prior_weight

    truth = organism_truth(60)
    frequency = {"B": 1.0, "PB": 1.0, "CAT": 0.5, "K": 0.5}
    # The reference knows the kinases but never says protein binding.
    kinases = {
        gene: {"K": 0.9, "CAT": 0.9} if "K" in terms else {} for gene, terms in truth.items()
    }
    weight, tried = fit_prior_weight(truth, kinases, frequency)
    by_weight = {entry["weight"]: entry["aupr"] for entry in tried}
    assert 0.0 < weight < 1.0 and by_weight[weight] > max(by_weight[0.0], by_weight[1.0])
    # A reference that already says everything: no weight beats none (ties take the smallest).
    complete = {gene: dict.fromkeys(terms, 0.9) for gene, terms in truth.items()}
    assert fit_prior_weight(truth, complete, frequency)[0] == 0.0
    # Too few own labeled genes to choose on: the reference's scores stay as they are.
    few = organism_truth(MIN_PRIOR_GENES - 1)
    assert fit_prior_weight(few, kinases, frequency) == (0.0, [])


def test_scores_mixed_with_the_prior_keep_their_views_and_add_frequent_unmodelled_terms():
    from gocotrain.teaching.frequencies import with_prior

    model = np.array([[0.9, 0.1], [0.0, 0.2]], dtype=np.float32)
    scores = model_scores(["a", "b"], ["K", "CAT"], model)
    frequency = {"PB": 0.8, "B": 0.9, "K": 0.5, "RARE": 0.01}
    mixed, rare, alone = with_prior(scores, {"a": {"X": 0.5}}, frequency, 0.5, min_score=0.01)
    np.testing.assert_allclose(mixed.score, [[0.7, 0.05], [0.25, 0.1]], rtol=1e-6)
    np.testing.assert_array_equal(mixed.views["sequence"], model)
    # The transferred term mixed; PB and B are frequent and not modelled: the frequency
    # alone scores them; RARE's half share falls below min_score.
    assert rare == {"a": pytest.approx({"X": 0.25})}
    assert alone == {
        "a": pytest.approx({"PB": 0.4, "B": 0.45}),
        "b": pytest.approx({"PB": 0.4, "B": 0.45}),
    }
    assert with_prior(scores, {"a": {"X": 0.5}}, frequency, 0.0, 0.01) == (
        scores,
        {"a": {"X": 0.5}},
        {},
    )


def test_a_gene_with_a_reference_proteins_id_keeps_that_homolog(tmp_path):
    """The organism's P1 is also a reference protein (the same accession): that hit is not a
    self-hit, and its annotation is transferred (it used to be dropped without a word)."""
    from gocotrain.teaching.teacher import read_reference_hits, read_reference_labels

    hits = tmp_path / "hits.tsv"
    pd.DataFrame(
        [("P1", "P1", 100.0, 900.0, 0.0), ("P1", "Q2", 40.0, 90.0, 1e-10)],
        columns=["query", "subject", "pident", "bitscore", "evalue"],
    ).to_csv(hits, sep="\t", index=False)
    labels = tmp_path / "labels.tsv"
    pd.DataFrame(
        [("P1", "F", "GO:0000001"), ("Q2", "F", "GO:0000002")],
        columns=["gene_id", "aspect", "go_id"],
    ).to_csv(labels, sep="\t", index=False)
    found = reference_transfer(
        read_reference_hits([hits]), read_reference_labels([labels]), "F", ["P1"], 10, None
    )
    scores = dict(zip(found["go_id"], found["score"], strict=True))
    assert scores["GO:0000001"] == pytest.approx(900 / 990)
    assert set(found["gene_id"]) == {"P1"}
