"""The one per-term path over an aspect: choose the terms to model, fit each term's model
(`term_model`), let it choose co-training or not, score genes with it and save its boosters;
what it did per term (`TermReport`) and per aspect, and an aspect's scores (`AspectScores`),
merged from batches (`merge_batches`).

`score_aspect` runs it for the workflow's co-training jobs (the product) and for every
learned method of the evaluation (`methods`). Rows are the genes of either view and every
labeled gene, sorted (`view_genes`, `align_views`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from joblib import Parallel, delayed

from gocotrain.learning.decisions import COTRAINING, SUPERVISED
from gocotrain.textio import atomic_write
from gocotrain.views.features import VIEWS, FeatureMatrix

if TYPE_CHECKING:
    from gocotrain.learning.term_model import TermGraphs

log = logging.getLogger(__name__)


@dataclass
class AspectScores:
    """Scores of unlabeled genes (rows) for modelled terms (columns): combined (`score`) and
    each view's own (`views`, by view name, in `features.VIEWS` order)."""

    genes: np.ndarray
    terms: np.ndarray
    score: np.ndarray
    views: dict[str, np.ndarray]

    def matrices(self) -> dict[str, np.ndarray]:
        """Every score matrix by its column name: ``score`` and ``score_<view>``."""
        return {"score": self.score} | {
            view_column(view): matrix for view, matrix in self.views.items()
        }

    def to_npz(self, path: str | Path) -> None:
        with atomic_write(path, "wb") as handle:
            np.savez_compressed(handle, genes=self.genes, terms=self.terms, **self.matrices())

    @classmethod
    def from_npz(cls, path: str | Path) -> AspectScores:
        with np.load(path, allow_pickle=False) as data:
            views = {
                name.removeprefix("score_"): data[name]
                for name in data.files
                if name.startswith("score_")
            }
            return cls(data["genes"], data["terms"], data["score"], views)


def view_column(view: str) -> str:
    """The exported column of a view's own score: ``score_sequence``, ``score_expression``."""
    return f"score_{view}"


@dataclass
class TermReport:
    """What the per-term path did for one term: its decision and, if saved, its model files.

    ``pseudo_labels`` counts the pseudo-labels each view received; ``validation`` is the
    held-out check's history (`CoTrainingClassifier.validation_`); ``model`` is the term's
    entry in the saved model's model.json (`models.write_term_boosters`), None when not saved.
    """

    term: str
    decision: str
    reason: str
    pseudo_labels: list[int] = field(default_factory=lambda: [0, 0])
    validation: list[dict] = field(default_factory=list)
    model: dict | None = None
    pseudo_positive_genes: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, model, term: str, saved: dict | None = None, genes=None) -> TermReport:
        """The report of a fitted model; a learner without a co-training choice is supervised.
        `genes` names the rows of the fit (for the genes given the term by the other view)."""
        rows = getattr(model, "pseudo_positive_rows_", [])
        return cls(
            term=term,
            decision=getattr(model, "decision_", SUPERVISED),
            reason=getattr(model, "decision_reason_", ""),
            pseudo_labels=[int(count) for count in getattr(model, "n_pseudo_labeled_", (0, 0))],
            validation=list(getattr(model, "validation_", [])),
            model=saved,
            pseudo_positive_genes=[str(genes[row]) for row in rows] if genes is not None else [],
        )

    def to_dict(self) -> dict:
        entry = asdict(self)
        if self.model is None:
            del entry["model"]
        return entry

    @classmethod
    def from_dict(cls, entry: dict) -> TermReport:
        return cls(**entry)


def view_genes(
    sequence: FeatureMatrix, expression: FeatureMatrix, others: Iterable[str] = ()
) -> list[str]:
    """The rows of every fit: genes of either view and `others`, sorted so that the input
    order never changes a result."""
    return sorted(set(sequence.genes.tolist()) | set(expression.genes.tolist()) | set(others))


def align_views(
    genes: list[str], sequence: FeatureMatrix, expression: FeatureMatrix
) -> tuple[np.ndarray, np.ndarray]:
    """Both views over the same genes; a gene missing a view gets an all-NaN row there."""

    def aligned(view: FeatureMatrix) -> np.ndarray:
        frame = pd.DataFrame(view.values, index=view.genes).reindex(genes)
        return frame.to_numpy(dtype=np.float32)

    return aligned(sequence), aligned(expression)


