"""Figures and tables of the Snakemake report: what a user looks at to judge a run.

Each function reads the workflow's own outputs (metrics, curves, per-term scores, the
co-training reports, the run summary, the exported predictions) and writes one PNG or one
HTML page.
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on a cluster node
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from gocotrain.methods import METHODS
from gocotrain.metrics import VIEW_SIGNAL_METHODS, view_signal
from gocotrain.ontology import ASPECT_NAMES, in_aspect_order
from gocotrain.pages import (
    escape,
    filter_box,
    filter_script,
    filterable_table,
    grid,
    page,
    wide,
)
from gocotrain.predictions import SCORE_EXPLANATION
from gocotrain.targets import headline_targets
from gocotrain.textio import atomic_write

NAMESPACE_TITLES = {
    "biological_process": "Biological process",
    "molecular_function": "Molecular function",
    "cellular_component": "Cellular component",
}
ASPECT_TITLES = {code: NAMESPACE_TITLES[name] for code, name in ASPECT_NAMES.items()}
METRICS = {
    "fmax": "Fmax",
    "wfmax": "weighted Fmax",
    "smin": "Smin",
    "aupr_macro": "AUPR (macro)",
}
COLOURS = dict(zip(METHODS, plt.get_cmap("tab10").colors, strict=False))
FIGURE_DPI = 110
# The report shows a figure beside its sidebar, scaled down to the space left: about 880 px
# wide and 780 px high in a laptop's 1,400 x 900 window. Figures are drawn that size (inches at
# FIGURE_DPI), so their text is read at the size it was set, and none is taller than the view
# (the report centres a figure: the top of a taller one cannot be scrolled to).
FIGURE_WIDTH, FIGURE_MAX_HEIGHT = 8.0, 7.0


def _method_order(methods) -> list[str]:
    known = [method for method in METHODS if method in set(methods)]
    return known + sorted(set(methods) - set(known))


def _save(figure, path: str | Path) -> None:
    if figure.get_layout_engine() is None:  # constrained layout places legends outside
        figure.tight_layout()
    with atomic_write(path, "wb") as handle:
        figure.savefig(handle, format="png", dpi=FIGURE_DPI)
    plt.close(figure)


def _namespace_order(names) -> list[str]:
    present = set(names)
    return [name for name in NAMESPACE_TITLES if name in present] + sorted(
        present - set(NAMESPACE_TITLES)
    )


def _namespaces(frame: pd.DataFrame) -> list[str]:
    return _namespace_order(frame["aspect"] if not frame.empty else [])


def _empty(path: str | Path, message: str) -> None:
    figure, axis = plt.subplots(figsize=(6, 2))
    axis.axis("off")
    axis.text(0.5, 0.5, message, ha="center", va="center", wrap=True)
    _save(figure, path)


# ----------------------------------------------------------------------------------------
# Method comparison


# The table's columns with the names the captions and the figures use; two words wrap, so
# the table fits the report's frame beside its sidebar.
METRIC_COLUMNS = {
    "fmax": "Fmax",
    "coverage": "coverage",
    "wfmax": "weighted Fmax",
    "smin": "Smin",
    "aupr_macro": "AUPR macro",
    "auroc_macro": "AUROC macro",
    "aupr_micro": "AUPR micro",
}


def _view_signal_parts(metrics: pd.DataFrame) -> list[str]:
    """Does each view speak? Fmax of each view alone, both and the controls, per aspect, and
    what the margins mean, in words."""
    signal = view_signal(metrics)
    if signal.empty:
        return []
    parts = ["<h3>Does each view carry signal?</h3>"]
    for kind, group in signal.groupby("targets", sort=False):
        methods = [m for m in VIEW_SIGNAL_METHODS if m in group.columns]
        rows = []
        for _, row in group.iterrows():
            cells = ["–" if pd.isna(row[m]) else f"{row[m]:.3f}" for m in methods]
            rows.append((NAMESPACE_TITLES.get(row["aspect"], row["aspect"]), cells))
        parts.append(f"<p>Fmax on held-out genes ({escape(kind.replace('_', ' '))}).</p>")
        parts.append(wide(grid(["aspect", *methods], rows, numbers=True)))
        parts.append("<ul>" + "".join(_signal_sentences(group)) + "</ul>")
    return parts


def _signal_sentences(group: pd.DataFrame) -> list[str]:
    sentences = []
    for _, row in group.iterrows():
        title = NAMESPACE_TITLES.get(row["aspect"], row["aspect"])
        expression = row.get("expression_over_controls")
        if expression is not None and not pd.isna(expression):
            verdict = (
                "carries signal: it beats the naive and multifunctionality controls by "
                if expression > 0
                else "does no better than a control that knows only term frequencies and how "
                "connected a gene is (by "
            )
            closing = "" if expression > 0 else "): co-training has little to learn from it"
            sentences.append(
                f"<li>{escape(title)}: the expression view alone {verdict}"
                f"{abs(expression):.3f} Fmax{closing}.</li>"
            )
        gain = row.get("cotraining_over_supervised")
        if gain is not None and not pd.isna(gain):
            sentences.append(
                f"<li>{escape(title)}: co-training against the same two views supervised: "
                f"{gain:+.3f} Fmax.</li>"
            )
    return sentences


def metrics_html(metrics: pd.DataFrame, path: str | Path) -> None:
    """The comparison table, best value per aspect and metric in bold, after whether each
    view carries signal (`metrics.view_signal`)."""
    columns = list(METRIC_COLUMNS)
    parts = _headline_parts(metrics) + _view_signal_parts(_headline_first(metrics))
    for (kind, namespace), group in _headline_first(metrics).groupby(
        ["targets", "aspect"], sort=False
    ):
        group = group.set_index("method").loc[_method_order(group["method"])]
        title = f"{NAMESPACE_TITLES.get(namespace, namespace)} — {kind.replace('_', ' ')}"
        best = {
            column: (group[column].min() if column == "smin" else group[column].max())
            for column in columns
        }
        rows = []
        for method, row in group.iterrows():
            cells = []
            for column in columns:
                value = row[column]
                text = "–" if pd.isna(value) else f"{value:.3f}"
                bold = column != "coverage" and value == best[column]
                cells.append(f"<b>{text}</b>" if bold else text)
            rows.append((method, [*cells, str(int(row["n_proteins"]))]))
        parts.append(f"<h3>{escape(title)}</h3>")
        header = ["method", *METRIC_COLUMNS.values(), "proteins"]
        parts.append(wide(grid(header, rows, numbers=True)))
    with atomic_write(path) as handle:
        handle.write(page("GOcotrain: method comparison", parts))


# The baselines a prediction must beat to be worth more than what every genome already has.
BASELINES = ("naive", "blast", "homology")


def _headline_parts(metrics: pd.DataFrame) -> list[str]:
    """Co-training's Fmax beside the naive baseline and the best homology baseline, per aspect,
    on the held-out genes most like the exported ones, in words."""
    kind = headline_targets(metrics)
    headline = metrics[metrics["targets"] == kind]
    if "cotraining" not in set(headline["method"]):
        return []
    items = []
    for namespace in _namespaces(headline):
        fmax = headline[headline["aspect"] == namespace].set_index("method")["fmax"]
        ours = fmax["cotraining"]
        beside = [
            f"{method.replace('_', ' ')} {fmax[method]:.3f} ({ours - fmax[method]:+.3f})"
            for method in BASELINES
            if method in fmax and not pd.isna(fmax[method])
        ]
        worse = [method for method in BASELINES if method in fmax and fmax[method] >= ours]
        verdict = (
            f" <b>Not better than {', '.join(worse)}: in this aspect a prediction is worth "
            "no more than that baseline's.</b>"
            if worse
            else ""
        )
        items.append(
            f"<li>{escape(NAMESPACE_TITLES.get(namespace, namespace))}: co-training Fmax "
            f"{ours:.3f}; {escape('; '.join(beside)) or 'no baseline evaluated'}.{verdict}</li>"
        )
    genes = int(headline["n_proteins"].max())
    return [
        "<h3>Worth more than the baselines?</h3>",
        f"<p>On up to {genes} held-out genes per aspect most like the ones this run exports "
        f"({escape(kind.replace('_', ' '))}); in brackets, co-training's margin.</p>",
        "<ul>" + "".join(items) + "</ul>",
    ]


def _headline_first(metrics: pd.DataFrame) -> pd.DataFrame:
    """The metrics with the target kind most like the exported genes first."""
    headline = headline_targets(metrics)
    return metrics.sort_values("targets", key=lambda kinds: kinds != headline, kind="stable")


def metrics_figure(metrics: pd.DataFrame, path: str | Path) -> None:
    """Bars of Fmax, weighted Fmax, Smin and AUPR per method, one column per aspect."""
    metrics = metrics[metrics["targets"] == headline_targets(metrics)]
    namespaces = _namespaces(metrics)
    methods = _method_order(metrics["method"])
    figure, axes = plt.subplots(
        len(METRICS),
        len(namespaces),
        figsize=(FIGURE_WIDTH, FIGURE_MAX_HEIGHT),
        squeeze=False,
        layout="constrained",
    )
    for column, namespace in enumerate(namespaces):
        frame = metrics[metrics["aspect"] == namespace].set_index("method")
        for row, (metric, label) in enumerate(METRICS.items()):
            axis = axes[row][column]
            values = [frame[metric].get(method, np.nan) for method in methods]
            axis.barh(methods, values, color=[COLOURS.get(method, "grey") for method in methods])
            axis.invert_yaxis()
            axis.tick_params(labelsize=8)
            # Room right of the longest bar for its value, which ran over the frame.
            axis.set_xlim(0, np.nanmax([*values, 0]) * 1.3 or 1)
            axis.set_xlabel(label + (" (lower is better)" if metric == "smin" else ""))
            if row == 0:
                axis.set_title(NAMESPACE_TITLES.get(namespace, namespace))
            if column:
                axis.set_yticklabels([])
            for position, value in enumerate(values):
                if not np.isnan(value):
                    axis.text(value, position, f" {value:.3f}", va="center", fontsize=6.5)
    _save(figure, path)


def precision_recall_figure(curves: pd.DataFrame, metrics: pd.DataFrame, path) -> None:
    """Protein-centric precision against recall over thresholds; a dot marks each Fmax."""
    curves = curves[curves["targets"] == headline_targets(metrics)]
    namespaces = _namespaces(curves)
    figure, axes = plt.subplots(
        1, len(namespaces), figsize=(FIGURE_WIDTH, 3.5), squeeze=False, layout="constrained"
    )
    legend = {}
    for axis, namespace in zip(axes[0], namespaces, strict=True):
        in_aspect = curves[(curves["aspect"] == namespace) & (curves["n_covered"] > 0)]
        for method in _method_order(in_aspect["method"]):
            curve = in_aspect[in_aspect["method"] == method]
            width = 2.4 if method == "cotraining" else 1.2
            colour = COLOURS.get(method, "grey")
            (legend[method],) = axis.plot(curve["recall"], curve["precision"], lw=width, c=colour)
            best = curve.loc[curve["f"].idxmax()]
            axis.plot(best["recall"], best["precision"], "o", color=colour, ms=5)
        recall = np.linspace(0.01, 1, 200)
        for level in (0.2, 0.4, 0.6, 0.8):
            precision = level * recall / (2 * recall - level)
            visible = (precision > 0) & (precision <= 1)
            axis.plot(recall[visible], precision[visible], color="#ccc", lw=0.6, zorder=0)
        axis.set(xlim=(0, 1), ylim=(0, 1), xlabel="recall", aspect="equal")
        axis.set_title(NAMESPACE_TITLES.get(namespace, namespace), fontsize=10)
        axis.tick_params(labelsize=8)
    axes[0][0].set_ylabel("precision")
    legend["Fmax"] = plt.Line2D([], [], color="black", marker="o", ls="", ms=5)
    # One legend under the panels: inside one it hid that panel's curves, and beside them the
    # figure grew wider than the report shows it.
    figure.legend(
        legend.values(),
        [method.replace("_", " ") for method in legend],
        loc="outside lower center",
        ncol=5,
        fontsize=8,
        frameon=False,
    )
    _save(figure, path)


def per_term_figure(
    per_term: pd.DataFrame,
    path: str | Path,
    method: str = "cotraining",
    baseline: str = "two_view_supervised",
    targets: str | None = None,
) -> None:
    """Term-centric AUPR of `method` against `baseline`, one dot per term, on the `targets`
    kind of held-out genes (`targets.headline_targets`; the first where not given)."""
    if per_term.empty:
        _empty(path, "no term had enough held-out positives to be scored per term")
        return
    per_term = per_term[per_term["targets"] == (targets or per_term["targets"].iloc[0])]
    wide = per_term.pivot_table(index=["aspect", "term"], columns="method", values="aupr")
    if method not in wide or baseline not in wide:
        _empty(path, f"needs per-term scores of {method} and {baseline}")
        return
    wide = wide[[method, baseline]].dropna().reset_index()
    # Terms neither learned directly (scored only through their descendants) or where the
    # held-out check chose the supervised model score exactly alike: counted, not drawn.
    same = np.isclose(wide[method], wide[baseline], rtol=0, atol=1e-9)
    identical = wide[same].groupby("aspect").size()
    wide = wide[~same]
    if wide.empty:
        _empty(path, f"{method} and {baseline} score all {int(same.sum())} terms alike")
        return
    namespaces = _namespaces(wide)
    figure, axes = plt.subplots(
        1, len(namespaces), figsize=(FIGURE_WIDTH, 3.4), squeeze=False, layout="constrained"
    )
    for axis, namespace in zip(axes[0], namespaces, strict=True):
        frame = wide[wide["aspect"] == namespace]
        above = frame[method] > frame[baseline]
        axis.scatter(frame[baseline], frame[method], s=9, alpha=0.6, c=np.where(above, "C0", "C3"))
        axis.plot([0, 1], [0, 1], color="grey", lw=0.8)
        gain = (frame[method] - frame[baseline]).mean()
        axis.set_title(
            f"{NAMESPACE_TITLES.get(namespace, namespace)}\n{len(frame)} terms differ "
            f"({above.mean():.0%} above), {identical.get(namespace, 0)} equal\n"
            f"mean gain {gain:+.4f}",
            fontsize=8.5,
        )
        axis.set(xlim=(0, 1), ylim=(0, 1), xlabel=f"AUPR {baseline}", aspect="equal")
        axis.tick_params(labelsize=8)
    axes[0][0].set_ylabel(f"AUPR {method}")
    _save(figure, path)


# ----------------------------------------------------------------------------------------
# Co-training itself


def _validation_rounds(report: dict) -> pd.DataFrame:
    """One row per validated term and round after the first: the held-out AP gain over the
    supervised model, whether the term kept co-training, and the pseudo-labels added."""
    rounds = []
    for term in report.get("terms", []):
        history = term.get("validation") or []
        if not history:
            continue
        supervised = history[0]["supervised_average_precision"]
        for record in history[1:]:
            rounds.append(
                {
                    "term": term["term"],
                    "round": record["round"],
                    "gain": record["validation_average_precision"] - supervised,
                    "cotrained": term["decision"] == "cotraining",
                    **{key: value for key, value in record.items() if "added" in key},
                }
            )
    return pd.DataFrame(rounds)


LEARNING_OUTCOMES = ((True, "kept co-training", "C0"), (False, "fell back", "C3"))


def _plot_gain(axis, frame: pd.DataFrame) -> str:
    """The mean gain per round of the terms that kept co-training and of those that fell
    back; returns their counts, for the panel's title."""
    counts = []
    for kept, label, colour in LEARNING_OUTCOMES:
        subset = frame[frame["cotrained"] == kept]
        counts.append(f"{subset['term'].nunique()} {label}")
        if not subset.empty:
            mean = subset.groupby("round")["gain"].mean()
            axis.plot([0, *mean.index], [0, *mean.values], "o-", color=colour, ms=4, label=label)
    axis.axhline(0, color="grey", lw=0.8)
    axis.set_xlabel("round")
    return ", ".join(counts)


