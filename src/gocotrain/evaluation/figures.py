"""Figures and pages of the Snakemake report: what a user looks at to judge a run.

Each public function reads the workflow's own outputs (metrics, curves, per-term scores, the
co-training reports, the run summary, the exported predictions) and writes one PNG or one
HTML page: the evaluation's figures (method comparison, precision-recall, per-term AUPR),
co-training's own (learning curves, feature importance) and the data of the run are drawn
here; the method comparison's page is built by `comparison_page`, the top predictions' by
`predictions_page`.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on a cluster node
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from gocotrain.evaluation import comparison_page, predictions_page
from gocotrain.evaluation.method_names import METHODS, in_method_order
from gocotrain.evaluation.pages import (
    ASPECT_TITLES,
    NAMESPACE_TITLES,
    escape,
    grid,
    namespace_order,
    page,
)
from gocotrain.export.targets import headline_targets, target_words
from gocotrain.textio import atomic_write

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


def _save(figure, path: str | Path) -> None:
    if figure.get_layout_engine() is None:  # constrained layout places legends outside
        figure.tight_layout()
    with atomic_write(path, "wb") as handle:
        figure.savefig(handle, format="png", dpi=FIGURE_DPI)
    plt.close(figure)


def _namespaces(frame: pd.DataFrame) -> list[str]:
    return namespace_order(frame["aspect"] if not frame.empty else [])


def _empty(path: str | Path, message: str) -> None:
    figure, axis = plt.subplots(figsize=(6, 2))
    axis.axis("off")
    axis.text(0.5, 0.5, message, ha="center", va="center", wrap=True)
    _save(figure, path)


def metrics_html(metrics: pd.DataFrame, path: str | Path, margins: pd.DataFrame | None = None):
    """The method comparison page (`comparison_page.render_html`)."""
    with atomic_write(path) as handle:
        handle.write(comparison_page.render_html(metrics, margins))


def metrics_figure(metrics: pd.DataFrame, path: str | Path) -> None:
    """Bars of Fmax, weighted Fmax, Smin and AUPR per method, one column per aspect."""
    kind = headline_targets(metrics)
    title = f"Held-out genes: {target_words(metrics, kind)}" if kind else None
    metrics = metrics[metrics["targets"] == kind]
    namespaces = _namespaces(metrics)
    methods = in_method_order(metrics["method"])
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
    figure.suptitle(title, fontsize=9)
    _save(figure, path)


# Methods whose curves coincide (co-training and the same views supervised often do) must
# all stay visible: co-training is drawn wide and pale underneath, the others thin on top,
# each with its own dash.
DASHES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (1, 2)))


def _curve_style(method: str, rank: int) -> dict:
    if method == "cotraining":
        return {"lw": 4.0, "alpha": 0.45, "zorder": 2, "solid_capstyle": "round"}
    return {"lw": 1.3, "ls": DASHES[rank % len(DASHES)], "zorder": 3}


def precision_recall_figure(curves: pd.DataFrame, metrics: pd.DataFrame, path) -> None:
    """Protein-centric precision against recall over thresholds; a dot marks each Fmax."""
    kind = headline_targets(metrics)
    curves = curves[curves["targets"] == kind]
    namespaces = _namespaces(curves)
    figure, axes = plt.subplots(
        1, len(namespaces), figsize=(FIGURE_WIDTH, 3.5), squeeze=False, layout="constrained"
    )
    legend = {}
    for axis, namespace in zip(axes[0], namespaces, strict=True):
        in_aspect = curves[(curves["aspect"] == namespace) & (curves["n_covered"] > 0)]
        for rank, method in enumerate(in_method_order(in_aspect["method"])):
            curve = in_aspect[in_aspect["method"] == method]
            colour = COLOURS.get(method, "grey")
            (legend[method],) = axis.plot(
                curve["recall"], curve["precision"], c=colour, **_curve_style(method, rank)
            )
            best = curve.loc[curve["f"].idxmax()]
            axis.plot(best["recall"], best["precision"], "o", color=colour, ms=5, zorder=4)
        recall = np.linspace(0.01, 1, 200)
        for level in (0.2, 0.4, 0.6, 0.8):
            precision = level * recall / (2 * recall - level)
            visible = (precision > 0) & (precision <= 1)
            axis.plot(recall[visible], precision[visible], color="#ccc", lw=0.6, zorder=0)
        axis.set(xlim=(0, 1), ylim=(0, 1), xlabel="recall", aspect="equal")
        axis.set_title(NAMESPACE_TITLES.get(namespace, namespace), fontsize=10)
        axis.tick_params(labelsize=8)
    axes[0][0].set_ylabel("precision")
    if kind:
        figure.suptitle(f"Held-out genes: {target_words(metrics, kind)}", fontsize=9)
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
    aspects = {name: summary["aspects"][name] for name in namespace_order(summary["aspects"])}
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


def top_predictions_html(
    specific: pd.DataFrame,
    thresholds: pd.DataFrame,
    top_n: int,
    path: str | Path,
    release: str | None = None,
) -> None:
    """The searchable page of each gene's top `top_n` predictions per aspect, from the most
    specific rows (predictions.most_specific.tsv) and the thresholds.tsv of the same run
    (`predictions_page.render_html`)."""
    with atomic_write(path) as handle:
        handle.write(predictions_page.render_html(specific, thresholds, top_n, release))
