"""Score every modelled GO term of one aspect for the genes unlabeled in that aspect."""

from __future__ import annotations

import logging
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xgboost as xgb
from joblib import Parallel, delayed
from sklearn.base import clone

from gocotrain.cotraining import CoTrainingClassifier
from gocotrain.features import FeatureMatrix
from gocotrain.homology import HomologyGraph
from gocotrain.models import save_term_models
from gocotrain.textio import atomic_write

log = logging.getLogger(__name__)


@dataclass
class AspectScores:
    """Scores of unlabeled genes (rows) for modelled terms (columns), combined and per view."""

    genes: np.ndarray
    terms: np.ndarray
    score: np.ndarray
    score_sequence: np.ndarray
    score_expression: np.ndarray

    def to_npz(self, path: str | Path) -> None:
        with atomic_write(path, "wb") as handle:
            np.savez_compressed(handle, **self.__dict__)

    @classmethod
    def from_npz(cls, path: str | Path) -> AspectScores:
        with np.load(path, allow_pickle=False) as data:
            return cls(**{name: data[name] for name in data.files})


def term_seed(seed: int, term: str) -> int:
    """A seed per term that does not depend on the order or the number of workers."""
    return zlib.crc32(f"{seed}:{term}".encode())


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


def with_homology(X_sequence: np.ndarray, graph: HomologyGraph | None, y: np.ndarray):
    """The sequence view of one term: composition plus the term's homology features.

    They are computed from the labels in `y` (1/0 labeled, -1 unlabeled) only; a gene's own
    label never enters its own features.
    """
    if graph is None:
        return X_sequence
    features = graph.term_features(y >= 0, y == 1)
    # A gene without any sequence keeps an all-NaN row: the view is missing for it.
    features[np.all(np.isnan(X_sequence), axis=1)] = np.nan
    return np.hstack([X_sequence, features])


HOMOLOGY_FEATURES = ("homology_knn", "homology_identity")


def gain_shares(model, n_features: int) -> np.ndarray:
    """Each feature's share of a booster's total gain (zeros for another kind of model)."""
    shares = np.zeros(n_features)
    if isinstance(model, xgb.Booster):
        for name, gain in model.get_score(importance_type="total_gain").items():
            shares[int(name[1:])] = gain  # features are named f0, f1, ... by position
    total = shares.sum()
    return shares / total if total > 0 else shares


def _score_term(model, X1, X2, graph, y, unlabeled, term, seed, model_dir=None):
    model = clone(model).set_params(random_state=term_seed(seed, term))
    X1 = with_homology(X1, graph, y)
    model.fit(X1, X2, y)
    first, second = model.predict_proba_views(X1[unlabeled], X2[unlabeled])
    combined = model.combine_views(first, second)[:, 1]
    summary = {
        "term": term,
        "decision": model.decision_,
        "reason": model.decision_reason_,
        "pseudo_labels": [int(count) for count in model.n_pseudo_labeled_],
        "validation": model.validation_,
    }
    if model_dir is not None:
        summary["model"] = save_term_models(model, term, model_dir)
    importance = [
        gain_shares(view_model, X.shape[1])
        for view_model, X in zip(model.estimators_, (X1, X2), strict=True)
    ]
    return combined, first, second, summary, importance


def summarise_terms(term_reports: list[dict]) -> dict:
    """Counts over the per-term decisions (also used to merge batches)."""
    cotrained = [entry for entry in term_reports if entry["decision"] == "cotraining"]
    added = [sum(entry["pseudo_labels"]) for entry in cotrained]
    return {
        "terms_cotrained": len(cotrained),
        "terms_supervised": len(term_reports) - len(cotrained),
        "pseudo_labels_added_mean": round(float(np.mean(added)), 2) if added else 0.0,
        "terms": term_reports,
    }


