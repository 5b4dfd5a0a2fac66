"""The method comparison page of the Snakemake report (`render_html`): whether co-training
is worth more than the baselines on the held-out genes most like the exported ones, whether
each view carries signal (`metrics.view_signal`), and a table of the metrics per target kind
and aspect.
"""

from __future__ import annotations

import pandas as pd

from gocotrain.evaluation.method_names import GENOME_BASELINES, PRODUCT_METHOD, in_method_order
from gocotrain.evaluation.metrics import VIEW_SIGNAL_METHODS, view_signal
from gocotrain.evaluation.pages import NAMESPACE_TITLES, escape, grid, namespace_order, page, wide
from gocotrain.export.targets import headline_targets, target_words

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


def render_html(metrics: pd.DataFrame, margins: pd.DataFrame | None = None) -> str:
    """The comparison tables, best value per aspect and metric in bold, after the headline
    (with the `margins`' intervals where given: `margins.margins_table`) and whether each
    view carries signal (`metrics.view_signal`)."""
    parts = _headline_parts(metrics, margins) + _view_signal_parts(_headline_first(metrics))
    for (kind, namespace), group in _headline_first(metrics).groupby(
        ["targets", "aspect"], sort=False
    ):
        parts += _metric_table(target_words(metrics, kind), namespace, group)
    return page("GOcotrain: method comparison", parts)


def _metric_table(kind: str, namespace: str, group: pd.DataFrame) -> list[str]:
    """The title and table of one target kind (in words, with its protocol: `target_words`)
    and aspect: a row per method."""
    columns = list(METRIC_COLUMNS)
    group = group.set_index("method").loc[in_method_order(group["method"])]
    title = f"{NAMESPACE_TITLES.get(namespace, namespace)} — {kind}"
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
    header = ["method", *METRIC_COLUMNS.values(), "proteins"]
    return [f"<h3>{escape(title)}</h3>", wide(grid(header, rows, numbers=True))]


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


def _headline_parts(metrics: pd.DataFrame, margins: pd.DataFrame | None) -> list[str]:
    """Co-training's Fmax beside the naive baseline and the best homology baseline, per aspect,
    on the held-out genes most like the exported ones, with the margins' intervals, in words."""
    kind = headline_targets(metrics)
    headline = metrics[metrics["targets"] == kind]
    if PRODUCT_METHOD not in set(headline["method"]):
        return []
    intervals = _intervals(margins, kind)
    items = []
    for namespace in namespace_order(headline["aspect"]):
        fmax = headline[headline["aspect"] == namespace].set_index("method")["fmax"]
        compared = [m for m in GENOME_BASELINES if m in fmax and not pd.isna(fmax[m])]
        items.append(_headline_item(namespace, fmax, compared, intervals))
    genes = int(headline["n_proteins"].max())
    return [
        "<h3>Worth more than the baselines?</h3>",
        f"<p>On up to {genes} held-out genes per aspect most like the ones this run exports "
        f"({escape(target_words(metrics, kind))}); in brackets, co-training's margin and, where "
        "measured, its 95 % interval over the held-out genes (paired bootstrap).</p>",
        "<ul>" + "".join(items) + "</ul>",
    ]


def _intervals(margins: pd.DataFrame | None, kind: str | None) -> dict[tuple[str, str], tuple]:
    """(aspect, baseline) → (low, high) of co-training's margin on the `kind` targets."""
    if margins is None or margins.empty:
        return {}
    found = margins[(margins["targets"] == kind) & (margins["method"] == PRODUCT_METHOD)]
    return {
        (row.aspect, row.baseline): (row.low, row.high) for row in found.itertuples(index=False)
    }


def _headline_item(namespace: str, fmax: pd.Series, compared: list[str], intervals) -> str:
    ours = fmax[PRODUCT_METHOD]
    beside = []
    for method in compared:
        margin = f"{ours - fmax[method]:+.3f}"
        if (namespace, method) in intervals:
            low, high = intervals[namespace, method]
            margin += f", {low:+.3f} to {high:+.3f}"
        beside.append(f"{method.replace('_', ' ')} {fmax[method]:.3f} ({margin})")
    worse = [method for method in compared if fmax[method] >= ours]
    unsure = [
        method
        for method in compared
        if method not in worse and intervals.get((namespace, method), (1, 1))[0] <= 0
    ]
    verdict = ""
    if worse:
        verdict += (
            f" <b>Not better than {', '.join(worse)}: in this aspect a prediction is worth "
            "no more than that baseline's.</b>"
        )
    if unsure:
        verdict += (
            f" <b>Not surely better than {', '.join(unsure)}: the margin's interval reaches "
            "0, so other held-out genes could reverse it.</b>"
        )
    return (
        f"<li>{escape(NAMESPACE_TITLES.get(namespace, namespace))}: co-training Fmax "
        f"{ours:.3f}; {escape('; '.join(beside)) or 'no baseline evaluated'}.{verdict}</li>"
    )


def _headline_first(metrics: pd.DataFrame) -> pd.DataFrame:
    """The metrics with the target kind most like the exported genes first."""
    headline = headline_targets(metrics)
    return metrics.sort_values("targets", key=lambda kinds: kinds != headline, kind="stable")
