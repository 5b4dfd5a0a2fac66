"""The workflow's evaluation steps: targets per split, predictions that never see the
targets' labels, predictions that are the product's, and scores that are metrics.evaluate's."""

import json

import numpy as np
import pandas as pd
import pytest
from conftest import EVIDENCE_CODES, FAST_COTRAINING

from gocotrain.evaluation.blend_weights import read_blend_parts
from gocotrain.evaluation.method_names import METHODS
from gocotrain.evaluation.metrics import evaluate, information_accretion, read_predictions
from gocotrain.evaluation.splits import cross_validation_folds, labels_to_truth
from gocotrain.inputs.annotations import Labels, build_labels, read_annotations
from gocotrain.learning.terms import AspectScores
from gocotrain.steps.cotrain import BatchFiles, cotrain_batch, plan_cotraining
from gocotrain.steps.evaluation import (
    MethodFiles,
    MethodPredictions,
    ScoreTables,
    Splits,
    Training,
    evaluation_predict,
    evaluation_score,
    evaluation_targets,
    read_targets,
)
from gocotrain.teaching.transfer import DEFAULT_BLEND_WEIGHT, transfer_terms
from gocotrain.views.features import FeatureMatrix
from gocotrain.views.homology import read_hits, write_hits

# The schema's default share of least annotated genes.
SHARE = 0.25


def write_labels(path, rows) -> str:
    table = pd.DataFrame(rows, columns=["gene_id", "aspect", "go_id"])
    Labels(table, report={}).to_tsv(path)
    return str(path)


def test_cross_validation_targets_are_the_folds_genes_with_all_their_labels(tmp_path):
    rows = [(f"g{index:02d}", "P", "GO:0000001") for index in range(30)]
    rows += [(f"g{index:02d}", "F", "GO:0000002") for index in range(20, 45)]
    labels = write_labels(tmp_path / "labels.tsv", rows)
    targets = evaluation_targets(
        labels, tmp_path / "t.tsv", ["P", "F"], Splits("cross_validation", 3, None, 7, SHARE)
    )
    assert sorted(targets["split"].unique()) == ["fold0", "fold1", "fold2"]
    # Every gene has one label per aspect: all are the least annotated of their aspect too.
    assert set(targets["targets"]) == {"cross_validation", "least_annotated"}
    least = targets[targets["targets"] == "least_annotated"].drop(columns="targets")
    targets = targets[targets["targets"] == "cross_validation"]
    assert least.reset_index(drop=True).equals(
        targets.drop(columns="targets").reset_index(drop=True)
    )
    # Every label is a target's truth exactly once, and a gene sits in one fold only.
    as_rows = set(zip(targets["gene_id"], targets["aspect"], targets["go_id"], strict=True))
    assert as_rows == set(rows) and len(targets) == len(rows)
    assert targets.groupby("gene_id")["split"].nunique().eq(1).all()
    folds = cross_validation_folds([row[0] for row in rows], 3, 7)
    first = evaluation_targets(
        labels, tmp_path / "one.tsv", ["P", "F"], Splits("cross_validation", 3, 1, 7, SHARE)
    )
    assert set(first["gene_id"]) == {gene for gene, fold in folds.items() if fold == 0}
    assert read_targets(tmp_path / "one.tsv").equals(first.astype(str))


def test_time_split_targets_are_cafas_no_and_limited_knowledge_genes(tmp_path, demo_ontology):
    old = write_labels(
        tmp_path / "old.tsv",
        [("known", "P", "GO:0008150"), ("other_aspect", "F", "GO:0003674")],
    )
    new = write_labels(
        tmp_path / "new.tsv",
        [
            ("known", "P", "GO:0008150"),
            ("known", "P", "GO:0009987"),  # partial knowledge: not a target
            ("other_aspect", "F", "GO:0003674"),
            ("other_aspect", "P", "GO:0009987"),
            ("fresh", "C", "GO:0005575"),
        ],
    )
    ontology = tmp_path / "ontology.json"
    demo_ontology.to_json(ontology)
    targets = evaluation_targets(
        old,
        tmp_path / "t.tsv",
        ["P", "F", "C"],
        Splits("time_split", 5, None, 0, SHARE),
        labels_new=new,
        ontology=str(ontology),
    )
    found = set(zip(targets["targets"], targets["aspect"], targets["gene_id"], strict=True))
    assert found == {("limited_knowledge", "P", "other_aspect"), ("no_knowledge", "C", "fresh")}
    assert set(targets["split"]) == {"time"}


