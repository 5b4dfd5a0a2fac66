"""The what-changed report as a self-contained HTML page (`render_html`): a summary per
aspect, then the report's tables (`changes.ChangeReport`), each with what it means.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from gocotrain.evaluation.pages import escape, grid, page, table
from gocotrain.inputs.ontology import ASPECT_NAMES

if TYPE_CHECKING:
    from gocotrain.evaluation.changes import ChangeReport


def _aspect_label(aspect: str) -> str:
    name = ASPECT_NAMES.get(aspect)
    return f"{aspect} ({name.replace('_', ' ')})" if name else aspect


def _number(value, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


TITLE = "GOcotrain: what changed with the new annotation release"
SUMMARY_ROWS = [
    ("threshold", "exported score threshold"),
    ("newly_labeled_genes", "genes newly labeled (unlabeled in this aspect before)"),
    ("no_knowledge_genes", "… with no label in any aspect before (no knowledge)"),
    ("limited_knowledge_genes", "… labeled in other aspects before (limited knowledge)"),
    ("protein_binding_only_genes", "… whose new terms say no more than protein binding"),
    ("newly_labeled_genes_with_predictions", "newly labeled genes with earlier predictions"),
    ("newly_labeled_genes_predicted_at_threshold", "… with a prediction at the threshold"),
    ("predictions_at_threshold_for_newly_labeled_genes", "predictions at the threshold"),
    ("confirmed_predictions", "confirmed predictions"),
    ("precision", "precision at the threshold"),
    ("recall", "recall at the threshold"),
    ("f", "F at the threshold"),
    ("coverage", "coverage at the threshold"),
    ("fmax", "Fmax (best threshold)"),
    ("fmax_threshold", "threshold of Fmax"),
    ("terms_added", "terms added to the ontology"),
    ("terms_obsolete", "terms made obsolete"),
    ("terms_merged", "terms merged into another"),
    ("terms_removed", "terms removed"),
    (
        "predictions_of_obsolete_or_removed_terms",
        "earlier predictions of obsolete or removed terms",
    ),
    ("predictions_of_merged_terms", "earlier predictions of merged terms"),
]


def _table(frame: pd.DataFrame, max_rows: int, empty: str) -> str:
    return table(frame, empty, max_rows, rest="the TSV file has all")


def render_html(report: ChangeReport, max_rows: int = 500) -> str:
    """A self-contained HTML page (`pages.page`: inline style, no scripts, no assets)."""
    summary = report.summary
    versions = [
        escape(summary.get(f"{which}_ontology_version") or "unknown")
        for which in ("previous", "new")
    ]
    parts = [
        "<h1>What changed with the new annotation release</h1>",
        "<p>How the predictions exported with the previous release held up against the new "
        f"one. Ontology: {versions[0]} → {versions[1]}.</p>",
        "<h2>Summary per aspect</h2>",
        SUMMARY_TEXT,
        *_summary_section(report),
    ]
    for heading, text, frame_of, empty in SECTIONS:
        parts += [f"<h2>{heading}</h2>", text]
        if frame_of is not None:
            parts.append(_table(frame_of(report), max_rows, empty))
            continue
        for aspect in report.aspects:  # the newly labeled genes, aspect by aspect
            parts.append(f"<h3>{escape(_aspect_label(aspect))}</h3>")
            frame = report.newly_labeled[report.newly_labeled["aspect"] == aspect]
            parts.append(_table(frame, max_rows, empty))
    return page(TITLE, parts)


def _summary_section(report: ChangeReport) -> list[str]:
    """The summary table, one column per aspect, and a note for each aspect where the
    predictions could not be scored or precision is undefined."""
    values = report.summary["aspects"]
    rows = [
        (label, [_number(values[aspect].get(key)) for aspect in report.aspects])
        for key, label in SUMMARY_ROWS
    ]
    parts = [grid(["", *map(_aspect_label, report.aspects)], rows)]
    for aspect in report.aspects:
        label = escape(_aspect_label(aspect))
        if not values[aspect]["newly_labeled_genes"]:
            parts.append(
                f"<p class='none'>{label}: no newly labeled genes, "
                "so the earlier predictions cannot be scored in this aspect.</p>"
            )
        elif values[aspect]["precision"] is None:
            parts.append(
                f"<p class='none'>{label}: no newly labeled gene "
                "had a prediction at the threshold, so precision is undefined.</p>"
            )
    return parts


def _split_metrics(report: ChangeReport) -> pd.DataFrame:
    split = report.metrics[report.metrics["targets"] != "all"]
    return split.assign(aspect=split["aspect"].map(_aspect_label))


SUMMARY_TEXT = (
    "<p>A gene is <em>newly labeled</em> in an aspect when it had no label there in the "
    "previous release and has one now: a time-split benchmark, scored as in CAFA. A "
    "prediction counts as made when its score reaches the aspect's exported threshold. "
    "Precision is averaged over the newly labeled genes with a prediction at the threshold, "
    "recall over all of them; predictions are propagated to their ancestors and the roots "
    "are not scored. Fmax is the best F over the thresholds 0.01 … 0.99 and tells how good "
    "the ranking was. – marks a value that is undefined.</p>"
)
# The sections of the page after the summary: heading, text, the table (None: the newly
# labeled genes, one table per aspect) and what to say when it is empty.
SECTIONS = [
    (
        "By CAFA target kind",
        "<p>No-knowledge genes had no label in any aspect before; limited-knowledge genes had "
        "labels in other aspects. Shown for the aspects where both kinds have genes.</p>",
        _split_metrics,
        "No aspect has genes of both kinds.",
    ),
    (
        "Confirmed predictions",
        "<p>Earlier predictions at or above the threshold, for newly labeled genes, whose term "
        "is among the gene's new terms (with their ancestors; roots excluded). The full table "
        "is confirmed.tsv.</p>",
        lambda report: report.confirmed,
        "No confirmed predictions.",
    ),
    (
        "Newly labeled genes",
        "<p>Each newly labeled gene with its new terms, the earlier score of each term (empty "
        "if it was not predicted) and whether that score reached the threshold. The full table "
        "is newly_labeled.tsv.</p>",
        None,
        "No newly labeled genes.",
    ),
    (
        "Ontology changes",
        "<p>Terms added (current now, not before), made obsolete (replaced_by where the "
        "ontology gives one), merged into another term (now its alt_id) or removed. The full "
        "table is terms_changed.tsv.</p>",
        lambda report: report.terms_changed,
        "No terms changed.",
    ),
    (
        "Earlier predictions of obsolete terms",
        "<p>Drop these predictions, or remap them to replaced_by: merged terms map to their "
        "new primary ID, obsolete terms only where the ontology names a replacement. The full "
        "table is obsolete_predictions.tsv.</p>",
        lambda report: report.obsolete_predictions,
        "No prediction has an obsolete term.",
    ),
]
