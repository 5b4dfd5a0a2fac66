"""How the earlier predictions did on the genes newly labeled in one aspect of a new
annotation release: the rows of the what-changed report's newly_labeled, confirmed and
metrics tables, and the aspect's summary (`aspect_result`), scored with the project's
evaluation code (`score_at_threshold`). `changes.what_changed` puts the aspects together.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from gocotrain.evaluation.metrics import evaluate, precision_recall_curve
from gocotrain.evaluation.splits import time_split_targets
from gocotrain.inputs.ontology import Ontology

TARGET_KINDS = ("no_knowledge", "limited_knowledge")
EXCLUDED_KIND = "excluded_protein_binding_only"
NEWLY_LABELED_COLUMNS = [
    "gene_id",
    "aspect",
    "go_id",
    "go_name",
    "predicted_score",
    "was_predicted",
    "targets",
]
CONFIRMED_COLUMNS = ["gene_id", "aspect", "go_id", "go_name", "score"]
METRIC_KEYS = (
    "precision",
    "recall",
    "f",
    "coverage",
    "fmax",
    "fmax_precision",
    "fmax_recall",
    "fmax_threshold",
    "fmax_coverage",
)


def _scores(predictions: pd.DataFrame, genes) -> dict[str, dict[str, float]]:
    chosen = predictions[predictions["gene_id"].isin(set(genes))]
    return {
        gene: dict(zip(group["go_id"], group["score"], strict=True))
        for gene, group in chosen.groupby("gene_id")
    }


def score_at_threshold(
    truth: Mapping[str, set[str]],
    predictions: Mapping[str, Mapping[str, float]],
    ontology: Ontology,
    threshold: float,
) -> dict[str, float]:
    """Protein-centric precision, recall, F and coverage at `threshold`, with Fmax.

    The metrics at the threshold come from `metrics.precision_recall_curve` on the
    predictions made binary (1 where the score is ≥ `threshold`, left out otherwise), so the
    test is exactly `score >= threshold` for any threshold, on or off the 0.01 grid of
    `metrics.THRESHOLDS` (whose values lie a hair off the decimals); every row of that curve
    is then the same and the first is taken. Since propagation takes the highest score of the
    descendants, binarising before or after propagating is the same. Everything else is
    `evaluate`'s: terms resolved through `ontology`, predictions propagated to their
    ancestors, roots not scored, precision averaged over the genes with a prediction at the
    threshold (NaN when none has one), recall over all genes of the truth.
    Fmax, with its precision, recall, threshold and coverage, is `evaluate`'s on the raw
    scores (Fmax 0 when no gene has a prediction). Everything is NaN for an empty truth.
    """
    result = dict.fromkeys(METRIC_KEYS, math.nan)
    if not truth:
        return result
    binary = {
        gene: {term: 1.0 for term, score in scores.items() if score >= threshold}
        for gene, scores in predictions.items()
    }
    curve = precision_recall_curve(truth, binary, ontology, {})
    if curve.empty:  # no benchmark gene left once obsolete truth terms are dropped
        return result
    first = curve.iloc[0]
    covered = int(first["n_covered"]) > 0
    result["precision"] = float(first["precision"]) if covered else math.nan
    result["recall"] = float(first["recall"])
    result["f"] = float(first["f"]) if covered else math.nan
    result["coverage"] = float(first["coverage"])
    best = evaluate(truth, predictions, ontology, {}).iloc[0]
    result["fmax"] = float(best["fmax"])
    result["fmax_precision"] = float(best["precision"])
    result["fmax_recall"] = float(best["recall"])
    result["fmax_threshold"] = float(best["threshold"])
    result["fmax_coverage"] = float(best["coverage"])
    return result


@dataclass
class AspectResult:
    """What `aspect_result` finds in one aspect: the rows of the report's newly_labeled,
    confirmed and metrics tables, and the aspect's entry of the summary."""

    newly_labeled: pd.DataFrame
    confirmed: pd.DataFrame
    metric_rows: list[dict]
    summary: dict


