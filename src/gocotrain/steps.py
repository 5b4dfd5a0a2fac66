"""What each workflow rule does, so the rule scripts stay one line and the logic is testable.

Each step takes plain paths and settings and writes its outputs, reporting counts in a JSON
file that the export step gathers into the run summary.
"""

from __future__ import annotations

import json
import logging
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from gocotrain import __version__, baselines, batches, changes, homology, predict, releases
from gocotrain.annotations import Labels, build_labels, read_annotations
from gocotrain.cotraining import CoTrainingClassifier, default_view_estimator
from gocotrain.errors import InputError
from gocotrain.export import (
    most_specific,
    predictions_table,
    read_predictions_tsv,
    write_cafa,
    write_excel_summary,
    write_gaf,
    write_predictions_tsv,
    write_tsv,
)
from gocotrain.expression import join_to_genes, normalise, read_expression, read_id_map
from gocotrain.features import FeatureMatrix, expression_features, sequence_features
from gocotrain.ontology import ASPECT_NAMES, Ontology, read_obo
from gocotrain.scoring import AspectScores, merge_batches, score_aspect, select_terms
from gocotrain.sequences import read_fasta, read_sequences, write_fasta
from gocotrain.textio import atomic_write

log = logging.getLogger("gocotrain")


def write_json(payload: dict, path: str | Path) -> None:
    with atomic_write(path) as handle:
        handle.write(json.dumps(payload, indent=2, sort_keys=True, default=str) + "\n")


def read_json(path: str | Path) -> dict:
    return json.loads(Path(path).read_text())


def sequence_genes(proteins_fasta: str | Path) -> list[str]:
    return [gene for gene, _, _ in read_fasta(proteins_fasta)]


def prepare_ontology(obo: str, ontology_json: str, report_json: str) -> None:
    ontology = read_obo(obo)
    ontology.to_json(ontology_json)
    report = {
        "go_version": ontology.data_version,
        "go_terms": len(ontology.names) - len(ontology.obsolete),
        "go_terms_obsolete": len(ontology.obsolete),
    }
    log.info("ontology %s: %s", obo, report)
    write_json(report, report_json)


def prepare_sequences(
    sequences: str,
    proteins_fasta: str,
    report_json: str,
    sequence_type: str,
    genetic_code: int,
    genbank_id_qualifiers: list[str],
) -> None:
    found = read_sequences(sequences, sequence_type, genetic_code, tuple(genbank_id_qualifiers))
    write_fasta(found.proteins, proteins_fasta)
    report = found.report()
    log.info("sequences %s: %s", sequences, report)
    write_json(report, report_json)


def prepare_expression(
    expression: str,
    id_map: str | None,
    proteins_fasta: str,
    expression_npz: str,
    report_json: str,
    expression_kind: str,
) -> None:
    frame = read_expression(expression)
    log_expression, report = normalise(frame, expression_kind)
    report["expression_genes_read"] = len(frame)
    report["expression_samples_read"] = frame.shape[1]
    id_map_rows = read_id_map(id_map) if id_map else None
    joined, join_report = join_to_genes(
        log_expression, sequence_genes(proteins_fasta), id_map_rows, expression, id_map
    )
    report.update(join_report)
    FeatureMatrix.from_frame(joined).to_npz(expression_npz)
    log.info("expression %s: %s", expression, report)
    write_json(report, report_json)


def prepare_labels(
    annotations: str,
    ontology_json: str,
    proteins_fasta: str,
    labels_tsv: str,
    report_json: str,
    evidence_codes: list[str],
    aspects: list[str],
) -> None:
    ontology = Ontology.from_json(ontology_json)
    genes = sequence_genes(proteins_fasta)
    raw = read_annotations(annotations)
    labels = build_labels(raw, ontology, genes, evidence_codes, aspects, annotations)
    labels.to_tsv(labels_tsv)
    report = labels.report | {"gaf_identity": raw.gaf_identity(genes)}
    log.info(
        "labels from %s: %s",
        annotations,
        {key: value for key, value in labels.report.items() if "examples" not in key},
    )
    write_json(report, report_json)


