"""Steps of workflow/rules/export.smk: thresholds, every export of the predictions with the
run summary, and the saved model."""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import pandas as pd

from gocotrain import __version__
from gocotrain.export import models
from gocotrain.export.formats import write_exports, write_tsv
from gocotrain.export.predictions import predictions_table
from gocotrain.export.targets import closest_to_exported
from gocotrain.inputs.ontology import ASPECT_NAMES, Ontology
from gocotrain.inputs.sequences import read_names
from gocotrain.learning.terms import AspectScores
from gocotrain.steps import Exports, ExportSettings, TeacherFiles, read_json, write_json
from gocotrain.teaching import teacher as teaching
from gocotrain.teaching.chosen_weights import read_prior_weights
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


# The threshold of `export: {threshold: fmax}` where no Fmax threshold was measured.
UNMEASURED_THRESHOLD = 0.5


def choose_thresholds(
    aspects: list[str],
    export_threshold: str | float,
    thresholds: str,
    metrics: str | None = None,
) -> None:
    """The export threshold per aspect, with the precision expected there.

    ``fmax`` with the evaluation's metrics: co-training's Fmax-optimal threshold on the
    held-out genes most like the exported ones (`targets.closest_to_exported`: the least
    annotated of the cross-validation folds, or the time split's no-knowledge targets), whose
    precision and recall are what a user can expect of the exported set; UNMEASURED_THRESHOLD
    for an aspect without. A number: that threshold for every aspect, its precision not
    measured.
    """
    measured = pd.read_csv(metrics, sep="\t") if metrics else pd.DataFrame()
    if not measured.empty:
        measured = measured[measured["method"] == "cotraining"]
    rows = []
    for aspect in aspects:
        found = (
            measured[measured["aspect"] == ASPECT_NAMES[aspect]] if not measured.empty else measured
        )
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
    write_tsv(pd.DataFrame(rows, columns=THRESHOLD_COLUMNS), thresholds)


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
        log.warning(
            "no taxon in the input GAF or the config: the GAF says taxon:1; set `export.gaf.taxon`"
        )
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
    teacher: TeacherFiles,
    lessons: str,
    settings: dict,
    aspects: list[str],
    prior_weights: str | None = None,
) -> None:
    """What finishes the run's scores, fitted once (`teaching.Teacher.fit`), written to
    `lessons`: the export and the saved model read it. `settings` as
    `teaching.TeacherSettings.of` reads them; `prior_weights` is the evaluation's choice of
    the own term frequencies' and the transfer's blend weights (`read_prior_weights`)."""
    fitted = teaching.load_teacher(
        teaching.TeacherSettings.of(settings),
        teacher.teacher_hits,
        teacher.training_labels,
        teacher.reference_labels,
        teacher.reference_calibrations,
    ).fit(aspects, prior_weights=read_prior_weights(prior_weights))
    for aspect, lesson in fitted.lessons.items():
        log.info(
            "aspect %s: transfer calibration %s, blended in by %s; the organism's own term "
            "frequencies weigh %s%s",
            aspect,
            "fitted" if lesson.calibration else "none (raw evidence)",
            lesson.blend_weight,
            lesson.weight,
            f" (weights tried: {lesson.weights_tried})" if lesson.weights_tried else "",
        )
    teaching.write_lessons(fitted, lessons)


def finished_scores(
    scores: dict[str, str], teacher: TeacherFiles, lessons: str
) -> tuple[dict[str, teaching.Finished], dict[str, dict]]:
    """Each aspect's scores finished by the run's teacher (`teaching.Teacher.finish`, with
    `fit_teacher`'s `lessons`), and what the summary says of each aspect's lesson."""
    settings, learned = teaching.read_lessons(lessons)
    loaded = teaching.load_teacher(
        settings, teacher.teacher_hits, teacher.training_labels, teacher.reference_labels
    )
    loaded = replace(loaded, lessons=learned)
    finished, reports = {}, {}
    for aspect, path in scores.items():
        finished[aspect] = loaded.finish(AspectScores.from_npz(path), aspect)
        reports[aspect] = loaded.report(aspect)
        log.info(
            "aspect %s: %d scores of terms not modelled transferred from homologs, %d by the "
            "own term frequencies alone; %d genes keep the reference's taught transfer",
            aspect,
            sum(len(terms) for terms in finished[aspect].transferred.values()),
            sum(len(terms) for terms in finished[aspect].by_frequency.values()),
            len(finished[aspect].taught),
        )
    return finished, reports


@dataclass(frozen=True)
class ExportInputs:
    """What the export reads besides the teacher's files and the reports: each aspect's
    co-training scores (in the order of `aspects`), the teacher's lessons (`fit_teacher`),
    the release stamp, the chosen thresholds, the ontology, the genes' names
    (`sequences.write_names`) and, where the evaluation ran, each view's signal and
    co-training's margins over the baselines."""

    scores: list[str]
    lessons: str
    stamp: str
    thresholds: str
    ontology: str
    names: str | None = None
    view_signal: str | None = None
    margins: str | None = None


