"""What changed with a new GO annotation release: how the earlier predictions held up.

A user who exported predictions with one annotation release reruns the tool on the next one.
Between the two, some genes that were unlabeled in an aspect gained labels there: that is a
CAFA time split done for free, and the earlier predictions for those genes can be scored
against their new labels. `what_changed` does so with the project's own evaluation code
(`splits.time_split_targets` for the targets, `metrics.evaluate` and
`metrics.precision_recall_curve` for the metrics, applied per aspect in `changes_scoring`), and
lists the ontology changes that touch the predictions: terms that appeared, terms that became
obsolete, were merged or removed, and earlier predictions of such terms, which users must drop
or remap. `write_change_report` writes the result as TSV tables, a JSON summary and a
self-contained HTML page (`changes_page`).

Definitions, per aspect (P, F, C):

* Newly labeled genes: labeled in the aspect in the new labels, not in the previous ones. Their
  truth is their new terms, resolved through the new ontology (alt_ids become primary IDs,
  obsolete and unknown terms are dropped), propagated over is_a/part_of, roots left out, as in
  `metrics`. They are the union of `time_split_targets`' no_knowledge, limited_knowledge and
  (molecular function only) protein-binding-only genes.
* Predicted: an earlier prediction scoring at or above the aspect's exported threshold.
* Confirmed: a predicted row of the exported table, for a newly labeled gene, whose term
  (resolved through the new ontology) is among the gene's new terms.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from gocotrain.evaluation.changes_page import render_html
from gocotrain.evaluation.changes_scoring import (
    CONFIRMED_COLUMNS,
    METRIC_KEYS,
    NEWLY_LABELED_COLUMNS,
    aspect_result,
)
from gocotrain.inputs.annotations import Annotations, build_labels
from gocotrain.inputs.ontology import Ontology, aspect_sort_key
from gocotrain.textio import atomic_write

PREDICTION_INPUT_COLUMNS = ["gene_id", "aspect", "go_id", "go_name", "score"]
TERMS_CHANGED_COLUMNS = ["go_id", "aspect", "go_name", "change", "replaced_by", "replaced_by_name"]
OBSOLETE_PREDICTION_COLUMNS = [
    "gene_id",
    "aspect",
    "go_id",
    "go_name",
    "score",
    "status",
    "replaced_by",
    "replaced_by_name",
]
OUTPUT_FILES = {
    "summary": "summary.json",
    "confirmed": "confirmed.tsv",
    "newly_labeled": "newly_labeled.tsv",
    "terms_changed": "terms_changed.tsv",
    "obsolete_predictions": "obsolete_predictions.tsv",
    "html": "report.html",
}
# How a term that is not current in the new ontology is reported, by Ontology.resolve status.
STATUS_CHANGE = {"alt_id": "merged", "obsolete": "obsolete", "unknown": "removed"}


@dataclass
class ChangeReport:
    """The tables and the summary of `what_changed`.

    * newly_labeled: NEWLY_LABELED_COLUMNS, one row per newly labeled gene, aspect and new
      term; predicted_score is the earlier score of that term (NaN if none), was_predicted
      whether it reached the threshold, targets the CAFA target kind of the gene.
    * confirmed: CONFIRMED_COLUMNS, the confirmed predictions.
    * terms_changed: TERMS_CHANGED_COLUMNS; change is "added" (current in the new ontology, not
      in the previous one), "obsolete" (marked obsolete now), "merged" (now an alt_id of
      replaced_by) or "removed" (gone from the new ontology).
    * obsolete_predictions: OBSOLETE_PREDICTION_COLUMNS, earlier predictions (all genes, all
      scores) whose term is not current in the new ontology; status as `change` above.
    * metrics: one row per aspect and target kind ("all", and no_knowledge/limited_knowledge
      where both have genes) with the METRIC_KEYS, n_genes and threshold.
    * summary: JSON-serialisable counts and metrics per aspect and totals (see `_summary`).
    """

    aspects: list[str]
    thresholds: dict[str, float]
    newly_labeled: pd.DataFrame
    confirmed: pd.DataFrame
    terms_changed: pd.DataFrame
    obsolete_predictions: pd.DataFrame
    metrics: pd.DataFrame
    summary: dict = field(default_factory=dict)


# ----------------------------------------------------------------------------------------
# Inputs


def _predictions(table: pd.DataFrame | None, ontology: Ontology) -> pd.DataFrame:
    """The earlier predictions with the input columns, one row per gene, aspect and term."""
    if table is None or table.empty:
        return pd.DataFrame(
            {
                column: pd.Series(dtype=float if column == "score" else object)
                for column in PREDICTION_INPUT_COLUMNS
            }
        )
    missing = {"gene_id", "aspect", "go_id", "score"} - set(table.columns)
    if missing:
        raise ValueError(f"the previous predictions lack the column(s) {sorted(missing)}")
    table = table.copy()
    if "go_name" not in table:
        table["go_name"] = table["go_id"].map(ontology.names)
    table = table[PREDICTION_INPUT_COLUMNS].astype(
        {"gene_id": str, "aspect": str, "go_id": str, "score": float}
    )
    # A term given twice for a gene keeps its highest score, as metrics.read_predictions.
    table = table.sort_values("score", ascending=False, kind="mergesort")
    table = table.drop_duplicates(["gene_id", "aspect", "go_id"], ignore_index=True)
    return table.sort_values(["aspect", "gene_id", "go_id"], ignore_index=True)


def normalise_labels(labels: pd.DataFrame, ontology: Ontology) -> pd.DataFrame:
    """Labels (gene_id, go_id; other columns ignored) in the terms of `ontology`, made by
    `annotations.build_labels` as for results/labels/labels.tsv: alt_ids mapped to primary
    IDs, obsolete and unknown terms dropped, propagated over is_a/part_of, roots left out, the
    aspect that of each gene's direct term. Labels made so already come back unchanged.

    The table is handed to `build_labels` as a plain gene/term table (so no evidence filter),
    with its own genes as the known genes (each matches itself) and every aspect of the
    ontology. An empty table gives an empty one; a table none of whose terms is current in
    `ontology` is an InputError there, as for an annotation file."""
    if labels.empty:
        return pd.DataFrame(columns=["gene_id", "aspect", "go_id"])
    table = labels[["gene_id", "go_id"]].assign(evidence="", negated=False)
    # The file_format of annotations._read_table, for which build_labels keeps every row.
    annotations = Annotations(table, "gene/term table", lines_read=len(table))
    genes = sorted(set(table["gene_id"]))
    aspects = sorted(set(ontology.aspects.values()))
    return build_labels(annotations, ontology, genes, [], aspects, path="the new labels").table


# ----------------------------------------------------------------------------------------
# Ontology changes


def terms_changed(previous: Ontology, new: Ontology) -> pd.DataFrame:
    """Terms current in `new` but not in `previous` (added), and terms current in `previous`
    that are obsolete, merged into another term (now an alt_id) or removed in `new`."""

    def current(ontology: Ontology, term: str) -> bool:
        return term in ontology.names and term not in ontology.obsolete

    rows = []
    for term in new.names:
        if current(new, term) and not current(previous, term):
            rows.append((term, new.aspects.get(term, ""), new.names[term], "added", "", ""))
    for term in previous.names:
        if not current(previous, term):
            continue
        primary, status = new.resolve(term)
        if status == "ok":
            continue
        change = STATUS_CHANGE[status]
        replaced = primary if status == "alt_id" else new.replaced_by.get(term, "")
        rows.append(
            (
                term,
                previous.aspects.get(term, ""),
                previous.names[term],
                change,
                replaced or "",
                new.names.get(replaced, "") if replaced else "",
            )
        )
    table = pd.DataFrame(rows, columns=TERMS_CHANGED_COLUMNS)
    order = {"added": 0, "obsolete": 1, "merged": 2, "removed": 3}
    return table.sort_values(
        ["change", "aspect", "go_id"],
        key=lambda column: column.map(order) if column.name == "change" else _sort_key(column),
        ignore_index=True,
    )


def _obsolete_predictions(predictions: pd.DataFrame, new: Ontology) -> pd.DataFrame:
    """Earlier predictions whose term is obsolete, merged (an alt_id) or gone in `new`."""
    status_of = {term: new.resolve(term) for term in predictions["go_id"].unique()}
    changed = {term: found for term, found in status_of.items() if found[1] != "ok"}
    table = predictions[predictions["go_id"].isin(set(changed))].copy()
    table["status"] = table["go_id"].map(lambda term: STATUS_CHANGE[changed[term][1]])
    table["replaced_by"] = [
        (changed[term][0] if changed[term][1] == "alt_id" else new.replaced_by.get(term)) or ""
        for term in table["go_id"]
    ]
    table["replaced_by_name"] = table["replaced_by"].map(lambda term: new.names.get(term, ""))
    table = table.sort_values(["aspect", "gene_id", "go_id"], key=_sort_key, ignore_index=True)
    return table.reindex(columns=OBSOLETE_PREDICTION_COLUMNS).astype({"score": float})


def _sort_key(column: pd.Series) -> pd.Series:
    if column.name == "aspect":
        return column.map(lambda aspect: aspect_sort_key(aspect)[0])
    return column


# ----------------------------------------------------------------------------------------
# The report


def what_changed(
    previous_predictions: pd.DataFrame | None,
    thresholds: Mapping[str, float] | None,
    previous_labels: pd.DataFrame,
    new_labels: pd.DataFrame,
    previous_ontology: Ontology,
    new_ontology: Ontology,
    default_threshold: float = 0.5,
    aspects: list[str] | None = None,
) -> ChangeReport:
    """How the predictions exported with the previous release held up in the new one.

    `previous_predictions` is the exported predictions table (gene_id, aspect, go_id, go_name,
    score; other columns ignored), `thresholds` the exported score threshold per aspect letter
    (`default_threshold` for an aspect not in it), the labels tables are as
    results/labels/labels.tsv (gene_id, aspect, go_id) of each release. The new labels are
    normalised with `normalise_labels` through `new_ontology` (so alt_ids and unpropagated
    tables are fine); the previous ones only tell which genes were labeled in which aspect.
    `aspects` defaults to those of the labels, the predictions and the thresholds.

    Precision and recall at the threshold and Fmax are computed by `score_at_threshold`, per
    aspect over all newly labeled genes, and over the no_knowledge and limited_knowledge
    targets of `time_split_targets` separately where both kinds have genes. They are
    computed with the project's evaluation code, which propagates the predictions to their
    ancestors: the exported table holds the modelled ancestors only, so evaluation may count
    more true (and false) positives than the rows of the confirmed table.
    """
    thresholds = _checked_thresholds(thresholds, default_threshold)
    predictions = _predictions(previous_predictions, previous_ontology)
    previous_labels = previous_labels[["gene_id", "aspect", "go_id"]].astype(str)
    truth_labels = normalise_labels(
        new_labels[["gene_id", "aspect", "go_id"]].astype(str), new_ontology
    )
    if aspects is None:
        found = [previous_labels["aspect"], truth_labels["aspect"], predictions["aspect"]]
        aspects = _found_aspects([*found, thresholds])
    used = {aspect: float(thresholds.get(aspect, default_threshold)) for aspect in aspects}
    results = {
        aspect: aspect_result(
            aspect, used[aspect], predictions, previous_labels, truth_labels, new_ontology
        )
        for aspect in aspects
    }
    report = ChangeReport(
        aspects=list(aspects),
        thresholds=used,
        newly_labeled=_concat([r.newly_labeled for r in results.values()], NEWLY_LABELED_COLUMNS),
        confirmed=_concat([r.confirmed for r in results.values()], CONFIRMED_COLUMNS),
        terms_changed=terms_changed(previous_ontology, new_ontology),
        obsolete_predictions=_obsolete_predictions(predictions, new_ontology),
        metrics=pd.DataFrame(
            [row for result in results.values() for row in result.metric_rows],
            columns=["aspect", "targets", "n_genes", "threshold", *METRIC_KEYS],
        ),
    )
    per_aspect = {aspect: result.summary for aspect, result in results.items()}
    report.summary = _summary(
        report, per_aspect, previous_ontology, new_ontology, default_threshold, len(predictions)
    )
    return report


def _checked_thresholds(thresholds: Mapping[str, float] | None, default: float) -> dict:
    thresholds = dict(thresholds or {})
    for aspect, value in [*thresholds.items(), ("default", default)]:
        if not 0 <= float(value) <= 1:
            raise ValueError(f"the threshold of {aspect} must be in [0, 1], not {value}")
    return thresholds


def _found_aspects(collections) -> list[str]:
    """The aspects named in any of `collections`, P, F, C first."""
    found = set().union(*map(set, collections))
    return sorted((aspect for aspect in found if aspect), key=aspect_sort_key)


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    frames = [frame for frame in frames if not frame.empty]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]


def _plain(value):
    """JSON-ready: numpy scalars to Python, floats rounded to 4 places, NaN to None."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return None if not math.isfinite(value) else round(float(value), 4)
    return value