def compute_sequence_features(proteins_fasta: str, features_npz: str) -> None:
    proteins = {gene: sequence for gene, sequence, _ in read_fasta(proteins_fasta)}
    features = sequence_features(proteins)
    features.to_npz(features_npz)
    log.info("sequence view: %d genes × %d features", *features.values.shape)


def compute_expression_features(
    expression_npz: str,
    features_npz: str,
    report_json: str,
    n_components: int,
    seed: int,
    projection_npz: str | None = None,
) -> None:
    log_expression = FeatureMatrix.from_npz(expression_npz).to_frame()
    features, report, projection = expression_features(log_expression, n_components, seed)
    features.to_npz(features_npz)
    if projection_npz:
        projection.to_npz(projection_npz)
    report["expression_view_features"] = int(features.values.shape[1])
    log.info("expression view: %d genes × %d features; %s", *features.values.shape, report)
    write_json(report, report_json)


def make_model(settings: dict, seed: int) -> CoTrainingClassifier:
    """The co-training estimator with the config's settings (keys as in the config schema)."""
    view_estimator = default_view_estimator().set_params(
        n_estimators=settings["n_estimators"],
        max_depth=settings["max_depth"],
        learning_rate=settings["learning_rate"],
        max_bin=settings["max_bin"],
    )
    return CoTrainingClassifier(
        estimator=view_estimator,
        n_rounds=settings["rounds"],
        pool_size=settings["pool_size"],
        n_positive=settings["positives_per_round"],
        max_negative=settings["max_negatives_per_round"],
        threshold=settings["confidence_threshold"],
        combine=settings["combine"],
        cotraining_trees=settings["cotraining_trees"],
        validation_fraction=settings["validation_fraction"],
        min_validation_positives=settings["min_validation_positives"],
        min_improvement=settings["min_improvement"],
        validation_confidence=settings["validation_confidence"],
        random_state=seed,
    )


def homology_search(
    proteins_fasta: str, hits_tsv: str, report_json: str, settings: dict, threads: int
) -> None:
    proteins = {gene: protein for gene, protein, _ in read_fasta(proteins_fasta)}
    started = time.monotonic()
    hits = homology.search(
        settings["engine"],
        proteins_fasta,
        proteins,
        threads=threads,
        sensitivity=settings["diamond_sensitivity"],
    )
    homology.write_hits(hits, hits_tsv)
    with_hits = set(hits.loc[hits["query"] != hits["subject"], "query"])
    report = {
        "engine": settings["engine"],
        "proteins": len(proteins),
        "pairs": int((hits["query"] != hits["subject"]).sum()),
        "proteins_with_homologs": len(with_hits),
    }
    # The time goes to the log only: the report feeds summary.json, which is reproducible.
    log.info("homology search: %s in %.1f s", report, time.monotonic() - started)
    write_json(report, report_json)


def plan_cotraining(
    aspect: str, labels_tsv: str, sequence_npz: str, min_positives: int, terms_tsv: str
) -> None:
    """The aspect's modelled terms with their expected cost, which the batches split."""
    labels = Labels.from_tsv(labels_tsv).table
    labels = labels[labels["aspect"] == aspect]
    terms, _ = select_terms(labels, labels["gene_id"].nunique(), min_positives)
    positives = labels["go_id"].value_counts().reindex(terms).astype(int)
    costs = batches.term_costs(positives, len(FeatureMatrix.from_npz(sequence_npz).genes))
    log.info(
        "aspect %s: %d terms, %.0f CPU seconds expected",
        aspect,
        len(costs),
        costs["expected_seconds"].sum(),
    )
    write_tsv(costs.round({"expected_seconds": 3}), terms_tsv)


