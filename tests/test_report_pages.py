"""The report's per-gene page of top predictions, its filter script, and the labels and
captions of every result the Snakemake report shows."""

import json
import math
import re
import shutil
import subprocess

import pandas as pd
import pytest
from conftest import ROOT

from gocotrain.evaluation.figures import top_predictions_html
from gocotrain.evaluation.pages import FILTER_SCRIPT, FILTER_SHOWN_GROUPS

THRESHOLD_COLUMNS = ["aspect", "threshold", "expected_precision", "expected_recall", "chosen_on"]
MODEL, TRANSFER = "two-view model", "homology transfer"


def prediction(gene, aspect, term, score, source=MODEL, name=None):
    return {
        "gene_id": gene,
        "symbol": f"SYM-{gene}",
        "protein_name": f"protein of {gene}",
        "aspect": aspect,
        "go_id": term,
        "go_name": name or f"name of {term}",
        "score": score,
        "score_sequence": score,
        "score_expression": math.nan if source == TRANSFER else score,
        "source": source,
    }


def small_predictions() -> tuple[pd.DataFrame, pd.DataFrame]:
    """G1: five process terms above the process threshold (0.3), one below; one function
    term by homology. G2: one process term. G3: only terms below their thresholds. C: no
    threshold at all."""
    rows = [
        prediction("G1", "P", "GO:0000001", 0.90),
        prediction("G1", "P", "GO:0000002", 0.80, TRANSFER, name="a <b> & c"),
        prediction("G1", "P", "GO:0000003", 0.70),
        prediction("G1", "P", "GO:0000004", 0.35),
        prediction("G1", "P", "GO:0000005", 0.31),
        prediction("G1", "P", "GO:0000006", 0.29),
        prediction("G1", "F", "GO:0000010", 0.55, TRANSFER),
        prediction("G1", "C", "GO:0000020", 0.99),
        prediction("G2", "P", "GO:0000007", 0.40),
        prediction("G3", "P", "GO:0000008", 0.10),
        prediction("G3", "F", "GO:0000011", 0.45),
    ]
    thresholds = pd.DataFrame(
        [
            ("P", 0.3, 0.61, 0.4, "co-training Fmax on 200 held-out genes"),
            ("F", 0.5, math.nan, math.nan, "fixed"),
        ],
        columns=THRESHOLD_COLUMNS,
    )
    return pd.DataFrame(rows), thresholds


def gene_groups(page: str) -> dict[str, list[str]]:
    """Each gene's GO IDs in the table, in order: one <tbody> per gene, its ID first."""
    table = page[page.index("<table id='top-predictions'") :]
    groups = re.findall(r"<tbody>(.*?)</tbody>", table, flags=re.S)
    return {
        re.search(r"<td[^>]*>([^<]*)</td>", group).group(1): re.findall(r"<td>(GO:\d+)</td>", group)
        for group in groups
    }


def test_page_lists_the_top_terms_above_the_threshold_per_gene_and_aspect(tmp_path):
    specific, thresholds = small_predictions()
    top_predictions_html(specific, thresholds, 3, tmp_path / "page.html", release="2022-09")
    page = (tmp_path / "page.html").read_text()
    # Process: the three best of G1's five above 0.3, by score; then its function term. The
    # term below the threshold, the component term (no threshold) and G3 are left out.
    assert gene_groups(page) == {
        "G1": ["GO:0000001", "GO:0000002", "GO:0000003", "GO:0000010"],
        "G2": ["GO:0000007"],
    }
    assert "5 of the 7 predictions at or above" in page.replace("\n", " ")
    assert "<tbody><tr><td rowspan=4>G1</td><td rowspan=4>SYM-G1</td>" in page
    assert "<td rowspan=4>protein of G1</td>" in page and "<td>name of GO:0000001</td>" in page
    assert "<td>a &lt;b&gt; &amp; c</td>" in page and "a <b> & c" not in page
    assert "<td>0.900</td><td>two-view model</td>" in page
    assert "<td>0.800</td><td>homology transfer</td>" in page
    assert "Top predictions per gene, release 2022-09" in page


def test_each_aspect_cell_states_its_threshold_and_expected_precision(tmp_path):
    specific, thresholds = small_predictions()
    top_predictions_html(specific, thresholds, 5, tmp_path / "page.html")
    page = (tmp_path / "page.html").read_text()
    # The gene spans its six rows (five process terms, one function term); each aspect
    # its own, with the note drawn under its name by the style.
    assert "<tbody><tr><td rowspan=6>G1</td>" in page
    assert "<td rowspan=5><span class=aspect0>Biological process</span></td>" in page
    assert "<td rowspan=1><span class=aspect1>Molecular function</span></td>" in page
    assert '.aspect0::after { content: "threshold 0.3, expected precision 0.61"; }' in page
    assert '.aspect1::after { content: "threshold 0.5, expected precision not measured"; }' in page
    # The thresholds table above the genes.
    assert "<th>Biological process</th><td>0.3</td><td>0.61</td><td>0.40</td>" in page


