"""The report's page of each gene's top predictions (`render_html`): the rows of
predictions.most_specific.tsv at or above their aspect's threshold, the highest per gene and
aspect (`top_predictions`), in a table a text box filters by gene.
"""

from __future__ import annotations

import json

import pandas as pd

from gocotrain.evaluation.pages import (
    ASPECT_TITLES,
    escape,
    filter_box,
    filter_script,
    filterable_table,
    grid,
    page,
)
from gocotrain.export.predictions import SCORE_EXPLANATION
from gocotrain.inputs.ontology import in_aspect_order

PREDICTIONS_TABLE_ID = "top-predictions"
PREDICTIONS_HEADER = (
    "gene ID",
    "symbol",
    "protein name",
    "aspect (threshold, expected precision)",
    "GO term",
    "name",
    "score",
    "source",
)
# The header row stays in view while scrolling (sticky), so the table is not put in a
# sideways-scrolling box, which would hold it: the table fills the frame and wraps the names,
# term IDs, scores and sources on one line. Separate borders: Chromium drops some collapsed
# borders of sticky header cells.
PREDICTIONS_STYLE = f"""
#{PREDICTIONS_TABLE_ID} {{ width: 100%; border-collapse: separate; border-spacing: 0;
  border-top: 1px solid #ccc; border-left: 1px solid #ccc; }}
#{PREDICTIONS_TABLE_ID} th, #{PREDICTIONS_TABLE_ID} td {{ border-width: 0 1px 1px 0; }}
#{PREDICTIONS_TABLE_ID} thead th {{ position: sticky; top: 0; }}
#{PREDICTIONS_TABLE_ID} td:nth-last-child(2) {{ text-align: right; }}
#{PREDICTIONS_TABLE_ID} td:nth-last-child(-n+4) {{ white-space: nowrap; }}
#{PREDICTIONS_TABLE_ID} td:nth-last-child(3) {{ white-space: normal; }}
#{PREDICTIONS_TABLE_ID} span[class^=aspect]::after {{ display: block; color: #555;
  font-size: 0.85em; }}
"""


def _threshold_of_rows(rows: pd.DataFrame, thresholds: pd.DataFrame) -> pd.Series:
    """Each row's aspect threshold; NaN (no row passes) for an aspect without one."""
    cut = dict(zip(thresholds["aspect"], thresholds["threshold"].astype(float), strict=True))
    return rows["aspect"].map(cut)


def top_predictions(specific: pd.DataFrame, thresholds: pd.DataFrame, top_n: int) -> pd.DataFrame:
    """The `top_n` highest-scoring rows per gene and aspect that score at least the aspect's
    threshold, by gene, aspect (P, F, C), score (highest first) and term.

    `specific` is predictions.most_specific.tsv, already cut at the thresholds of its run;
    the cut is made again because the page states each row's threshold beside it, and an
    aspect missing from `thresholds` shows nothing.
    """
    kept = specific[specific["score"] >= _threshold_of_rows(specific, thresholds)]
    rank = {aspect: index for index, aspect in enumerate(in_aspect_order(set(kept["aspect"])))}
    kept = kept.assign(aspect_rank=kept["aspect"].map(rank)).sort_values(
        ["gene_id", "aspect_rank", "score", "go_id"],
        ascending=[True, True, False, True],
        kind="mergesort",
    )
    top = kept.groupby(["gene_id", "aspect"], sort=False).head(top_n)
    return top.drop(columns="aspect_rank").reset_index(drop=True)


def _measured(value) -> str:
    return "not measured" if pd.isna(value) else f"{value:.2f}"


def _spanning_cells(text: pd.Series, span: pd.Series) -> pd.Series:
    return "<td rowspan=" + span.astype(str) + ">" + text + "</td>"