def cotrain_batch(
    aspect: str,
    batch: str,
    terms_tsv: str,
    sequence_npz: str,
    expression_npz: str,
    labels_tsv: str,
    hits_tsv: str,
    scores_npz: str,
    report_json: str,
    settings: dict,
    min_positives: int,
    seed: int,
    threads: int,
    model_dir: str | None = None,
) -> None:
    """Score one batch ("I-of-N", Snakemake's scatter item) of the aspect's terms.

    With `model_dir`, the terms' boosters are saved there too.
    """
    if model_dir:
        Path(model_dir).mkdir(parents=True, exist_ok=True)
    terms = batches.batch_terms(batches.read_costs(terms_tsv), batch)
    sequence = FeatureMatrix.from_npz(sequence_npz)
    expression = FeatureMatrix.from_npz(expression_npz)
    labels = Labels.from_tsv(labels_tsv).table
    genes = sorted(sequence.genes)  # input order must not change the results
    started = time.monotonic()
    scores, report = score_aspect(
        aspect,
        genes,
        sequence,
        expression,
        labels,
        homology.HomologyGraph(genes, homology.read_hits(hits_tsv)),
        make_model(settings, seed),
        min_positives,
        seed,
        n_jobs=threads,
        terms=terms,
        model_dir=model_dir,
    )
    scores.to_npz(scores_npz)
    # The time goes to the log only: the report is reproducible.
    log.info(
        "aspect %s batch %s: %d terms in %.1f s",
        aspect,
        batch,
        len(terms),
        time.monotonic() - started,
    )
    write_json(report, report_json)


def gather_cotraining(
    terms_tsv: str,
    batch_scores: list[str],
    batch_reports: list[str],
    scores_npz: str,
    report_json: str,
    batch_model_dirs: list[str] = (),
    model_dir: str | None = None,
) -> None:
    """One aspect's scores and report from its batches, as one job would have written them.

    The batches' saved boosters are moved into one folder per aspect, `model_dir`.
    """
    parts = [
        (AspectScores.from_npz(scores), read_json(report))
        for scores, report in zip(batch_scores, batch_reports, strict=True)
    ]
    scores, report = merge_batches(parts, batches.read_costs(terms_tsv)["term"].tolist())
    if model_dir:
        Path(model_dir).mkdir(parents=True, exist_ok=True)
        for folder in batch_model_dirs:
            for path in sorted(Path(folder).iterdir()):
                shutil.copyfile(path, Path(model_dir) / path.name)
    scores.to_npz(scores_npz)
    log.info("aspect %s: %d terms from %d batches", report["aspect"], len(scores.terms), len(parts))
    write_json(report, report_json)


THRESHOLD_COLUMNS = [
    "aspect",
    "threshold",
    "expected_precision",
    "expected_recall",
    "expected_fmax",
    "chosen_on",
]


def choose_thresholds(
    aspects: list[str], fallback: float, thresholds_tsv: str, metrics_tsv: str | None = None
) -> None:
    """The export threshold per aspect, with the precision expected there.

    With the evaluation's metrics: co-training's Fmax-optimal threshold on the held-out
    genes (cross-validation folds, or the time split's no-knowledge targets), whose
    precision and recall are what a user can expect of the exported set. Without: `fallback`
    for every aspect, its precision not measured.
    """
    rows = []
    metrics = pd.read_csv(metrics_tsv, sep="\t") if metrics_tsv else pd.DataFrame()
    if not metrics.empty:
        metrics = metrics[metrics["method"] == "cotraining"]
        preferred = metrics["targets"].isin(["cross_validation", "no_knowledge"])
        metrics = metrics[preferred] if preferred.any() else metrics
    for aspect in aspects:
        found = metrics[metrics["aspect"] == ASPECT_NAMES[aspect]] if not metrics.empty else metrics
        if found.empty or pd.isna(found.iloc[0].get("threshold")):
            rows.append([aspect, fallback, None, None, None, "fixed (gaf_min_score)"])
            continue
        best = found.iloc[0]
        rows.append(
            [
                aspect,
                float(best["threshold"]),
                round(float(best["precision"]), 4),
                round(float(best["recall"]), 4),
                round(float(best["fmax"]), 4),
                f"co-training Fmax on {int(best['n_proteins'])} held-out genes ("
                + ", ".join(dict.fromkeys([best["protocol"], best["targets"]]))
                + ")",
            ]
        )
        log.info("aspect %s: threshold %s", aspect, rows[-1])
    write_tsv(pd.DataFrame(rows, columns=THRESHOLD_COLUMNS), thresholds_tsv)