def _plot_added(axis, frame: pd.DataFrame) -> None:
    """Pseudo-labels each view handed the other per round, stacked (mean per term)."""
    added = frame.groupby("round")[[c for c in frame.columns if "added" in c]].mean()
    bottom = np.zeros(len(added))
    for name in added.columns:
        view, _, kind = name.partition("_added_")
        label = f"{'sequence' if view == 'view1' else 'expression'} → other, {kind}"
        axis.bar(added.index, added[name], bottom=bottom, label=label)
        bottom += added[name].to_numpy()
    axis.set_xlabel("round")


def learning_curves_figure(reports: dict[str, dict], path: str | Path) -> None:
    """Held-out average precision per round (round 0: supervised) and pseudo-labels added
    per round and view, over the terms whose co-training was validated."""
    aspects = [aspect for aspect in ASPECT_TITLES if aspect in reports]
    figure, axes = plt.subplots(
        2, max(1, len(aspects)), figsize=(FIGURE_WIDTH, 6.2), squeeze=False, layout="constrained"
    )
    legend = {}
    for column, aspect in enumerate(aspects):
        top, bottom = axes[0][column], axes[1][column]
        frame = _validation_rounds(reports[aspect])
        if frame.empty:
            top.set_title(ASPECT_TITLES[aspect], fontsize=10)
            top.text(0.5, 0.5, "no term had enough\npositives to validate", ha="center")
            bottom.axis("off")
            continue
        counts = _plot_gain(top, frame)
        top.set_title(f"{ASPECT_TITLES[aspect]}\n{counts}", fontsize=9)
        _plot_added(bottom, frame)
        for axis in (top, bottom):
            axis.tick_params(labelsize=8)
            legend.update(zip(*reversed(axis.get_legend_handles_labels()), strict=True))
    axes[0][0].set_ylabel("held-out AP − supervised AP\n(mean over terms)", fontsize=9)
    axes[1][0].set_ylabel("pseudo-labels added\nper term (mean)", fontsize=9)
    # One legend for all panels, under them: inside, it covered the bars and curves.
    figure.legend(
        legend.values(),
        legend.keys(),
        loc="outside lower center",
        ncol=3,
        fontsize=8,
        frameon=False,
    )
    _save(figure, path)


