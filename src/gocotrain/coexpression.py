"""The co-expression network of a fit's genes, and each gene's neighbour vote for a term.

Guilt by association (EGAD's neighbour voting; Ballouz et al. 2017) is what makes expression
predictive of function: a gene is scored by how many of its most co-expressed genes carry the
term. The profile components alone leave a tree model to rediscover that gene by gene, so
the expression view also gets, per term, the vote of each gene's network neighbours,
computed from the labels of that fit only (`term_features`), as the sequence view gets its
homology features. A gene's own label never enters its own vote.

The network is a directed k-nearest-neighbour graph: each gene's `neighbours` genes of
highest Pearson correlation, on the expression view's profile columns (standardised
profiles, or their principal components, whose dot products approximate it), each edge
weighted by its correlation's rank in the gene's row (EGAD's rank standardisation). Written
here because no maintained library builds a kNN co-expression network from a features matrix
and votes over it per label set; scikit-learn's NearestNeighbors would need a dense distance
per query and gives no vote.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

COEXPRESSION_FEATURES = ("coexpression_vote", "coexpression_positive_share")
# Columns of the expression view that hold a gene's profile (features.expression_features).
PROFILE_PREFIXES = ("expr_pc", "expr_sample_")
# Each gene's neighbours in the network. Not tuned to a data set: EGAD's and most GBA
# benchmarks' kNN networks keep tens of neighbours; measured in the README.
NEIGHBOURS = 50
# Rows of the correlation matrix computed at a time: bounds memory on a proteome.
CHUNK = 2048


def profile_columns(columns) -> np.ndarray:
    """Which expression-view columns are profile columns (not mean, SD, …)."""
    return np.array([str(name).startswith(PROFILE_PREFIXES) for name in columns], dtype=bool)


def _unit_rows(profiles: np.ndarray) -> np.ndarray:
    centred = profiles - profiles.mean(axis=1, keepdims=True)
    norm = np.linalg.norm(centred, axis=1, keepdims=True)
    return np.divide(centred, norm, out=np.zeros_like(centred), where=norm > 0)


class CoexpressionGraph:
    """Each gene's `neighbours` most co-expressed genes among those with a profile.

    `profiles` has one row per gene of the fit, all-NaN for a gene without expression (it has
    no neighbours and no vote, and is no one's neighbour).
    """

    def __init__(
        self,
        profiles: np.ndarray,
        neighbours: int = NEIGHBOURS,
        candidates: np.ndarray | None = None,
        twins: np.ndarray | None = None,
    ) -> None:
        """`candidates` (a boolean mask; default all) are the rows that may be neighbours;
        `twins` gives, per row, a row that must not be its neighbour (-1 for none): a new
        gene scored by a saved model is not its own training copy's neighbour."""
        profiles = np.asarray(profiles, dtype=np.float64)
        n = len(profiles)
        unit = _unit_rows(np.nan_to_num(profiles))
        # A flat profile correlates with nothing: it has no neighbours and is no one's.
        self.present = ~np.isnan(profiles).all(axis=1) & (np.abs(unit).sum(axis=1) > 0)
        rows = np.flatnonzero(self.present)
        pool = np.flatnonzero(self.present & (True if candidates is None else candidates))
        k = min(neighbours, len(pool) - 1)
        self.weights = sparse.csr_matrix((n, n))
        if k < 1:
            return
        position = np.full(n, -1)
        position[pool] = np.arange(len(pool))
        sources, targets = [], []
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            block = unit[chunk] @ unit[pool].T
            for excluded in (chunk, twins[chunk] if twins is not None else None):
                if excluded is None:
                    continue
                hit = (excluded >= 0) & (position[np.maximum(excluded, 0)] >= 0)
                block[np.flatnonzero(hit), position[excluded[hit]]] = -np.inf
            top = np.argpartition(-block, k - 1, axis=1)[:, :k]
            order = np.argsort(-np.take_along_axis(block, top, axis=1), axis=1, kind="stable")
            sources.append(np.repeat(chunk, k))
            targets.append(pool[np.take_along_axis(top, order, axis=1)].ravel())
        # Rank standardisation: each gene's best neighbour weighs 1, its k-th 1/k.
        weights = np.tile(np.arange(k, 0, -1) / k, len(rows))
        self.weights = sparse.csr_matrix(
            (weights, (np.concatenate(sources), np.concatenate(targets))), shape=(n, n)
        )

    def term_features(self, labeled: np.ndarray, positive: np.ndarray) -> np.ndarray:
        """``coexpression_vote`` and ``coexpression_positive_share`` of every gene for one term.

        The vote is the weighted share of positives among a gene's labeled neighbours (NaN
        without any); the positive share counts unlabeled neighbours too, so that a vote of
        one labeled neighbour reads weaker than one of many. Genes without expression: NaN.
        """
        labeled = np.asarray(labeled, dtype=bool)
        positive = np.asarray(positive, dtype=bool) & labeled
        weight_labeled = self.weights @ labeled.astype(float)
        weight_positive = self.weights @ positive.astype(float)
        weight_all = np.asarray(self.weights.sum(axis=1)).ravel()
        vote = np.full(len(labeled), np.nan)
        known = weight_labeled > 0
        vote[known] = weight_positive[known] / weight_labeled[known]
        share = np.full(len(labeled), np.nan)
        share[self.present] = weight_positive[self.present] / np.maximum(
            weight_all[self.present], 1e-12
        )
        return np.column_stack([vote, share]).astype(np.float32)