@pytest.fixture(scope="module")
def demo_inputs(tmp_path_factory, demo, demo_ontology, demo_proteins):
    """Demo labels of all aspects, random views, hits among a few genes, as the rules
    write them."""
    directory = tmp_path_factory.mktemp("evaluation")
    genes = sorted(demo_proteins)
    labels = build_labels(
        read_annotations(demo / "annotations.gaf.gz"),
        demo_ontology,
        genes,
        EVIDENCE_CODES,
        ["P", "F", "C"],
    )
    labels.to_tsv(directory / "labels.tsv")
    rng = np.random.default_rng(0)
    for name, width in (("sequence", 5), ("expression", 4)):
        values = rng.normal(size=(len(genes), width)).astype(np.float32)
        columns = np.array([f"{name}{index}" for index in range(width)])
        FeatureMatrix(np.array(genes), columns, values).to_npz(directory / f"{name}.npz")
    pairs = [(genes[index], genes[index + 1]) for index in range(0, 200, 2)]
    hits = pd.DataFrame(
        [(a, b, 80.0, 200.0, 1e-30) for a, b in pairs]
        + [(b, a, 80.0, 200.0, 1e-30) for a, b in pairs],
        columns=["query", "subject", "pident", "bitscore", "evalue"],
    )
    write_hits(hits, directory / "hits.tsv")
    demo_ontology.to_json(directory / "ontology.json")
    evaluation_targets(
        str(directory / "labels.tsv"),
        directory / "targets.tsv",
        ["P", "F", "C"],
        Splits("cross_validation", 3, 1, 0, SHARE),
    )
    return directory


MIN_POSITIVES = 60


def predict(
    directory,
    method,
    labels_name="labels.tsv",
    out_name=None,
    rare_terms="none",
    store=None,
    blend=False,
    engine="diamond",
):
    out = directory / (out_name or f"{method}.tsv")
    files = MethodFiles(
        labels=str(directory / labels_name),
        targets=str(directory / "targets.tsv"),
        sequence=str(directory / "sequence.npz"),
        expression=str(directory / "expression.npz"),
        hits=str(directory / "hits.tsv"),
        predictions=str(out),
        record=store and str(out.with_suffix(".json")),
        blend_parts=str(out.with_suffix(".blend.npz")),
    )
    settings = {
        "cotraining": FAST_COTRAINING,
        "homology": {
            "engine": engine,
            "neighbours": 5,
            "rare_terms": rare_terms,
            "blend": blend,
        },
        "min_positives": MIN_POSITIVES,
        "min_score": 0.01,
    }
    training = Training(settings, seed=0, threads=1, store=store and str(store))
    evaluation_predict(method, "fold0", "cross_validation", ["P", "F", "C"], files, training)
    return out


