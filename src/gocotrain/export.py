"""Predictions as a TSV with term names, the CAFA 5/6 format and GAF 2.2."""

from __future__ import annotations

import datetime
from pathlib import Path

import numpy as np
import pandas as pd

from gocotrain import __version__
from gocotrain.ontology import Ontology
from gocotrain.scoring import AspectScores
from gocotrain.textio import atomic_write

# GAF 2.2 requires a relation in column 4; these are GO's default relations per aspect.
GAF_RELATION = {"P": "involved_in", "F": "enables", "C": "located_in"}
PREDICTION_COLUMNS = [
    "gene_id",
    "aspect",
    "go_id",
    "go_name",
    "score",
    "score_sequence",
    "score_expression",
]


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


def predictions_table(
    aspect_scores: dict[str, AspectScores], ontology: Ontology, min_score: float
) -> pd.DataFrame:
    frames = []
    for aspect, scores in aspect_scores.items():
        terms = list(scores.terms)
        if not terms or not len(scores.genes):
            continue
        combined, sequence, expression = (
            consistent_with_hierarchy(matrix, terms, ontology)
            for matrix in (scores.score, scores.score_sequence, scores.score_expression)
        )
        rows, columns = np.nonzero(combined >= min_score)
        frames.append(
            pd.DataFrame(
                {
                    "gene_id": scores.genes[rows],
                    "aspect": aspect,
                    "go_id": scores.terms[columns],
                    "score": combined[rows, columns],
                    "score_sequence": sequence[rows, columns],
                    "score_expression": expression[rows, columns],
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=PREDICTION_COLUMNS)
    table = pd.concat(frames, ignore_index=True)
    table["go_name"] = table["go_id"].map(ontology.names)
    for name in ("score", "score_sequence", "score_expression"):
        table[name] = table[name].astype(float).round(4)
    table = table.sort_values(
        ["gene_id", "aspect", "score", "go_id"],
        ascending=[True, True, False, True],
        ignore_index=True,
        kind="mergesort",
    )
    return table[PREDICTION_COLUMNS]


def write_tsv(table: pd.DataFrame, path: str | Path) -> None:
    with atomic_write(path) as handle:
        table.to_csv(handle, sep="\t", index=False, float_format="%.4f", na_rep="")


def write_cafa(table: pd.DataFrame, path: str | Path) -> None:
    """CAFA 5/6: headerless `target<TAB>term<TAB>score`, scores in (0, 1]."""
    cafa = table.loc[table["score"] > 0, ["gene_id", "go_id", "score"]]
    with atomic_write(path) as handle:
        cafa.to_csv(handle, sep="\t", index=False, header=False, float_format="%.3f")


def write_gaf(
    table: pd.DataFrame,
    path: str | Path,
    *,
    db: str,
    taxon: str,
    symbols: dict[str, str],
    reference: str,
    go_version: str,
    min_score: float,
    date: datetime.date | None = None,
) -> int:
    """GAF 2.2 lines for predictions scoring at least min_score; returns the line count."""
    date = date or datetime.date.today()
    chosen = table[table["score"] >= min_score]
    header = [
        "!gaf-version: 2.2",
        f"!generated-by: GOcotrain {__version__}",
        f"!date-generated: {date.isoformat()}",
        f"!go-version: {go_version}",
        f"!comment: co-training predictions with score >= {min_score}; evidence IEA",
    ]
    stamp = date.strftime("%Y%m%d")
    lines = []
    for gene, aspect, term in zip(
        chosen["gene_id"], chosen["aspect"], chosen["go_id"], strict=True
    ):
        columns = [
            db,
            gene,
            symbols.get(gene, gene),
            GAF_RELATION[aspect],
            term,
            reference,
            "IEA",
            "",
            aspect,
            "",
            "",
            "protein",
            taxon,
            stamp,
            "GOcotrain",
            "",
            "",
        ]
        lines.append("\t".join(columns))
    with atomic_write(path) as handle:
        handle.write("\n".join(header + lines) + "\n")
    return len(lines)