def select_terms(
    labels: pd.DataFrame, labeled_genes: int, min_positives: int
) -> tuple[list[str], dict]:
    """Terms with at least min_positives positives and at least one negative."""
    counts = labels["go_id"].value_counts()
    frequent = counts[counts >= min_positives]
    universal = frequent[frequent >= labeled_genes]
    terms = sorted(frequent.index.difference(universal.index))
    return terms, {
        "terms_with_labels": len(counts),
        "terms_below_min_positives": int((counts < min_positives).sum()),
        "terms_without_negatives": len(universal),
        "terms_modelled": len(terms),
    }


def _fit_and_score(model, X1, X2, graphs, y, rows, term, seed, model_dir, genes=None):
    # Imported where a term is fitted: reading and merging scores needs no XGBoost.
    from gocotrain.export.models import write_term_boosters
    from gocotrain.learning.term_model import fit_term, gain_shares, score_term

    fitted, X_term_sequence, X_term_expression = fit_term(model, X1, X2, graphs, y, term, seed)
    scores = score_term(fitted, X_term_sequence, X_term_expression, rows)
    saved = write_term_boosters(fitted, term, model_dir) if model_dir is not None else None
    importance = [
        gain_shares(view_model, X.shape[1])
        for view_model, X in zip(
            fitted.estimators_, (X_term_sequence, X_term_expression), strict=True
        )
    ]
    return scores, TermReport.of(fitted, term, saved, genes), importance


def summarise_terms(term_reports: list[TermReport]) -> dict:
    """Counts over the per-term decisions (also used to merge batches)."""
    cotrained = [entry for entry in term_reports if entry.decision == COTRAINING]
    added = [sum(entry.pseudo_labels) for entry in cotrained]
    given = [entry.pseudo_positive_genes for entry in term_reports]
    return {
        "terms_cotrained": len(cotrained),
        "terms_supervised": len(term_reports) - len(cotrained),
        "pseudo_labels_added_mean": round(float(np.mean(added)), 2) if added else 0.0,
        # Genes that got a term only through the other view (a positive pseudo-label).
        "genes_given_a_term_by_the_other_view": len(set().union(*given)) if given else 0,
        "terms_given_by_the_other_view": sum(len(genes) for genes in given),
        "terms": [entry.to_dict() for entry in term_reports],
    }


@dataclass
class _Problem:
    """One aspect's fitting problem: rows, views, labels and which rows to score."""

    genes: pd.Index
    X_sequence: np.ndarray
    X_expression: np.ndarray
    base: np.ndarray  # 0 for labeled rows, -1 for the others
    positives_of: dict[str, np.ndarray]  # term -> rows of its positives
    scored: np.ndarray
    unlabeled: np.ndarray

    def target(self, term: str) -> np.ndarray:
        y = self.base.copy()
        y[self.positives_of[term]] = 1
        return y


def _rows_by_term(labels: pd.DataFrame, genes: pd.Index) -> dict[str, np.ndarray]:
    # Sorted and split with NumPy: a pandas groupby into lists took seconds on a proteome.
    terms = labels["go_id"].to_numpy(dtype=str)
    rows = genes.get_indexer(labels["gene_id"].to_numpy())
    order = np.argsort(terms, kind="stable")
    terms, rows = terms[order], rows[order]
    names, starts = np.unique(terms, return_index=True)
    if not len(names):
        return {}
    return dict(zip(names.tolist(), np.split(rows, starts[1:]), strict=True))


def _problem(labels, sequence, expression, score_genes, score_labeled=False) -> _Problem:
    labeled = set(labels["gene_id"].unique().tolist())
    genes = pd.Index(view_genes(sequence, expression, labeled | set(score_genes or ())))
    X_sequence, X_expression = align_views(genes.tolist(), sequence, expression)
    is_labeled = genes.isin(list(labeled))
    unlabeled = np.flatnonzero(~is_labeled)
    if score_genes is None:
        scored = unlabeled
    else:
        scored = np.sort(genes.get_indexer(sorted(set(score_genes))))
        if is_labeled[scored].any() and not score_labeled:
            raise ValueError("the genes to score must be unlabeled in the aspect")
    return _Problem(
        genes=genes,
        X_sequence=X_sequence,
        X_expression=X_expression,
        base=np.where(is_labeled, 0, -1).astype(np.int8),
        positives_of=_rows_by_term(labels, genes),
        scored=scored,
        unlabeled=unlabeled,
    )