def test_the_evaluation_scores_what_ships(demo_inputs):
    """The evaluation's co-training predictions for the held-out genes are, to the digits it
    writes, what the product's co-training step gives them when trained on the same genes."""
    targets = read_targets(demo_inputs / "targets.tsv")
    labels = Labels.from_tsv(demo_inputs / "labels.tsv").table
    write_labels(
        demo_inputs / "training.tsv",
        labels[~labels["gene_id"].isin(set(targets["gene_id"]))].itertuples(index=False),
    )
    evaluated = read_predictions(predict(demo_inputs, "cotraining"))
    shipped: dict[str, dict[str, float]] = {}
    for aspect in ("P", "F", "C"):
        paths = {name: str(demo_inputs / f"product_{aspect}.{name}") for name in ("tsv", "npz")}
        training = str(demo_inputs / "training.tsv")
        sequence = str(demo_inputs / "sequence.npz")
        plan_cotraining(aspect, training, sequence, MIN_POSITIVES, paths["tsv"])
        files = BatchFiles(
            terms=paths["tsv"],
            sequence=sequence,
            expression=str(demo_inputs / "expression.npz"),
            labels=training,
            hits=str(demo_inputs / "hits.tsv"),
            scores=paths["npz"],
            report=str(demo_inputs / f"{aspect}.json"),
        )
        cotrain_batch(aspect, "1-of-1", files, FAST_COTRAINING, MIN_POSITIVES, seed=0, threads=2)
        scores = AspectScores.from_npz(paths["npz"])
        held_out = set(targets.loc[targets["aspect"] == aspect, "gene_id"])
        for row, gene in enumerate(scores.genes.tolist()):
            if gene in held_out:
                kept = {
                    term: float(f"{score:.6g}")
                    for term, score in zip(scores.terms, scores.score[row].tolist(), strict=True)
                    if score >= 0.01
                }
                shipped.setdefault(gene, {}).update(kept)
    assert sum(len(terms) for terms in shipped.values()) > 100
    assert evaluated == {gene: terms for gene, terms in shipped.items() if terms}


@pytest.mark.parametrize(
    "method",
    [
        "naive",
        "multifunctionality",
        "blast",
        "homology",
        "expression_only",
        "concatenated",
        "cotraining",
    ],
)
def test_predictions_never_depend_on_the_targets_labels(demo_inputs, method):
    """Scrambling every label of the fold's genes changes nothing the method predicts."""
    labels = Labels.from_tsv(demo_inputs / "labels.tsv").table
    targets = set(read_targets(demo_inputs / "targets.tsv")["gene_id"])
    scrambled = labels.copy()
    in_fold = scrambled["gene_id"].isin(targets)
    scrambled.loc[in_fold, "go_id"] = (
        scrambled.loc[in_fold, "go_id"].sample(frac=1, random_state=1).to_numpy()
    )
    write_labels(demo_inputs / "scrambled.tsv", scrambled.itertuples(index=False))
    first = predict(demo_inputs, method)
    second = predict(demo_inputs, method, "scrambled.tsv", f"{method}_scrambled.tsv")
    assert first.read_text() == second.read_text()
    predicted = read_predictions(first)
    assert set(predicted) <= targets
    # Homology covers the targets with hits only (the first 200 genes have them here).
    assert len(predicted) > (10 if method in ("blast", "homology") else 0.5 * len(targets))


def test_a_part_is_trained_again_only_where_its_inputs_changed(demo_inputs, tmp_path):
    """A second run reads every aspect's predictions from the store; with other labels in
    one aspect (a new release), only that aspect is trained again, with the same result a
    run without the store gives."""
    store = tmp_path / "store"
    first = predict(demo_inputs, "concatenated", out_name="first.tsv", store=store)
    again = predict(demo_inputs, "concatenated", out_name="again.tsv", store=store)
    assert again.read_text() == first.read_text()
    assert record_of(first) == {"P": False, "F": False, "C": False}
    assert record_of(again) == {"P": True, "F": True, "C": True}

    labels = Labels.from_tsv(demo_inputs / "labels.tsv").table
    in_f = labels.index[labels["aspect"] == "F"]
    write_labels(demo_inputs / "new_release.tsv", labels.drop(in_f[:40]).itertuples(index=False))
    newer = predict(demo_inputs, "concatenated", "new_release.tsv", "newer.tsv", store=store)
    assert record_of(newer) == {"P": True, "F": False, "C": True}
    fresh = predict(demo_inputs, "concatenated", "new_release.tsv", "fresh.tsv")
    assert newer.read_text() == fresh.read_text() != first.read_text()


