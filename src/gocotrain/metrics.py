"""CAFA-style evaluation of term predictions against benchmark annotations.

The metrics are those of CAFA (Radivojac et al. 2013; Jiang et al. 2016; Zhou et al. 2019) as
the CAFA-evaluator (`cafaeval` on PyPI) computes them; the tests check agreement with it.

* Term IDs are mapped to the current ones: an alt_id becomes its primary ID, obsolete and
  unknown terms are dropped (not replaced).
* Truth and predictions are propagated over is_a and part_of within a namespace: the truth is
  closed under ancestors and an ancestor takes the highest score of its descendants.
* The roots of each namespace are not scored: every annotated protein has them, so they only
  inflate precision and recall. cafaeval scores them unless given `no_orphans=True`.
* The benchmark proteins of an aspect are those with at least one non-root truth term in it;
  predictions for other proteins are ignored. (cafaeval with `no_orphans=True` still counts a
  protein annotated to a root only, with recall 0; CAFA benchmarks have no such proteins.)
* Thresholds are cafaeval's grid, `np.arange(0.01, 1, 0.01)`, bit for bit: several of its
  values lie a hair above the decimal (0.06 is 0.060000000000000005), so a score of exactly 0.06
  counts at τ = 0.05 but not at τ = 0.06, as in cafaeval.
* As in cafaeval, thresholds at which no protein has a prediction are left out, which matters
  for Smin only (there S would be the mean IA of the whole truth).
"""

from __future__ import annotations

import graphlib
import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.metrics import average_precision_score, roc_auc_score

from gocotrain.errors import InputError
from gocotrain.ontology import ASPECT_NAMES, Ontology
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
    return _information_accretion(_propagated_truth(truth, ontology), ontology)


def _information_accretion(annotated: dict[str, set[str]], ontology: Ontology) -> dict[str, float]:
    terms = sorted(set().union(*annotated.values()))
    column = {term: index for index, term in enumerate(terms)}
    rows, cols = _pairs(annotated.values(), column)
    has_term = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(annotated), len(terms))
    )
    # parent_of[p, t] = 1 when p is a parent of t: has_term @ parent_of counts, per protein
    # and term, how many of the term's parents the protein has.
    parent_rows, parent_cols = _pairs((ontology.parents.get(term, ()) for term in terms), column)
    parent_of = sparse.csr_matrix(
        (np.ones(len(parent_rows)), (parent_cols, parent_rows)), shape=(len(terms), len(terms))
    )
    n_parents = np.asarray(parent_of.sum(axis=0)).ravel()
    parents_held = (has_term @ parent_of).tocoo()
    has_all_parents = parents_held.data == n_parents[parents_held.col]
    with_parents = np.bincount(parents_held.col[has_all_parents], minlength=len(terms))
    with_term = np.asarray(has_term.sum(axis=0)).ravel()
    # The truth is propagated, so a protein with t has all its parents: with_parents ≥ with_term.
    ia = np.zeros(len(terms))
    np.log2(with_parents / with_term, out=ia, where=n_parents > 0)
    return dict(zip(terms, ia.tolist(), strict=True))


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
    rows = []
    for aspect in _prepare(truth, predictions, ontology, ia):
        curve = _curves(aspect)
        covered = curve[curve["n_covered"] > 0].reset_index(drop=True)
        row = {
            "aspect": aspect.namespace,
            "n_proteins": aspect.n_proteins,
            "n_terms": len(aspect.terms),
        }
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
        rows.append(row | _term_centric(aspect))
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


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
    curves = [_curves(aspect) for aspect in _prepare(truth, predictions, ontology, ia)]
    return pd.concat(curves, ignore_index=True) if curves else pd.DataFrame()


@dataclass
class _Aspect:
    """One namespace's benchmark: proteins × scored terms, as sparse matrices."""

    namespace: str
    proteins: list[str]
    terms: list[str]
    truth: sparse.csr_matrix  # 1.0 where the protein has the term
    scores: sparse.csr_matrix  # propagated prediction scores, 0 where none
    ia: np.ndarray  # per term

    @property
    def n_proteins(self) -> int:
        return len(self.proteins)


def _namespace(aspect: str) -> str:
    """The OBO namespace of an aspect: GO's P/F/C letters spelt out, other namespaces as is."""
    return ASPECT_NAMES.get(aspect, aspect)


def _resolved(terms, ontology: Ontology) -> set[str]:
    return {primary for primary, _ in map(ontology.resolve, terms) if primary is not None}


