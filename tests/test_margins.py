"""Co-training's margins over the baselines with their paired-bootstrap intervals, on the
demo's experimental annotations as truth and predictors of known quality."""

import numpy as np
import pandas as pd
import pytest
from conftest import EVIDENCE_CODES

from gocotrain.evaluation.margins import fmax_margin, gene_draws, margins_table
from gocotrain.evaluation.metrics import evaluate, score
from gocotrain.inputs.annotations import read_annotations


def protein_scores(truth, predictions, ontology):
    return score(truth, predictions, ontology, {}).proteins


@pytest.fixture(scope="module")
def truth(demo, demo_ontology) -> dict[str, set[str]]:
    table = read_annotations(demo / "annotations.gaf.gz").table
    table = table[
        table["evidence"].isin(EVIDENCE_CODES)
        & ~table["negated"]
        & ~table["go_id"].isin(demo_ontology.roots)
    ]
    genes = sorted(set(table["gene_id"]))[:400]
    chosen = table[table["gene_id"].isin(genes)]
    return {gene: set(terms) for gene, terms in chosen.groupby("gene_id")["go_id"]}


def predictor(truth, share_right: float, seed: int) -> dict[str, dict[str, float]]:
    """Each gene's true terms, each kept with probability `share_right` at a high score, and
    as many wrong terms (another gene's) at scores spread below."""
    rng = np.random.default_rng(seed)
    genes = sorted(truth)
    predictions = {}
    for index, gene in enumerate(genes):
        other = truth[genes[(index + 7) % len(genes)]] - truth[gene]
        right = {term: rng.uniform(0.5, 1) for term in truth[gene] if rng.random() < share_right}
        wrong = {term: rng.uniform(0, 0.8) for term in other}
        predictions[gene] = wrong | right
    return predictions


def test_protein_scores_give_evaluates_fmax(truth, demo_ontology):
    predictions = predictor(truth, 0.6, seed=1)
    expected = evaluate(truth, predictions, demo_ontology, {}).set_index("aspect")["fmax"]
    for aspect in protein_scores(truth, predictions, demo_ontology):
        assert aspect.fmax()[0] == pytest.approx(expected[aspect.namespace], abs=1e-12)
        assert aspect.precision.shape == (len(aspect.proteins), 99)


def test_a_method_against_itself_has_a_margin_of_exactly_zero(truth, demo_ontology):
    scores = protein_scores(truth, predictor(truth, 0.6, seed=1), demo_ontology)
    for aspect in scores:
        assert fmax_margin(aspect, aspect) == {
            "genes": len(aspect.proteins),
            "margin": 0.0,
            "low": 0.0,
            "high": 0.0,
        }


def test_the_interval_holds_the_margin_and_excludes_zero_for_a_real_gap(truth, demo_ontology):
    good = protein_scores(truth, predictor(truth, 0.9, seed=1), demo_ontology)
    poor = protein_scores(truth, predictor(truth, 0.5, seed=2), demo_ontology)
    for better, worse in zip(good, poor, strict=True):
        gap = fmax_margin(better, worse)
        assert gap["low"] < gap["margin"] < gap["high"]
        assert gap["low"] > 0, better.namespace


def test_equally_good_predictors_mostly_get_an_interval_that_holds_zero(truth, demo_ontology):
    """The interval is a 95 % one: for two predictors of the same quality, it holds their
    expected margin, 0, in about 19 draws of 20."""
    held = []
    for seed in range(0, 20, 2):
        ours, theirs = (
            protein_scores(truth, predictor(truth, 0.7, seed=seed + i), demo_ontology)[0]
            for i in (0, 1)
        )
        found = fmax_margin(ours, theirs, resamples=400)
        held.append(found["low"] <= 0 <= found["high"])
        assert found["high"] - found["low"] < 0.2
    assert sum(held) >= 8


def test_the_interval_depends_on_the_seed_only(truth, demo_ontology):
    ours = protein_scores(truth, predictor(truth, 0.8, seed=1), demo_ontology)[0]
    theirs = protein_scores(truth, predictor(truth, 0.7, seed=2), demo_ontology)[0]
    assert fmax_margin(ours, theirs, seed=5) == fmax_margin(ours, theirs, seed=5)
    assert fmax_margin(ours, theirs, seed=5) != fmax_margin(ours, theirs, seed=6)
    draws = gene_draws(50, resamples=20, seed=0)
    assert draws.shape == (20, 50) and (draws.sum(axis=1) == 50).all()


def test_a_margin_compares_the_same_genes(truth, demo_ontology):
    fewer = {gene: terms for gene, terms in list(truth.items())[:100]}
    ours = protein_scores(truth, predictor(truth, 0.8, seed=1), demo_ontology)[0]
    theirs = protein_scores(fewer, predictor(fewer, 0.8, seed=1), demo_ontology)[0]
    with pytest.raises(ValueError, match="same held-out genes"):
        fmax_margin(ours, theirs)


def test_the_table_has_cotraining_over_each_baseline_evaluated(truth, demo_ontology):
    def scored(share, seed):
        return protein_scores(truth, predictor(truth, share, seed), demo_ontology)

    scores = {
        ("least_annotated", "cotraining"): scored(0.9, 1),
        ("least_annotated", "naive"): scored(0.5, 2),
        ("least_annotated", "homology"): scored(0.6, 3),
        ("least_annotated", "sequence_only"): scored(0.7, 4),
    }
    table = margins_table(scores)
    assert set(table["baseline"]) == {"naive", "homology"}
    assert (table["method"] == "cotraining").all()
    assert len(table) == 2 * len(scores["least_annotated", "cotraining"])
    expected = {
        (aspect.namespace, baseline): aspect.fmax()[0] - other.fmax()[0]
        for baseline in ("naive", "homology")
        for aspect, other in zip(
            scores["least_annotated", "cotraining"],
            scores["least_annotated", baseline],
            strict=True,
        )
    }
    found = table.set_index(["aspect", "baseline"])["margin"].to_dict()
    assert found == pytest.approx(expected)
    assert margins_table({("all", "naive"): scores["least_annotated", "naive"]}).empty
    assert isinstance(table, pd.DataFrame)
