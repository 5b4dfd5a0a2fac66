"""Steps of workflow/rules/report.smk: the report's figures and pages, and what changed since
an earlier release."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from gocotrain import changes, figures
from gocotrain.annotations import Labels
from gocotrain.export import read_predictions_tsv, read_thresholds
from gocotrain.ontology import Ontology
from gocotrain.steps import read_json
from gocotrain.targets import headline_targets
from gocotrain.textio import readable

log = logging.getLogger("gocotrain")


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
    log.info("what changed: %s", readable(report.summary.get("totals") or {}))


def run_figures(
    cotrain_reports: dict[str, str], summary_json: str, outputs: dict[str, str]
) -> None:
    """The figures of the prediction run (keys of `outputs`: learning_curves,
    feature_importance, data_summary)."""
    reports = {aspect: read_json(path) for aspect, path in cotrain_reports.items()}
    figures.learning_curves_figure(reports, outputs["learning_curves"])
    figures.feature_importance_figure(reports, outputs["feature_importance"])
    figures.data_summary_html(read_json(summary_json), outputs["data_summary"])


def evaluation_figures(
    metrics_tsv: str, curves_tsv: str, per_term_tsv: str, outputs: dict[str, str]
) -> None:
    """The figures of the evaluation (keys of `outputs`: metrics_table, metrics_figure,
    precision_recall, per_term)."""
    metrics = pd.read_csv(metrics_tsv, sep="\t")
    figures.metrics_html(metrics, outputs["metrics_table"])
    figures.metrics_figure(metrics, outputs["metrics_figure"])
    curves = pd.read_csv(curves_tsv, sep="\t")
    figures.precision_recall_figure(curves, metrics, outputs["precision_recall"])
    figures.per_term_figure(
        pd.read_csv(per_term_tsv, sep="\t"),
        outputs["per_term"],
        targets=headline_targets(metrics),
    )


# The largest page Chromium (156) shows inside a single-file report, report.html, which holds
# each page as a data: URL of at most 2 MB in base64: 1.4 MB showed, 1.7 MB stayed blank.
SINGLE_FILE_REPORT_PAGE_BYTES = 1_400_000


def top_predictions_page(
    most_specific_tsv: str, thresholds_tsv: str, top_terms: int, page_html: str
) -> None:
    """The report's searchable page of each gene's top `top_terms` predictions per aspect."""
    specific, header = read_predictions_tsv(most_specific_tsv)
    thresholds = pd.read_csv(thresholds_tsv, sep="\t")
    figures.top_predictions_html(
        specific, thresholds, top_terms, page_html, release=header.get("release")
    )
    size = Path(page_html).stat().st_size
    log.info("top predictions page: %d bytes from %d rows", size, len(specific))
    if size > SINGLE_FILE_REPORT_PAGE_BYTES:
        log.warning(
            "%s is %.1f MB: a browser shows it in a report made as report.zip, or opened "
            "itself, but not inside a single-file report.html (at most about %.1f MB a page)",
            page_html,
            size / 1e6,
            SINGLE_FILE_REPORT_PAGE_BYTES / 1e6,
        )
