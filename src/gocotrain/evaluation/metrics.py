"""CAFA-style evaluation of term predictions against benchmark annotations: the files it reads
(truth, predictions, information accretion), the protein-centric and term-centric metrics, and
whether each view carries signal (`view_signal`).

The metrics are those of CAFA (Radivojac et al. 2013; Jiang et al. 2016; Zhou et al. 2019) as
the CAFA-evaluator (`cafaeval` on PyPI) computes them; the tests check agreement with it. What
is scored (current terms, propagated, roots left out, which proteins count) is
`cafa_benchmark`'s: per aspect, proteins × terms matrices of truth and scores.

* Thresholds are cafaeval's grid, `np.arange(0.01, 1, 0.01)`, bit for bit: several of its
  values lie a hair above the decimal (0.06 is 0.060000000000000005), so a score of exactly 0.06
  counts at τ = 0.05 but not at τ = 0.06, as in cafaeval.
* As in cafaeval, thresholds at which no protein has a prediction are left out, which matters
  for Smin only (there S would be the mean IA of the whole truth).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from gocotrain.errors import InputError
from gocotrain.evaluation.cafa_benchmark import (
    AspectBenchmark,
    aspect_benchmarks,
    information_accretion_of,
    propagated_truth,
)
from gocotrain.inputs.ontology import Ontology
from gocotrain.textio import iter_lines

THRESHOLDS = np.arange(0.01, 1, 0.01)
# CAFA2 reports term-centric AUROC only for terms with at least this many positives.
MIN_POSITIVES = 10
# CAFA 2-4 submissions wrap the `target term score` lines in these records.
CAFA_HEADER_RECORDS = {"AUTHOR", "MODEL", "KEYWORDS", "ACCURACY", "END"}

SUMMARY_COLUMNS = [
    "aspect",
    "n_proteins",
    "n_terms",
    "fmax",
    "precision",
    "recall",
    "threshold",
    "coverage",
    "wfmax",
    "wthreshold",
    "smin",
    "sthreshold",
    "aupr_macro",
    "auroc_macro",
    "n_terms_macro",
    "aupr_micro",
    "auroc_micro",
]


def read_truth(path: str | Path) -> dict[str, set[str]]:
    """Read benchmark annotations: one whitespace-separated `gene term` pair per line.

    Columns after the second (such as the aspect column of CAFA 5's train_terms.tsv) are
    ignored. A header line does no harm: its 'term' is not in the ontology, so it is dropped.
    """
    truth: dict[str, set[str]] = defaultdict(set)
    for number, line in iter_lines(path):
        fields = line.split()
        if not fields:
            continue
        if len(fields) < 2:
            raise InputError(
                path,
                f"expected `gene term`, found one column {fields[0]!r}",
                "give a gene ID and a term ID on each line, separated by a tab or spaces",
                line=number,
            )
        truth[fields[0]].add(fields[1])
    if not truth:
        raise InputError(path, "no annotations", "give one `gene term` pair per line")
    return dict(truth)


def read_predictions(path: str | Path) -> dict[str, dict[str, float]]:
    """Read a CAFA prediction file: whitespace-separated `gene term score` lines.

    The AUTHOR/MODEL/KEYWORDS/ACCURACY/END records of CAFA 2-4 submissions are skipped. A term
    given twice for a gene keeps its highest score, as in cafaeval.
    """
    predictions: dict[str, dict[str, float]] = defaultdict(dict)
    for number, line in iter_lines(path):
        fields = line.split()
        if not fields or fields[0] in CAFA_HEADER_RECORDS:
            continue
        if len(fields) != 3:
            raise InputError(
                path,
                f"expected `gene term score`, found {len(fields)} columns",
                "give three columns separated by a tab or spaces (CAFA format)",
                line=number,
            )
        gene, term, text = fields
        try:
            score = float(text)
        except ValueError:
            score = math.nan
        if not 0 <= score <= 1:  # also rejects nan
            raise InputError(
                path,
                f"the score {text!r} is not a number between 0 and 1",
                "give scores as probabilities in [0, 1]",
                line=number,
                record=gene,
            )
        scores = predictions[gene]
        scores[term] = max(score, scores.get(term, 0.0))
    return dict(predictions)


def read_split_predictions(paths: list[str]) -> dict[str, dict[str, float]]:
    """One method's predictions over the splits (each gene is a target of one split)."""
    predictions: dict[str, dict[str, float]] = {}
    for path in paths:
        for gene, scores in read_predictions(path).items():
            predictions.setdefault(gene, {}).update(scores)
    return predictions


def read_information_accretion(path: str | Path) -> dict[str, float]:
    """Read an IA file: `term value` per line, no header (the format cafaeval reads).

    Infinite or missing values count as 0, as in cafaeval.
    """
    values = {}
    for number, line in iter_lines(path):
        fields = line.split()
        if not fields:
            continue
        try:
            value = float(fields[1]) if len(fields) == 2 else None
        except ValueError:
            value = None
        if value is None or value < 0:
            raise InputError(
                path,
                "expected `term information_accretion` with a number ≥ 0",
                "give two columns, the term ID and its IA in bits, and no header",
                line=number,
            )
        values[fields[0]] = value if math.isfinite(value) else 0.0
    return values


def information_accretion(truth: Mapping[str, set[str]], ontology: Ontology) -> dict[str, float]:
    """IA(t) = −log2 P(t | all parents of t), estimated from the propagated truth.

    P is the share of the proteins annotated with every parent of t that are also annotated
    with t (Clark & Radivojac 2013). Roots get 0; terms absent from the truth are left out
    and count as 0 when scoring, as in cafaeval.
    """
    return information_accretion_of(propagated_truth(truth, ontology), ontology)


def evaluate(
    truth: Mapping[str, set[str]],
    predictions: Mapping[str, Mapping[str, float]],
    ontology: Ontology,
    ia: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Score predictions against the truth, one row per aspect (ontology namespace).

    Protein-centric: Fmax with its precision, recall, threshold and coverage (the share of
    benchmark proteins with a prediction at that threshold), IA-weighted Fmax and Smin.
    Term-centric: AUPR and AUROC averaged over the terms with at least MIN_POSITIVES
    positive benchmark proteins (macro), and over all protein × term pairs (micro), the terms
    being those in the propagated truth or predictions of the aspect. `ia` maps terms to
    information accretion; by default it is estimated from the truth.
    """
    return score(truth, predictions, ontology, ia).summary


@dataclass(frozen=True)
class Scores:
    """One set of predictions scored against one truth: `evaluate`'s summary, the
    `precision_recall_curve`, the `per_term` AUPR and the figures per protein, from one pass
    over the benchmark matrices."""

    summary: pd.DataFrame
    curves: pd.DataFrame
    per_term: pd.DataFrame
    proteins: list[ProteinScores]


def score(
    truth: Mapping[str, set[str]],
    predictions: Mapping[str, Mapping[str, float]],
    ontology: Ontology,
    ia: Mapping[str, float] | None = None,
) -> Scores:
    """Every figure of `predictions` against `truth` (see `Scores`)."""
    rows, curves, terms, proteins = [], [], [], []
    for aspect in aspect_benchmarks(truth, predictions, ontology, ia):
        each = _protein_scores(aspect)
        curve = _curves(aspect, each)
        per_term_values = _per_term(aspect)
        rows.append(_summary(aspect, curve) | _term_centric(aspect, per_term_values))
        curves.append(curve)
        terms.append(per_term_values)
        proteins.append(each)
    return Scores(
        pd.DataFrame(rows, columns=SUMMARY_COLUMNS), _joined(curves), _joined(terms), proteins
    )


def _joined(frames: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _summary(aspect: AspectBenchmark, curve: pd.DataFrame) -> dict:
    """The protein-centric figures of `evaluate`'s row, at the best thresholds of `curve`."""
    covered = curve[curve["n_covered"] > 0].reset_index(drop=True)
    row = dict(aspect=aspect.namespace, n_proteins=aspect.n_proteins, n_terms=len(aspect.terms))
    if covered.empty:
        row |= {"fmax": 0.0, "precision": 0.0, "recall": 0.0, "coverage": 0.0, "wfmax": 0.0}
    else:
        best = covered.loc[covered["f"].idxmax()]
        weighted_best = covered.loc[covered["wf"].idxmax()]
        smallest_s = covered.loc[covered["s"].idxmin()]
        row |= {
            "fmax": best["f"],
            "precision": best["precision"],
            "recall": best["recall"],
            "threshold": best["threshold"],
            "coverage": best["coverage"],
            "wfmax": weighted_best["wf"],
            "wthreshold": weighted_best["threshold"],
            "smin": smallest_s["s"],
            "sthreshold": smallest_s["threshold"],
        }
    if not aspect.ia[aspect.truth.indices].any():
        # Every truth term is certain given its parents: IA weighting is undefined.
        row |= {"wfmax": math.nan, "wthreshold": math.nan}
    return row


def precision_recall_curve(
    truth: Mapping[str, set[str]],
    predictions: Mapping[str, Mapping[str, float]],
    ontology: Ontology,
    ia: Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """Protein-centric metrics at every threshold, one row per aspect and threshold.

    Columns: aspect, threshold, n_covered (proteins with a prediction ≥ threshold), coverage,
    precision, recall, f, and their IA-weighted versions wprecision, wrecall, wf, with ru
    (remaining uncertainty), mi (misinformation) and s = √(ru² + mi²). Thresholds without
    coverage are kept here, with precision 0.
    """
    return _joined(
        [_curves(aspect) for aspect in aspect_benchmarks(truth, predictions, ontology, ia)]
    )


def _ratio(numerator, denominator):
    """numerator / denominator, 0 where the denominator is 0."""
    numerator = np.asarray(numerator, dtype=float)
    return np.divide(numerator, denominator, out=np.zeros_like(numerator), where=denominator > 0)


def _at_thresholds(entries: sparse.coo_matrix, weights: np.ndarray) -> np.ndarray:
    """Per protein and threshold, the summed weight of the entries scored ≥ the threshold."""
    # An entry is predicted at thresholds[:bucket]: the same `score >= τ` test as cafaeval's.
    bucket = np.searchsorted(THRESHOLDS, entries.data, side="right")
    per_bucket = sparse.coo_matrix(
        (weights, (entries.row, bucket)), shape=(entries.shape[0], len(THRESHOLDS) + 1)
    ).toarray()
    return np.cumsum(per_bucket[:, ::-1], axis=1)[:, ::-1][:, 1:]


@dataclass(frozen=True)
class ProteinScores:
    """One aspect's protein-centric figures per protein (rows) and threshold (columns), before
    they are averaged: each protein's precision (0 where it has no prediction), recall, and
    whether it has a prediction at the threshold."""

    namespace: str
    proteins: list[str]
    precision: np.ndarray
    recall: np.ndarray
    covered: np.ndarray

    def fmax(self, weights: np.ndarray | None = None) -> np.ndarray:
        """Fmax with each protein counted `weights` times (rows: one weighting each; default
        once): precision averaged over the covered proteins, recall over all of them."""
        weights = np.ones((1, len(self.proteins))) if weights is None else np.atleast_2d(weights)
        n_covered = weights @ self.covered
        precision = _ratio(weights @ self.precision, n_covered)
        recall = (weights @ self.recall) / weights.sum(axis=1, keepdims=True)
        f = _ratio(2 * precision * recall, precision + recall)
        return np.where(n_covered > 0, f, 0.0).max(axis=1)


def _protein_scores(aspect: AspectBenchmark) -> ProteinScores:
    predicted = aspect.scores.tocoo()
    correct = aspect.scores.multiply(aspect.truth).tocoo()
    n_true = np.asarray(aspect.truth.sum(axis=1))  # column vectors, broadcast over thresholds
    n_predicted = _at_thresholds(predicted, np.ones(predicted.nnz))
    n_correct = _at_thresholds(correct, np.ones(correct.nnz))
    return ProteinScores(
        aspect.namespace,
        aspect.proteins,
        precision=_ratio(n_correct, n_predicted),
        recall=_ratio(n_correct, n_true),
        covered=n_predicted > 0,
    )


def _curves(aspect: AspectBenchmark, each: ProteinScores | None = None) -> pd.DataFrame:
    """`precision_recall_curve`'s rows of one aspect; `each` its `_protein_scores` if made."""
    n = aspect.n_proteins
    predicted = aspect.scores.tocoo()
    correct = aspect.scores.multiply(aspect.truth).tocoo()
    ia_true = aspect.truth @ aspect.ia[:, None]
    ia_predicted = _at_thresholds(predicted, aspect.ia[predicted.col])
    ia_correct = _at_thresholds(correct, aspect.ia[correct.col])

    each = _protein_scores(aspect) if each is None else each
    n_covered = each.covered.sum(axis=0)
    precision = _ratio(each.precision.sum(axis=0), n_covered)
    recall = each.recall.sum(axis=0) / n
    # Weighted precision averages over the proteins with some predicted IA, as cafaeval does.
    wprecision = _ratio(
        _ratio(ia_correct, ia_predicted).sum(axis=0), (ia_predicted > 0).sum(axis=0)
    )
    wrecall = _ratio(ia_correct, ia_true).sum(axis=0) / n
    remaining = (ia_true - ia_correct).sum(axis=0) / n
    misinformation = (ia_predicted - ia_correct).sum(axis=0) / n
    return pd.DataFrame(
        {
            "aspect": aspect.namespace,
            "threshold": THRESHOLDS,
            "n_covered": n_covered,
            "coverage": n_covered / n,
            "precision": precision,
            "recall": recall,
            "f": _ratio(2 * precision * recall, precision + recall),
            "wprecision": wprecision,
            "wrecall": wrecall,
            "wf": _ratio(2 * wprecision * wrecall, wprecision + wrecall),
            "ru": remaining,
            "mi": misinformation,
            "s": np.hypot(remaining, misinformation),
        }
    )


def _weighted_pairs(positive_keys, scored_keys, scores, n_pairs):
    """Labels, scores and weights, one sample per scored pair.

    The unscored pairs all have score 0, so they enter as two samples (positives and negatives)
    weighted by their numbers instead of as a dense proteins × terms matrix; the curves treat
    a weighted sample exactly like that many tied ones.
    """
    labels = np.isin(scored_keys, positive_keys)
    unscored_positives = len(positive_keys) - labels.sum()
    unscored_negatives = n_pairs - len(scored_keys) - unscored_positives
    labels = np.concatenate([labels, [True, False]])
    scores = np.concatenate([scores, [0.0, 0.0]])
    weights = np.concatenate([np.ones(len(scored_keys)), [unscored_positives, unscored_negatives]])
    present = weights > 0
    return labels[present], scores[present], weights[present]


def _aupr_auroc(labels, scores, weights) -> tuple[float, float]:
    """sklearn's `average_precision_score` and `roc_auc_score` with sample weights (the
    tests hold the two to them), computed here because the evaluation calls them for every
    term of every method: sklearn's input checks took 5 ms a call, most of a run's scoring.

    Both walk the distinct scores from the highest down, counting (weighted) true and false
    positives at or above each: AP sums the precision at each step times the recall it adds,
    AUROC is the trapezoid area under (false positive rate, true positive rate).
    """
    if labels.all() or not labels.any():
        return math.nan, math.nan
    order = np.argsort(scores, kind="mergesort")[::-1]
    scores, labels, weights = scores[order], labels[order].astype(bool), weights[order]
    # The last sample of each run of tied scores: a threshold.
    ends = np.r_[np.flatnonzero(np.diff(scores)), len(scores) - 1]
    true_positives = np.cumsum(weights * labels)[ends]
    false_positives = np.cumsum(weights * ~labels)[ends]
    recall = true_positives / true_positives[-1]
    precision = true_positives / (true_positives + false_positives)
    average_precision = float(np.sum(np.diff(recall, prepend=0.0) * precision))
    rates = (np.r_[0.0, false_positives] / false_positives[-1], np.r_[0.0, recall])
    return average_precision, float(np.trapezoid(rates[1], rates[0]))


def _per_term(aspect: AspectBenchmark) -> pd.DataFrame:
    """AUPR and AUROC of each term with at least MIN_POSITIVES positives (not all)."""
    n_proteins = aspect.truth.shape[0]
    truth = aspect.truth.tocsc()
    scores = aspect.scores.tocsc()
    positives = np.diff(truth.indptr)
    eligible = np.flatnonzero((positives >= MIN_POSITIVES) & (positives < n_proteins))
    values = [
        _aupr_auroc(
            *_weighted_pairs(
                truth.indices[truth.indptr[term] : truth.indptr[term + 1]],
                scores.indices[scores.indptr[term] : scores.indptr[term + 1]],
                scores.data[scores.indptr[term] : scores.indptr[term + 1]],
                n_proteins,
            )
        )
        for term in eligible
    ]
    return pd.DataFrame(
        {
            "aspect": aspect.namespace,
            "term": [aspect.terms[term] for term in eligible],
            "positives": positives[eligible].astype(int),
            "aupr": [value[0] for value in values],
            "auroc": [value[1] for value in values],
        }
    )


def per_term(
    truth: Mapping[str, set[str]],
    predictions: Mapping[str, Mapping[str, float]],
    ontology: Ontology,
) -> pd.DataFrame:
    """Term-centric AUPR and AUROC of every term with at least MIN_POSITIVES benchmark
    positives: columns aspect, term, positives, aupr, auroc (the terms `evaluate` averages)."""
    return _joined(
        [_per_term(aspect) for aspect in aspect_benchmarks(truth, predictions, ontology, {})]
    )


def _term_centric(aspect: AspectBenchmark, per_term_values: pd.DataFrame) -> dict[str, float]:
    """AUPR and AUROC per term (macro: `per_term_values`, the aspect's `_per_term`) and over
    all protein × term pairs (micro)."""
    n_proteins, n_terms = aspect.truth.shape
    truth_pairs = aspect.truth.tocoo()
    scored_pairs = aspect.scores.tocoo()
    micro = _aupr_auroc(
        *_weighted_pairs(
            truth_pairs.row.astype(np.int64) * n_terms + truth_pairs.col,
            scored_pairs.row.astype(np.int64) * n_terms + scored_pairs.col,
            scored_pairs.data,
            n_proteins * n_terms,
        )
    )
    empty = per_term_values.empty
    return {
        "aupr_macro": math.nan if empty else float(per_term_values["aupr"].mean()),
        "auroc_macro": math.nan if empty else float(per_term_values["auroc"].mean()),
        "n_terms_macro": len(per_term_values),
        "aupr_micro": micro[0],
        "auroc_micro": micro[1],
    }


# The methods that say whether each view carries signal, in the order a reader compares them.
VIEW_SIGNAL_METHODS = (
    "naive",
    "multifunctionality",
    "sequence_only",
    "expression_only",
    "two_view_supervised",
    "cotraining",
)


def view_signal(metrics: pd.DataFrame) -> pd.DataFrame:
    """Per target kind and aspect, the Fmax of each view alone, the two together and the
    controls (those of VIEW_SIGNAL_METHODS that were evaluated), and the margins a user reads
    before trusting co-training: the expression view over the better control (naive or
    multifunctionality), the two views over the sequence view alone, and co-training over
    the same two views supervised. A margin whose methods were not evaluated is empty."""
    found = metrics[metrics["method"].isin(VIEW_SIGNAL_METHODS)]
    wide = found.pivot_table(index=["targets", "aspect"], columns="method", values="fmax")
    wide = wide.reindex(columns=[m for m in VIEW_SIGNAL_METHODS if m in wide.columns])

    def margin(first: str, *others: str) -> pd.Series:
        if first not in wide or not all(other in wide for other in others):
            return pd.Series(np.nan, index=wide.index)
        return wide[first] - wide[list(others)].max(axis=1)

    margins = {
        "expression_over_controls": margin("expression_only", "naive", "multifunctionality"),
        "two_views_over_sequence": margin("two_view_supervised", "sequence_only"),
        "cotraining_over_supervised": margin("cotraining", "two_view_supervised"),
    }
    return wide.assign(**margins).round(4).reset_index()