def read_thresholds(path: str | Path) -> dict[str, float]:
    return _thresholds(pd.read_csv(path, sep="\t"))


def _thresholds(table: pd.DataFrame) -> dict[str, float]:
    return dict(zip(table["aspect"], table["threshold"].astype(float), strict=True))


def _threshold_header(table: pd.DataFrame) -> dict[str, str]:
    """`threshold-P: 0.34 (expected precision 0.61; co-training Fmax on ...)` lines."""
    header = {}
    for row in table.itertuples(index=False):
        expected = (
            f"expected precision {row.expected_precision:.2f}, recall {row.expected_recall:.2f}"
            if pd.notna(row.expected_precision)
            else "precision not measured"
        )
        header[f"threshold-{row.aspect}"] = f"{row.threshold:g} ({expected}; {row.chosen_on})"
    return header


def write_exports(
    table: pd.DataFrame,
    ontology: Ontology,
    thresholds_tsv: str,
    stamp: dict,
    outputs: dict[str, str],
    gaf_identity: dict,
    gaf_reference: str,
    top_terms: int,
) -> dict:
    """Every export of a predictions table; returns counts for the run summary."""
    threshold_table = pd.read_csv(thresholds_tsv, sep="\t")
    thresholds = _thresholds(threshold_table)
    header = releases.header_lines(stamp) | _threshold_header(threshold_table)
    write_predictions_tsv(table, outputs["predictions"], header)
    specific = most_specific(table, ontology, thresholds)
    write_predictions_tsv(specific, outputs["most_specific"], header)
    write_cafa(table, outputs["cafa"])
    above = table[table["score"] >= table["aspect"].map(thresholds).fillna(np.inf)]
    gaf_lines = write_gaf(
        table,
        outputs["gaf"],
        db=gaf_identity["db"],
        taxon=gaf_identity["taxon"],
        symbols=gaf_identity["symbols"],
        reference=gaf_reference,
        go_version=ontology.data_version,
        min_score=thresholds,
        ontology=ontology,
        header_extra=header,
    )
    summary_genes = write_excel_summary(
        table, outputs["excel"], thresholds, top_n=top_terms, header=header, specific=specific
    )
    return {
        "rows": len(table),
        "genes": int(table["gene_id"].nunique()),
        "rows_above_threshold": len(above),
        "genes_above_threshold": int(above["gene_id"].nunique()),
        "most_specific_rows": len(specific),
        "gaf_lines": gaf_lines,
        "excel_genes": summary_genes,
        "thresholds": thresholds,
    }


def gaf_identity_of(identity: dict, gaf_db: str | None, taxon: str | None) -> dict:
    """GAF columns 1, 3 and 13: the config's, else the input GAF's, else defaults."""
    gaf_taxon = taxon or identity["taxon"]
    if gaf_taxon is None:
        # GAF requires a taxon; taxon:1 (root of the NCBI taxonomy) says "not given".
        log.warning("no taxon in the input GAF or the config: the GAF says taxon:1; set `taxon`")
        gaf_taxon = "taxon:1"
    return {
        "db": gaf_db or identity["db"] or "UniProtKB",
        "taxon": gaf_taxon,
        "symbols": identity["symbols"],
    }


def transfer_rare_terms(
    aspect_scores: dict[str, AspectScores],
    settings: dict,
    hits_tsv: str | None,
    labels_tsv: str | None,
) -> dict[str, baselines.Predictions]:
    """Per aspect, the homology-transferred scores of its rare terms for its scored genes."""
    homology_settings = settings["homology"]
    if homology_settings["rare_terms"] != "transfer" or homology_settings["engine"] == "none":
        return {}
    hits = homology.read_hits(hits_tsv)
    labels = Labels.from_tsv(labels_tsv).table
    transferred = {}
    for aspect, scores in aspect_scores.items():
        transferred[aspect] = baselines.transfer_rare_terms(
            hits,
            labels,
            aspect,
            scores.genes.tolist(),
            settings["min_positives"],
            homology_settings["neighbours"],
        )
        log.info(
            "aspect %s: %d rare-term scores transferred from homologs",
            aspect,
            sum(len(terms) for terms in transferred[aspect].values()),
        )
    return transferred


