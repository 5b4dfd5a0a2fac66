"""Homology transfer: the GO terms of a gene's labeled homologs, scored for it.

The product scores the terms too rare to model this way (`transfer_terms`, setting
``homology.rare_terms: transfer``) and, with ``homology.blend``, blends each modelled term's
two-view score with its transfer by a weight (`with_transfer`); the evaluation's ``homology``
method is `homology_transfer` over every term. Predictions are CAFA-style, ``{gene: {term: score}}``
with scores in [0, 1] and one entry per target gene (possibly empty).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from gocotrain.learning.terms import AspectScores

Predictions = dict[str, dict[str, float]]

HOMOLOGY_RULES = ("knn", "best_hit", "max_identity")


def training_labels(train_labels: pd.DataFrame, aspect: str, targets: Iterable[str]):
    """The aspect's training labels without any row of a target gene."""
    labels = train_labels[train_labels["aspect"] == aspect]
    return labels[~labels["gene_id"].isin(set(targets))]


def term_frequencies(labels: pd.DataFrame, top: int | None = None) -> dict[str, float]:
    """Each term's share of the labeled genes that carry it (CAFA's naive score), for the
    `top` most frequent terms only if given; sorted by term."""
    n_genes = labels["gene_id"].nunique()
    counts = labels.drop_duplicates(["gene_id", "go_id"])["go_id"].value_counts()
    frequency = (counts.head(top) if top is not None else counts) / max(n_genes, 1)
    return {term: float(value) for term, value in sorted(frequency.items())}


def kept_homologs(
    hits: pd.DataFrame,
    labels: pd.DataFrame,
    queries: Iterable[str],
    k: int | None,
    columns: list[str],
) -> pd.DataFrame:
    """Each query's `k` best labeled homologs by bitscore (all if None), never itself: one
    row per pair with the best of its `columns` (DIAMOND may report several HSPs of a pair),
    sorted by query, then bitscore descending."""
    usable = (
        hits["query"].isin(set(queries))
        & hits["subject"].isin(set(labels["gene_id"]))
        & (hits["query"] != hits["subject"])
    )
    pairs = (
        hits.loc[usable]
        .groupby(["query", "subject"], as_index=False)[columns]
        .max()
        .sort_values(["query", "bitscore", "subject"], ascending=[True, False, True])
    )
    return pairs.groupby("query").head(k) if k is not None else pairs


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
    kept_columns = ["bitscore", "pident"] if rule == "max_identity" else ["bitscore"]
    pairs = kept_homologs(hits, labels, targets, 1 if rule == "best_hit" else k, kept_columns)
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


def transfer_evidence(
    hits: pd.DataFrame, labels: pd.DataFrame, queries: Iterable[str], k: int | None
) -> pd.DataFrame:
    """For each query and each term its kept homologs carry: the evidence for it.

    Each query keeps its `k` best labeled homologs by bitscore (never itself); `evidence` is
    the bitscore share of the homologs carrying the term (DeepGOPlus' DIAMOND score) times the
    highest identity among them, so that one homolog at 35 % identity is weak evidence,
    however alone it is. Columns: query, go_id, evidence (in [0, 1]).
    """
    pairs = kept_homologs(hits, labels, queries, k, ["bitscore", "pident"])
    carried = pairs.merge(
        labels[["gene_id", "go_id"]].drop_duplicates(), left_on="subject", right_on="gene_id"
    )
    per_term = carried.groupby(["query", "go_id"], as_index=False).agg(
        bitscore=("bitscore", "sum"), identity=("pident", "max")
    )
    total = per_term["query"].map(pairs.groupby("query")["bitscore"].sum())
    share = (per_term["bitscore"] / total).clip(upper=1.0)
    per_term["evidence"] = share * (per_term["identity"] / 100).clip(0.0, 1.0)
    return per_term[["query", "go_id", "evidence"]]


@dataclass(frozen=True)
class TransferCalibration:
    """The share of transferred terms that are right, as a function of their evidence.

    Fitted by leaving each labeled gene out: its rare terms are transferred from the other
    labeled genes, and isotonic regression maps the evidence to the share found among its
    labels. Scores are then comparable with the models' probabilities, and a term carried by
    one distant homolog does not read as certain.
    """

    evidence: tuple[float, ...]
    precision: tuple[float, ...]

    @classmethod
    def fit(
        cls, hits: pd.DataFrame, labels: pd.DataFrame, rare: set[str], k: int | None
    ) -> TransferCalibration | None:
        """None where no labeled gene has a labeled homolog carrying a rare term."""
        found = transfer_evidence(hits, labels, labels["gene_id"].unique(), k)
        found = found[found["go_id"].isin(rare)]
        if found.empty:
            return None
        truth = pd.MultiIndex.from_frame(found[["query", "go_id"]]).isin(
            pd.MultiIndex.from_frame(labels[["gene_id", "go_id"]])
        )
        # One right and one wrong pseudo-transfer at full evidence (Laplace's rule of
        # succession): the few transfers at the top would otherwise make it read as certain.
        evidence = np.append(found["evidence"].to_numpy(), [1.0, 1.0])
        right = np.append(truth.astype(float), [1.0, 0.0])
        # Imported here: applying a saved calibration (every export) needs no scikit-learn.
        from sklearn.isotonic import IsotonicRegression

        isotonic = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
        isotonic.fit(evidence, right)
        return cls(tuple(isotonic.X_thresholds_.tolist()), tuple(isotonic.y_thresholds_.tolist()))

    def __call__(self, evidence: np.ndarray) -> np.ndarray:
        return np.interp(evidence, self.evidence, self.precision)

    def to_dict(self) -> dict:
        return {"evidence": list(self.evidence), "precision": list(self.precision)}

    @classmethod
    def from_dict(cls, entry: dict) -> TransferCalibration:
        return cls(tuple(entry["evidence"]), tuple(entry["precision"]))