def _summary(report, per_aspect, previous, new, default_threshold, n_predictions) -> dict:
    """Counts and metrics per aspect, totals of the counts over the aspects."""
    changed = report.terms_changed
    obsolete = report.obsolete_predictions
    for aspect, values in per_aspect.items():
        in_aspect = changed["aspect"] == aspect
        for change in ("added", "obsolete", "merged", "removed"):
            values[f"terms_{change}"] = int((in_aspect & (changed["change"] == change)).sum())
        mine = obsolete[obsolete["aspect"] == aspect]
        values["predictions_of_obsolete_or_removed_terms"] = int(
            mine["status"].isin(["obsolete", "removed"]).sum()
        )
        values["predictions_of_merged_terms"] = int((mine["status"] == "merged").sum())
    totals: dict[str, int] = {}
    for values in per_aspect.values():
        for key, value in values.items():
            if isinstance(value, int) and not isinstance(value, bool):
                totals[key] = totals.get(key, 0) + value
    totals["previous_predictions"] = n_predictions
    totals["predictions_of_obsolete_or_removed_terms"] = int(
        obsolete["status"].isin(["obsolete", "removed"]).sum()
    )
    totals["predictions_of_merged_terms"] = int((obsolete["status"] == "merged").sum())
    for change in ("added", "obsolete", "merged", "removed"):
        totals[f"terms_{change}"] = int((changed["change"] == change).sum())
    return _plain(
        {
            "previous_ontology_version": previous.data_version,
            "new_ontology_version": new.data_version,
            "default_threshold": default_threshold,
            "aspects": per_aspect,
            "totals": totals,
        }
    )


