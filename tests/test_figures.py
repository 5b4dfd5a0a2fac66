"""The HTML tables of the Snakemake report, built on the shared page of gocotrain.pages."""

import math

import pandas as pd

from gocotrain.figures import data_summary_html, metrics_html
from gocotrain.pages import STYLE

METRIC_COLUMNS = ["fmax", "coverage", "wfmax", "smin", "aupr_macro", "auroc_macro", "aupr_micro"]


def metrics_table() -> pd.DataFrame:
    rows = []
    for i, method in enumerate(["naive", "cotraining", "a<b&c"]):
        values = dict.fromkeys(METRIC_COLUMNS, 0.1 * (i + 1))
        values["smin"] = math.nan if method == "naive" else 5.0 - i
        values["coverage"] = 1.0
        rows.append(
            {"targets": "all", "aspect": "biological_process", "method": method, "n_proteins": 7}
            | values
        )
    return pd.DataFrame(rows)


def test_metrics_table_marks_the_best_and_escapes(tmp_path):
    path = tmp_path / "metrics.html"
    metrics_html(metrics_table(), path)
    page = path.read_text()
    assert page.startswith("<!DOCTYPE html>") and STYLE in page and "<script" not in page
    assert "<h3>Biological process — all</h3>" in page
    assert "a&lt;b&amp;c" in page and "a<b&c" not in page
    # The highest value of each metric is bold, Smin the lowest; coverage never; NaN is –.
    assert page.count("<b>0.300</b>") == 5 and page.count("<b>3.000</b>") == 1
    assert "<b>1.000</b>" not in page and "<td>–</td>" in page


def test_data_summary_escapes_every_value(tmp_path):
    inputs = dict.fromkeys(
        [
            "genes_read",
            "genes_with_sequence",
            "genes_with_expression",
            "genes_sequence_only",
            "genes_with_homologs",
            "expression_rows_read",
            "expression_rows_not_matched",
            "expression_samples_used",
            "annotation_genes_not_in_sequences",
        ],
        3,
    ) | {"go_version": "releases/<2022>", "homology_engine": "diamond"}
    summary = {
        "gocotrain_version": "1.0 & more",
        "inputs": inputs,
        "predictions": {"rows": 12, "genes": 4},
        "aspects": {"biological_process": {"terms_modelled": 5, "threshold": None}},
    }
    path = tmp_path / "data_summary.html"
    data_summary_html(summary, path)
    page = path.read_text()
    assert page.startswith("<!DOCTYPE html>") and STYLE in page
    assert "GOcotrain 1.0 &amp; more" in page and "releases/&lt;2022&gt;" in page
    assert "<th>terms modelled</th>" in page and "<th>Biological process</th>" in page
    assert "<th>genes with a homolog (engine: diamond)</th><td>3</td>" in page


def test_per_term_figure_says_why_when_there_is_nothing_to_draw(tmp_path):
    """No per-term scores (min_positives too high), or every term scored alike by the two
    methods (co-training never kept): a figure that says so, not a crash."""
    from PIL import Image

    from gocotrain.figures import per_term_figure

    empty = pd.DataFrame(columns=["targets", "aspect", "term", "method", "aupr"])
    per_term_figure(empty, tmp_path / "empty.png")
    alike = pd.DataFrame(
        [
            ("cross_validation", "biological_process", term, method, 0.4)
            for term in ("GO:1", "GO:2")
            for method in ("cotraining", "two_view_supervised")
        ],
        columns=["targets", "aspect", "term", "method", "aupr"],
    )
    per_term_figure(alike, tmp_path / "alike.png")
    for name in ("empty.png", "alike.png"):
        assert Image.open(tmp_path / name).size[0] > 100
