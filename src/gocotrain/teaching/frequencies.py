"""The organism's own term frequencies, mixed into its scores in both modes: ``(1 - weight) *
score + weight * frequency``. Where reference species teach, the weight is chosen on the own
labeled genes (`reference.own_prior`); where the organism's own labels do, on held-out genes
like the exported ones by the evaluation (`evaluation.prior_weights`)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from gocotrain.learning.terms import AspectScores
from gocotrain.teaching.transfer import Predictions, term_frequencies

# Below this many genes to choose on in an aspect, the organism's term frequencies are not
# mixed in: the weight would be chosen on too few genes to mean anything.
MIN_PRIOR_GENES = 50
# The weights of the organism's term frequencies tried; the frequencies of its `PRIOR_TERMS`
# most frequent terms are mixed in (CAFA's naive score, as `methods.naive`'s `top`).
PRIOR_WEIGHTS = tuple(np.round(np.linspace(0.0, 1.0, 11), 2).tolist())
PRIOR_TERMS = 300


def own_frequencies(own: pd.DataFrame, aspect: str) -> dict[str, float]:
    """The organism's term frequencies in the aspect that scores are mixed with: those of
    its `PRIOR_TERMS` most frequent terms."""
    return term_frequencies(own[own["aspect"] == aspect], top=PRIOR_TERMS)


def with_prior(
    scores: AspectScores,
    rare: Predictions,
    frequency: dict[str, float],
    weight: float,
    min_score: float,
) -> tuple[AspectScores, Predictions, Predictions]:
    """Scores mixed with the organism's term frequencies, ``(1 - weight) * score + weight *
    frequency`` of the term (as `fit_prior_weight` weighed them): the modelled terms'
    combined scores (the per-view scores stay the models'), the transferred rare terms, and
    (third) the frequent terms neither holds, where their share alone reaches `min_score`."""
    if weight == 0.0:
        return scores, rare, {}
    modelled = set(scores.terms.tolist())
    prior = np.array([frequency.get(term, 0.0) for term in scores.terms.tolist()])
    score = (1.0 - weight) * scores.score + weight * prior[np.newaxis, :]
    alone = {
        term: value
        for term, value in frequency.items()
        if term not in modelled and weight * value >= min_score
    }
    mixed_rare, by_frequency = {}, {}
    for gene in scores.genes.tolist():
        transferred = rare.get(gene, {})
        if transferred:
            mixed_rare[gene] = {
                term: (1.0 - weight) * value + weight * frequency.get(term, 0.0)
                for term, value in transferred.items()
            }
        only = {term: weight * value for term, value in alone.items() if term not in transferred}
        if only:
            by_frequency[gene] = only
    return replace(scores, score=score.astype(scores.score.dtype)), mixed_rare, by_frequency
