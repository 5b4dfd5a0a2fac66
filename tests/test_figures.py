"""The HTML tables of the Snakemake report, built on the shared page of
gocotrain.evaluation.pages."""

import math

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from gocotrain.evaluation.figures import data_summary_html, metrics_html
from gocotrain.evaluation.pages import STYLE

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
    # Headers that wrap, in a box that scrolls sideways rather than past the frame's edge.
    assert "<div class='wide'><table class='numbers'><tr><th>method</th><th>Fmax</th>" in page
    assert "<th>weighted Fmax</th>" in page and "<th>AUPR macro</th>" in page


def test_the_headline_puts_cotraining_beside_the_baselines_on_genes_like_the_exported(tmp_path):
    rows = []
    for kind, naive in (("cross_validation", 0.2), ("least_annotated", 0.6)):
        for method, fmax in (("naive", naive), ("homology", 0.4), ("cotraining", 0.5)):
            for aspect in ("cellular_component", "molecular_function"):
                value = fmax + (
                    0.3 if aspect == "molecular_function" and method == "cotraining" else 0
                )
                rows.append(
                    {"targets": kind, "aspect": aspect, "method": method, "n_proteins": 9}
                    | dict.fromkeys(METRIC_COLUMNS, value)
                )
    path = tmp_path / "metrics.html"
    metrics_html(pd.DataFrame(rows), path)
    page = path.read_text()
    headline = page[page.index("Worth more than the baselines?") :]
    assert "(least annotated)" in headline.split("</p>")[0]
    # Cellular component: naive wins on the least annotated genes, and the page says so.
    assert "Cellular component: co-training Fmax 0.500; naive 0.600 (-0.100)" in headline
    assert "Not better than naive" in headline
    assert "Molecular function: co-training Fmax 0.800; naive 0.600 (+0.200)" in headline
    assert headline.count("Not better") == 1
    # The least annotated genes' tables come before the random fold's.
    assert page.index("Cellular component — least annotated") < page.index(
        "Cellular component — cross validation"
    )


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
    # One column per aspect, a row per field: a dozen fields side by side did not fit.
    assert "<th></th><th>Biological process</th></tr>" in page
    assert "<tr><th>terms modelled</th><td>5</td></tr>" in page
    assert "<th>genes with a homolog (engine: diamond)</th><td>3</td>" in page


def test_per_term_figure_says_why_when_there_is_nothing_to_draw(tmp_path):
    """No per-term scores (min_positives too high), or every term scored alike by the two
    methods (co-training never kept): a figure that says so, not a crash."""
    from PIL import Image

    from gocotrain.evaluation.figures import per_term_figure

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


NAMESPACES = ["biological_process", "molecular_function", "cellular_component"]


