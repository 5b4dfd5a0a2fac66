"""Steps of workflow/rules/report.smk: the report's figures and pages, and what changed since
an earlier release."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from gocotrain.evaluation import changes, figures
from gocotrain.export.formats import read_predictions_tsv, read_thresholds
from gocotrain.export.targets import headline_targets
from gocotrain.inputs.annotations import Labels
from gocotrain.inputs.ontology import Ontology
from gocotrain.steps import read_json
from gocotrain.textio import readable

log = logging.getLogger("gocotrain")


@dataclass(frozen=True)
class PreviousRelease:
    """The earlier release's exported predictions, thresholds, labels and ontology."""

    previous_predictions: str
    previous_thresholds: str
    previous_labels: str
    previous_ontology: str


@dataclass(frozen=True)
class ChangePages:
    """What `changes.write_change_report` writes."""

    summary: str
    confirmed: str
    newly_labeled: str
    terms_changed: str
    obsolete_predictions: str
    html: str


def report_changes(
    previous: PreviousRelease,
    labels: str,
    ontology: str,
    stamp: str,
    aspects: list[str],
    outputs: ChangePages,
) -> None:
    """What changed since an earlier release: how its exported predictions held up."""
    previous_table, previous_header = read_predictions_tsv(previous.previous_predictions)
    report = changes.what_changed(
        previous_table,
        read_thresholds(previous.previous_thresholds),
        Labels.from_tsv(previous.previous_labels).table,
        Labels.from_tsv(labels).table,
        Ontology.from_json(previous.previous_ontology),
        Ontology.from_json(ontology),
        aspects=aspects,
    )
    report.summary["previous_release"] = previous_header
    report.summary["release"] = read_json(stamp)
    changes.write_change_report(report, **dataclasses.asdict(outputs))
    log.info("what changed: %s", readable(report.summary.get("totals") or {}))


def run_figures(
    cotrain_reports: list[str],
    aspects: list[str],
    summary: str,
    learning_curves: str,
    feature_importance: str,
    data_summary: str,
) -> None:
    """The figures of the prediction run, from each aspect's co-training report (in the
    order of `aspects`) and the run summary."""
    reports = {
        aspect: read_json(path) for aspect, path in zip(aspects, cotrain_reports, strict=True)
    }
    figures.learning_curves_figure(reports, learning_curves)
    figures.feature_importance_figure(reports, feature_importance)
    figures.data_summary_html(read_json(summary), data_summary)


def evaluation_figures(
    metrics: str,
    curves: str,
    per_term: str,
    margins: str,
    metrics_table: str,
    metrics_figure: str,
    precision_recall: str,
    per_term_figure: str,
) -> None:
    """The figures of the evaluation, from its metrics, precision-recall curves, per-term
    AUPR and margins tables, on the held-out genes the report leads with
    (`targets.headline_targets`)."""
    measured = pd.read_csv(metrics, sep="\t")
    figures.metrics_html(measured, metrics_table, pd.read_csv(margins, sep="\t"))
    figures.metrics_figure(measured, metrics_figure)
    figures.precision_recall_figure(pd.read_csv(curves, sep="\t"), measured, precision_recall)
    figures.per_term_figure(
        pd.read_csv(per_term, sep="\t"), per_term_figure, targets=headline_targets(measured)
    )


# The largest page Chromium (156) shows inside a single-file report, report.html, which holds
# each page as a data: URL of at most 2 MB in base64: 1.4 MB showed, 1.7 MB stayed blank.
SINGLE_FILE_REPORT_PAGE_BYTES = 1_400_000


def top_predictions_page(most_specific: str, thresholds: str, top_terms: int, page: str) -> None:
    """The report's searchable page of each gene's top `top_terms` predictions per aspect."""
    specific, header = read_predictions_tsv(most_specific)
    chosen = pd.read_csv(thresholds, sep="\t")
    figures.top_predictions_html(specific, chosen, top_terms, page, release=header.get("release"))
    size = Path(page).stat().st_size
    log.info("top predictions page: %d bytes from %d rows", size, len(specific))
    if size > SINGLE_FILE_REPORT_PAGE_BYTES:
        log.warning(
            "%s is %.1f MB: a browser shows it in a report made as report.zip, or opened "
            "itself, but not inside a single-file report.html (at most about %.1f MB a page)",
            page,
            size / 1e6,
            SINGLE_FILE_REPORT_PAGE_BYTES / 1e6,
        )
