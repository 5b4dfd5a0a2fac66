"""Steps of workflow/rules/export.smk: thresholds, every export of the predictions with the
run summary, and the saved model."""

from __future__ import annotations

import logging
import shutil
from dataclasses import replace
from pathlib import Path

import pandas as pd

from gocotrain import __version__, models, teaching
from gocotrain.export import write_exports, write_tsv
from gocotrain.ontology import ASPECT_NAMES, Ontology
from gocotrain.predictions import predictions_table
from gocotrain.sequences import read_names
from gocotrain.steps import read_json, write_json
from gocotrain.targets import closest_to_exported
from gocotrain.terms import AspectScores
from gocotrain.textio import atomic_write

log = logging.getLogger("gocotrain")

THRESHOLD_COLUMNS = [
    "aspect",
    "threshold",
    "expected_precision",
    "expected_recall",
    "expected_fmax",
    "chosen_on",
]


# The threshold of `export_threshold: fmax` where no Fmax threshold was measured.
UNMEASURED_THRESHOLD = 0.5


def choose_thresholds(
    aspects: list[str],
    export_threshold: str | float,
    thresholds_tsv: str,
    metrics_tsv: str | None = None,
) -> None:
    """The export threshold per aspect, with the precision expected there.

    ``fmax`` with the evaluation's metrics: co-training's Fmax-optimal threshold on the
    held-out genes most like the exported ones (`splits.closest_to_exported`: the least
    annotated of the cross-validation folds, or the time split's no-knowledge targets), whose
    precision and recall are what a user can expect of the exported set; UNMEASURED_THRESHOLD
    for an aspect without. A number: that threshold for every aspect, its precision not
    measured.
    """
    metrics = pd.read_csv(metrics_tsv, sep="\t") if metrics_tsv else pd.DataFrame()
    if not metrics.empty:
        metrics = metrics[metrics["method"] == "cotraining"]
    rows = []
    for aspect in aspects:
        found = metrics[metrics["aspect"] == ASPECT_NAMES[aspect]] if not metrics.empty else metrics
        if not found.empty:
            genes = dict(zip(found["targets"], found["n_proteins"], strict=True))
            found = found[found["targets"] == closest_to_exported(genes, genes)]
        if export_threshold != "fmax":
            rows.append([aspect, float(export_threshold), None, None, None, "fixed"])
        elif found.empty or pd.isna(found.iloc[0].get("threshold")):
            rows.append([aspect, UNMEASURED_THRESHOLD, None, None, None, "Fmax not measured"])
        else:
            rows.append(_fmax_row(aspect, found.iloc[0]))
        _, threshold, precision, *_, chosen_on = rows[-1]
        expected = f"expected precision {precision:.2f}; " if precision is not None else ""
        log.info("aspect %s: export threshold %g (%s%s)", aspect, threshold, expected, chosen_on)
    write_tsv(pd.DataFrame(rows, columns=THRESHOLD_COLUMNS), thresholds_tsv)


def _fmax_row(aspect: str, best: pd.Series) -> list:
    return [
        aspect,
        float(best["threshold"]),
        round(float(best["precision"]), 4),
        round(float(best["recall"]), 4),
        round(float(best["fmax"]), 4),
        f"co-training Fmax on {int(best['n_proteins'])} held-out genes ("
        + ", ".join(dict.fromkeys([best["protocol"], best["targets"]]))
        + ")",
    ]


def gene_names(names_tsv: str | None, from_gaf: dict) -> dict[str, tuple[str, str]]:
    """Each gene's symbol and protein name: its sequence record's, else the input GAF's."""
    names = read_names(names_tsv) if names_tsv else {}
    symbols, gaf_names = from_gaf.get("symbols", {}), from_gaf.get("names", {})
    return {
        gene: (
            names.get(gene, ("", ""))[0] or symbols.get(gene, ""),
            names.get(gene, ("", ""))[1] or gaf_names.get(gene, ""),
        )
        for gene in sorted(set(names) | set(symbols) | set(gaf_names))
    }