def evaluation_tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Curves, metrics and per-term scores of every method in three aspects: a full report."""
    from gocotrain.evaluation.method_names import METHODS

    thresholds = np.linspace(0.01, 0.99, 20)
    curves, metrics, per_term = [], [], []
    for offset, (namespace, method) in enumerate(
        (namespace, method) for namespace in NAMESPACES for method in METHODS
    ):
        # Curves up to the top right, where a legend inside the last panel would sit.
        recall, precision = 1 - thresholds * 0.9, 0.3 + 0.7 * thresholds ** (1 + offset % 3)
        f = 2 * precision * recall / (precision + recall)
        for values in zip(thresholds, recall, precision, f, strict=True):
            curves.append(("cv", method, namespace, *values, 50))
        metrics.append(("cv", namespace, method, 50, f.max(), 1.0, 0.4, 12.0, 0.3, 0.6, 0.3))
        per_term += [
            ("cv", namespace, f"GO:{i}", method, 0.1 * i + 0.01 * offset) for i in range(5)
        ]
    return (
        pd.DataFrame(
            curves,
            columns=[
                "targets",
                "method",
                "aspect",
                "threshold",
                "recall",
                "precision",
                "f",
                "n_covered",
            ],
        ),
        pd.DataFrame(
            metrics,
            columns=["targets", "aspect", "method", "n_proteins", *METRIC_COLUMNS],
        ),
        pd.DataFrame(per_term, columns=["targets", "aspect", "term", "method", "aupr"]),
    )


def drawn_figures(monkeypatch) -> list:
    """The figures the next calls draw, kept open (figures._save closes them) to measure."""
    from gocotrain.evaluation import figures

    kept = []

    def save_and_keep(figure, path):
        if figure.get_layout_engine() is None:
            figure.tight_layout()
        figure.savefig(path, dpi=figures.FIGURE_DPI)
        kept.append(figure)

    monkeypatch.setattr(figures, "_save", save_and_keep)
    return kept


def test_evaluation_figures_fit_beside_the_report_sidebar_at_a_laptops_width(tmp_path):
    """At most FIGURE_WIDTH x FIGURE_MAX_HEIGHT: what the report shows unscaled beside its
    sidebar in a 1,400 x 900 window (the precision-recall figure was 1,518 px wide)."""
    from PIL import Image

    from gocotrain.evaluation.figures import (
        FIGURE_DPI,
        FIGURE_MAX_HEIGHT,
        FIGURE_WIDTH,
        metrics_figure,
        per_term_figure,
        precision_recall_figure,
    )

    curves, metrics, per_term = evaluation_tables()
    precision_recall_figure(curves, metrics, tmp_path / "precision_recall.png")
    metrics_figure(metrics, tmp_path / "metrics.png")
    per_term_figure(per_term, tmp_path / "per_term.png")
    for name in ("precision_recall", "metrics", "per_term"):
        width, height = Image.open(tmp_path / f"{name}.png").size
        assert width <= FIGURE_WIDTH * FIGURE_DPI + 1, name
        assert height <= FIGURE_MAX_HEIGHT * FIGURE_DPI + 1, name


def test_precision_recall_legend_is_in_the_figure_and_covers_no_panel(tmp_path, monkeypatch):
    from gocotrain.evaluation.figures import precision_recall_figure
    from gocotrain.evaluation.method_names import METHODS

    kept = drawn_figures(monkeypatch)
    curves, metrics, _ = evaluation_tables()
    precision_recall_figure(curves, metrics, tmp_path / "precision_recall.png")
    (figure,) = kept
    renderer = figure.canvas.get_renderer()
    legends = figure.legends + [axis.get_legend() for axis in figure.axes if axis.get_legend()]
    assert len(legends) == 1
    box = legends[0].get_window_extent(renderer)
    assert figure.bbox.x0 <= box.x0 and box.x1 <= figure.bbox.x1
    assert figure.bbox.y0 <= box.y0 and box.y1 <= figure.bbox.y1
    for axis in figure.axes:
        assert not box.overlaps(axis.get_window_extent(renderer))
    labels = [text.get_text() for text in legends[0].get_texts()]
    assert labels == [method.replace("_", " ") for method in METHODS] + ["Fmax"]
    plt.close(figure)


def test_the_headline_gives_each_margins_interval_and_says_when_it_reaches_zero(tmp_path):
    rows = [
        {"targets": "least_annotated", "aspect": "biological_process", "method": method}
        | {"n_proteins": 555}
        | dict.fromkeys(METRIC_COLUMNS, fmax)
        for method, fmax in (("naive", 0.227), ("homology", 0.430), ("cotraining", 0.431))
    ]
    margins = pd.DataFrame(
        [
            ("least_annotated", "biological_process", "cotraining", "naive", 0.17, 0.24),
            ("least_annotated", "biological_process", "cotraining", "homology", -0.020, 0.016),
            ("cross_validation", "biological_process", "cotraining", "homology", 0.5, 0.6),
        ],
        columns=["targets", "aspect", "method", "baseline", "low", "high"],
    )
    path = tmp_path / "metrics.html"
    metrics_html(pd.DataFrame(rows), path, margins)
    headline = path.read_text().split("Worth more than the baselines?")[1].split("</ul>")[0]
    assert "95 % interval" in headline
    assert "naive 0.227 (+0.204, +0.170 to +0.240)" in headline
    assert "homology 0.430 (+0.001, -0.020 to +0.016)" in headline
    assert "Not surely better than homology: the margin" in headline
    assert "Not better than" not in headline and "naive:" not in headline
    # Without margins (an older run), the margins alone, as before.
    metrics_html(pd.DataFrame(rows), path)
    assert "homology 0.430 (+0.001)" in path.read_text()