def feature_importance_figure(reports: dict[str, dict], path: str | Path, top: int = 15) -> None:
    """The features each view relies on: mean share of XGBoost's gain over modelled terms."""
    views = ("sequence", "expression")
    figure, axes = plt.subplots(
        1, 2, figsize=(FIGURE_WIDTH, min(0.32 * top + 1.5, FIGURE_MAX_HEIGHT)), layout="constrained"
    )
    for axis, view in zip(axes, views, strict=True):
        shares = pd.DataFrame(
            {
                aspect: pd.Series(report.get("feature_importance", {}).get(view, {}))
                for aspect, report in reports.items()
            }
        ).fillna(0.0)
        if shares.empty:
            axis.axis("off")
            continue
        weights = pd.Series(
            {aspect: max(1, report.get("terms_modelled", 0)) for aspect, report in reports.items()}
        )
        overall = (shares * weights).sum(axis=1) / weights.sum()
        chosen = overall.sort_values(ascending=False).head(top)
        axis.barh(chosen.index[::-1], chosen.values[::-1], color="C0" if view == views[0] else "C2")
        axis.set(xlabel="share of gain (mean over terms)", title=f"{view} view")
        axis.tick_params(axis="y", labelsize=8)
    _save(figure, path)


# ----------------------------------------------------------------------------------------
# Data


