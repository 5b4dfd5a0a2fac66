"""The predictions table: every gene × term score a run exports, consistent with the GO
hierarchy, with where each comes from (`teaching.Finished`)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from gocotrain.inputs.ontology import Ontology
from gocotrain.learning.terms import view_column
from gocotrain.teaching.teacher import Finished
from gocotrain.views.features import HOMOLOGY_VIEW, VIEWS

# The scores of a row: combined, then each view's own.
SCORE_COLUMNS = ["score", *(view_column(view) for view in VIEWS)]
PREDICTION_COLUMNS = [
    "gene_id",
    "symbol",
    "protein_name",
    "aspect",
    "go_id",
    "go_name",
    *SCORE_COLUMNS,
    "source",
]
SCORE_EXPLANATION = (
    "Each score (0 to 1) is GOcotrain's estimate that the gene has the GO term. Its source "
    "says where it comes from: 'two-view model' (a sequence-based and an expression-based "
    "classifier trained together by co-training); 'and homology transfer' (averaged with how "
    "often the term was right when transferred from homologs as similar as the gene's closest "
    "annotated ones); 'homology transfer' alone for terms with too few annotated genes to "
    "train on (no expression score); 'taught transfer' for a gene a reference species taught "
    "(its transfer, not its models' in-sample scores); 'and own term frequency' where the "
    "organism's own annotation frequencies are mixed in, and 'own term frequency' alone for a "
    "frequent term nothing else scores. A term scores at least as high as any of its more "
    "specific terms. Listed are the most specific terms scoring at least the threshold of "
    "their aspect. These are computational predictions (GO evidence code IEA), not curated "
    "annotations."
)


def consistent_with_hierarchy(
    matrix: np.ndarray, terms: list[str], ontology: Ontology
) -> np.ndarray:
    """Raise each term's score to the highest score of its modelled descendants (true-path rule)."""
    column = {term: index for index, term in enumerate(terms)}
    result = matrix.copy()
    for term in terms:
        child = matrix[:, column[term]]
        for ancestor in ontology.ancestors(term):
            if ancestor != term and ancestor in column:
                target = column[ancestor]
                result[:, target] = np.fmax(result[:, target], child)
    return result


def transferred_rows(
    transferred: Mapping[str, Mapping[str, float]], min_score: float
) -> pd.DataFrame:
    """Rows gene_id, go_id, score of homology-transferred terms scoring at least `min_score`."""
    rows = [
        (gene, term, score)
        for gene, scores in transferred.items()
        for term, score in scores.items()
        if score >= min_score
    ]
    frame = pd.DataFrame(rows, columns=["gene_id", "go_id", "score"])
    return frame.astype({"gene_id": str, "go_id": str, "score": np.float32})


def raise_by_transferred(
    matrices: list[np.ndarray],
    genes: np.ndarray,
    terms: list[str],
    transferred: pd.DataFrame,
    ontology: Ontology,
) -> None:
    """Raise, in place, each modelled term's scores to those of its transferred descendants.

    Transferred terms are rarer than `min_positives`, so their ancestors are rare terms
    (already at least as high: the training labels are propagated), modelled terms (raised
    here), terms no gene lacks (never scored) or roots.
    """
    if transferred.empty or not terms:
        return
    column = {term: index for index, term in enumerate(terms)}
    row = pd.Index(genes).get_indexer(transferred["gene_id"])
    ancestors = {
        term: [column[ancestor] for ancestor in ontology.ancestors(term) if ancestor in column]
        for term in transferred["go_id"].unique()
    }
    counts = transferred["go_id"].map(lambda term: len(ancestors[term])).to_numpy()
    if not counts.sum():
        return
    targets = np.fromiter(
        (index for term in transferred["go_id"] for index in ancestors[term]),
        dtype=np.int64,
        count=int(counts.sum()),
    )
    rows = np.repeat(row, counts)
    values = np.repeat(transferred["score"].to_numpy(np.float32), counts)
    for matrix in matrices:
        np.fmax.at(matrix, (rows, targets), values)  # fmax: a missing score is raised too


