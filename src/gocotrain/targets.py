"""The kinds of held-out genes an evaluation scores, and which of them resemble the genes a
run exports: the export's thresholds and the report's headline figures come from those.

Kept free of heavy imports: the Snakefile imports `gocotrain.splits`, which imports this.
"""

from __future__ import annotations

from collections.abc import Iterable

CROSS_VALIDATION = "cross_validation"
# The cross-validation targets among the least annotated genes (`splits.least_annotated`).
LEAST_ANNOTATED = "least_annotated"
NO_KNOWLEDGE, LIMITED_KNOWLEDGE = "no_knowledge", "limited_knowledge"
# Best first: a run exports genes without labels in an aspect, the less-studied ones.
CLOSEST_TO_EXPORTED = (LEAST_ANNOTATED, NO_KNOWLEDGE, LIMITED_KNOWLEDGE, CROSS_VALIDATION)


def closest_to_exported(kinds: Iterable[str]) -> str | None:
    """Of the target kinds an evaluation has, the one most like the exported genes."""
    present = set(kinds)
    ranked = [kind for kind in CLOSEST_TO_EXPORTED if kind in present]
    return ranked[0] if ranked else min(present, default=None)