# ----------------------------------------------------------------------------------------
# Writing


def write_change_report(
    report: ChangeReport,
    out_dir: str | Path | None = None,
    *,
    summary: str | Path | None = None,
    confirmed: str | Path | None = None,
    newly_labeled: str | Path | None = None,
    terms_changed: str | Path | None = None,
    obsolete_predictions: str | Path | None = None,
    html: str | Path | None = None,
    max_html_rows: int = 500,
) -> dict[str, Path]:
    """Write summary.json, confirmed.tsv, newly_labeled.tsv, terms_changed.tsv,
    obsolete_predictions.tsv and report.html into `out_dir` (created if needed); a path given
    by keyword replaces that file's place. Every file is written atomically. HTML tables
    show at most `max_html_rows` rows each (the TSV files hold them all). Returns the paths."""
    given = {
        "summary": summary,
        "confirmed": confirmed,
        "newly_labeled": newly_labeled,
        "terms_changed": terms_changed,
        "obsolete_predictions": obsolete_predictions,
        "html": html,
    }
    paths: dict[str, Path] = {}
    for key, name in OUTPUT_FILES.items():
        if given[key] is not None:
            paths[key] = Path(given[key])
        elif out_dir is not None:
            paths[key] = Path(out_dir) / name
        else:
            raise ValueError(f"give out_dir or a path for {key}")
    for path in paths.values():
        path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(paths["summary"]) as handle:
        handle.write(json.dumps(report.summary, indent=2, allow_nan=False) + "\n")
    tables = {
        "confirmed": report.confirmed,
        "newly_labeled": report.newly_labeled,
        "terms_changed": report.terms_changed,
        "obsolete_predictions": report.obsolete_predictions,
    }
    for key, frame in tables.items():
        with atomic_write(paths[key]) as handle:
            frame.to_csv(handle, sep="\t", index=False, float_format="%.4f", na_rep="")
    with atomic_write(paths["html"]) as handle:
        handle.write(render_html(report, max_html_rows))
    return paths