def export_predictions(
    scores_npz: dict[str, str],
    ontology_json: str,
    reports: dict[str, str],
    stamp_json: str,
    thresholds_tsv: str,
    outputs: dict[str, str],
    min_score: float,
    gaf_db: str | None,
    taxon: str | None,
    gaf_reference: str,
    top_terms: int,
    settings: dict,
    hits_tsv: str | None = None,
    labels_tsv: str | None = None,
) -> None:
    """Every export of the run, and its summary. With `hits_tsv` and `labels_tsv` and the
    setting `homology.rare_terms: transfer`, the terms too rare to model are scored by
    homology transfer for the same genes."""
    ontology = Ontology.from_json(ontology_json)
    stamp = read_json(stamp_json)
    aspect_scores = {aspect: AspectScores.from_npz(path) for aspect, path in scores_npz.items()}
    transferred = transfer_rare_terms(aspect_scores, settings, hits_tsv, labels_tsv)
    table = predictions_table(aspect_scores, ontology, min_score, transferred)
    gathered = {name: read_json(path) for name, path in reports.items()}
    for name, report in gathered.items():
        if name.startswith("cotrain_"):
            report.pop("terms")  # per-term decisions stay in results/cotrain/<aspect>.json
            report.pop("feature_importance")
    identity = gaf_identity_of(gathered["labels"].pop("gaf_identity"), gaf_db, taxon)
    counts = write_exports(
        table, ontology, thresholds_tsv, stamp, outputs, identity, gaf_reference, top_terms
    )
    summary = run_summary(gathered, table, counts, settings)
    for aspect, scores in aspect_scores.items():
        in_aspect = table[table["aspect"] == aspect]
        rare = in_aspect[~in_aspect["go_id"].isin(set(scores.terms.tolist()))]
        summary["aspects"][ASPECT_NAMES[aspect]] |= {
            "rare_terms_transferred": int(rare["go_id"].nunique()),
            "predictions_transferred": len(rare),
        }
    summary["release"] = stamp
    summary["predictions"]["gaf_taxon"] = identity["taxon"]
    write_json(summary, outputs["summary_json"])
    flat = pd.json_normalize(summary, sep=".").T.reset_index()
    flat.columns = ["key", "value"]
    with atomic_write(outputs["summary_tsv"]) as handle:
        flat.to_csv(handle, sep="\t", index=False)
    for key, value in flat.itertuples(index=False):
        log.info("summary %s = %s", key, value)


def report_changes(
    previous: dict[str, str],
    labels_tsv: str,
    ontology_json: str,
    stamp_json: str,
    aspects: list[str],
    outputs: dict[str, str],
) -> None:
    """What changed since an earlier release: how its exported predictions held up."""
    previous_table, previous_header = read_predictions_tsv(previous["predictions"])
    report = changes.what_changed(
        previous_table,
        read_thresholds(previous["thresholds"]),
        Labels.from_tsv(previous["labels"]).table,
        Labels.from_tsv(labels_tsv).table,
        Ontology.from_json(previous["ontology"]),
        Ontology.from_json(ontology_json),
        aspects=aspects,
    )
    report.summary["previous_release"] = previous_header
    report.summary["release"] = read_json(stamp_json)
    changes.write_change_report(report, **outputs)
    log.info("what changed: %s", report.summary.get("totals"))


def stamp_release(stamp: dict, stamp_json: str) -> None:
    write_json(stamp, stamp_json)


def save_model(
    stamp_json: str,
    cotrain_reports: dict[str, str],
    files: dict[str, str],
    sequence_npz: str,
    expression_npz: str,
    labels_report_json: str,
    gaf_db: str | None,
    taxon: str | None,
    settings: dict,
    model_dir: str,
) -> None:
    identity = gaf_identity_of(read_json(labels_report_json)["gaf_identity"], gaf_db, taxon)
    predict.save_model(
        read_json(stamp_json),
        cotrain_reports,
        files,
        sequence_npz,
        expression_npz,
        identity,
        settings,
        model_dir,
    )