def _prediction_rows(top: pd.DataFrame, aspect_cells: dict[str, str]) -> pd.Series:
    """One <tr> per row of `top` (sorted by gene), one <tbody> per gene. A gene's first row
    holds its ID, symbol and name, and each aspect's first row the aspect cell (HTML, from
    `aspect_cells`), spanning the rows below: the table names each gene once, and a filter
    keeps or hides a gene's rows together, built column by column."""
    # Column-wise string operations rather than a loop over rows: a proteome has 10^5 rows.
    text = {
        column: top[column].fillna("").astype(str).map(escape)
        for column in ("gene_id", "symbol", "protein_name", "go_id", "go_name", "source")
    }
    gene = top["gene_id"]
    gene_span = gene.map(gene.value_counts())
    gene_cells = "<tbody><tr>" + (
        _spanning_cells(text["gene_id"], gene_span)
        + _spanning_cells(text["symbol"], gene_span)
        + _spanning_cells(text["protein_name"], gene_span)
    )
    aspect_span = top.groupby(["gene_id", "aspect"])["gene_id"].transform("size")
    aspect_html = top["aspect"].map(lambda aspect: aspect_cells.get(aspect, escape(aspect)))
    first_of_aspect = ~top.duplicated(["gene_id", "aspect"])
    score = top["score"].map("{:.3f}".format)
    term_cells = (
        "<td>" + text["go_id"] + "</td><td>" + text["go_name"] + "</td>"
        "<td>" + score + "</td><td>" + text["source"] + "</td>"
    )
    start = gene_cells.where(~gene.duplicated(), "<tr>")
    aspect = _spanning_cells(aspect_html, aspect_span).where(first_of_aspect, "")
    end = pd.Series("</tr>", index=top.index).where(gene.duplicated(keep="last"), "</tr></tbody>")
    return start + aspect + term_cells + end


def _aspect_cells(thresholds: pd.DataFrame) -> tuple[dict[str, str], str]:
    """Each aspect's cell (HTML), and the style (CSS) that writes its threshold and expected
    precision under its name: once in the style rather than in each of the page's aspect
    cells, where they would be a fifth of a proteome's page."""
    cells, style = {}, []
    for index, row in enumerate(thresholds.itertuples(index=False)):
        title = escape(ASPECT_TITLES.get(row.aspect, row.aspect))
        cells[row.aspect] = f"<span class=aspect{index}>{title}</span>"
        note = (
            f"threshold {row.threshold:g}, expected precision {_measured(row.expected_precision)}"
        )
        style.append(f".aspect{index}::after {{ content: {json.dumps(note)}; }}")
    return cells, "\n".join(style)


def _predictions_table(top: pd.DataFrame, aspect_cells: dict[str, str]) -> str:
    """The filter box and the table of `top`, or a line saying it is empty."""
    if top.empty:
        return "<p class='none'>No gene has a term at or above its aspect's threshold.</p>"
    rows = _prediction_rows(top, aspect_cells)
    hint = "Filter: gene, symbol, protein, GO term, name or source"
    return "\n".join(
        [
            filter_box(PREDICTIONS_TABLE_ID, "genes", top["gene_id"].nunique(), hint),
            filterable_table(PREDICTIONS_TABLE_ID, PREDICTIONS_HEADER, rows),
            filter_script(),
        ]
    )


def render_html(
    specific: pd.DataFrame, thresholds: pd.DataFrame, top_n: int, release: str | None = None
) -> str:
    """A searchable page of each gene's top predictions: `top_predictions` of the most
    specific rows (predictions.most_specific.tsv) with the thresholds.tsv of the same run.

    One row per term with its name, score and source; the gene and the aspect, with its
    threshold and the precision expected there, span their rows. A text box filters genes.
    The page grows with the genes, at most `top_n` terms per gene and aspect.
    """
    top = top_predictions(specific, thresholds, top_n)
    aspect_cells, aspect_style = _aspect_cells(thresholds)
    above = int((specific["score"] >= _threshold_of_rows(specific, thresholds)).sum())
    threshold_rows = [
        (
            ASPECT_TITLES.get(row.aspect, row.aspect),
            [
                escape(f"{row.threshold:g}"),
                _measured(row.expected_precision),
                _measured(row.expected_recall),
                escape(row.chosen_on),
            ],
        )
        for row in thresholds.itertuples(index=False)
    ]
    title = "Top predictions per gene" + (f", release {release}" if release else "")
    parts = [
        f"<h2>{escape(title)}</h2>",
        f"<p>The {top_n} highest-scoring most specific GO terms per gene and aspect: "
        f"{len(top)} of the {above} predictions at or above their aspect's threshold, for "
        f"{top['gene_id'].nunique()} genes. All of them are in predictions.most_specific.tsv "
        "and predictions.summary.xlsx, every score in predictions.tsv.</p>",
        f"<p class='note'>{escape(SCORE_EXPLANATION)}</p>",
        grid(
            ["aspect", "threshold", "expected precision", "expected recall", "chosen on"],
            threshold_rows,
        ),
        _predictions_table(top, aspect_cells),
    ]
    return page(title, parts, style=PREDICTIONS_STYLE + aspect_style)
