"""Homology transfer: the GO terms of a gene's labeled homologs, scored for it.

The product scores the terms too rare to model this way (`transfer_rare_terms`, setting
``homology.rare_terms: transfer``); the evaluation's ``homology`` method is `homology_transfer`
over every term. Predictions are CAFA-style, ``{gene: {term: score}}`` with scores in [0, 1]
and one entry per target gene (possibly empty).
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

Predictions = dict[str, dict[str, float]]

HOMOLOGY_RULES = ("knn", "best_hit", "max_identity")


def training_labels(train_labels: pd.DataFrame, aspect: str, targets: Iterable[str]):
    """The aspect's training labels without any row of a target gene."""
    labels = train_labels[train_labels["aspect"] == aspect]
    return labels[~labels["gene_id"].isin(set(targets))]


def homology_transfer(
    hits: pd.DataFrame,
    train_labels: pd.DataFrame,
    aspect: str,
    targets: Iterable[str],
    k: int | None = None,
    rule: str = "knn",
) -> Predictions:
    """Transfer the terms of a target's labeled homologs to it.

    `hits` needs columns query, subject and bitscore (and pident for ``max_identity``). Only
    hits of a target to a labeled training gene of `aspect` count, so self-hits never do; of
    these, each target keeps its `k` best subjects by bitscore (all if None).

    * ``knn`` (DIAMOND score of DeepGOPlus): score(t) = the bitscores of the kept hits
      carrying t, summed, over the bitscores of all kept hits, summed.
    * ``best_hit``: the terms of the best hit, each scored 1.
    * ``max_identity`` (CAFA's BLAST baseline): score(t) = the highest identity (pident / 100)
      among the kept hits carrying t.
    """
    if rule not in HOMOLOGY_RULES:
        raise ValueError(f"rule must be one of {HOMOLOGY_RULES}, not {rule!r}")
    if k is not None and k < 1:
        raise ValueError(f"k must be at least 1 or None, not {k}")
    targets = sorted(set(targets))
    labels = training_labels(train_labels, aspect, targets)
    training = set(labels["gene_id"])
    # A target's hit to itself is never used: targets are not training genes.
    usable = hits["query"].isin(targets) & hits["subject"].isin(training)
    kept_columns = ["bitscore", "pident"] if rule == "max_identity" else ["bitscore"]
    # DIAMOND may report several HSPs of one pair; the pair counts once, with its best one.
    pairs = (
        hits.loc[usable]
        .groupby(["query", "subject"], as_index=False)[kept_columns]
        .max()
        .sort_values(["query", "bitscore", "subject"], ascending=[True, False, True])
    )
    if rule == "best_hit":
        k = 1
    if k is not None:
        pairs = pairs.groupby("query").head(k)
    carried = pairs.merge(
        labels[["gene_id", "go_id"]].drop_duplicates(), left_on="subject", right_on="gene_id"
    )
    per_term = carried.groupby(["query", "go_id"])
    if rule == "knn":
        total = pairs.groupby("query")["bitscore"].sum()
        carried_score = per_term["bitscore"].sum()
        scores = carried_score / total.reindex(carried_score.index.get_level_values(0)).to_numpy()
    elif rule == "best_hit":
        scores = pd.Series(1.0, index=per_term.size().index)
    else:
        scores = per_term["pident"].max() / 100
    predictions: Predictions = {gene: {} for gene in targets}
    for (gene, term), score in scores.items():
        predictions[gene][term] = float(min(score, 1.0))
    return predictions


def rare_terms(labels: pd.DataFrame, min_positives: int) -> set[str]:
    """Terms of an aspect's labels with at least one but fewer than `min_positives` positives.

    These are the terms `terms.select_terms` leaves to homology transfer: every ancestor
    of a rare term is rare, modelled, universal (carried by every labeled gene) or a root.
    """
    counts = labels["go_id"].value_counts()  # counted as select_terms counts them
    return set(counts.index[counts < min_positives])


def transfer_rare_terms(
    hits: pd.DataFrame,
    train_labels: pd.DataFrame,
    aspect: str,
    targets: Iterable[str],
    min_positives: int,
    k: int | None,
) -> Predictions:
    """`homology_transfer` (``knn``) restricted to the terms too rare to model.

    A learner models the terms with at least `min_positives` positives; the rarer ones,
    most of the specific terms, would otherwise get no score at all. Transferred scores
    obey the hierarchy among themselves, because the training labels are propagated.
    """
    targets = sorted(set(targets))
    rare = rare_terms(training_labels(train_labels, aspect, targets), min_positives)
    transferred = homology_transfer(hits, train_labels, aspect, targets, k=k, rule="knn")
    return {
        gene: {term: score for term, score in scores.items() if term in rare}
        for gene, scores in transferred.items()
    }