def _propagated_truth(truth: Mapping[str, set[str]], ontology: Ontology) -> dict[str, set[str]]:
    """Each gene's current truth terms with all their ancestors (roots included)."""
    propagated = {
        gene: ontology.propagate(_resolved(terms, ontology)) for gene, terms in truth.items()
    }
    return {gene: terms for gene, terms in propagated.items() if terms}


def _pairs(groups, column: Mapping[str, int]) -> tuple[np.ndarray, np.ndarray]:
    """Row (group number) and column (`column[item]`) indices of the items of ragged groups."""
    groups = [[column[item] for item in group] for group in groups]
    lengths = np.array([len(group) for group in groups], dtype=np.int64)
    rows = np.repeat(np.arange(len(groups)), lengths)
    cols = np.fromiter((item for group in groups for item in group), dtype=np.int64)
    return rows, cols


def _depths(terms: list[str], ontology: Ontology) -> np.ndarray:
    """Length of the longest is_a/part_of path from a root: a child is deeper than its parents."""
    index = {term: position for position, term in enumerate(terms)}
    depth = np.zeros(len(terms), dtype=np.int64)
    hierarchy = {term: ontology.parents.get(term, ()) for term in terms}
    for term in graphlib.TopologicalSorter(hierarchy).static_order():  # parents first
        parents = hierarchy[term]
        if parents:
            depth[index[term]] = 1 + max(depth[index[parent]] for parent in parents)
    return depth


def _max_per_pair(rows, cols, scores, n_cols):
    """Collapse repeated (row, col) entries to one holding their highest score."""
    keys = rows * n_cols + cols
    order = np.argsort(keys)
    keys = keys[order]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else keys
    highest = np.maximum.reduceat(scores[order], starts) if len(keys) else scores
    return keys[starts] // n_cols, keys[starts] % n_cols, highest


def _propagate_max(rows, cols, scores, parents: sparse.csr_matrix, depth: np.ndarray):
    """Give every ancestor the highest score among its descendants.

    Terms are taken deepest first, so a term's score is final before it is passed to its
    parents; each is_a/part_of edge is followed once per protein, never the whole closure.
    """
    n_terms = parents.shape[0]
    pending = defaultdict(list)

    def send(rows, cols, scores):
        if not len(cols):
            return
        levels = depth[cols]
        order = np.argsort(levels, kind="stable")
        present, starts = np.unique(levels[order], return_index=True)
        for level, part in zip(present, np.split(order, starts[1:]), strict=True):
            pending[level].append((rows[part], cols[part], scores[part]))

    send(rows, cols, scores)
    final = [(rows[:0], cols[:0], scores[:0])]
    for level in range(int(depth.max(initial=0)), -1, -1):
        if not pending[level]:
            continue
        level_rows, level_cols, level_scores = _max_per_pair(
            *(np.concatenate(parts) for parts in zip(*pending.pop(level), strict=True)), n_terms
        )
        final.append((level_rows, level_cols, level_scores))
        n_parents = np.diff(parents.indptr)[level_cols]
        # Positions of each entry's parents in parents.indices, laid end to end.
        ends = np.cumsum(n_parents)
        offsets = np.arange(ends[-1] if len(ends) else 0) - np.repeat(ends - n_parents, n_parents)
        parent_cols = parents.indices[np.repeat(parents.indptr[level_cols], n_parents) + offsets]
        send(np.repeat(level_rows, n_parents), parent_cols, np.repeat(level_scores, n_parents))
    return tuple(np.concatenate(parts) for parts in zip(*final, strict=True))