def record_of(predictions) -> dict[str, bool]:
    record = json.loads(predictions.with_suffix(".json").read_text())
    return {aspect: part["reused"] for aspect, part in record.items()}


@pytest.mark.parametrize("method", ["concatenated", "expression_only"])
def test_learned_methods_reading_sequences_transfer_the_rare_terms(demo_inputs, method):
    """The product's rare-term transfer, in the evaluation: added to the methods that read
    the sequence view, for the terms below min_positives only, from the training labels."""
    without = read_predictions(predict(demo_inputs, method))
    found = read_predictions(
        predict(demo_inputs, method, out_name=f"{method}_transfer.tsv", rare_terms="transfer")
    )
    transferred = product_transfer(demo_inputs)
    if method == "expression_only":
        assert found == without
        return
    added = 0
    for gene, scores in found.items():
        modelled = without.get(gene, {})
        for term, score in scores.items():
            if term in modelled:
                assert score == modelled[term]
            else:
                # a rare term, scored as the product scores it
                assert score == pytest.approx(transferred[gene][term], rel=1e-5)
                added += 1
    assert added > 0
    labels = Labels.from_tsv(demo_inputs / "labels.tsv").table
    targets = set(read_targets(demo_inputs / "targets.tsv")["gene_id"])
    counts = labels[~labels["gene_id"].isin(targets)].groupby("aspect")["go_id"].value_counts()
    rare = {term for (_, term), count in counts.items() if count < MIN_POSITIVES}
    transferred_terms = {term for s in found.values() for term in s} - {
        term for s in without.values() for term in s
    }
    assert transferred_terms <= rare


def product_transfer(directory, modelled=None) -> dict[str, dict[str, float]]:
    """The product's rare-term transfer for the fold's targets, from the other genes; with
    `modelled` ({aspect: terms}), those terms' transfer to blend, and no rare terms."""
    hits = read_hits(directory / "hits.tsv")
    targets = read_targets(directory / "targets.tsv")
    labels = Labels.from_tsv(directory / "labels.tsv").table
    labels = labels[~labels["gene_id"].isin(set(targets["gene_id"]))]
    found: dict[str, dict[str, float]] = {}
    for aspect, genes in targets.groupby("aspect")["gene_id"]:
        if modelled is None:
            rare = transfer_terms(hits, labels, aspect, set(genes), MIN_POSITIVES, 5)
        else:
            rare = transfer_terms(hits, labels, aspect, set(genes), 0, 5, None, modelled[aspect])
        for gene, scores in rare.items():
            found.setdefault(gene, {}).update(scores)
    return found


def test_learned_methods_blend_the_modelled_terms_with_their_transfer(demo_inputs):
    """With homology.blend, a modelled term's score is the mean of the model's and the
    product's calibrated transfer (0 where no kept homolog carries it) until a weight is
    chosen, and the two are kept apart for the evaluation to blend again."""
    model_alone = read_predictions(predict(demo_inputs, "concatenated"))
    blended = read_predictions(
        predict(demo_inputs, "concatenated", out_name="blended.tsv", blend=True)
    )
    labels = Labels.from_tsv(demo_inputs / "labels.tsv").table
    targets = read_targets(demo_inputs / "targets.tsv")
    training = labels[~labels["gene_id"].isin(set(targets["gene_id"]))]
    counts = training.groupby("aspect")["go_id"].value_counts()
    modelled = {
        aspect: {term for (a, term), n in counts.items() if a == aspect and n >= MIN_POSITIVES}
        for aspect in "PFC"
    }
    transferred = product_transfer(demo_inputs, modelled)
    compared = lowered = 0
    for gene, scores in model_alone.items():
        for term, score in scores.items():
            if term in blended.get(gene, {}):
                expected = (score + transferred.get(gene, {}).get(term, 0.0)) / 2
                assert blended[gene][term] == pytest.approx(expected, abs=2e-6)
                compared += 1
                lowered += blended[gene][term] < score
    assert compared > 100 and 0 < lowered < compared
    # The model's scores and the transfer kept apart blend, at the plain mean, into what was
    # written; a part read from the store brings its blend parts along.
    parts = read_blend_parts(str(demo_inputs / "blended.blend.npz"))
    assert sorted(parts) == ["C", "F", "P"]
    at_mean = rebuilt(parts)
    assert at_mean.keys() == blended.keys()
    for gene, scores in blended.items():
        assert at_mean[gene] == pytest.approx(scores, rel=1e-5)
    store = demo_inputs / "store"
    for name in ("stored.tsv", "reused.tsv"):
        predict(demo_inputs, "concatenated", out_name=name, blend=True, store=store)
    assert record_of(demo_inputs / "reused.tsv") == {"P": True, "F": True, "C": True}
    reused = read_blend_parts(str(demo_inputs / "reused.blend.npz"))
    assert rebuilt(reused) == rebuilt(parts)
    # Without a homology search (engine none) there is nothing to blend, as in the export.
    alone = predict(demo_inputs, "concatenated", out_name="none.tsv", blend=True, engine="none")
    assert read_predictions(alone) == model_alone