def score_aspect(
    aspect: str,
    genes: list[str],
    sequence: FeatureMatrix,
    expression: FeatureMatrix,
    labels: pd.DataFrame,
    graph: HomologyGraph | None,
    model: CoTrainingClassifier,
    min_positives: int,
    seed: int,
    n_jobs: int = 1,
    terms: list[str] | None = None,
    model_dir: str | Path | None = None,
) -> tuple[AspectScores, dict]:
    """Scores of the aspect's modelled terms, or of `terms` among them (one batch).

    Each term's model depends only on the term and the seed, so the scores of a term are the
    same whichever batch it is scored in. With `model_dir`, each term's boosters are saved
    there (`gocotrain.models`) and the term's report says where.
    """
    labels = labels[labels["aspect"] == aspect]
    labeled = set(labels["gene_id"])
    X1, X2 = align_views(genes, sequence, expression)
    gene_index = pd.Index(genes)
    is_labeled = gene_index.isin(list(labeled))
    unlabeled = np.flatnonzero(~is_labeled)
    modelled, report = select_terms(labels, len(labeled), min_positives)
    if terms is None:
        terms = modelled
    else:
        unknown = sorted(set(terms) - set(modelled))
        if unknown:
            raise ValueError(f"aspect {aspect}: terms not modelled: {', '.join(unknown[:5])}")
        terms = sorted(terms)
    report.update(
        aspect=aspect,
        labeled_genes=int(is_labeled.sum()),
        unlabeled_genes=len(unlabeled),
    )
    log.info(
        "aspect %s: %d labeled, %d unlabeled genes, %d terms to model",
        aspect,
        is_labeled.sum(),
        len(unlabeled),
        len(terms),
    )
    base = np.where(is_labeled, 0, -1).astype(np.int8)
    positives_of = labels.groupby("go_id")["gene_id"].apply(list)

    def target(term: str) -> np.ndarray:
        y = base.copy()
        y[gene_index.get_indexer(positives_of[term])] = 1
        return y

    # Threads, not processes: XGBoost releases the GIL while it trains and predicts, and
    # threads share the feature matrices instead of copying them to every worker.
    results = Parallel(n_jobs=n_jobs, backend="threading", return_as="generator")(
        delayed(_score_term)(model, X1, X2, graph, target(term), unlabeled, term, seed, model_dir)
        for term in terms
    )
    shape = (len(unlabeled), len(terms))
    score, first, second = (np.empty(shape, dtype=np.float32) for _ in range(3))
    term_reports = []
    n_sequence = X1.shape[1] + (len(HOMOLOGY_FEATURES) if graph is not None else 0)
    importance = [np.zeros(n_sequence), np.zeros(X2.shape[1])]
    started, step = time.monotonic(), max(1, len(terms) // 20)
    for column, (combined, view1, view2, term_report, shares) in enumerate(results):
        if (column + 1) % step == 0 or column + 1 == len(terms):
            elapsed = time.monotonic() - started
            log.info(
                "aspect %s: %d/%d terms scored in %.0f s", aspect, column + 1, len(terms), elapsed
            )
        score[:, column], first[:, column], second[:, column] = combined, view1, view2
        term_reports.append(term_report)
        importance[0] += shares[0]
        importance[1] += shares[1]
    report["homology_pairs"] = graph.n_pairs if graph is not None else 0
    sequence_names = [*sequence.columns.tolist(), *(HOMOLOGY_FEATURES if graph is not None else ())]
    # Mean share of the gain over the modelled terms: which features the views rely on.
    report["feature_importance"] = {
        view: {
            str(name): round(float(value) / max(1, len(terms)), 6)
            for name, value in zip(names, totals, strict=True)
        }
        for view, names, totals in (
            ("sequence", sequence_names, importance[0]),
            ("expression", expression.columns.tolist(), importance[1]),
        )
    }
    report.update(summarise_terms(term_reports))
    report["genes_unlabeled_with_sequence"] = int((~np.isnan(X1[unlabeled]).all(axis=1)).sum())
    report["genes_unlabeled_with_expression"] = int((~np.isnan(X2[unlabeled]).all(axis=1)).sum())
    scores = AspectScores(
        genes=np.asarray(gene_index[unlabeled], dtype=str),
        terms=np.asarray(terms, dtype=str),
        score=score,
        score_sequence=first,
        score_expression=second,
    )
    return scores, report


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
    merged = AspectScores(
        genes=genes,
        terms=np.asarray(terms, dtype=str),
        **{
            name: np.concatenate([getattr(scores, name) for scores, _ in parts], axis=1)[:, order]
            for name in ("score", "score_sequence", "score_expression")
        },
    )
    by_term = {entry["term"]: entry for _, report in parts for entry in report["terms"]}
    report = {
        key: value
        for key, value in parts[0][1].items()
        if key not in ("terms", "feature_importance")
    }
    report.update(summarise_terms([by_term[term] for term in terms]))
    weights = [len(scores.terms) for scores, _ in parts]
    total = max(1, sum(weights))
    report["feature_importance"] = {
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
    return merged, report
