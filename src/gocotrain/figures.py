"""Figures and tables of the Snakemake report: what a user looks at to judge a run.

Each function reads the workflow's own outputs (metrics, curves, per-term scores, the
co-training reports, the run summary) and writes one PNG or one HTML table.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display on a cluster node
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from gocotrain.methods import METHODS
from gocotrain.ontology import ASPECT_NAMES
from gocotrain.pages import escape, grid, page
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


def _method_order(methods) -> list[str]:
    known = [method for method in METHODS if method in set(methods)]
    return known + sorted(set(methods) - set(known))


def _save(figure, path: str | Path) -> None:
    figure.tight_layout()
    with atomic_write(path, "wb") as handle:
        figure.savefig(handle, format="png", dpi=FIGURE_DPI)
    plt.close(figure)


def _namespaces(frame: pd.DataFrame) -> list[str]:
    order = list(NAMESPACE_TITLES)
    present = set(frame["aspect"]) if not frame.empty else set()
    return [name for name in order if name in present] + sorted(present - set(order))


def _empty(path: str | Path, message: str) -> None:
    figure, axis = plt.subplots(figsize=(6, 2))
    axis.axis("off")
    axis.text(0.5, 0.5, message, ha="center", va="center", wrap=True)
    _save(figure, path)


# ----------------------------------------------------------------------------------------
# Method comparison


def metrics_html(metrics: pd.DataFrame, path: str | Path) -> None:
    """The comparison table, best value per aspect and metric in bold."""
    columns = ["fmax", "coverage", "wfmax", "smin", "aupr_macro", "auroc_macro", "aupr_micro"]
    parts = []
    for (kind, namespace), group in metrics.groupby(["targets", "aspect"], sort=False):
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
        parts.append(grid(["method", *columns, "proteins"], rows, numbers=True))
    with atomic_write(path) as handle:
        handle.write(page("GOcotrain: method comparison", parts))


def metrics_figure(metrics: pd.DataFrame, path: str | Path) -> None:
    """Bars of Fmax, weighted Fmax, Smin and AUPR per method, one column per aspect."""
    metrics = metrics[metrics["targets"] == metrics["targets"].iloc[0]]
    namespaces = _namespaces(metrics)
    methods = _method_order(metrics["method"])
    figure, axes = plt.subplots(
        len(METRICS),
        len(namespaces),
        figsize=(4 * len(namespaces), 2.6 * len(METRICS)),
        squeeze=False,
    )
    for column, namespace in enumerate(namespaces):
        frame = metrics[metrics["aspect"] == namespace].set_index("method")
        for row, (metric, label) in enumerate(METRICS.items()):
            axis = axes[row][column]
            values = [frame[metric].get(method, np.nan) for method in methods]
            axis.barh(methods, values, color=[COLOURS.get(method, "grey") for method in methods])
            axis.invert_yaxis()
            axis.set_xlabel(label + (" (lower is better)" if metric == "smin" else ""))
            if row == 0:
                axis.set_title(NAMESPACE_TITLES.get(namespace, namespace))
            if column:
                axis.set_yticklabels([])
            for position, value in enumerate(values):
                if not np.isnan(value):
                    axis.text(value, position, f" {value:.3f}", va="center", fontsize=7)
    _save(figure, path)


def precision_recall_figure(curves: pd.DataFrame, metrics: pd.DataFrame, path) -> None:
    """Protein-centric precision against recall over thresholds; a dot marks each Fmax."""
    curves = curves[curves["targets"] == curves["targets"].iloc[0]]
    namespaces = _namespaces(curves)
    figure, axes = plt.subplots(1, len(namespaces), figsize=(4.6 * len(namespaces), 4.4))
    axes = np.atleast_1d(axes)
    for axis, namespace in zip(axes, namespaces, strict=True):
        in_aspect = curves[(curves["aspect"] == namespace) & (curves["n_covered"] > 0)]
        for method in _method_order(in_aspect["method"]):
            curve = in_aspect[in_aspect["method"] == method]
            width = 2.4 if method == "cotraining" else 1.2
            colour = COLOURS.get(method, "grey")
            axis.plot(curve["recall"], curve["precision"], lw=width, color=colour, label=method)
            best = curve.loc[curve["f"].idxmax()]
            axis.plot(best["recall"], best["precision"], "o", color=colour, ms=5)
        recall = np.linspace(0.01, 1, 200)
        for level in (0.2, 0.4, 0.6, 0.8):
            precision = level * recall / (2 * recall - level)
            visible = (precision > 0) & (precision <= 1)
            axis.plot(recall[visible], precision[visible], color="#ccc", lw=0.6, zorder=0)
        axis.set(xlim=(0, 1), ylim=(0, 1), xlabel="recall", ylabel="precision")
        axis.set_title(NAMESPACE_TITLES.get(namespace, namespace))
    axes[-1].legend(fontsize=7, loc="upper right")
    _save(figure, path)


def per_term_figure(
    per_term: pd.DataFrame,
    path: str | Path,
    method: str = "cotraining",
    baseline: str = "two_view_supervised",
) -> None:
    """Term-centric AUPR of `method` against `baseline`, one dot per term."""
    if per_term.empty:
        _empty(path, "no term had enough held-out positives to be scored per term")
        return
    per_term = per_term[per_term["targets"] == per_term["targets"].iloc[0]]
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
    figure, axes = plt.subplots(1, len(namespaces), figsize=(4.2 * len(namespaces), 4.2))
    axes = np.atleast_1d(axes)
    for axis, namespace in zip(axes, namespaces, strict=True):
        frame = wide[wide["aspect"] == namespace]
        above = frame[method] > frame[baseline]
        axis.scatter(frame[baseline], frame[method], s=9, alpha=0.6, c=np.where(above, "C0", "C3"))
        axis.plot([0, 1], [0, 1], color="grey", lw=0.8)
        gain = (frame[method] - frame[baseline]).mean()
        axis.set_title(
            f"{NAMESPACE_TITLES.get(namespace, namespace)}: {len(frame)} terms differ, "
            f"{identical.get(namespace, 0)} equal\n{above.mean():.0%} of those above, "
            f"mean gain {gain:+.4f}",
            fontsize=9,
        )
        axis.set(xlim=(0, 1), ylim=(0, 1), xlabel=f"AUPR {baseline}", ylabel=f"AUPR {method}")
    _save(figure, path)


# ----------------------------------------------------------------------------------------
# Co-training itself


def learning_curves_figure(reports: dict[str, dict], path: str | Path) -> None:
    """Held-out average precision per round (round 0: supervised) and pseudo-labels added
    per round and view, over the terms whose co-training was validated."""
    aspects = [aspect for aspect in ASPECT_TITLES if aspect in reports]
    figure, axes = plt.subplots(2, max(1, len(aspects)), figsize=(4.4 * len(aspects), 6.4))
    axes = np.asarray(axes).reshape(2, -1)
    for column, aspect in enumerate(aspects):
        rounds = []
        for term in reports[aspect].get("terms", []):
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
        top, bottom = axes[0][column], axes[1][column]
        top.set_title(ASPECT_TITLES[aspect])
        if not rounds:
            top.text(0.5, 0.5, "no term had enough positives to validate", ha="center")
            bottom.axis("off")
            continue
        frame = pd.DataFrame(rounds)
        for kept, label, colour in ((True, "kept co-training", "C0"), (False, "fell back", "C3")):
            subset = frame[frame["cotrained"] == kept]
            if subset.empty:
                continue
            mean = subset.groupby("round")["gain"].mean()
            count = subset["term"].nunique()
            top.plot(
                [0, *mean.index], [0, *mean.values], "o-", color=colour, label=f"{label} ({count})"
            )
        top.axhline(0, color="grey", lw=0.8)
        top.set(xlabel="round", ylabel="held-out AP − supervised AP (mean)")
        top.legend(fontsize=7)
        added = frame.groupby("round")[[c for c in frame.columns if "added" in c]].mean()
        bottom_stack = np.zeros(len(added))
        for name in added.columns:
            view, _, kind = name.partition("_added_")
            label = f"{'sequence' if view == 'view1' else 'expression'} → other, {kind}"
            bottom.bar(added.index, added[name], bottom=bottom_stack, label=label)
            bottom_stack += added[name].to_numpy()
        bottom.set(xlabel="round", ylabel="pseudo-labels added per term (mean)")
        bottom.legend(fontsize=7)
    _save(figure, path)


def feature_importance_figure(reports: dict[str, dict], path: str | Path, top: int = 15) -> None:
    """The features each view relies on: mean share of XGBoost's gain over modelled terms."""
    views = ("sequence", "expression")
    figure, axes = plt.subplots(1, 2, figsize=(11, 0.32 * top + 1.5))
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
    aspects = summary["aspects"]
    fields = list(next(iter(aspects.values()))) if aspects else []
    per_aspect = [
        (NAMESPACE_TITLES.get(aspect, aspect), [escape(values[field]) for field in fields])
        for aspect, values in aspects.items()
    ]
    parts = [
        f"<p>GOcotrain {escape(summary['gocotrain_version'])}</p>",
        "<h3>Inputs</h3>",
        grid(None, [(name, [escape(value)]) for name, value in rows], numbers=True),
        "<h3>Per aspect</h3>",
        grid(["aspect", *(field.replace("_", " ") for field in fields)], per_aspect, numbers=True),
    ]
    with atomic_write(path) as handle:
        handle.write(page("GOcotrain: the data of the run", parts))
