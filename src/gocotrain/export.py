"""Predictions as a TSV with term names, the CAFA 5/6 format, GAF 2.2 and an Excel summary."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from gocotrain import __version__
from gocotrain.ontology import (
    ASPECT_NAMES,
    PROTEIN_CONTAINING_COMPLEX,
    Ontology,
    in_aspect_order,
)
from gocotrain.teaching import Finished
from gocotrain.textio import atomic_write

# GAF 2.2 requires a relation in column 4; these are GO's default relations per aspect.
GAF_RELATION = {"P": "involved_in", "F": "enables", "C": "located_in"}
# GO's annotation rules refuse IEA annotations directly to binding and protein binding
# (GORULE:0000005): the GAF leaves them out; the TSVs keep their scores.
NOT_FOR_IEA = frozenset({"GO:0005488", "GO:0005515"})
# GORULE:0000046: an annotation to a self-binding term (under these: identical protein binding,
# homodimerization, homo-oligomerization...) names the gene product itself in column 8.
SELF_BINDING = frozenset(
    {"GO:0042803", "GO:0051260", "GO:0051289", "GO:0070207", "GO:0043621", "GO:0032840"}
)
PREDICTION_COLUMNS = [
    "gene_id",
    "symbol",
    "protein_name",
    "aspect",
    "go_id",
    "go_name",
    "score",
    "score_sequence",
    "score_expression",
    "source",
]
TEXT_COLUMNS = ("gene_id", "symbol", "protein_name", "aspect", "go_id", "go_name", "source")
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
    for name in ("score", "score_sequence", "score_expression"):
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
        combined, sequence, expression = (
            consistent_with_hierarchy(matrix, terms, ontology)
            for matrix in (scores.score, scores.score_sequence, scores.score_expression)
        )
        raise_by_transferred([combined, sequence], scores.genes, terms, extra, ontology)
        rows, columns = np.nonzero(combined >= min_score)
        taught = np.isin(scores.genes[rows], list(done.taught))  # their own transfer
        frames.append(
            pd.DataFrame(
                {
                    "gene_id": scores.genes[rows],
                    "aspect": aspect,
                    "go_id": scores.terms[columns],
                    "score": combined[rows, columns],
                    "score_sequence": sequence[rows, columns],
                    "score_expression": expression[rows, columns],
                    "source": np.where(taught, taught_source, model_source),
                }
            )
        )
    if not extra.empty:
        frames.append(
            extra.assign(aspect=aspect, score_sequence=extra["score"], score_expression=np.nan)
        )
    return frames


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


def write_tsv(table: pd.DataFrame, path: str | Path) -> None:
    with atomic_write(path) as handle:
        table.to_csv(handle, sep="\t", index=False, float_format="%.4f", na_rep="")


def _checked_header(header: Mapping[str, str]) -> list[tuple[str, str]]:
    """Header items as strings; a newline or a colon in a key would break the file's format."""
    items = []
    for key, value in header.items():
        key, value = str(key), str(value)
        if ":" in key or "\n" in key or "\r" in key or "\n" in value or "\r" in value:
            raise ValueError(f"header item {key!r}: {value!r} has a colon or line break")
        items.append((key, value))
    return items


def write_predictions_tsv(table: pd.DataFrame, path: str | Path, header: Mapping[str, str]) -> None:
    """The predictions TSV, preceded by one `# key: value` line per header item."""
    items = _checked_header(header)
    with atomic_write(path) as handle:
        for key, value in items:
            handle.write(f"# {key}: {value}\n")
        table.to_csv(handle, sep="\t", index=False, float_format="%.4f", na_rep="")


