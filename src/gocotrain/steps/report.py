"""Steps of workflow/rules/report.smk: the report's figures and pages, and what changed since
an earlier release."""

from __future__ import annotations

import logging

import pandas as pd

from gocotrain import changes, figures
from gocotrain.annotations import Labels
from gocotrain.export import read_predictions_tsv
from gocotrain.ontology import Ontology
from gocotrain.steps import read_json
from gocotrain.steps.export import read_thresholds

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
    log.info("what changed: %s", report.summary.get("totals"))


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
    figures.per_term_figure(pd.read_csv(per_term_tsv, sep="\t"), outputs["per_term"])