@dataclass(frozen=True)
class RunReports:
    """The reports of the run's steps, which its summary gathers; `training_report` where a
    reference taught."""

    ontology_report: str
    sequences_report: str
    expression_report: str
    expression_features_report: str
    labels_report: str
    homology_report: str
    cotrain_reports: list[str]
    training_report: str | None = None

    def by_name(self, aspects: list[str]) -> dict[str, str]:
        """The reports by the names the summary gives them (`cotrain_<aspect>` per aspect)."""
        named = {
            "ontology": self.ontology_report,
            "sequences": self.sequences_report,
            "expression": self.expression_report,
            "expression_features": self.expression_features_report,
            "labels": self.labels_report,
            "homology": self.homology_report,
        }
        if self.training_report:
            named["training_labels"] = self.training_report
        cotrain = zip(aspects, self.cotrain_reports, strict=True)
        return named | {f"cotrain_{aspect}": path for aspect, path in cotrain}


@dataclass(frozen=True, kw_only=True)
class RunExports(Exports):
    """The run's exports, with its summary as a table and a copy of the thresholds beside
    the predictions."""

    summary_tsv: str
    exported_thresholds: str


@dataclass(frozen=True)
class GafIdentity:
    """The config's GAF columns 1 and 13, where it sets them (`gaf_identity_of`)."""

    gaf_db: str | None = None
    taxon: str | None = None


def export_predictions(
    aspects: list[str],
    inputs: ExportInputs,
    teacher: TeacherFiles,
    reports: RunReports,
    outputs: RunExports,
    export: ExportSettings,
    identity: GafIdentity,
    settings: dict,
) -> None:
    """Every export of the run, and its summary (with the evaluation's view signal, each
    view's Fmax alone, both and the controls, per aspect). The scores are finished by the
    run's teacher (`finished_scores`). The genes are named by their sequence records, else
    by the input GAF's symbols and names."""
    ontology = Ontology.from_json(inputs.ontology)
    stamp = read_json(inputs.stamp)
    scores = dict(zip(aspects, inputs.scores, strict=True))
    finished, lessons = finished_scores(scores, teacher, inputs.lessons)
    gathered = {name: read_json(path) for name, path in reports.by_name(aspects).items()}
    for name, report in gathered.items():
        if name.startswith("cotrain_"):
            report.pop("terms")  # per-term decisions stay in results/cotrain/<aspect>.json
            report.pop("feature_importance")
    from_gaf = gathered["labels"].pop("gaf_identity")
    names = gene_names(inputs.names, from_gaf)
    table = predictions_table(finished, ontology, export.min_score, names)
    gaf = gaf_identity_of(from_gaf, identity.gaf_db, identity.taxon, names)
    counts = write_exports(
        table,
        ontology,
        inputs.thresholds,
        stamp,
        outputs.as_dict(),
        gaf,
        export.gaf_citation,
        export.top_terms,
    )
    summary = run_summary(gathered, table, counts, settings)
    for aspect in finished:
        summary["aspects"][ASPECT_NAMES[aspect]] |= source_counts(table, aspect) | lessons[aspect]
    summary["release"] = stamp
    summary["predictions"]["gaf_taxon"] = gaf["taxon"]
    for name in ("view_signal", "margins"):
        if getattr(inputs, name):
            summary[name] = pd.read_csv(getattr(inputs, name), sep="\t").to_dict("records")
    copy_file(inputs.thresholds, outputs.exported_thresholds)
    write_summary(summary, outputs)


def copy_file(source: str, target: str) -> None:
    with open(source, "rb") as read, atomic_write(target, "wb") as written:
        shutil.copyfileobj(read, written)


def write_summary(summary: dict, outputs: RunExports) -> None:
    """The run summary as JSON, and flat as a table of keys and values."""
    write_json(summary, outputs.summary_json)
    flat = pd.json_normalize(summary, sep=".").T.reset_index()
    flat.columns = ["key", "value"]
    with atomic_write(outputs.summary_tsv) as handle:
        flat.to_csv(handle, sep="\t", index=False)
    log.info("run summary: %s (%d values)", outputs.summary_json, len(flat))


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


@dataclass(frozen=True)
class ModelInputs:
    """What the saved model is made of: the run's files it copies (`model_files`), the
    sequence view, the release stamp, the labels' and the co-training's reports, and the
    co-training batches' booster folders (named .../<aspect>/models-<batch>)."""

    proteins: str
    labels: str
    ontology: str
    projection: str
    expression: str
    thresholds: str
    lessons: str
    sequence: str
    stamp: str
    labels_report: str
    cotrain_reports: list[str]
    boosters: list[str]

    def model_files(self) -> dict[str, str]:
        """The files `models.write_model_folder` copies, by their `models.MODEL_FILES` key."""
        return {key: getattr(self, key) for key in models.MODEL_FILES}


def save_model(
    inputs: ModelInputs,
    aspects: list[str],
    identity: GafIdentity,
    settings: dict,
    references: list[dict],
    model: str,
) -> None:
    """The model folder: each aspect's boosters, gathered from its co-training batches'
    folders, then `models.write_model_folder` with the run's teacher (`fit_teacher`'s
    lessons). `settings` are the run's; `references` the config's reference species with
    their keys, where a reference taught."""
    cotrain_reports = dict(zip(aspects, inputs.cotrain_reports, strict=True))
    for aspect in cotrain_reports:
        models.gather_boosters(
            [folder for folder in inputs.boosters if Path(folder).parent.name == aspect],
            Path(model) / aspect,
        )
    gaf = gaf_identity_of(
        read_json(inputs.labels_report)["gaf_identity"], identity.gaf_db, identity.taxon
    )
    models.write_model_folder(
        read_json(inputs.stamp),
        cotrain_reports,
        inputs.model_files(),
        inputs.sequence,
        inputs.expression,
        gaf,
        settings | {"reference": references},
        model,
    )