def aspect_result(
    aspect: str,
    threshold: float,
    predictions: pd.DataFrame,
    previous_labels: pd.DataFrame,
    truth_labels: pd.DataFrame,
    ontology: Ontology,
) -> AspectResult:
    """The newly labeled genes of one aspect, the earlier predictions for them with their term
    in `ontology` (primary: its primary ID, None if obsolete or gone), which of those were
    confirmed, and how they score."""
    targets = time_split_targets(previous_labels, truth_labels, aspect, ontology=ontology)
    truth = {gene: terms for genes in targets.values() for gene, terms in genes.items()}
    in_aspect = predictions[predictions["aspect"] == aspect]
    for_new = in_aspect[in_aspect["gene_id"].isin(set(truth))]
    primary_of = {term: ontology.resolve(term)[0] for term in for_new["go_id"].unique()}
    for_new = for_new.assign(primary=for_new["go_id"].map(primary_of))
    newly = _newly_labeled(aspect, targets, for_new, threshold, ontology)
    predicted = for_new[
        (for_new["score"] >= threshold)
        & for_new["primary"].notna()
        & ~for_new["primary"].isin(ontology.roots)
    ]
    hit = [
        primary in truth[gene]
        for gene, primary in zip(predicted["gene_id"], predicted["primary"], strict=True)
    ]
    confirmed = predicted.loc[pd.Series(hit, index=predicted.index, dtype=bool)]
    confirmed = confirmed[CONFIRMED_COLUMNS].reset_index(drop=True)
    overall, by_kind, metric_rows = _aspect_metrics(aspect, threshold, targets, for_new, ontology)
    summary = {
        "threshold": threshold,
        "newly_labeled_genes": len(truth),
        "no_knowledge_genes": len(targets["no_knowledge"]),
        "limited_knowledge_genes": len(targets["limited_knowledge"]),
        "protein_binding_only_genes": len(targets[EXCLUDED_KIND]),
        "new_terms_of_newly_labeled_genes": len(newly),
        "newly_labeled_genes_with_predictions": int(for_new["gene_id"].nunique()),
        "newly_labeled_genes_predicted_at_threshold": int(predicted["gene_id"].nunique()),
        "predictions_for_newly_labeled_genes": len(for_new),
        "predictions_at_threshold_for_newly_labeled_genes": len(predicted),
        "confirmed_predictions": len(confirmed),
        "genes_with_confirmed_predictions": int(confirmed["gene_id"].nunique()),
        "new_terms_predicted_at_threshold": int(newly["was_predicted"].sum()),
    }
    summary |= overall | {"by_target_kind": by_kind}
    return AspectResult(newly, confirmed, metric_rows, summary)


def _newly_labeled(
    aspect: str,
    targets: dict[str, dict[str, set[str]]],
    for_new: pd.DataFrame,
    threshold: float,
    ontology: Ontology,
) -> pd.DataFrame:
    """The new terms of each newly labeled gene (NEWLY_LABELED_COLUMNS), with the earlier
    score of the term."""
    kind_of = {gene: kind for kind, genes in targets.items() for gene in genes}
    truth = {gene: terms for genes in targets.values() for gene, terms in genes.items()}
    earlier = (
        for_new.dropna(subset=["primary"]).groupby(["gene_id", "primary"])["score"].max().to_dict()
    )
    rows = [
        (
            gene,
            aspect,
            term,
            ontology.names.get(term, ""),
            earlier.get((gene, term), math.nan),
            kind_of[gene],
        )
        for gene in sorted(truth)
        for term in sorted(truth[gene])
    ]
    newly = pd.DataFrame(
        rows,
        columns=["gene_id", "aspect", "go_id", "go_name", "predicted_score", "targets"],
    ).astype({"predicted_score": float})
    newly.insert(5, "was_predicted", newly["predicted_score"] >= threshold)
    return newly


def _aspect_metrics(
    aspect: str,
    threshold: float,
    targets: dict[str, dict[str, set[str]]],
    for_new: pd.DataFrame,
    ontology: Ontology,
) -> tuple[dict[str, float], dict | None, list[dict]]:
    """`score_at_threshold` over all newly labeled genes of the aspect, and over each of the
    TARGET_KINDS where both have genes (else None): the metrics, by kind, and the metrics
    table rows."""
    truth = {gene: terms for genes in targets.values() for gene, terms in genes.items()}
    overall = score_at_threshold(truth, _scores(for_new, truth), ontology, threshold)
    row = {"aspect": aspect, "targets": "all", "n_genes": len(truth), "threshold": threshold}
    rows = [row | overall]
    if not all(targets[kind] for kind in TARGET_KINDS):
        return overall, None, rows
    by_kind = {}
    for kind in TARGET_KINDS:
        genes = targets[kind]
        values = score_at_threshold(genes, _scores(for_new, genes), ontology, threshold)
        rows.append(row | {"targets": kind, "n_genes": len(genes)} | values)
        by_kind[kind] = {"genes": len(genes)} | values
    return overall, by_kind, rows
