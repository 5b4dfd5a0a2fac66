"""The kinds of held-out genes an evaluation scores, and which of them resemble the genes a
run exports: the export's thresholds and the report's headline figures come from those.

Kept free of heavy imports: the Snakefile imports `gocotrain.evaluation.splits`, which imports this.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

CROSS_VALIDATION = "cross_validation"
# The cross-validation targets among the least annotated genes (`splits.least_annotated`).
LEAST_ANNOTATED = "least_annotated"
NO_KNOWLEDGE, LIMITED_KNOWLEDGE = "no_knowledge", "limited_knowledge"
# Best first: a run exports genes without labels in an aspect, the less-studied ones.
CLOSEST_TO_EXPORTED = (LEAST_ANNOTATED, NO_KNOWLEDGE, LIMITED_KNOWLEDGE, CROSS_VALIDATION)


# The evaluation protocols as the report names them, beside each target kind they score.
PROTOCOL_NAMES = {
    CROSS_VALIDATION: "cross-validation",
    "time_split": "time split between two releases",
    "date_split": "date split of the annotation file",
}

# A kind with fewer held-out genes than this in an aspect gives figures too noisy to lead or
# to choose a threshold on: the next kind leads instead.
MIN_HEADLINE_GENES = 50


def closest_to_exported(kinds: Iterable[str], genes: Mapping[str, int] | None = None) -> str | None:
    """Of the target kinds an evaluation has, the one most like the exported genes that has
    at least MIN_HEADLINE_GENES genes (`genes`: per kind, where known)."""
    present = set(kinds)
    ranked = [kind for kind in CLOSEST_TO_EXPORTED if kind in present] + sorted(
        present - set(CLOSEST_TO_EXPORTED)
    )
    enough = [kind for kind in ranked if genes is None or genes.get(kind, 0) >= MIN_HEADLINE_GENES]
    return (enough or ranked or [None])[0]


def headline_targets(metrics) -> str | None:
    """The kind of targets a metrics table (`metrics.SUMMARY_COLUMNS` with ``targets``) leads
    with: the closest to the exported genes with enough genes in every aspect."""
    if metrics.empty:
        return None
    genes = metrics.groupby("targets")["n_proteins"].min().to_dict()
    return closest_to_exported(metrics["targets"], genes)


def target_words(metrics, kind: str) -> str:
    """A target kind as the report names it, with the protocol it comes from where the
    metrics table says (column ``protocol``): "no knowledge, date split of the annotation
    file"."""
    words = kind.replace("_", " ")
    if "protocol" not in metrics:
        return words
    protocols = dict.fromkeys(metrics.loc[metrics["targets"] == kind, "protocol"])
    return ", ".join([words, *(PROTOCOL_NAMES.get(name, name) for name in protocols)])