def predict_new_genes(
    model_dir: str,
    proteins_fasta: str,
    sequences_report_json: str,
    expression: str | None,
    id_map: str | None,
    expression_kind: str,
    outputs: dict[str, str],
    min_score: float,
    gaf_reference: str,
    top_terms: int,
    threads: int,
) -> None:
    """Score new genes with a saved model and export them as a run would."""
    scores, saved, transferred = predict.score_new_genes(
        model_dir, proteins_fasta, expression, id_map, expression_kind, threads
    )
    ontology = predict.ontology_of(saved)
    table = predictions_table(scores, ontology, min_score, transferred)
    identity = saved.meta["gaf"] | {"symbols": {}}
    stamp = saved.meta["release"]
    counts = write_exports(
        table,
        ontology,
        str(saved.path(predict.MODEL_FILES["thresholds"])),
        stamp,
        outputs,
        identity,
        gaf_reference,
        top_terms,
    )
    summary = {
        "gocotrain_version": __version__,
        "model": str(Path(model_dir).resolve()),
        "model_release": stamp,
        "model_versions": saved.meta["versions"],
        "inputs": {
            "sequences": read_json(sequences_report_json),
            "expression": expression,
            "id_map": id_map,
        },
        "predictions": counts,
    }
    write_json(summary, outputs["summary_json"])
    log.info("new genes: %s", counts)


def run_summary(gathered: dict, table: pd.DataFrame, counts: dict, settings: dict) -> dict:
    sequences, expression = gathered["sequences"], gathered["expression"]
    expression_view = gathered["expression_features"]
    summary = {
        "gocotrain_version": __version__,
        "settings": settings,
        "inputs": {
            "go_version": gathered["ontology"]["go_version"],
            "genes_read": sequences["records_read"],
            "genes_with_sequence": sequences["genes_with_sequence"],
            "genes_with_expression": expression["genes_with_expression"],
            "genes_sequence_only": sequences["genes_with_sequence"]
            - expression["genes_with_expression"],
            "expression_rows_read": expression["expression_genes_read"],
            "expression_rows_not_matched": expression["expression_rows_not_matched"],
            "expression_samples_used": expression_view["expression_samples_used"],
            "annotation_genes_not_in_sequences": gathered["labels"][
                "annotation_genes_not_in_sequences"
            ],
            "homology_engine": gathered["homology"]["engine"],
            "genes_with_homologs": gathered["homology"]["proteins_with_homologs"],
        },
        "details": gathered,
        "aspects": {},
        "predictions": dict(counts),
    }
    for name, report in gathered.items():
        if name.startswith("cotrain_"):
            aspect = report["aspect"]
            in_aspect = table[table["aspect"] == aspect]
            summary["aspects"][ASPECT_NAMES[aspect]] = {
                "labeled_genes": report["labeled_genes"],
                "unlabeled_genes": report["unlabeled_genes"],
                "unlabeled_with_sequence": report["genes_unlabeled_with_sequence"],
                "unlabeled_with_expression": report["genes_unlabeled_with_expression"],
                "terms_modelled": report["terms_modelled"],
                "terms_below_min_positives": report["terms_below_min_positives"],
                "terms_cotrained": report["terms_cotrained"],
                "terms_supervised": report["terms_supervised"],
                "pseudo_labels_added_mean": report["pseudo_labels_added_mean"],
                "genes_predicted": int(in_aspect["gene_id"].nunique()),
                "predictions": len(in_aspect),
            }
    return summary


def run_rule(snakemake, step: Callable[..., None], **arguments) -> None:
    """Run a step from a Snakemake script: log to the rule's log file and to stderr, and turn
    input errors into a short message and exit status 1 instead of a traceback."""
    handlers = [logging.StreamHandler(sys.stderr)]
    if snakemake.log:
        handlers.append(logging.FileHandler(snakemake.log[0], mode="w"))
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
        handlers=handlers,
        force=True,
    )
    try:
        step(**arguments)
    except InputError as error:
        log.error("input error: %s", error)
        sys.exit(1)