def predictions_table(
    finished: Mapping[str, Finished],
    ontology: Ontology,
    min_score: float,
    names: Mapping[str, tuple[str, str]] | None = None,
) -> pd.DataFrame:
    """Every gene × term score at least `min_score`, consistent with the GO hierarchy, with
    where it comes from (`teaching.Finished.sources`).

    Per aspect, `finished` holds the modelled terms' scores and the other terms' scores for
    the same genes (`teaching.Teacher.finish`); a transferred term's row carries its score as
    the sequence score and no expression score, as does a taught gene's modelled term (its
    models' scores of it are in-sample). `names` gives each gene's symbol and protein name
    ("" where unknown).
    """
    frames = []
    for aspect, done in finished.items():
        frames.extend(_aspect_rows(aspect, done, ontology, min_score))
    if not frames:
        return pd.DataFrame(columns=PREDICTION_COLUMNS)
    table = pd.concat(frames, ignore_index=True)
    table["go_name"] = table["go_id"].map(ontology.names)
    names = names or {}
    table["symbol"] = table["gene_id"].map(lambda gene: names.get(gene, ("", ""))[0])
    table["protein_name"] = table["gene_id"].map(lambda gene: names.get(gene, ("", ""))[1])
    for name in SCORE_COLUMNS:
        table[name] = table[name].astype(float).round(4)
    table = table.sort_values(
        ["gene_id", "aspect", "score", "go_id"],
        ascending=[True, True, False, True],
        ignore_index=True,
        kind="mergesort",
    )
    return table[PREDICTION_COLUMNS]


def _aspect_rows(
    aspect: str, done: Finished, ontology: Ontology, min_score: float
) -> list[pd.DataFrame]:
    scores, terms = done.scores, list(done.scores.terms)
    model_source, taught_source, transfer_source, frequency_source = done.sources()
    genes = set(scores.genes.tolist())
    rare = transferred_rows(done.transferred, min_score).assign(source=transfer_source)
    alone = transferred_rows(done.by_frequency, min_score).assign(source=frequency_source)
    extra = pd.concat([rare, alone], ignore_index=True)
    extra = extra[extra["gene_id"].isin(genes)]
    frames = []
    if terms and len(scores.genes):
        matrices = {
            name: consistent_with_hierarchy(matrix, terms, ontology)
            for name, matrix in scores.matrices().items()
        }
        # A transferred score is homology's: it raises the combined and the homology view's.
        raised = [matrices["score"], matrices[view_column(HOMOLOGY_VIEW)]]
        raise_by_transferred(raised, scores.genes, terms, extra, ontology)
        rows, columns = np.nonzero(matrices["score"] >= min_score)
        taught = np.isin(scores.genes[rows], list(done.taught))  # their own transfer
        frames.append(
            pd.DataFrame(
                {
                    "gene_id": scores.genes[rows],
                    "aspect": aspect,
                    "go_id": scores.terms[columns],
                    **{name: matrix[rows, columns] for name, matrix in matrices.items()},
                    "source": np.where(taught, taught_source, model_source),
                }
            )
        )
    if not extra.empty:
        frames.append(extra.assign(aspect=aspect, **transferred_view_scores(extra["score"])))
    return frames


def transferred_view_scores(score: pd.Series) -> dict:
    """The view columns of transferred rows: the homology view's is the score, others none."""
    return {view_column(view): score if view == HOMOLOGY_VIEW else np.nan for view in VIEWS}


def most_specific(
    table: pd.DataFrame, ontology: Ontology, thresholds: Mapping[str, float]
) -> pd.DataFrame:
    """Rows at or above their aspect's threshold that have no kept descendant for the same gene.

    An aspect missing from `thresholds` keeps no rows. Terms of different aspects are never
    related, so the gene alone tells which kept rows can hide one another.
    """
    threshold = table["aspect"].map(dict(thresholds)).astype(float)
    kept = table[table["score"] >= threshold].reset_index(drop=True)
    if kept.empty:
        return kept
    genes = pd.factorize(kept["gene_id"])[0].astype(np.int64)
    terms, term_ids = pd.factorize(kept["go_id"])
    # Strict ancestors of each kept term, as codes; ancestors never kept cannot be hidden.
    code = {term: index for index, term in enumerate(term_ids)}
    ancestor_codes = [
        [code[ancestor] for ancestor in ontology.ancestors(term) if ancestor in code]
        for term in term_ids
    ]
    for index, found in enumerate(ancestor_codes):
        found.remove(index)
    counts = np.array([len(found) for found in ancestor_codes], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    flat = np.fromiter(
        (ancestor for found in ancestor_codes for ancestor in found),
        dtype=np.int64,
        count=int(counts.sum()),
    )
    # Explode every kept row into (gene, strict ancestor) pairs, encoded as one integer each.
    per_row = counts[terms]
    total = int(per_row.sum())
    row_start = np.repeat(np.cumsum(per_row) - per_row, per_row)
    positions = np.repeat(starts[terms], per_row) + (np.arange(total) - row_start)
    covered = np.unique(np.repeat(genes, per_row) * len(term_ids) + flat[positions])
    has_descendant = np.isin(genes * len(term_ids) + terms, covered)
    return kept[~has_descendant].reset_index(drop=True)