def test_page_has_the_filter_box_and_its_script_and_loads_nothing(tmp_path):
    specific, thresholds = small_predictions()
    top_predictions_html(specific, thresholds, 5, tmp_path / "page.html")
    page = (tmp_path / "page.html").read_text()
    assert "<input class='filter' type='search' data-table='top-predictions'" in page
    assert f"data-limit='{FILTER_SHOWN_GROUPS}'" in page
    assert "<span class='note' id='top-predictions-count'>2 genes</span>" in page
    assert "<table id='top-predictions' class='filtered loading'>" in page
    assert page.count("<script>") == 1 and f"<script>{FILTER_SCRIPT}</script>" in page
    # Offline: nothing fetched from elsewhere.
    assert not re.search(r"(src|href)=|https?://|@import", page)


def test_nothing_above_the_thresholds_says_so(tmp_path):
    specific, thresholds = small_predictions()
    top_predictions_html(specific, thresholds.assign(threshold=0.995), 5, tmp_path / "page.html")
    page = (tmp_path / "page.html").read_text()
    assert "No gene has a term at or above its aspect's threshold." in page
    assert "<table id='top-predictions'" not in page and "<script>" not in page


# The page as the filter script sees it, for node: row groups (cell texts) and the queries
# to type in, as JSON on stdin; what each query shows and the count line, as JSON out.
FAKE_DOCUMENT = r"""
const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
const listeners = [];
const groups = input.groups.map((cells) => ({
  hidden: false,
  querySelectorAll: () => cells.map((text) => ({ textContent: text })),
}));
const table = { tBodies: groups, classList: { remove: (name) => { table.removed = name; } } };
const count = { textContent: "" };
const box = {
  value: "",
  dataset: { table: "t", count: "c", limit: String(input.limit), noun: "genes" },
  addEventListener: (kind, listener) => listeners.push(listener),
};
global.document = {
  querySelectorAll: () => [box],
  getElementById: (id) => ({ t: table, c: count })[id],
};
SCRIPT
const results = [];
for (const query of input.queries) {
  box.value = query;
  listeners.forEach((listener) => listener());
  results.push({ shown: groups.map((group) => !group.hidden), count: count.textContent });
}
console.log(JSON.stringify({ results, removed: table.removed }));
"""


def run_filter(groups: list[list[str]], queries: list[str], limit: int) -> dict:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    program = FAKE_DOCUMENT.replace("SCRIPT", FILTER_SCRIPT)
    result = subprocess.run(
        [node, "-e", program],
        input=json.dumps({"groups": groups, "queries": queries, "limit": limit}),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_filter_script_keeps_genes_with_every_word_and_shows_the_first_few():
    groups = [
        ["G1", "ABC1", "Biological process", "GO:1", "muscle contraction", "two-view model"],
        ["G2", "XYZ", "Molecular function", "GO:2", "protein binding", "homology transfer"],
        ["G3", "ABC3", "Biological process", "GO:3", "muscle growth", "two-view model"],
    ]
    queries = ["", "MUSCLE", "muscle  two-view abc3", "homology", "contractiontwo-view", "nothing"]
    found = run_filter(groups, queries, limit=2)
    assert found["removed"] == "loading"
    shown = [result["shown"] for result in found["results"]]
    assert shown == [
        [True, True, False],  # everything matches; only the first two are shown
        [True, False, True],
        [False, False, True],
        [False, True, False],
        [False, False, False],  # words never match across two cells
        [False, False, False],
    ]
    counts = [result["count"] for result in found["results"]]
    assert counts[0] == "3 genes; the first 2 shown"
    assert counts[1:3] == ["2 of 3 genes match", "1 of 3 genes match"]
    assert counts[-1] == "0 of 3 genes match"


def report_calls(text: str) -> list[str]:
    """The argument text of each `report(...)` call, parentheses balanced."""
    calls = []
    for match in re.finditer(r"(?<![\w.])report\(", text):
        depth, end = 1, match.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            end += 1
        calls.append(text[match.end() : end - 1])
    return calls


def test_every_report_result_has_labels_and_a_caption():
    checked = 0
    for rules in [ROOT / "Snakefile", *sorted((ROOT / "workflow" / "rules").glob("*.smk"))]:
        for call in report_calls(rules.read_text()):
            assert re.search(r"\blabels=\{", call), f"{rules.name}: report({call}) has no labels"
            caption = re.search(r'caption="([^"]+)"', call)
            assert caption, f"{rules.name}: report({call}) has no caption"
            assert (rules.parent / caption.group(1)).resolve().is_file(), caption.group(1)
            checked += 1
    assert checked >= 10


def test_report_calls_are_found_whole():
    text = 'x=report(\n  f"a/{b}.png",\n  caption="c.rst",\n  labels={"k": f("v")},\n),\n'
    assert report_calls(text) == [
        '\n  f"a/{b}.png",\n  caption="c.rst",\n  labels={"k": f("v")},\n'
    ]
    assert report_calls('report: "workflow.rst"\nreporter(1)\nsnakemake.report(2)') == []
