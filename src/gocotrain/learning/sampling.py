"""Rows drawn for the co-training estimator's fits: negatives sampled down (and weighted up),
the stratified hold-out on which co-training is checked against supervised learning, the
bootstrap resamples of that hold-out that tell a real win from a chance one, and the pool of
unlabeled rows each round examines.
"""

from __future__ import annotations

import numpy as np

# Enough resamples to tell a 90 % win share from a coin flip, cheap next to a term's trees.
BOOTSTRAP_RESAMPLES = 200


def stratified_hold_out(
    labeled_rows: np.ndarray,
    y: np.ndarray,
    fraction: float,
    min_positives: int,
    rng: np.random.Generator,
):
    """Stratified hold-out of `fraction` of the labeled rows: (the rest, the held-out rows),
    or None when fewer than `min_positives` positives (or all but one) would be held out."""
    if fraction == 0:
        return None
    held_out = []
    for label in (0, 1):
        rows = rng.permutation(labeled_rows[y[labeled_rows] == label])
        count = round(len(rows) * fraction)
        if label == 1 and (count < min_positives or count >= len(rows) - 1):
            return None
        held_out.append(rows[:count])
    validation = np.sort(np.concatenate(held_out))
    return np.setdiff1d(labeled_rows, validation), validation


def sampled_rows(
    rows: np.ndarray, y: np.ndarray, negatives_per_positive: int | None, rng: np.random.Generator
):
    """`rows` with their negatives sampled down to `negatives_per_positive` times the
    positives, and each row's training weight: the kept negatives are weighted up so
    that the classes keep their balance.

    A rare term has a few dozen positives among thousands of negatives; the trees learn
    about as much from a sample of the negatives, at a fraction of the cost.
    """
    weight = np.ones(len(y), dtype=np.float32)
    negatives = rows[y[rows] == 0]
    most = None
    if negatives_per_positive is not None:
        most = negatives_per_positive * int((y[rows] == 1).sum())
    if most is None or len(negatives) <= most:
        return rows, weight
    kept = rng.choice(negatives, size=most, replace=False)
    weight[kept] = len(negatives) / most
    return np.sort(np.concatenate([rows[y[rows] == 1], kept])), weight


def refilled_pool(pool: np.ndarray, reserve: np.ndarray, picked: set[int]):
    """The pool without the rows picked this round, topped up from `reserve` by as many; and
    what is left of `reserve`."""
    pool = np.array([index for index in pool if index not in picked], dtype=int)
    refill = min(len(picked), len(reserve))
    return np.concatenate([pool, reserve[:refill]]), reserve[refill:]


def weighted_average_precision(y: np.ndarray, score: np.ndarray, weights: np.ndarray):
    """Average precision (scikit-learn's definition, ties grouped) under each row of `weights`.

    Written out rather than calling ``average_precision_score(sample_weight=...)`` once per
    bootstrap resample: one pass over all resamples is much faster, which matters with
    hundreds of resamples for each of thousands of terms.
    """
    order = np.argsort(-score, kind="stable")
    score, y = score[order], y[order].astype(float)
    weights = np.asarray(weights, dtype=float)[:, order]
    # The last row of each run of tied scores: one threshold per distinct score.
    ends = np.append(np.flatnonzero(np.diff(score)), len(score) - 1)
    true_positives = np.cumsum(weights * y, axis=1)[:, ends]
    predicted = np.cumsum(weights, axis=1)[:, ends]
    precision = np.divide(
        true_positives, predicted, out=np.zeros_like(predicted), where=predicted > 0
    )
    recall = true_positives / true_positives[:, -1:]
    return np.sum(np.diff(recall, axis=1, prepend=0) * precision, axis=1)


def bootstrap_win_share(
    y: np.ndarray, first: np.ndarray, second: np.ndarray, rng: np.random.Generator
) -> float:
    """Share of stratified bootstrap resamples of the rows on which `first` has a higher
    average precision than `second` (paired: both are scored on the same resample)."""
    weights = np.zeros((BOOTSTRAP_RESAMPLES, len(y)))
    for label in (0, 1):
        rows = np.flatnonzero(y == label)
        weights[:, rows] = rng.multinomial(
            len(rows), np.full(len(rows), 1 / len(rows)), size=BOOTSTRAP_RESAMPLES
        )
    wins = weighted_average_precision(y, first, weights) > weighted_average_precision(
        y, second, weights
    )
    return float(wins.mean())
