"""The benchmark CAFA scores, as matrices: truth and predictions mapped to current terms,
propagated, and split per aspect into proteins × terms sparse matrices (`aspect_benchmarks`),
and information accretion estimated from the propagated truth. `metrics` scores them.

* Term IDs are mapped to the current ones: an alt_id becomes its primary ID, obsolete and
  unknown terms are dropped (not replaced).
* Truth and predictions are propagated over is_a and part_of within a namespace: the truth is
  closed under ancestors and an ancestor takes the highest score of its descendants.
* The roots of each namespace are not scored: every annotated protein has them, so they only
  inflate precision and recall. cafaeval scores them unless given `no_orphans=True`.
* The benchmark proteins of an aspect are those with at least one non-root truth term in it;
  predictions for other proteins are ignored. (cafaeval with `no_orphans=True` still counts a
  protein annotated to a root only, with recall 0; CAFA benchmarks have no such proteins.)
"""

from __future__ import annotations

import graphlib
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse

from gocotrain.inputs.ontology import ASPECT_NAMES, Ontology


@dataclass
class AspectBenchmark:
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


def propagated_truth(truth: Mapping[str, set[str]], ontology: Ontology) -> dict[str, set[str]]:
    """Each gene's current truth terms with all their ancestors (roots included)."""
    propagated = {
        gene: ontology.propagate(_resolved(terms, ontology)) for gene, terms in truth.items()
    }
    return {gene: terms for gene, terms in propagated.items() if terms}


def information_accretion_of(
    annotated: dict[str, set[str]], ontology: Ontology
) -> dict[str, float]:
    """IA of each term of the propagated truth `annotated` (`metrics.information_accretion`)."""
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


def aspect_benchmarks(
    truth: Mapping[str, set[str]],
    predictions: Mapping[str, Mapping[str, float]],
    ontology: Ontology,
    ia: Mapping[str, float] | None,
) -> list[AspectBenchmark]:
    """Map, propagate and split truth and predictions into per-aspect sparse matrices; `ia`
    maps terms to information accretion (None: estimated from the truth)."""
    annotated = propagated_truth(truth, ontology)
    if ia is None:
        ia = information_accretion_of(annotated, ontology)
    genes = sorted(annotated)
    predicted_rows, term_codes, predicted_scores, primaries = _predicted_entries(
        predictions, {gene: row for row, gene in enumerate(genes)}, ontology
    )
    predicted = {primary for primary in primaries if primary is not None}
    terms = sorted(ontology.propagate(predicted).union(*annotated.values()))
    column = {term: index for index, term in enumerate(terms)}
    code_column = np.array([column.get(primary, -1) for primary in primaries], dtype=np.int64)
    predicted_cols = code_column[term_codes]
    usable = (predicted_cols >= 0) & (predicted_scores > 0)
    scored_pairs = _propagate_max(
        predicted_rows[usable],
        predicted_cols[usable],
        predicted_scores[usable],
        _parent_matrix(terms, column, ontology),
        _depths(terms, ontology),
    )
    truth_pairs = _pairs((annotated[gene] for gene in genes), column)
    return _split_by_aspect(genes, terms, truth_pairs, scored_pairs, ontology, ia)


def _predicted_entries(predictions, gene_row: Mapping[str, int], ontology: Ontology):
    """The predictions of the benchmark genes as rows (`gene_row`), codes of distinct terms and
    scores, with each distinct term's current ID (None: obsolete or unknown)."""
    benchmark_genes = [gene for gene in predictions if gene in gene_row]
    rows = np.repeat(
        np.array([gene_row[gene] for gene in benchmark_genes], dtype=np.int64),
        [len(predictions[gene]) for gene in benchmark_genes],
    )
    raw_terms = [term for gene in benchmark_genes for term in predictions[gene]]
    scores = np.fromiter(
        (score for gene in benchmark_genes for score in predictions[gene].values()), dtype=float
    )
    # Resolve each distinct term once; alt_id and primary of one term merge in _propagate_max.
    term_codes, distinct_terms = pd.factorize(pd.Series(raw_terms, dtype=object))
    primaries = [ontology.resolve(term)[0] for term in distinct_terms]
    return rows, term_codes, scores, primaries


def _parent_matrix(terms: list[str], column, ontology: Ontology) -> sparse.csr_matrix:
    """parents[t, p] = 1 when p is a parent of t, over `terms`."""
    parent_rows, parent_cols = _pairs((ontology.parents.get(term, ()) for term in terms), column)
    return sparse.csr_matrix(
        (np.ones(len(parent_rows)), (parent_rows, parent_cols)), shape=(len(terms), len(terms))
    )


def _split_by_aspect(genes, terms, truth_pairs, scored_pairs, ontology: Ontology, ia):
    """One AspectBenchmark per namespace with a non-root truth term, in namespace order."""
    truth_cols = truth_pairs[1]
    roots = ontology.roots
    aspect_of = np.array([ontology.aspects.get(term, "") for term in terms])
    scored = np.array([term not in roots for term in terms])
    ia_of = np.array([ia.get(term, 0.0) for term in terms], dtype=float)
    return [
        _aspect_benchmark(
            _namespace(aspect),
            scored & (aspect_of == aspect),
            genes,
            terms,
            truth_pairs,
            scored_pairs,
            ia_of,
        )
        for aspect in sorted(set(aspect_of[truth_cols[scored[truth_cols]]]), key=_namespace)
    ]


def _aspect_benchmark(
    namespace: str, in_aspect, genes, terms, truth_pairs, scored_pairs, ia_of
) -> AspectBenchmark:
    """The benchmark of the terms `in_aspect` (a mask over `terms`): the proteins with a truth
    term among them, and those terms and the predicted ones."""
    truth_rows, truth_cols = truth_pairs
    rows, cols, scores = scored_pairs
    truth_kept = in_aspect[truth_cols]
    proteins = np.unique(truth_rows[truth_kept])
    protein_row = np.full(len(genes), -1)
    protein_row[proteins] = np.arange(len(proteins))
    kept = in_aspect[cols] & (protein_row[rows] >= 0)
    aspect_terms = np.unique(np.concatenate([truth_cols[truth_kept], cols[kept]]))
    term_col = np.full(len(terms), -1)
    term_col[aspect_terms] = np.arange(len(aspect_terms))
    shape = (len(proteins), len(aspect_terms))
    return AspectBenchmark(
        namespace=namespace,
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


def _namespace(aspect: str) -> str:
    """The OBO namespace of an aspect: GO's P/F/C letters spelt out, other namespaces as is."""
    return ASPECT_NAMES.get(aspect, aspect)


def _resolved(terms, ontology: Ontology) -> set[str]:
    return {primary for primary, _ in map(ontology.resolve, terms) if primary is not None}


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