def score_aspect(
    aspect: str,
    sequence: FeatureMatrix,
    expression: FeatureMatrix,
    labels: pd.DataFrame,
    hits: pd.DataFrame | None,
    model,
    min_positives: int,
    seed: int,
    n_jobs: int = 1,
    terms: list[str] | None = None,
    model_dir: str | Path | None = None,
    score_genes: Iterable[str] | None = None,
    score_labeled: bool = False,
) -> tuple[AspectScores, dict]:
    """Fit `model` on each modelled term of `aspect` (or on `terms` among them: one batch) and
    score the genes unlabeled in the aspect, or `score_genes` (which must be unlabeled, unless
    `score_labeled`: a new organism's genes labeled by the reference's teaching are scored too,
    `reference`).

    Rows are every gene of either view and every labeled gene, sorted; each term's model
    depends only on the term and the seed, so its scores are the same whichever batch it is
    scored in. `hits` (homology search hits) give the sequence view its per-term homology
    features, from the labels only. With `model_dir`, each term's boosters are saved there.
    """
    labels = labels[labels["aspect"] == aspect]
    problem = _problem(labels, sequence, expression, score_genes, score_labeled)
    modelled, selection = select_terms(labels, int((problem.base == 0).sum()), min_positives)
    terms = _checked_terms(aspect, terms, modelled)
    _log_problem(aspect, problem, len(terms))
    from gocotrain.learning.term_model import TermGraphs  # as in _fit_and_score

    graphs = TermGraphs.of(problem.genes.tolist(), hits, problem.X_expression, expression.columns)
    results = _fit_and_score_each(model, problem, graphs, terms, seed, model_dir, n_jobs)
    (score, *views), term_reports, importance = _collect(
        aspect, results, len(problem.scored), terms
    )
    report = selection | _aspect_report(aspect, problem, graphs.homology, term_reports)
    report["feature_importance"] = _mean_importance(
        *_feature_names(sequence, expression, graphs), importance, len(terms)
    )
    aspect_scores = AspectScores(
        genes=np.asarray(problem.genes[problem.scored], dtype=str),
        terms=np.asarray(terms, dtype=str),
        score=score,
        views=dict(zip(VIEWS, views, strict=True)),
    )
    return aspect_scores, report


def _log_problem(aspect: str, problem: _Problem, n_terms: int) -> None:
    log.info(
        "aspect %s: %d labeled, %d unlabeled genes, %d terms to model",
        aspect,
        (problem.base == 0).sum(),
        len(problem.unlabeled),
        n_terms,
    )


def _fit_and_score_each(model, problem: _Problem, graphs, terms, seed, model_dir, n_jobs):
    """`_fit_and_score` of each term, as a generator of results in `terms` order."""
    # Threads, not processes: XGBoost releases the GIL while it trains and predicts, and
    # threads share the feature matrices instead of copying them to every worker.
    return Parallel(n_jobs=n_jobs, backend="threading", return_as="generator")(
        delayed(_fit_and_score)(
            model,
            problem.X_sequence,
            problem.X_expression,
            graphs,
            problem.target(term),
            problem.scored,
            term,
            seed,
            model_dir,
            problem.genes,
        )
        for term in terms
    )


def _feature_names(
    sequence: FeatureMatrix, expression: FeatureMatrix, graphs: TermGraphs
) -> tuple[list, list]:
    """The names of each view's features: its columns, then its per-term features."""
    homology_names, coexpression_names = graphs.feature_names()
    return (
        [*sequence.columns.tolist(), *homology_names],
        [*expression.columns.tolist(), *coexpression_names],
    )


def _aspect_report(aspect: str, problem: _Problem, graph, term_reports) -> dict:
    unlabeled = problem.unlabeled

    def with_view(X: np.ndarray) -> int:
        return int((~np.isnan(X[unlabeled]).all(axis=1)).sum())

    return {
        "aspect": aspect,
        "labeled_genes": int((problem.base == 0).sum()),
        "unlabeled_genes": len(unlabeled),
        "homology_pairs": graph.n_pairs if graph is not None else 0,
        "genes_unlabeled_with_sequence": with_view(problem.X_sequence),
        "genes_unlabeled_with_expression": with_view(problem.X_expression),
        **summarise_terms(term_reports),
    }