def gaf_identity_of(
    identity: dict, gaf_db: str | None, taxon: str | None, names: dict | None = None
) -> dict:
    """GAF columns 1, 3 and 13: the config's, else the input GAF's, else defaults; column 3
    (the symbol) from `names` (`gene_names`) where given."""
    gaf_taxon = taxon or identity["taxon"]
    if gaf_taxon is None:
        # GAF requires a taxon; taxon:1 (root of the NCBI taxonomy) says "not given".
        log.warning("no taxon in the input GAF or the config: the GAF says taxon:1; set `taxon`")
        gaf_taxon = "taxon:1"
    return {
        "db": gaf_db or identity["db"] or "UniProtKB",
        "taxon": gaf_taxon,
        "symbols": (
            {gene: symbol for gene, (symbol, _) in names.items() if symbol}
            if names is not None
            else identity["symbols"]
        ),
    }


def fit_teacher(
    hits_tsv: list[str],
    labels_tsv: str,
    reference_labels_tsv: list[str],
    reference_calibrations_json: str | None,
    lessons_json: str,
    settings: dict,
    aspects: list[str],
    prior_weights_tsv: str | None = None,
) -> None:
    """What finishes the run's scores, fitted once (`teaching.Teacher.fit`): the export and
    the saved model read it. `settings` as `teaching.TeacherSettings.of` reads them;
    `prior_weights_tsv` the evaluation's choice of the own term frequencies' weight."""
    teacher = teaching.load_teacher(
        teaching.TeacherSettings.of(settings),
        hits_tsv,
        labels_tsv,
        reference_labels_tsv,
        reference_calibrations_json,
    ).fit(aspects, prior_weights=teaching.read_prior_weights(prior_weights_tsv))
    for aspect, lesson in teacher.lessons.items():
        tried = next(iter(teacher.report(aspect).items()), (None, []))
        log.info(
            "aspect %s: transfer calibration %s; the organism's own term frequencies weigh %s%s",
            aspect,
            "fitted" if lesson.calibration else "none (raw evidence)",
            lesson.weight,
            f" ({tried[0]}: {tried[1]})" if lesson.weights_tried else "",
        )
    teaching.write_lessons(teacher, lessons_json)


def finished_scores(
    scores_npz: dict[str, str], teacher_files: dict
) -> tuple[dict[str, teaching.Finished], dict[str, dict]]:
    """Each aspect's scores finished by the run's teacher (`teaching.Teacher.finish`), and
    what the summary says of each aspect's lesson. `teacher_files`: ``hits`` (the
    organism's own search, then each reference's), ``labels``, ``reference_labels`` and
    ``lessons`` (`fit_teacher`'s)."""
    settings, lessons = teaching.read_lessons(teacher_files["lessons"])
    teacher = teaching.load_teacher(
        settings, teacher_files["hits"], teacher_files["labels"], teacher_files["reference_labels"]
    )
    teacher = replace(teacher, lessons=lessons)
    finished, reports = {}, {}
    for aspect, path in scores_npz.items():
        finished[aspect] = teacher.finish(AspectScores.from_npz(path), aspect)
        reports[aspect] = teacher.report(aspect)
        log.info(
            "aspect %s: %d scores of terms not modelled transferred from homologs, %d by the "
            "own term frequencies alone; %d genes keep the reference's taught transfer",
            aspect,
            sum(len(terms) for terms in finished[aspect].transferred.values()),
            sum(len(terms) for terms in finished[aspect].by_frequency.values()),
            len(finished[aspect].taught),
        )
    return finished, reports


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
    gaf_citation: dict,
    top_terms: int,
    settings: dict,
    teacher_files: dict,
    names_tsv: str | None = None,
    view_signal_tsv: str | None = None,
) -> None:
    """Every export of the run, and its summary (with `view_signal_tsv`, the evaluation's
    Fmax of each view alone, both and the controls, per aspect). The scores are finished by
    the run's teacher (`finished_scores`). `names_tsv` (`sequences.write_names`) names the
    genes, with the input GAF's symbols and names where it has none."""
    ontology = Ontology.from_json(ontology_json)
    stamp = read_json(stamp_json)
    finished, lessons = finished_scores(scores_npz, teacher_files)
    gathered = {name: read_json(path) for name, path in reports.items()}
    for name, report in gathered.items():
        if name.startswith("cotrain_"):
            report.pop("terms")  # per-term decisions stay in results/cotrain/<aspect>.json
            report.pop("feature_importance")
    from_gaf = gathered["labels"].pop("gaf_identity")
    names = gene_names(names_tsv, from_gaf)
    table = predictions_table(finished, ontology, min_score, names)
    identity = gaf_identity_of(from_gaf, gaf_db, taxon, names)
    counts = write_exports(
        table, ontology, thresholds_tsv, stamp, outputs, identity, gaf_citation, top_terms
    )
    summary = run_summary(gathered, table, counts, settings)
    for aspect in finished:
        summary["aspects"][ASPECT_NAMES[aspect]] |= source_counts(table, aspect) | lessons[aspect]
    summary["release"] = stamp
    summary["predictions"]["gaf_taxon"] = identity["taxon"]
    if view_signal_tsv:
        summary["view_signal"] = pd.read_csv(view_signal_tsv, sep="\t").to_dict("records")
    with open(thresholds_tsv, "rb") as source, atomic_write(outputs["thresholds"], "wb") as copy:
        shutil.copyfileobj(source, copy)
    write_json(summary, outputs["summary_json"])
    flat = pd.json_normalize(summary, sep=".").T.reset_index()
    flat.columns = ["key", "value"]
    with atomic_write(outputs["summary_tsv"]) as handle:
        flat.to_csv(handle, sep="\t", index=False)
    log.info("run summary: %s (%d values)", outputs["summary_json"], len(flat))