def rebuilt(parts) -> dict[str, dict[str, float]]:
    """The predictions the blend parts give at the plain mean, genes without any left out."""
    found: dict[str, dict[str, float]] = {}
    for part in parts.values():
        for gene, scores in part.blended(DEFAULT_BLEND_WEIGHT, 0.01).items():
            found.setdefault(gene, {}).update(scores)
    return {gene: scores for gene, scores in found.items() if scores}


def test_blast_scores_each_term_by_the_best_identity_carrying_it(demo_inputs):
    """CAFA's BLAST baseline, from the run's hits and the training genes' labels."""
    hits = read_hits(demo_inputs / "hits.tsv")
    labels = Labels.from_tsv(demo_inputs / "labels.tsv").table
    targets = read_targets(demo_inputs / "targets.tsv")
    training = labels[~labels["gene_id"].isin(set(targets["gene_id"]))]
    predicted = read_predictions(predict(demo_inputs, "blast"))
    in_f = training[training["aspect"] == "F"]
    checked = 0
    for gene in targets.loc[targets["aspect"] == "F", "gene_id"].unique()[:20]:
        found = hits[(hits["query"] == gene) & hits["subject"].isin(set(in_f["gene_id"]))]
        found = found[found["subject"] != gene]
        carried = found.merge(in_f, left_on="subject", right_on="gene_id")
        best = carried.groupby("go_id")["pident"].max() / 100
        for term, identity in best.items():
            if identity >= 0.01:
                assert predicted[gene][term] == pytest.approx(identity, abs=1e-6)
                checked += 1
    assert checked > 10


def test_naive_predictions_are_term_frequencies_outside_the_fold(demo_inputs):
    labels = Labels.from_tsv(demo_inputs / "labels.tsv").table
    targets = read_targets(demo_inputs / "targets.tsv")
    training = labels[~labels["gene_id"].isin(set(targets["gene_id"]))]
    in_f = training[training["aspect"] == "F"]
    frequency = in_f["go_id"].value_counts() / in_f["gene_id"].nunique()
    predicted = read_predictions(predict(demo_inputs, "naive"))
    gene = targets.loc[targets["aspect"] == "F", "gene_id"].iloc[0]
    for term, value in frequency[frequency >= 0.01].items():
        assert predicted[gene][term] == pytest.approx(value, abs=1e-6)