def _checked_terms(aspect: str, terms: list[str] | None, modelled: list[str]) -> list[str]:
    if terms is None:
        return modelled
    unknown = sorted(set(terms) - set(modelled))
    if unknown:
        raise ValueError(f"aspect {aspect}: terms not modelled: {', '.join(unknown[:5])}")
    return sorted(terms)


def _collect(aspect: str, results, n_rows: int, terms: list[str]):
    """The per-term results as score matrices (rows × terms), reports and summed gain shares."""
    shape = (n_rows, len(terms))
    matrices = [np.empty(shape, dtype=np.float32) for _ in range(1 + len(VIEWS))]
    term_reports, importance = [], None
    # Progress at each quarter: a few lines per job, not one per term, scroll past a run.
    started, step = time.monotonic(), max(1, len(terms) // 4)
    for column, (term_scores, term_report, shares) in enumerate(results):
        if (column + 1) % step == 0 or column + 1 == len(terms):
            elapsed = time.monotonic() - started
            log.info(
                "aspect %s: %d/%d terms scored in %.0f s", aspect, column + 1, len(terms), elapsed
            )
        for matrix, values in zip(matrices, term_scores, strict=True):
            matrix[:, column] = values
        term_reports.append(term_report)
        importance = (
            shares
            if importance is None
            else [a + b for a, b in zip(importance, shares, strict=True)]
        )
    return matrices, term_reports, importance


def _mean_importance(sequence_names, expression_names, importance, n_terms: int) -> dict:
    """Mean share of the gain over the modelled terms: which features the views rely on."""
    if importance is None:
        importance = [np.zeros(len(sequence_names)), np.zeros(len(expression_names))]
    return {
        view: {
            str(name): round(float(value) / max(1, n_terms), 6)
            for name, value in zip(names, totals, strict=True)
        }
        for view, names, totals in (
            ("sequence", sequence_names, importance[0]),
            ("expression", expression_names, importance[1]),
        )
    }


def merge_batches(
    parts: list[tuple[AspectScores, dict]], terms: list[str]
) -> tuple[AspectScores, dict]:
    """One aspect's scores and report from those of its batches, columns in `terms` order.

    Byte for byte what `score_aspect` gives for all terms in one job (feature importance up to
    rounding: it is averaged over the batches weighted by their numbers of terms).
    """
    if not parts:
        raise ValueError("no batches to merge")
    genes = parts[0][0].genes
    for scores, _ in parts[1:]:
        if not np.array_equal(scores.genes, genes):
            raise ValueError("the batches scored different genes; rerun them from the same inputs")
    found = np.concatenate([scores.terms for scores, _ in parts])
    if sorted(found.tolist()) != sorted(terms):
        raise ValueError(
            f"the batches scored {len(found)} terms, the plan has {len(terms)}; rerun the batches"
        )
    order = pd.Index(found).get_indexer(terms)

    def merged_matrix(name: str) -> np.ndarray:
        return np.concatenate([scores.matrices()[name] for scores, _ in parts], axis=1)[:, order]

    first = parts[0][0]
    merged = AspectScores(
        genes=genes,
        terms=np.asarray(terms, dtype=str),
        score=merged_matrix("score"),
        views={view: merged_matrix(view_column(view)) for view in first.views},
    )
    by_term = {
        entry["term"]: TermReport.from_dict(entry)
        for _, report in parts
        for entry in report["terms"]
    }
    report = {
        key: value
        for key, value in parts[0][1].items()
        if key not in ("terms", "feature_importance")
    }
    report.update(summarise_terms([by_term[term] for term in terms]))
    report["feature_importance"] = _weighted_importance(parts)
    return merged, report


def _weighted_importance(parts: list[tuple[AspectScores, dict]]) -> dict:
    weights = [len(scores.terms) for scores, _ in parts]
    total = max(1, sum(weights))
    return {
        view: {
            name: round(
                sum(
                    weight * part_report["feature_importance"][view][name]
                    for weight, (_, part_report) in zip(weights, parts, strict=True)
                )
                / total,
                6,
            )
            for name in names
        }
        for view, names in parts[0][1]["feature_importance"].items()
    }