def data_summary_html(summary: dict, path: str | Path) -> None:
    """Genes, views and labels of the run, from results/predictions/summary.json."""
    inputs = summary["inputs"]
    rows = [
        ("GO release", inputs["go_version"]),
        ("genes read (sequence file)", inputs["genes_read"]),
        ("genes with a protein sequence", inputs["genes_with_sequence"]),
        ("genes with expression", inputs["genes_with_expression"]),
        ("genes with sequence only", inputs["genes_sequence_only"]),
        (
            "genes with a homolog (engine: " + str(inputs["homology_engine"]) + ")",
            inputs["genes_with_homologs"],
        ),
        ("expression rows read", inputs["expression_rows_read"]),
        ("expression rows not matched to a gene", inputs["expression_rows_not_matched"]),
        ("expression samples used", inputs["expression_samples_used"]),
        ("annotated genes not in the sequences", inputs["annotation_genes_not_in_sequences"]),
        ("predictions written", summary["predictions"]["rows"]),
        ("genes with predictions", summary["predictions"]["genes"]),
    ]
    aspects = {name: summary["aspects"][name] for name in _namespace_order(summary["aspects"])}
    fields = list(next(iter(aspects.values()))) if aspects else []
    # One column per aspect, one row per field: a dozen fields side by side would not fit.
    per_aspect = [
        (field.replace("_", " "), [escape(values.get(field, "")) for values in aspects.values()])
        for field in fields
    ]
    parts = [
        f"<p>GOcotrain {escape(summary['gocotrain_version'])}</p>",
        "<h3>Inputs</h3>",
        grid(None, [(name, [escape(value)]) for name, value in rows], numbers=True),
        "<h3>Per aspect</h3>",
        grid(
            ["", *(NAMESPACE_TITLES.get(aspect, aspect) for aspect in aspects)],
            per_aspect,
            numbers=True,
        ),
    ]
    with atomic_write(path) as handle:
        handle.write(page("GOcotrain: the data of the run", parts))


# ----------------------------------------------------------------------------------------
# Predictions

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
    keeps or hides a gene's rows together. Built column-wise: a proteome has 10^5 rows."""
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


def top_predictions_html(
    specific: pd.DataFrame,
    thresholds: pd.DataFrame,
    top_n: int,
    path: str | Path,
    release: str | None = None,
) -> None:
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
    with atomic_write(path) as handle:
        handle.write(page(title, parts, style=PREDICTIONS_STYLE + aspect_style))
