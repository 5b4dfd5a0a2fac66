"""The project's hand-built HTML pages: one stylesheet, one page frame, the table helpers, and
the titles and order the report gives GO's namespaces (in its pages and figures alike).

Used by the what-changed report (`changes_page.render_html`) and the pages of the Snakemake
report (`comparison_page.render_html`, `predictions_page.render_html`,
`figures.data_summary_html`). A page is self-contained: inline style, no external assets, and
no script but the few inline lines of `filter_script`, so that a report works offline, as one
file or as a zip. Text goes in through `escape` (html.escape), or is escaped by the helper that
takes it, as each docstring says.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import pandas as pd

from gocotrain.inputs.ontology import ASPECT_NAMES

# The titles the report's pages and figures give GO's namespaces, in the order they show them.
NAMESPACE_TITLES = {
    "biological_process": "Biological process",
    "molecular_function": "Molecular function",
    "cellular_component": "Cellular component",
}
ASPECT_TITLES = {code: NAMESPACE_TITLES[name] for code, name in ASPECT_NAMES.items()}


def namespace_order(names) -> list[str]:
    """The distinct `names` in NAMESPACE_TITLES' order, any other namespace after them, sorted."""
    present = set(names)
    return [name for name in NAMESPACE_TITLES if name in present] + sorted(
        present - set(NAMESPACE_TITLES)
    )


# The report shows a page in a frame beside its sidebar: about 900 px wide in a 1,400 px
# window. Wide tables scroll inside their own box (.wide) rather than past the frame's edge.
STYLE = """
body { font-family: sans-serif; margin: 1.5em; max-width: 70em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: left; vertical-align: top; }
th { background: #eee; }
table.numbers td, table.numbers th + th { text-align: right; }
.wide { overflow-x: auto; max-width: 100%; }
.none { color: #a33; font-style: italic; }
.note { color: #555; font-size: 0.85em; }
input.filter { font-size: 1em; padding: 0.3em 0.5em; width: 28em; max-width: 90%; }
"""

# Headless Chromium took 30 to 60 s (on 2 busy cores) to show a page of 20,000 genes' top
# predictions, 136,000 rows, and 4 s with only the first hundred genes laid out: a filterable
# table shows at most this many row groups at a time.
FILTER_SHOWN_GROUPS = 100
# Until the script has run, only the first groups are laid out.
STYLE += (
    f"table.filtered.loading > tbody:nth-of-type(n+{FILTER_SHOWN_GROUPS + 1}) "
    "{ display: none; }\n"
)

# Shows the first row groups (<tbody>) of the box's table that hold every typed word
# (case-insensitive) and counts the matches. A group is a gene's rows: a word found in any of
# them keeps them all. Cell texts are joined with a tab: a word never matches across cells.
FILTER_SCRIPT = r"""
for (const box of document.querySelectorAll("input.filter")) {
  const table = document.getElementById(box.dataset.table);
  const count = document.getElementById(box.dataset.count);
  const limit = Number(box.dataset.limit);
  const noun = box.dataset.noun;
  const cellsText = (group) =>
    Array.from(group.querySelectorAll("th, td"), (cell) => cell.textContent).join("\t");
  const groups = Array.from(table.tBodies, (group) => [group, cellsText(group).toLowerCase()]);
  const show = () => {
    const words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
    let matched = 0;
    for (const [group, text] of groups) {
      const match = words.every((word) => text.includes(word));
      group.hidden = !match || matched >= limit;
      matched += match ? 1 : 0;
    }
    const found = words.length
      ? `${matched} of ${groups.length} ${noun} match`
      : `${matched} ${noun}`;
    count.textContent = matched > limit ? `${found}; the first ${limit} shown` : found;
  };
  box.addEventListener("input", show);
  show();
  table.classList.remove("loading");
}
"""


def escape(value) -> str:
    """Any value as HTML text."""
    return html.escape(str(value))


def page(title: str, parts: Iterable[str], style: str = "") -> str:
    """A whole page: `title` is text, `parts` are HTML, one line each in the body; `style`
    (CSS) adds to the shared STYLE."""
    head = [
        "<!DOCTYPE html>",
        "<html lang='en'><head><meta charset='utf-8'>",
        f"<title>{escape(title)}</title>",
        f"<style>{STYLE}{style}</style></head><body>",
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


def filterable_table(table_id: str, header: Iterable[str], body: Iterable[str]) -> str:
    """A table for `filter_box`: `header` names the columns (text); `body` is HTML lines that
    make <tbody> elements, each a group of rows the filter shows or hides whole."""
    head = "".join(f"<th>{escape(name)}</th>" for name in header)
    return "\n".join(
        [
            f"<table id='{escape(table_id)}' class='filtered loading'>",
            f"<thead><tr>{head}</tr></thead>",
            *body,
            "</table>",
        ]
    )


def filter_box(table_id: str, noun: str, total: int, hint: str) -> str:
    """A text box that filters the row groups of the `filterable_table` `table_id` and counts
    the `noun` that match; `hint` (text) says what to type. The page needs `filter_script()`
    after the table, where the elements it looks up exist."""
    names = f"data-table='{escape(table_id)}' data-count='{escape(table_id)}-count'"
    box = (
        f"<input class='filter' type='search' {names} data-noun='{escape(noun)}' "
        f"data-limit='{FILTER_SHOWN_GROUPS}' placeholder='{escape(hint)}' "
        f"aria-label='{escape(hint)}'>"
    )
    shown = f"; the first {FILTER_SHOWN_GROUPS} shown" if total > FILTER_SHOWN_GROUPS else ""
    count = f"<span class='note' id='{escape(table_id)}-count'>{total} {escape(noun)}{shown}</span>"
    return f"<p>{box} {count}</p>"


def filter_script() -> str:
    """The script of every `filter_box` of the page."""
    return f"<script>{FILTER_SCRIPT}</script>"


def wide(html_table: str) -> str:
    """A table that scrolls sideways inside its own box when the window is too narrow."""
    return f"<div class='wide'>{html_table}</div>"
