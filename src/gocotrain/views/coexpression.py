"""The co-expression network of a fit's genes, and each gene's neighbour vote for a term.

Guilt by association (EGAD's neighbour voting; Ballouz et al. 2017) is what makes expression
predictive of function: a gene is scored by how many of its most co-expressed genes carry the
term. The profile components alone leave a tree model to rediscover that gene by gene, so
the expression view also gets, per term, the vote of each gene's network neighbours,
computed from the labels of that fit only (`term_features`), as the sequence view gets its
homology features. A gene's own label never enters its own vote.

The network links each gene to its `neighbours` genes of highest Pearson correlation, on the
expression view's profile columns (standardised profiles, or their principal components,
whose dot products approximate it), each edge weighted by its correlation's rank in the
gene's row (EGAD's rank standardisation), and keeps an edge found from either end. Two votes:
among a gene's direct neighbours, and among its neighbours' neighbours (a second step of label
propagation, with every path back to the gene itself taken out): with few labels, a gene has
few labeled neighbours, and the second step reaches many more.

Written here because no maintained library builds a kNN co-expression network from a
features matrix and votes over it per label set with the own label left out; scikit-learn's
NearestNeighbors gives neighbours but no vote, and its LabelSpreading reads every gene's own
label back through the graph.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse

COEXPRESSION_FEATURES = ("coexpression_vote", "coexpression_vote_2_steps")
# Each gene's neighbours in the network. Not tuned to a data set: EGAD's and most GBA
# benchmarks' kNN networks keep tens of neighbours.
NEIGHBOURS = 50
# Correlations recomputed for a saved model's new genes may differ from the run's in the last
# bits (a matrix product of another shape): compared with this slack.
TOLERANCE = 1e-9
# Columns of the expression view that hold a gene's profile (features.expression_features).
PROFILE_PREFIXES = ("expr_pc", "expr_sample_")
# Rows of the correlation matrix computed at a time: bounds memory on a proteome.
CHUNK = 2048


def profile_columns(columns) -> np.ndarray:
    """Which expression-view columns are profile columns (not mean, SD, …)."""
    return np.array([str(name).startswith(PROFILE_PREFIXES) for name in columns], dtype=bool)


def _unit_rows(profiles: np.ndarray) -> np.ndarray:
    """Rows centred and scaled to length 1: their dot products are Pearson correlations."""
    if not profiles.size:
        return np.zeros_like(profiles)
    centred = profiles - profiles.mean(axis=1, keepdims=True)
    norm = np.linalg.norm(centred, axis=1, keepdims=True)
    return np.divide(centred, norm, out=np.zeros_like(centred), where=norm > 0)


def _present(profiles: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit rows, and which rows have a profile that correlates (not missing, not flat)."""
    unit = _unit_rows(np.nan_to_num(profiles))
    return unit, ~np.isnan(profiles).all(axis=1) & (np.abs(unit).sum(axis=1) > 0)


def _rank_weights(k: int) -> np.ndarray:
    """Rank standardisation: a gene's best neighbour weighs 1, its k-th 1/k."""
    return np.arange(k, 0, -1) / k


def _correlations(unit_rows: np.ndarray, unit_columns: np.ndarray) -> np.ndarray:
    """Pearson correlations of unit rows, rounded to 12 decimals: a matrix product's last
    bits depend on the BLAS and its threads, and must not decide which gene is a neighbour."""
    return np.round(unit_rows @ unit_columns.T, 12)