def source_counts(table: pd.DataFrame, aspect: str) -> dict:
    """The aspect's exported rows of terms not modelled: by homology transfer (and the terms
    so scored), and, where there are any, by the organism's own term frequencies alone."""
    in_aspect = table[table["aspect"] == aspect]
    transferred = in_aspect[in_aspect["source"].str.startswith(teaching.SOURCE_TRANSFER)]
    counts = {
        "rare_terms_transferred": int(transferred["go_id"].nunique()),
        "predictions_transferred": len(transferred),
    }
    by_frequency = int((in_aspect["source"] == teaching.SOURCE_FREQUENCY).sum())
    return counts | ({"predictions_by_own_term_frequency": by_frequency} if by_frequency else {})


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
    if "training_labels" in gathered:  # a reference taught: its labels, by source
        summary["reference"] = gathered["training_labels"]
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
                "genes_given_a_term_by_the_other_view": report.get(
                    "genes_given_a_term_by_the_other_view", 0
                ),
                "terms_given_by_the_other_view": report.get("terms_given_by_the_other_view", 0),
                "genes_predicted": int(in_aspect["gene_id"].nunique()),
                "predictions": len(in_aspect),
            }
    return summary


def save_model(
    stamp_json: str,
    cotrain_reports: dict[str, str],
    files: dict[str, str],
    features_npz: dict[str, str],
    labels_report_json: str,
    gaf_identity: dict,
    settings: dict,
    booster_dirs: list[str],
    model_dir: str,
) -> None:
    """The model folder: each aspect's boosters, gathered from its co-training batches'
    folders (`booster_dirs`, named .../<aspect>/models-<batch>), then `write_model_folder`
    with the run's teacher (`files["lessons"]`, `fit_teacher`'s). `features_npz` holds the
    ``sequence`` and ``expression`` views; `gaf_identity` the config's ``gaf_db`` and
    ``taxon``; `settings` the run's, with its ``reference`` (the config's list) where a
    reference taught."""
    for aspect in cotrain_reports:
        models.gather_boosters(
            [folder for folder in booster_dirs if Path(folder).parent.name == aspect],
            Path(model_dir) / aspect,
        )
    identity = gaf_identity_of(
        read_json(labels_report_json)["gaf_identity"], gaf_identity["gaf_db"], gaf_identity["taxon"]
    )
    models.write_model_folder(
        read_json(stamp_json),
        cotrain_reports,
        files,
        features_npz["sequence"],
        features_npz["expression"],
        identity,
        settings,
        model_dir,
    )
