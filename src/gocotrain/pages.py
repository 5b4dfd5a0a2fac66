"""The project's hand-built HTML pages: one stylesheet, one page frame, the table helpers.

Used by the what-changed report (`changes.render_html`) and the tables of the Snakemake report
(`figures.metrics_html`, `figures.data_summary_html`). A page is self-contained: inline style,
no scripts, no external assets. Text goes in through `escape` (html.escape), or is escaped by
the helper that takes it, as each docstring says.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import pandas as pd

STYLE = """
body { font-family: sans-serif; margin: 2em; max-width: 70em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: left; }
th { background: #eee; }
table.numbers td, table.numbers th + th { text-align: right; }
.none { color: #a33; font-style: italic; }
.note { color: #555; font-size: 0.85em; }
"""


def escape(value) -> str:
    """Any value as HTML text."""
    return html.escape(str(value))


def page(title: str, parts: Iterable[str]) -> str:
    """A whole page: `title` is text, `parts` are HTML, one line each in the body."""
    head = [
        "<!DOCTYPE html>",
        "<html lang='en'><head><meta charset='utf-8'>",
        f"<title>{escape(title)}</title>",
        f"<style>{STYLE}</style></head><body>",
    ]
    return "\n".join([*head, *parts, "</body></html>"]) + "\n"


def grid(
    header: Iterable[str] | None,
    rows: Iterable[tuple[str, Iterable[str]]],
    numbers: bool = False,
) -> str:
    """A table with a label column. `header` (text, or None for no header row) names the
    columns, the label column first; each row is (label as text, cells as HTML). With
    `numbers`, the cells after the label are right-aligned."""
    parts = ["<table class='numbers'>" if numbers else "<table>"]
    if header is not None:
        parts.append("<tr>" + "".join(f"<th>{escape(name)}</th>" for name in header) + "</tr>")
    for label, cells in rows:
        parts.append(f"<tr><th>{escape(label)}</th>" + "".join(f"<td>{c}</td>" for c in cells))
        parts.append("</tr>")
    parts.append("</table>")
    return "".join(parts)


def table(frame: pd.DataFrame, empty: str, max_rows: int | None = None, rest: str = "") -> str:
    """A data frame as a table (text escaped by pandas, floats to 4 places, NaN empty), or the
    text `empty` if it has no rows. Beyond `max_rows` rows a note says where `rest` are."""
    if frame.empty:
        return f"<p class='none'>{escape(empty)}</p>"
    note = ""
    if max_rows is not None and len(frame) > max_rows:
        frame, total = frame.head(max_rows), len(frame)
        note = f"<p class='note'>First {max_rows} of {total} rows; {rest}.</p>"
    body = frame.to_html(index=False, na_rep="", float_format=lambda x: f"{x:.4f}", border=0)
    return body + note
