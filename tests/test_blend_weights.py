"""The transfer's blend weight: the finish blends model and transfer by it, the evaluation keeps
the two apart and chooses it on held-out genes like the exported ones (each half of the
targets with the weight chosen on the other half), and the teacher reads the export's."""

import numpy as np
import pandas as pd
import pytest

from gocotrain.evaluation import prior_weights
from gocotrain.evaluation.blend_weights import (
    BLEND_WEIGHTS,
    BlendParts,
    chosen,
    read_blend_parts,
    with_blend_weights,
    write_blend_parts,
)
from gocotrain.evaluation.prior_weights import FMAX_TOLERANCE, half_of
from gocotrain.learning.terms import AspectScores
from gocotrain.teaching import teacher as teaching
from gocotrain.teaching.chosen_weights import read_prior_weights
from gocotrain.teaching.frequencies import MIN_PRIOR_GENES
from gocotrain.teaching.transfer import DEFAULT_BLEND_WEIGHT, with_transfer

CYTOPLASM, NUCLEUS, MITOCHONDRION = "GO:0005737", "GO:0005634", "GO:0005739"
GENES = [f"g{index:03d}" for index in range(240)]


def model_scores(genes, rows) -> AspectScores:
    score = np.array(rows, dtype=np.float32)
    return AspectScores(np.array(genes), np.array([CYTOPLASM, NUCLEUS]), score, {})


def test_genes_with_homologs_get_the_weight_and_the_others_the_plain_mean():
    scores = model_scores(["with", "without"], [[0.8, 0.4], [0.8, 0.4]])
    transferred = {"with": {CYTOPLASM: 0.2, MITOCHONDRION: 0.6}, "without": {}}
    blended, rare = with_transfer(scores, transferred, True, 0.8)
    assert blended.score[0] == pytest.approx([0.2 * 0.8 + 0.8 * 0.2, 0.2 * 0.4])
    assert blended.score[1] == pytest.approx([0.4, 0.2])
    assert rare == {"with": {MITOCHONDRION: 0.6}, "without": {}}
    mean, _ = with_transfer(scores, transferred, True)
    assert mean.score[0] == pytest.approx([(0.8 + 0.2) / 2, 0.4 / 2])
    assert with_transfer(scores, transferred, False, 0.8)[0] is scores


def test_the_weight_closest_to_the_mean_within_the_tolerance_of_the_best_is_chosen():
    tried = [
        {"weight": 0.3, "fmax": 0.600},
        {"weight": 0.5, "fmax": 0.600},
        {"weight": 0.7, "fmax": 0.600 + FMAX_TOLERANCE * 2},
        {"weight": 0.9, "fmax": 0.600 + FMAX_TOLERANCE * 2.5},
    ]
    assert chosen(tried, MIN_PRIOR_GENES) == 0.7
    assert chosen(tried[:2], MIN_PRIOR_GENES) == 0.5
    assert chosen(tried, MIN_PRIOR_GENES - 1) == DEFAULT_BLEND_WEIGHT


def test_blend_parts_are_written_and_read_back_and_blend_by_the_weight(tmp_path):
    scores = model_scores(["a", "b"], [[0.8, 0.004], [0.3, 0.5]])
    transferred = {"a": {CYTOPLASM: 0.5, MITOCHONDRION: 0.05}, "b": {}}
    path = tmp_path / "fold0.blend.npz"
    write_blend_parts({"C": BlendParts(scores, transferred)}, str(path))
    read = read_blend_parts(str(path))["C"]
    # A gene without transfer has no entry: `with_transfer` reads both alike.
    assert read.model.genes.tolist() == ["a", "b"] and read.transferred == {"a": transferred["a"]}
    assert np.array_equal(read.model.score, scores.score)
    blended = read.blended(0.5, 0.01)
    assert blended["a"] == pytest.approx({CYTOPLASM: 0.65, MITOCHONDRION: 0.05})
    assert blended["b"] == pytest.approx({CYTOPLASM: 0.15, NUCLEUS: 0.25})
    write_blend_parts({}, str(path))
    assert read_blend_parts(str(path)) == {}


# Each gene's transfer of the cytoplasm: half 0's genes are in the cytoplasm, which the
# model ranks below the nucleus and the transfer, weaker, lifts above it from a weight of
# 0.6; half 1's are in the nucleus, where the transfer's stronger wrong word wins from 0.5.
TRANSFER = {0: 0.6, 1: 0.9}