def transfers_rare_terms(homology_settings: dict) -> bool:
    """Whether a run with these `homology` settings scores the terms too rare to model by
    transfer (models saved before the setting existed did not)."""
    engine = homology_settings.get("engine")
    return homology_settings.get("rare_terms", "none") == "transfer" and engine != "none"


def blends(homology_settings: dict) -> bool:
    """Whether a run with these `homology` settings averages the modelled terms' scores with
    their transfer (`with_transfer`; models saved before the setting existed did not)."""
    return bool(homology_settings.get("blend", False)) and homology_settings.get("engine") != "none"


def calibrated_terms(labels: pd.DataFrame, min_positives: int, blend: bool) -> set[str]:
    """The terms an aspect's calibration is fitted on: the rare ones, or with `blend` every
    labeled term (the modelled ones are transferred too)."""
    return set(labels["go_id"].unique()) if blend else rare_terms(labels, min_positives)


def transfer_terms(
    hits: pd.DataFrame,
    train_labels: pd.DataFrame,
    aspect: str,
    targets: Iterable[str],
    min_positives: int,
    k: int | None,
    calibration: TransferCalibration | None = None,
    blended_terms: Iterable[str] = (),
) -> Predictions:
    """The terms too rare to model, and `blended_terms` (modelled terms to blend, see
    `with_transfer`), scored for the targets from their labeled homologs.

    A learner models the terms with at least `min_positives` positives; the rarer ones,
    most of the specific terms, would otherwise get no score at all. Each term's
    `transfer_evidence` becomes a score through `calibration` (fitted on the training labels
    where not given, on every labeled term when there are terms to
    blend; the raw evidence where none can be fitted). Scores obey the hierarchy among
    themselves: the labels are propagated, and the evidence and the calibration never
    decrease from a term to its ancestors.
    """
    targets = sorted(set(targets))
    labels = training_labels(train_labels, aspect, targets)
    blended_terms = set(blended_terms)
    scored = rare_terms(labels, min_positives) | blended_terms
    if calibration is None:
        calibration = TransferCalibration.fit(
            hits, labels, calibrated_terms(labels, min_positives, bool(blended_terms)), k
        )
    found = transfer_evidence(hits, labels, targets, k)
    found = found[found["go_id"].isin(scored)]
    scores = found["evidence"].to_numpy()
    if calibration is not None:
        scores = calibration(scores)
    predictions: Predictions = {gene: {} for gene in targets}
    for gene, term, score in zip(found["query"], found["go_id"], scores, strict=True):
        if score > 0:
            predictions[gene][term] = float(score)
    return predictions


# The transfer's share of a blended score where no weight was chosen (a model saved before
# the weight existed, or too few held-out genes to choose on): the plain mean.
DEFAULT_BLEND_WEIGHT = 0.5


def with_transfer(
    scores: AspectScores,
    transferred: Predictions,
    blend: bool,
    weight: float = DEFAULT_BLEND_WEIGHT,
) -> tuple[AspectScores, Predictions]:
    """The modelled terms' scores and the rare terms' transferred ones, apart.

    With `blend`, each modelled term's combined score becomes ``(1 - weight) * model +
    weight * transfer``: the two-view model's probability and the term's calibrated transfer
    (0 where no kept homolog carries it), two estimators that err differently. `weight` is
    chosen by the evaluation on held-out genes like the exported ones (`Lesson.blend_weight`).
    A gene with no transfer at all (no labeled homolog) keeps the plain mean, half its model
    score, whatever the weight: the weight is chosen on how the two agree where both speak,
    and halving such genes ranked them better than their whole score (docs/measured.md). The
    views' own scores are kept as they are.
    """
    column = {term: index for index, term in enumerate(scores.terms.tolist())}
    rare = {
        gene: {term: score for term, score in found.items() if term not in column}
        for gene, found in transferred.items()
    }
    if not blend:
        return scores, rare
    transfer = np.zeros_like(scores.score)
    row_of = {gene: row for row, gene in enumerate(scores.genes.tolist())}
    shares = np.full((len(row_of), 1), DEFAULT_BLEND_WEIGHT)
    for gene, found in transferred.items():
        if gene in row_of and found:
            shares[row_of[gene]] = weight
            for term, score in found.items():
                if term in column:
                    transfer[row_of[gene], column[term]] = score
    blended = ((1.0 - shares) * scores.score + shares * transfer).astype(scores.score.dtype)
    return replace(scores, score=blended), rare