def _prepare(truth, predictions, ontology: Ontology, ia) -> list[_Aspect]:
    """Map, propagate and split truth and predictions into per-aspect sparse matrices."""
    annotated = _propagated_truth(truth, ontology)
    if ia is None:
        ia = _information_accretion(annotated, ontology)
    genes = sorted(annotated)
    gene_row = {gene: row for row, gene in enumerate(genes)}

    benchmark_genes = [gene for gene in predictions if gene in gene_row]
    predicted_rows = np.repeat(
        np.array([gene_row[gene] for gene in benchmark_genes], dtype=np.int64),
        [len(predictions[gene]) for gene in benchmark_genes],
    )
    raw_terms = [term for gene in benchmark_genes for term in predictions[gene]]
    predicted_scores = np.fromiter(
        (score for gene in benchmark_genes for score in predictions[gene].values()), dtype=float
    )
    # Resolve each distinct term once; alt_id and primary of one term merge in _propagate_max.
    term_codes, distinct_terms = pd.factorize(pd.Series(raw_terms, dtype=object))
    primaries = [ontology.resolve(term)[0] for term in distinct_terms]
    predicted = {primary for primary in primaries if primary is not None}

    terms = sorted(ontology.propagate(predicted).union(*annotated.values()))
    column = {term: index for index, term in enumerate(terms)}
    parent_rows, parent_cols = _pairs((ontology.parents.get(term, ()) for term in terms), column)
    parents = sparse.csr_matrix(
        (np.ones(len(parent_rows)), (parent_rows, parent_cols)), shape=(len(terms), len(terms))
    )
    code_column = np.array([column.get(primary, -1) for primary in primaries], dtype=np.int64)
    predicted_cols = code_column[term_codes]
    usable = (predicted_cols >= 0) & (predicted_scores > 0)
    rows, cols, scores = _propagate_max(
        predicted_rows[usable],
        predicted_cols[usable],
        predicted_scores[usable],
        parents,
        _depths(terms, ontology),
    )
    truth_rows, truth_cols = _pairs((annotated[gene] for gene in genes), column)

    roots = ontology.roots
    aspect_of = np.array([ontology.aspects.get(term, "") for term in terms])
    scored = np.array([term not in roots for term in terms])
    ia_of = np.array([ia.get(term, 0.0) for term in terms], dtype=float)
    aspects = []
    for aspect in sorted(set(aspect_of[truth_cols[scored[truth_cols]]]), key=_namespace):
        in_aspect = scored & (aspect_of == aspect)
        truth_kept = in_aspect[truth_cols]
        proteins = np.unique(truth_rows[truth_kept])
        protein_row = np.full(len(genes), -1)
        protein_row[proteins] = np.arange(len(proteins))
        kept = in_aspect[cols] & (protein_row[rows] >= 0)
        aspect_terms = np.unique(np.concatenate([truth_cols[truth_kept], cols[kept]]))
        term_col = np.full(len(terms), -1)
        term_col[aspect_terms] = np.arange(len(aspect_terms))
        shape = (len(proteins), len(aspect_terms))
        aspects.append(
            _Aspect(
                namespace=_namespace(aspect),
                proteins=[genes[row] for row in proteins],
                terms=[terms[col] for col in aspect_terms],
                truth=sparse.csr_matrix(
                    (
                        np.ones(truth_kept.sum()),
                        (protein_row[truth_rows[truth_kept]], term_col[truth_cols[truth_kept]]),
                    ),
                    shape=shape,
                ),
                scores=sparse.csr_matrix(
                    (scores[kept], (protein_row[rows[kept]], term_col[cols[kept]])), shape=shape
                ),
                ia=np.nan_to_num(ia_of[aspect_terms], nan=0.0, posinf=0.0, neginf=0.0),
            )
        )
    return aspects


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


def _curves(aspect: _Aspect) -> pd.DataFrame:
    n = aspect.n_proteins
    predicted = aspect.scores.tocoo()
    correct = aspect.scores.multiply(aspect.truth).tocoo()
    n_true = np.asarray(aspect.truth.sum(axis=1))  # column vectors, broadcast over thresholds
    ia_true = aspect.truth @ aspect.ia[:, None]

    n_predicted = _at_thresholds(predicted, np.ones(predicted.nnz))
    n_correct = _at_thresholds(correct, np.ones(correct.nnz))
    ia_predicted = _at_thresholds(predicted, aspect.ia[predicted.col])
    ia_correct = _at_thresholds(correct, aspect.ia[correct.col])

    n_covered = (n_predicted > 0).sum(axis=0)
    precision = _ratio(_ratio(n_correct, n_predicted).sum(axis=0), n_covered)
    recall = _ratio(n_correct, n_true).sum(axis=0) / n
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
    """Labels, scores and weights for sklearn, one sample per scored pair.

    The unscored pairs all have score 0, so they enter as two samples (positives and negatives)
    weighted by their numbers instead of as a dense proteins × terms matrix; sklearn's curves
    treat a weighted sample exactly like that many tied ones.
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
    if labels.all() or not labels.any():
        return math.nan, math.nan
    return (
        average_precision_score(labels, scores, sample_weight=weights),
        roc_auc_score(labels, scores, sample_weight=weights),
    )


def _per_term(aspect: _Aspect) -> pd.DataFrame:
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
    frames = [_per_term(aspect) for aspect in _prepare(truth, predictions, ontology, {})]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _term_centric(aspect: _Aspect) -> dict[str, float]:
    """AUPR and AUROC per term (macro) and over all protein × term pairs (micro)."""
    n_proteins, n_terms = aspect.truth.shape
    per_term_values = _per_term(aspect)
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