def read_predictions_tsv(path: str | Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """Read a file written by write_predictions_tsv: (table, header items)."""
    header: dict[str, str] = {}
    header_lines = 0
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            if not line.startswith("#"):
                break
            key, _, value = line[1:].rstrip("\n").partition(":")
            header[key.strip()] = value.strip()
            header_lines += 1
    # Skip the header lines by count rather than comment="#", which would cut a line at any #.
    table = pd.read_csv(
        path,
        sep="\t",
        skiprows=header_lines,
        dtype=dict.fromkeys(TEXT_COLUMNS, str),
        keep_default_na=False,
        na_values={name: [""] for name in ("score", "score_sequence", "score_expression")},
    )
    return table, header


def write_cafa(table: pd.DataFrame, path: str | Path) -> None:
    """CAFA 5/6: headerless `target<TAB>term<TAB>score`, scores in (0, 1]."""
    cafa = table.loc[table["score"] > 0, ["gene_id", "go_id", "score"]]
    with atomic_write(path) as handle:
        cafa.to_csv(handle, sep="\t", index=False, header=False, float_format="%.3f")


def _is_complex(term: str, ontology: Ontology) -> bool:
    """GO's GAF rule (GORULE:0000061): a gene product is part_of a protein-containing complex
    (an is_a descendant), located_in the rest. An ontology saved before its complexes were
    kept falls back on every descendant, over part_of too."""
    if ontology.protein_complexes is not None:
        return term in ontology.protein_complexes
    return PROTEIN_CONTAINING_COMPLEX in ontology.ancestors(term)


def gaf_relation(aspect: str, term: str, ontology: Ontology | None = None) -> str:
    """The GAF 2.2 column 4 relation for a positive prediction of `term`."""
    if aspect == "C" and ontology is not None and _is_complex(term, ontology):
        return "part_of"
    return GAF_RELATION[aspect]


def gaf_with_from(db: str, gene: str, term: str, ontology: Ontology | None = None) -> str:
    """GAF column 8: the gene itself for a self-binding term (GORULE:0000046), else empty."""
    if ontology is not None and SELF_BINDING & ontology.ancestors(term):
        return f"{db}:{gene}"
    return ""


def write_gaf(
    table: pd.DataFrame,
    path: str | Path,
    *,
    db: str,
    taxon: str,
    symbols: dict[str, str],
    reference: str,
    assigned_by: str,
    go_version: str,
    min_score: float | Mapping[str, float],
    date: datetime.date | None = None,
    ontology: Ontology | None = None,
    header_extra: Mapping[str, str] | None = None,
) -> int:
    """GAF 2.2 lines for predictions scoring at least min_score; returns the line count.

    `min_score` may map each aspect to its own threshold (an aspect left out gets no lines).
    Terms GO's rules refuse with IEA evidence are left out: NOT_FOR_IEA and, with `ontology`,
    its subset gocheck_do_not_annotate (GORULE:0000008). Give the most
    specific rows (`most_specific`): their ancestors are implied by the true-path rule.

    With `ontology`, protein-containing complexes get the relation part_of (`gaf_relation`)
    and self-binding terms the gene itself as with/from (`gaf_with_from`); `header_extra`
    items become extra `!key: value` header lines.
    """
    date = date or datetime.date.today()
    if isinstance(min_score, Mapping):
        chosen = table[table["score"] >= table["aspect"].map(min_score).fillna(np.inf)]
        rule = "at or above the threshold of their aspect (threshold- lines)"
    else:
        chosen = table[table["score"] >= min_score]
        rule = f"with score >= {min_score}"
    refused = NOT_FOR_IEA | (ontology.not_for_annotation if ontology is not None else frozenset())
    chosen = chosen[~chosen["go_id"].isin(refused)]
    header = _gaf_header(date, go_version, rule, header_extra or {})
    stamp = date.strftime("%Y%m%d")
    lines = []
    for gene, aspect, term in zip(
        chosen["gene_id"], chosen["aspect"], chosen["go_id"], strict=True
    ):
        columns = [
            db,
            gene,
            symbols.get(gene, gene),
            gaf_relation(aspect, term, ontology),
            term,
            reference,
            "IEA",
            gaf_with_from(db, gene, term, ontology),
            aspect,
            "",
            "",
            "protein",
            taxon,
            stamp,
            assigned_by,
            "",
            "",
        ]
        lines.append("\t".join(columns))
    with atomic_write(path) as handle:
        handle.write("\n".join(header + lines) + "\n")
    return len(lines)


def _gaf_header(
    date: datetime.date, go_version: str, rule: str, extra: Mapping[str, str]
) -> list[str]:
    """GAF 2.2's header lines, then `extra` as `!key: value` lines (never one of those)."""
    header = [
        "!gaf-version: 2.2",
        f"!generated-by: GOcotrain {__version__}",
        f"!date-generated: {date.isoformat()}",
        f"!go-version: {go_version}",
        f"!comment: co-training predictions {rule}; evidence IEA",
    ]
    written = {"gaf-version", "generated-by", "date-generated", "go-version", "comment"}
    return header + [
        f"!{key}: {value}" for key, value in _checked_header(extra) if key not in written
    ]


def _term_labels(rows: pd.DataFrame) -> pd.Series:
    """`GO:0006936 muscle contraction (0.83)` for each row; the ID alone where a name is missing."""
    names = rows["go_name"].fillna("").astype(str)
    terms = rows["go_id"].astype(str)
    terms = terms.where(names == "", terms + " " + names)
    return terms + " (" + rows["score"].map("{:.2f}".format) + ")"


def _aspect_title(aspect: str) -> str:
    return ASPECT_NAMES.get(aspect, aspect).replace("_", " ")


def write_excel_summary(
    table: pd.DataFrame,
    path: str | Path,
    thresholds: Mapping[str, float],
    top_n: int = 5,
    header: Mapping[str, str] | None = None,
    *,
    ontology: Ontology | None = None,
    specific: pd.DataFrame | None = None,
) -> int:
    """An .xlsx summary for biologists; returns the number of gene rows.

    Sheet "genes": one row per gene with a prediction at or above its aspect's threshold, with
    the top_n most specific terms of each aspect by score and the number of such terms. Sheet
    "terms": every one of those most specific predictions, one per row, scores as numbers
    (to sort and filter). Sheet "about": the header items, the thresholds and what the scores
    mean. `specific` is `most_specific(table, ontology, thresholds)` when the caller already
    has it.
    """
    if specific is None:
        if ontology is None:
            raise TypeError("write_excel_summary needs the ontology or the most specific rows")
        specific = most_specific(table, ontology, thresholds)
    specific = specific.sort_values(
        ["gene_id", "aspect", "score", "go_id"],
        ascending=[True, True, False, True],
        kind="mergesort",
    )
    present = set(specific["aspect"])
    aspects = in_aspect_order(present)
    genes = pd.Index(sorted(specific["gene_id"].unique()), name="gene_id")
    cells, counts = {}, {}
    for aspect in aspects:
        rows = specific[specific["aspect"] == aspect]
        top = rows.groupby("gene_id", sort=False).head(top_n)
        title = _aspect_title(aspect)
        cells[f"{title} (top {top_n})"] = (
            _term_labels(top).groupby(top["gene_id"]).agg("; ".join).reindex(genes, fill_value="")
        )
        counts[f"number of {title} terms"] = (
            rows.groupby("gene_id").size().reindex(genes, fill_value=0)
        )
    labels = {
        column.replace("_", " "): specific.groupby("gene_id")[column].first().reindex(genes)
        for column in ("symbol", "protein_name")
        if column in specific and len(specific)
    }
    sheet = pd.DataFrame({**labels, **cells, **counts}, index=genes).reset_index()

    about = [(str(key), str(value)) for key, value in (header or {}).items()]
    ordered = in_aspect_order(thresholds)
    about += [(f"threshold, {_aspect_title(aspect)}", thresholds[aspect]) for aspect in ordered]
    about += [("terms listed per aspect", top_n), ("scores", SCORE_EXPLANATION)]
    about_sheet = pd.DataFrame(about, columns=["item", "value"])

    with (
        atomic_write(path, "wb") as handle,
        pd.ExcelWriter(handle, engine="openpyxl") as writer,
    ):
        terms = specific.assign(aspect=specific["aspect"].map(_aspect_title))
        for name, frame in (("genes", sheet), ("terms", terms), ("about", about_sheet)):
            frame.to_excel(writer, sheet_name=name, index=False)
            _format_sheet(writer.sheets[name], frame)
    return len(sheet)


def _format_sheet(worksheet, frame: pd.DataFrame, max_width: int = 100) -> None:
    """Freeze the header row, add filters and fit column widths to their contents."""
    from openpyxl.utils import get_column_letter

    worksheet.freeze_panes = "A2"
    worksheet.auto_filter.ref = worksheet.dimensions
    for index, column in enumerate(frame.columns, start=1):
        longest = frame[column].astype(str).str.len().max() if len(frame) else 0
        width = min(max(len(str(column)), int(longest)) + 2, max_width)
        worksheet.column_dimensions[get_column_letter(index)].width = width