def test_scores_are_evaluates_with_ia_from_all_labels(demo_inputs, demo_ontology):
    paths = {method: [str(predict(demo_inputs, method))] for method in ("naive", "homology")}
    out = {name: demo_inputs / f"{name}.out.tsv" for name in ("m", "c", "t", "truth")}
    predictions = MethodPredictions(
        [path for method in paths for path in paths[method]], list(paths), ["fold0"]
    )
    table = evaluation_score(
        predictions,
        str(demo_inputs / "targets.tsv"),
        str(demo_inputs / "labels.tsv"),
        str(demo_inputs / "ontology.json"),
        "cross_validation",
        ScoreTables(out["m"], out["c"], out["t"], out["truth"]),
    )
    labels = Labels.from_tsv(demo_inputs / "labels.tsv").table
    targets = read_targets(demo_inputs / "targets.tsv")
    assert set(table["targets"]) == {"cross_validation", "least_annotated"}
    truth = labels_to_truth(targets[targets["targets"] == "cross_validation"])
    ia = information_accretion(labels_to_truth(labels), demo_ontology)
    expected = evaluate(truth, read_predictions(paths["naive"][0]), demo_ontology, ia)
    naive = (table["method"] == "naive") & (table["targets"] == "cross_validation")
    naive_rows = table[naive].reset_index(drop=True)
    for column in ("fmax", "wfmax", "smin", "aupr_macro", "coverage"):
        assert naive_rows[column].to_numpy() == pytest.approx(expected[column].to_numpy())
    assert set(pd.read_csv(out["c"], sep="\t")["method"]) == {"naive", "homology"}
    per_term = pd.read_csv(out["t"], sep="\t")
    assert (per_term["positives"] >= 10).all() and per_term["aupr"].between(0, 1).all()
    written = pd.read_csv(out["truth"], sep="\t", header=None)
    assert len(written) == len(targets[["gene_id", "go_id"]].drop_duplicates())


def test_scores_write_cotrainings_margins_over_the_baselines(demo_inputs):
    """margins.tsv: per target kind and aspect, co-training's Fmax (here the homology
    transfer under its name) minus each baseline's, as in metrics.tsv, with an interval."""
    paths = {"naive": predict(demo_inputs, "naive"), "cotraining": predict(demo_inputs, "homology")}
    names = ("m", "c", "t", "truth", "margins")
    out = {name: demo_inputs / f"{name}.margins-test.tsv" for name in names}
    table = evaluation_score(
        MethodPredictions([str(path) for path in paths.values()], list(paths), ["fold0"]),
        str(demo_inputs / "targets.tsv"),
        str(demo_inputs / "labels.tsv"),
        str(demo_inputs / "ontology.json"),
        "cross_validation",
        ScoreTables(out["m"], out["c"], out["t"], out["truth"], margins=out["margins"]),
    )
    margins = pd.read_csv(out["margins"], sep="\t")
    assert set(margins["baseline"]) == {"naive"} and set(margins["protocol"]) == {
        "cross_validation"
    }
    fmax = table.set_index(["targets", "aspect", "method"])["fmax"]
    assert len(margins) == len(fmax) // 2 == 6
    for row in margins.itertuples(index=False):
        expected = (
            fmax[row.targets, row.aspect, "cotraining"] - fmax[row.targets, row.aspect, "naive"]
        )
        assert row.margin == pytest.approx(expected, abs=1e-3)
        assert row.low <= row.margin <= row.high
        assert (
            row.genes
            == table.set_index(["targets", "aspect", "method"]).loc[
                (row.targets, row.aspect, "naive"), "n_proteins"
            ]
        )


def test_every_method_can_be_named_in_the_config():
    import yaml
    from conftest import ROOT

    schema = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())
    methods = schema["properties"]["evaluation"]["properties"]["methods"]
    assert tuple(methods["items"]["enum"]) == METHODS
    # The default answers whether each view carries signal (each alone, beside naive and the
    # multifunctionality control) and whether co-training beats the baselines and the two
    # views without unlabeled genes; concatenated and self_training are to ask for.
    assert methods["default"] == [
        "naive",
        "multifunctionality",
        "blast",
        "homology",
        "sequence_only",
        "expression_only",
        "two_view_supervised",
        "cotraining",
    ]
