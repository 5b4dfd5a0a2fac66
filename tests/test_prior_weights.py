"""The own term frequencies' weight: chosen by Fmax on held-out genes like the exported ones,
each half of the targets scored with the weight chosen on the other half, the export's weight
read by the teacher and mixed into the scores it finishes."""

import numpy as np
import pandas as pd
import pytest

from gocotrain.evaluation import prior_weights
from gocotrain.evaluation.prior_weights import FMAX_TOLERANCE, chosen, cross_fitted, half_of
from gocotrain.learning.terms import AspectScores
from gocotrain.teaching import teacher as teaching
from gocotrain.teaching.chosen_weights import read_prior_weights
from gocotrain.teaching.frequencies import MIN_PRIOR_GENES

CYTOPLASM, NUCLEUS = "GO:0005737", "GO:0005634"
GENES = [f"g{index:03d}" for index in range(240)]
FREQUENCY = {CYTOPLASM: 0.9, NUCLEUS: 0.1}
# A model that ranks the specific, rarer nucleus above the broad cytoplasm for every gene.
PREDICTIONS = {gene: {NUCLEUS: 0.9, CYTOPLASM: 0.3} for gene in GENES}


def test_the_smallest_weight_within_the_tolerance_of_the_best_is_chosen():
    tried = [
        {"weight": 0.0, "fmax": 0.600},
        {"weight": 0.1, "fmax": 0.600 + FMAX_TOLERANCE / 2},
        {"weight": 0.2, "fmax": 0.600 + FMAX_TOLERANCE * 2},
        {"weight": 0.3, "fmax": 0.600 + FMAX_TOLERANCE * 2.5},
    ]
    assert chosen(tried, MIN_PRIOR_GENES) == 0.2
    assert chosen(tried[:2], MIN_PRIOR_GENES) == 0.0
    assert chosen(tried, MIN_PRIOR_GENES - 1) == 0.0


def test_each_half_is_scored_with_the_weight_chosen_on_the_other_half(demo_ontology):
    # Half 0's genes are in the cytoplasm (the frequencies help them), half 1's in the
    # nucleus (the model is right there): the weight each half gets comes from the other.
    truth = {gene: {CYTOPLASM} if half_of(gene) == 0 else {NUCLEUS} for gene in GENES}
    assert min(sum(half_of(gene) == half for gene in GENES) for half in (0, 1)) >= MIN_PRIOR_GENES
    parts = [(truth, FREQUENCY)]
    mixed, record = cross_fitted(PREDICTIONS, parts, parts, demo_ontology, "C")
    weight = {entry["half"]: entry["weight"] for entry in record}
    assert weight["1"] > 0.0 and weight["0"] == 0.0
    for gene in GENES:
        used = weight["0"] if half_of(gene) == 0 else weight["1"]
        expected = {
            term: (1 - used) * PREDICTIONS[gene][term] + used * FREQUENCY[term]
            for term in FREQUENCY
        }
        assert mixed[gene] == pytest.approx(expected)
    assert {entry["genes_chosen_on"] for entry in record} <= {
        sum(half_of(gene) == half for gene in GENES) for half in (0, 1)
    }


def test_the_exports_weight_is_chosen_on_all_of_them_and_read_by_the_teacher(
    demo_ontology, tmp_path
):
    truth = {gene: {CYTOPLASM} for gene in GENES}
    export = prior_weights.choose([(truth, FREQUENCY)], PREDICTIONS, demo_ontology, "C")
    by_weight = {entry["weight"]: entry["fmax"] for entry in export["fmax_by_weight"]}
    assert export["weight"] > 0.0 and by_weight[export["weight"]] > by_weight[0.0]
    row = {"method": "cotraining", "aspect": "C", "half": "export", "genes_scored": 0} | export
    row["fmax_by_weight"] = " ".join(f"{e['weight']}:{e['fmax']}" for e in export["fmax_by_weight"])
    path = tmp_path / "prior_weights.tsv"
    pd.DataFrame([row], columns=prior_weights.WEIGHT_COLUMNS).to_csv(path, sep="\t", index=False)
    read = read_prior_weights(path)
    assert read["C"]["weight"] == export["weight"]
    assert read["C"]["fmax_by_weight"] == export["fmax_by_weight"]
    assert read_prior_weights(None) == {}


def own_teacher(labels: pd.DataFrame) -> teaching.Teacher:
    settings = teaching.TeacherSettings(
        neighbours=10, min_positives=1, min_score=0.01, blend=False, transfer_rare=False
    )
    hits = pd.DataFrame(columns=["query", "subject", "pident", "bitscore", "evalue"])
    empty = pd.DataFrame(columns=["gene_id", "aspect", "go_id"])
    return teaching.Teacher.of(settings, hits, labels, reference_labels=empty)


def test_the_teacher_mixes_the_own_frequencies_by_the_evaluations_weight():
    labels = pd.DataFrame(
        [(gene, "C", CYTOPLASM) for gene in GENES[:90]] + [("g100", "C", NUCLEUS)],
        columns=["gene_id", "aspect", "go_id"],
    )
    scores = AspectScores(
        genes=np.array(["new"]),
        terms=np.array([NUCLEUS]),
        score=np.array([[0.8]], dtype=np.float32),
        views={
            "sequence": np.array([[0.8]], dtype=np.float32),
            "expression": np.array([[0.8]], dtype=np.float32),
        },
    )
    unmixed = own_teacher(labels).fit(["C"]).finish(scores, "C")
    assert unmixed.prior_weight == 0.0 and unmixed.scores.score[0, 0] == pytest.approx(0.8)
    weights = {"C": {"weight": 0.4, "fmax_by_weight": [{"weight": 0.4, "fmax": 0.5}]}}
    teacher = own_teacher(labels).fit(["C"], prior_weights=weights)
    finished = teacher.finish(scores, "C")
    nucleus_share = 1 / 91
    assert finished.scores.score[0, 0] == pytest.approx(0.6 * 0.8 + 0.4 * nucleus_share)
    # Cytoplasm is not modelled: the frequency alone scores it, and says so.
    assert finished.by_frequency == {"new": pytest.approx({CYTOPLASM: 0.4 * 90 / 91})}
    assert finished.sources()[0] == "two-view model and own term frequency"
    assert teacher.report("C") == {
        "own_prior_weight": 0.4,
        "own_prior_by_weight": [{"weight": 0.4, "fmax": 0.5}],
    }


def test_an_aspect_without_genes_to_choose_on_reads_as_not_mixed(demo_ontology, tmp_path):
    """An aspect none of whose held-out genes are like the exported ones (a time split with
    no no-knowledge genes there) gets weight 0 and no Fmax: written and read back so."""
    export = prior_weights.choose([({}, FREQUENCY)], PREDICTIONS, demo_ontology, "C")
    assert export == {"genes_chosen_on": 0, "weight": 0.0, "fmax_by_weight": []}
    path = tmp_path / "prior_weights.tsv"
    row = {"method": "cotraining", "aspect": "C", "half": "export", "genes_scored": 0} | export
    prior_weights.write_weights([row], str(path))
    assert read_prior_weights(path) == {"C": {"weight": 0.0, "fmax_by_weight": []}}
