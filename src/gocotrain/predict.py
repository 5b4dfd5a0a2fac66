"""Save a run's models as one folder, and score new genes with it without retraining."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from gocotrain import baselines, homology
from gocotrain.annotations import Labels
from gocotrain.cotraining import combine_probabilities
from gocotrain.errors import InputError
from gocotrain.expression import join_to_genes, normalise, read_expression, read_id_map
from gocotrain.features import (
    ExpressionProjection,
    FeatureMatrix,
    project_expression,
    sequence_features,
)
from gocotrain.models import (
    MODEL_FILES,
    MODEL_FORMAT,
    SavedModel,
    compatibility_problems,
    feature_definition,
    versions,
)
from gocotrain.ontology import Ontology
from gocotrain.scoring import HOMOLOGY_FEATURES, AspectScores
from gocotrain.sequences import read_fasta
from gocotrain.textio import atomic_write

log = logging.getLogger("gocotrain")

# New genes are renamed inside the homology graph so that an ID shared with a training gene
# is not taken for a self-hit.
NEW_GENE_PREFIX = "\x00new:"


def save_model(
    stamp: dict,
    cotrain_reports: dict[str, str],
    files: dict[str, str],
    sequence_npz: str,
    expression_npz: str,
    gaf_identity: dict,
    settings: dict,
    out_dir: str,
) -> None:
    """model.json and copies of what applying the boosters needs, in the model folder.

    `files` maps MODEL_FILES keys to this run's files; the boosters are already in
    `<out_dir>/<aspect>/`, written by the co-training jobs.
    """
    out = Path(out_dir)
    aspects = {}
    for aspect, path in cotrain_reports.items():
        report = json.loads(Path(path).read_text())
        aspects[aspect] = {
            "terms": {entry["term"]: entry["model"] for entry in report["terms"]},
            "labeled_genes": report["labeled_genes"],
        }
    homology_features = HOMOLOGY_FEATURES if settings["homology"]["engine"] != "none" else ()
    projection = ExpressionProjection.from_npz(files["projection"])
    meta = {
        "format": MODEL_FORMAT,
        "release": stamp,
        "versions": versions(),
        "seed": settings["seed"],
        "min_positives": settings["min_positives"],
        "combine": settings["cotraining"]["combine"],
        "settings": settings,
        "gaf": {"db": gaf_identity["db"], "taxon": gaf_identity["taxon"]},
        "feature_definition": feature_definition(
            FeatureMatrix.from_npz(sequence_npz).columns.tolist(),
            settings["homology"],
            list(homology_features),
            settings["expression_kind"],
            projection.samples.tolist(),
            FeatureMatrix.from_npz(expression_npz).columns.tolist(),
        ),
        "files": MODEL_FILES,
        "aspects": aspects,
    }
    for key, name in MODEL_FILES.items():
        with open(files[key], "rb") as source, atomic_write(out / name, "wb") as target:
            shutil.copyfileobj(source, target)
    # model.json last: its presence says the folder is complete.
    with atomic_write(out / "model.json") as handle:
        handle.write(json.dumps(meta, indent=1, sort_keys=True) + "\n")
    log.info(
        "model saved in %s: %s terms",
        out,
        {aspect: len(entry["terms"]) for aspect, entry in aspects.items()},
    )


def _new_expression(
    genes: list[str],
    expression: str | None,
    id_map: str | None,
    expression_kind: str,
) -> tuple[pd.DataFrame | None, list[str] | None]:
    if not expression:
        return None, None
    log_expression, _ = normalise(read_expression(expression), expression_kind)
    rows = read_id_map(id_map) if id_map else None
    joined, report = join_to_genes(log_expression, genes, rows, expression, id_map)
    log.info("new expression %s: %s", expression, report)
    # Through float32 as prepare_expression stores it, so features match the training run's.
    joined = FeatureMatrix.from_frame(joined).to_frame()
    return joined, [str(name) for name in joined.columns]


def check_compatible(
    saved: SavedModel,
    sequence_columns: list[str],
    expression_kind: str,
    samples: list[str] | None,
) -> None:
    definition = saved.meta["feature_definition"]
    engine = definition["homology"]["engine"]
    # The homology features this GOcotrain makes with the model's engine.
    homology_features = list(HOMOLOGY_FEATURES) if engine != "none" else []
    problems = compatibility_problems(
        definition, sequence_columns, homology_features, expression_kind, samples
    )
    if engine == "diamond" and shutil.which("diamond") is None:
        problems.append("the model's homology features come from DIAMOND, which is not on PATH")
    if problems:
        raise InputError(
            saved.path("model.json"),
            "the model cannot be applied to these genes: " + "; ".join(problems),
            "give inputs made like the model's (same expression samples and kind), or "
            "retrain on your data with this GOcotrain version",
        )


def score_new_genes(
    model_dir: str,
    proteins_fasta: str,
    expression: str | None,
    id_map: str | None,
    expression_kind: str,
    threads: int = 1,
) -> tuple[dict[str, AspectScores], SavedModel, dict[str, baselines.Predictions]]:
    """Each aspect's scores of the genes in `proteins_fasta` with the saved model, and the
    homology-transferred scores of the terms too rare to model (empty when the model's run
    did not transfer them)."""
    saved = SavedModel.load(model_dir)
    proteins = {gene: protein for gene, protein, _ in read_fasta(proteins_fasta)}
    genes = sorted(proteins)
    sequence = sequence_features(proteins)
    joined, samples = _new_expression(genes, expression, id_map, expression_kind)
    check_compatible(saved, sequence.columns.tolist(), expression_kind, samples)
    definition = saved.meta["feature_definition"]

    X_sequence = sequence.to_frame().reindex(genes).to_numpy(np.float32)
    n_expression = len(definition["expression"]["columns"])
    X_expression = np.full((len(genes), n_expression), np.nan, dtype=np.float32)
    if joined is not None:
        projection = ExpressionProjection.from_npz(saved.path(MODEL_FILES["projection"]))
        projected = project_expression(joined, projection).to_frame()
        X_expression = projected.reindex(genes).to_numpy(np.float32)
        log.info("%d of %d new genes have expression", len(projected), len(genes))
    else:
        log.warning("no expression given: the new genes are scored by the sequence view only")

    training = {
        gene: protein for gene, protein, _ in read_fasta(saved.path(MODEL_FILES["proteins"]))
    }
    engine = definition["homology"]["engine"]
    graph, hits = None, None
    if engine != "none":
        hits = homology.search_against(
            engine,
            proteins_fasta,
            proteins,
            saved.path(MODEL_FILES["proteins"]),
            training,
            threads=threads,
            sensitivity=definition["homology"]["diamond_sensitivity"],
        )
        hits = homology.as_stored(hits)
        hits["query"] = NEW_GENE_PREFIX + hits["query"]
        training_genes = sorted(training)
        graph = homology.HomologyGraph(
            training_genes + [NEW_GENE_PREFIX + gene for gene in genes], hits
        )
        log.info("homology: %d hits of new genes to the model's genes", graph.n_pairs)

    labels = Labels.from_tsv(saved.path(MODEL_FILES["labels"])).table
    scores, transferred = {}, {}
    # Models saved before rare terms were transferred carry no such setting.
    transfer = saved.meta["settings"]["homology"].get("rare_terms", "none") == "transfer"
    for aspect, entry in saved.meta["aspects"].items():
        scores[aspect] = _score_aspect(
            saved, aspect, entry["terms"], genes, X_sequence, X_expression, graph, labels
        )
        if transfer and hits is not None:
            found = baselines.transfer_rare_terms(
                hits,
                labels,
                aspect,
                [NEW_GENE_PREFIX + gene for gene in genes],
                saved.meta["min_positives"],
                saved.meta["settings"]["homology"]["neighbours"],
            )
            transferred[aspect] = {
                gene.removeprefix(NEW_GENE_PREFIX): terms for gene, terms in found.items()
            }
    return scores, saved, transferred


def _score_aspect(saved, aspect, terms, genes, X_sequence, X_expression, graph, labels):
    terms = sorted(terms)
    shape = (len(genes), len(terms))
    score, first, second = (np.empty(shape, dtype=np.float32) for _ in range(3))
    labels = labels[labels["aspect"] == aspect]
    if graph is not None:
        labeled = graph.genes.isin(set(labels["gene_id"]))
        positives_of = labels.groupby("go_id")["gene_id"].apply(set)
        new_rows = np.arange(len(graph.genes) - len(genes), len(graph.genes))
    no_sequence = np.all(np.isnan(X_sequence), axis=1)
    for column, term in enumerate(terms):
        X1 = X_sequence
        if graph is not None:
            positive = graph.genes.isin(positives_of.get(term, set()))
            features = graph.term_features(labeled, positive)[new_rows]
            features[no_sequence] = np.nan
            X1 = np.hstack([X_sequence, features])
        views = []
        for booster, X in zip(saved.boosters(aspect, term), (X1, X_expression), strict=True):
            probability = np.full(len(genes), np.nan)
            available = ~np.all(np.isnan(X), axis=1)
            if booster is not None and available.any():
                probability[available] = booster.inplace_predict(X[available])
            views.append(probability)
        prior = saved.meta["aspects"][aspect]["terms"][term]["prior"]
        score[:, column] = combine_probabilities(*views, prior, saved.meta["combine"])
        first[:, column], second[:, column] = views
    log.info("aspect %s: %d terms scored for %d new genes", aspect, len(terms), len(genes))
    return AspectScores(
        genes=np.asarray(genes, dtype=str),
        terms=np.asarray(terms, dtype=str),
        score=score,
        score_sequence=first,
        score_expression=second,
    )


def ontology_of(saved: SavedModel) -> Ontology:
    return Ontology.from_json(saved.path(MODEL_FILES["ontology"]))