def split_parts() -> dict[str, BlendParts]:
    scores = model_scores(GENES, [[0.1, 0.9]] * len(GENES))
    transferred = {gene: {CYTOPLASM: TRANSFER[half_of(gene)]} for gene in GENES}
    return {"C": BlendParts(scores, transferred)}


def test_each_half_is_blended_by_the_weight_chosen_on_the_other_half(demo_ontology, tmp_path):
    truth = {gene: CYTOPLASM if half_of(gene) == 0 else NUCLEUS for gene in GENES}
    assert min(sum(half_of(gene) == half for gene in GENES) for half in (0, 1)) >= MIN_PRIOR_GENES
    targets = pd.DataFrame(
        [("fold0", "cross_validation", "C", gene, term) for gene, term in truth.items()],
        columns=["split", "targets", "aspect", "gene_id", "go_id"],
    )
    path = tmp_path / "fold0.blend.npz"
    write_blend_parts(split_parts(), str(path))
    written = split_parts()["C"].blended(DEFAULT_BLEND_WEIGHT, 0.01)
    predicted = {gene: dict(scores) | {"GO:0003674": 0.5} for gene, scores in written.items()}
    blended, records = with_blend_weights(
        "cotraining", predicted, [str(path)], targets, demo_ontology, 0.01
    )
    weight = {entry["half"]: entry["weight"] for entry in records}
    # Half 0 gets the weight chosen on half 1 (the model's genes), and the other way round.
    assert (weight["0"], weight["1"]) == (0.4, 0.6)
    assert set(weight) == {"0", "1", "export"}
    assert {entry["mixed_in"] for entry in records} == {"transfer"}
    for gene in GENES:
        share = weight[str(half_of(gene))]
        transfer = TRANSFER[half_of(gene)]
        expected = {CYTOPLASM: (1 - share) * 0.1 + share * transfer, NUCLEUS: (1 - share) * 0.9}
        # Another aspect's terms are kept as they were.
        assert blended[gene] == pytest.approx(expected | {"GO:0003674": 0.5})
    assert [entry["weight"] for entry in records[0]["fmax_by_weight"]] == list(BLEND_WEIGHTS)


def test_without_blend_parts_the_predictions_stay_as_written(demo_ontology, tmp_path):
    path = tmp_path / "fold0.blend.npz"
    write_blend_parts({}, str(path))
    targets = pd.DataFrame(
        [("fold0", "cross_validation", "C", "g000", CYTOPLASM)],
        columns=["split", "targets", "aspect", "gene_id", "go_id"],
    )
    predicted = {"g000": {CYTOPLASM: 0.4}}
    assert with_blend_weights(
        "cotraining", predicted, [str(path)], targets, demo_ontology, 0.01
    ) == ({"g000": {CYTOPLASM: 0.4}}, [])


def test_the_teacher_reads_the_exports_blend_weight_beside_the_frequencies_weight(tmp_path):
    rows = [
        {"method": "cotraining", "aspect": "C", "mixed_in": mixed_in, "half": "export"}
        | {"genes_scored": 0, "genes_chosen_on": 120, "weight": weight}
        | {"fmax_by_weight": [{"weight": weight, "fmax": 0.6}]}
        for mixed_in, weight in (("own_frequency", 0.3), ("transfer", 0.8))
    ]
    path = tmp_path / "prior_weights.tsv"
    prior_weights.write_weights(rows, str(path))
    read = read_prior_weights(path)
    assert read == {
        "C": {
            "weight": 0.3,
            "fmax_by_weight": [{"weight": 0.3, "fmax": 0.6}],
            "blend_weight": 0.8,
            "fmax_by_blend_weight": [{"weight": 0.8, "fmax": 0.6}],
        }
    }
    settings = teaching.TeacherSettings(10, 1, 0.01, blend=True, transfer_rare=True)
    hits = pd.DataFrame(columns=["query", "subject", "pident", "bitscore", "evalue"])
    labels = pd.DataFrame([("g1", "C", CYTOPLASM)], columns=["gene_id", "aspect", "go_id"])
    teacher = teaching.Teacher.of(settings, hits, labels).fit(["C"], prior_weights=read)
    lesson = teacher.lessons["C"]
    assert (lesson.weight, lesson.blend_weight) == (0.3, 0.8)
    assert teaching.Lesson.from_dict(lesson.to_dict()) == lesson
    # A model saved before the blend weight existed blends by the plain mean.
    old = {key: value for key, value in lesson.to_dict().items() if "blend" not in key}
    assert teaching.Lesson.from_dict(old).blend_weight == DEFAULT_BLEND_WEIGHT
    assert teacher.report("C")["blend_weight"] == 0.8
