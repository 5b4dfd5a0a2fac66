"""How sure is a margin? Co-training's Fmax over each baseline's, with a 95 % interval from a
paired bootstrap over the held-out genes.

A few hundred held-out genes resolve Fmax to about a hundredth: a margin of +0.01 may be real
or may be which genes the fold happened to draw. The interval says which. Each resample draws
the held-out genes with replacement and scores both methods on the same draw (paired), so what
the genes have in common (easy or hard genes) cancels out of the margin; the interval is the
2.5th to 97.5th percentile of the resampled margins (Efron & Tibshirani 1993, percentile
interval). The resamples depend only on the seed and the number of genes, so a rerun gives the
same interval. Written by hand: the figures are sums over genes (`metrics.ProteinScores`), so
all resamples are one matrix product, where scikit-learn's or SciPy's bootstrap would score
every resample again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from gocotrain.evaluation.method_names import GENOME_BASELINES, PRODUCT_METHOD
from gocotrain.evaluation.metrics import ProteinScores

RESAMPLES = 1000
INTERVAL = (2.5, 97.5)
# The methods a margin compares: the product and the baselines.
COMPARED = frozenset({PRODUCT_METHOD, *GENOME_BASELINES})
MARGIN_COLUMNS = ["targets", "aspect", "method", "baseline", "genes", "margin", "low", "high"]


def gene_draws(n_genes: int, resamples: int = RESAMPLES, seed: int = 0) -> np.ndarray:
    """How often each gene is drawn in each resample: resamples × genes counts."""
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, n_genes, size=(resamples, n_genes))
    cells = (draws + n_genes * np.arange(resamples)[:, None]).ravel()
    return np.bincount(cells, minlength=resamples * n_genes).reshape(resamples, n_genes)


def fmax_margin(
    ours: ProteinScores, baseline: ProteinScores, resamples: int = RESAMPLES, seed: int = 0
) -> dict[str, float]:
    """`ours`' Fmax minus `baseline`'s on the same genes, and its interval (low, high)."""
    if ours.proteins != baseline.proteins:
        raise ValueError("a margin compares two methods on the same held-out genes")
    margin = float(ours.fmax()[0] - baseline.fmax()[0])
    draws = gene_draws(len(ours.proteins), resamples, seed)
    resampled = ours.fmax(draws) - baseline.fmax(draws)
    low, high = np.percentile(resampled, INTERVAL)
    return {"genes": len(ours.proteins), "margin": margin, "low": low, "high": high}


def margins_table(
    scores: Mapping[tuple[str, str], Iterable[ProteinScores]], seed: int = 0
) -> pd.DataFrame:
    """Co-training's margin over each baseline per target kind and aspect, from `scores`
    keyed by (target kind, method): each method's `ProteinScores` per aspect."""
    rows = []
    for (kind, method), ours in scores.items():
        if method != PRODUCT_METHOD:
            continue
        for aspect in ours:
            for baseline in GENOME_BASELINES:
                theirs = {other.namespace: other for other in scores.get((kind, baseline), ())}
                if aspect.namespace in theirs:
                    found = fmax_margin(aspect, theirs[aspect.namespace], seed=seed)
                    keys = {"targets": kind, "aspect": aspect.namespace, "method": method}
                    rows.append(keys | {"baseline": baseline} | found)
    return pd.DataFrame(rows, columns=MARGIN_COLUMNS)