def _top(block: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's k highest columns, best first, and their values."""
    top = np.argpartition(-block, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(block, top, axis=1), axis=1, kind="stable")
    top = np.take_along_axis(top, order, axis=1)
    return top, np.take_along_axis(block, top, axis=1)


def _transition(weights: sparse.csr_matrix) -> sparse.csr_matrix:
    totals = np.asarray(weights.sum(axis=1)).ravel()
    scale = np.divide(1.0, totals, out=np.zeros_like(totals), where=totals > 0)
    return sparse.csr_matrix(sparse.diags(scale) @ weights)


class CoexpressionGraph:
    """Each gene's `neighbours` most co-expressed genes among those with a profile, edges
    kept from either end, as a row-normalised transition matrix.

    `profiles` has one row per gene of the fit, all-NaN for a gene without expression (it has
    no neighbours and no vote, and is no one's neighbour).
    """

    def __init__(self, profiles: np.ndarray, neighbours: int = NEIGHBOURS) -> None:
        profiles = np.asarray(profiles, dtype=np.float64)
        n = len(profiles)
        self.unit, self.present = _present(profiles)
        rows = np.flatnonzero(self.present)
        self.k = min(neighbours, len(rows) - 1)
        # The k-th best correlation of each gene: a new gene scored later is its neighbour
        # above it (`NewGenesCoexpression`).
        self.kth_best = np.full(n, np.inf)
        self.top_values = np.zeros((n, max(self.k, 0)))
        directed = sparse.csr_matrix((n, n))
        if self.k >= 1:
            sources, targets = [], []
            for start in range(0, len(rows), CHUNK):
                chunk = rows[start : start + CHUNK]
                block = _correlations(self.unit[chunk], self.unit[rows])
                block[np.arange(len(chunk)), np.arange(start, start + len(chunk))] = -np.inf
                top, values = _top(block, self.k)
                self.top_values[chunk] = values
                sources.append(np.repeat(chunk, self.k))
                targets.append(rows[top].ravel())
            self.kth_best[rows] = self.top_values[rows, -1]
            directed = sparse.csr_matrix(
                (
                    np.tile(_rank_weights(self.k), len(rows)),
                    (np.concatenate(sources), np.concatenate(targets)),
                ),
                shape=(n, n),
            )
        self.weights = directed.maximum(directed.T).tocsr()
        self.transition = _transition(self.weights)
        # Two-step paths from each gene back to itself, taken out of its own second vote.
        self.returning = np.asarray(self.transition.multiply(self.transition.T).sum(axis=1))
        self.returning = self.returning.ravel()

    def term_features(self, labeled: np.ndarray, positive: np.ndarray) -> np.ndarray:
        """``coexpression_vote`` and ``coexpression_vote_2_steps`` of every gene for one term:
        the weighted share of positives among the labeled genes one step away, and two steps
        away without any path back to the gene itself (so its own label never enters its own
        features). NaN where no labeled gene is that near, or the gene has no expression."""
        labeled = np.asarray(labeled, dtype=float)
        positive = np.asarray(positive, dtype=float) * labeled
        step = self.transition
        return _vote_columns(
            (step @ labeled, step @ positive),
            (
                step @ (step @ labeled) - self.returning * labeled,
                step @ (step @ positive) - self.returning * positive,
            ),
        )


def _vote_columns(first: tuple, second: tuple) -> np.ndarray:
    """The two votes from the (labeled, positive) weights one and two steps away."""
    columns = []
    for labeled, positive in (first, second):
        vote = np.full(len(labeled), np.nan)
        # Two-step weights are differences: a path back to itself leaves rounding dust.
        reached = labeled > 1e-9
        vote[reached] = np.clip(positive[reached] / labeled[reached], 0.0, 1.0)
        columns.append(vote)
    return np.column_stack(columns).astype(np.float32)


class NewGenesCoexpression:
    """A saved model's co-expression network (`graph`, over its training genes) with new
    genes joined to it without changing it. A new gene that is a training gene again (its
    `twins` entry, -1 for none) with the same profile gets the run's edges exactly, ties
    broken as the run broke them; another gets the training genes it would have had as
    neighbours in the run, never its own training copy. Rows are the training genes, then
    the new genes; only the new genes' votes are new."""

    def __init__(self, graph: CoexpressionGraph, profiles: np.ndarray, twins: np.ndarray):
        self.graph = graph
        unit, present = _present(np.asarray(profiles, dtype=np.float64))
        pool = np.flatnonzero(graph.present)
        n_training, n_new = len(graph.present), len(profiles)
        has_twin = twins >= 0
        same = np.zeros(n_new, dtype=bool)
        same[has_twin] = (unit[has_twin] == graph.unit[twins[has_twin]]).all(axis=1)
        same &= present
        rows, columns, weights = [], [], []
        for start in range(0, n_new, CHUNK):
            chunk = np.arange(start, min(start + CHUNK, n_new))
            block = _correlations(unit[chunk], graph.unit[pool])
            block[~present[chunk] | same[chunk]] = -np.inf
            twin_column = np.searchsorted(pool, twins[chunk])
            excluded = has_twin[chunk] & np.isin(twins[chunk], pool)
            block[np.flatnonzero(excluded), twin_column[excluded]] = -np.inf
            row, column, weight = self._edges(block, pool, present[chunk] & ~same[chunk])
            rows.append(chunk[row])
            columns.append(column)
            weights.append(weight)
        edges = sparse.csr_matrix(
            (np.concatenate(weights), (np.concatenate(rows), np.concatenate(columns))),
            shape=(n_new, n_training),
        )
        if same.any():
            edges = sparse.vstack([edges[~same], graph.weights[twins[same]]], format="csr")[
                np.argsort(np.concatenate([np.flatnonzero(~same), np.flatnonzero(same)]))
            ]
        self.first = _transition(edges)
        # The two-step path back through a new gene's training copy: the run's path back to
        # the gene itself, taken out of its second vote. Label-free, so made once.
        self.twin = np.where(has_twin, twins, 0)
        self.back = np.asarray((self.first @ graph.transition)[np.arange(n_new), self.twin])
        self.back = self.back.ravel() * has_twin

    def _edges(self, block, pool, present):
        """(row, training gene, weight) of each new gene's edges: its own k best (by rank)
        and those of training genes whose k best it would have entered, the larger weight."""
        graph, k = self.graph, self.graph.k
        out = np.zeros_like(block)
        if k >= 1:
            top, _ = _top(block, k)
            np.put_along_axis(out, top, _rank_weights(k)[None, :], axis=1)
            # Where it would be one of a training gene's k best, its rank there.
            row, column = np.nonzero(block >= graph.kth_best[pool][None, :] - TOLERANCE)
            values = graph.top_values[pool[column]]
            rank = (values > block[row, column][:, None] + TOLERANCE).sum(axis=1)
            out[row, column] = np.maximum(out[row, column], (k - rank) / k)
        out[~present] = 0.0
        row, column = np.nonzero(out)
        return row, pool[column], out[row, column]

    def term_features(self, labeled: np.ndarray, positive: np.ndarray) -> np.ndarray:
        """`CoexpressionGraph.term_features` of the training genes, then of the new genes."""
        n_training = len(self.graph.present)
        labeled = np.asarray(labeled, dtype=float)
        positive = np.asarray(positive, dtype=float) * labeled
        training = self.graph.term_features(labeled[:n_training], positive[:n_training] > 0)
        step, first, twin = self.graph.transition, self.first, self.twin
        train_labeled, train_positive = labeled[:n_training], positive[:n_training]
        new = _vote_columns(
            (first @ train_labeled, first @ train_positive),
            (
                first @ (step @ train_labeled) - self.back * train_labeled[twin],
                first @ (step @ train_positive) - self.back * train_positive[twin],
            ),
        )
        return np.vstack([training, new])
