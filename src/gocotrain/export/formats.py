"""Predictions as a TSV with term names, the CAFA 5/6 format, GAF 2.2 and an Excel summary
(`write_exports` writes them all, at the thresholds chosen per aspect)."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from gocotrain import __version__
from gocotrain.export.predictions import SCORE_COLUMNS, SCORE_EXPLANATION, most_specific
from gocotrain.inputs import releases
from gocotrain.inputs.ontology import (
    ASPECT_NAMES,
    PROTEIN_CONTAINING_COMPLEX,
    Ontology,
    in_aspect_order,
)
from gocotrain.textio import atomic_write

log = logging.getLogger("gocotrain")

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
TEXT_COLUMNS = ("gene_id", "symbol", "protein_name", "aspect", "go_id", "go_name", "source")


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
        na_values={name: [""] for name in SCORE_COLUMNS},
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
    chosen, rule = _gaf_rows(table, min_score, ontology)
    header = _gaf_header(date, go_version, rule, header_extra or {})
    shared = {
        "db": db,
        "symbols": symbols,
        "reference": reference,
        "taxon": taxon,
        "stamp": date.strftime("%Y%m%d"),
        "assigned_by": assigned_by,
    }
    lines = [
        _gaf_line(gene, aspect, term, ontology, **shared)
        for gene, aspect, term in zip(
            chosen["gene_id"], chosen["aspect"], chosen["go_id"], strict=True
        )
    ]
    with atomic_write(path) as handle:
        handle.write("\n".join(header + lines) + "\n")
    return len(lines)


def _gaf_rows(
    table: pd.DataFrame, min_score: float | Mapping[str, float], ontology: Ontology | None
) -> tuple[pd.DataFrame, str]:
    """The rows `write_gaf` writes, and the rule that chose them, for the header."""
    if isinstance(min_score, Mapping):
        chosen = table[table["score"] >= table["aspect"].map(min_score).fillna(np.inf)]
        rule = "at or above the threshold of their aspect (threshold- lines)"
    else:
        chosen = table[table["score"] >= min_score]
        rule = f"with score >= {min_score}"
    refused = NOT_FOR_IEA | (ontology.not_for_annotation if ontology is not None else frozenset())
    return chosen[~chosen["go_id"].isin(refused)], rule


def _gaf_line(
    gene: str,
    aspect: str,
    term: str,
    ontology: Ontology | None,
    *,
    db: str,
    symbols: dict[str, str],
    reference: str,
    taxon: str,
    stamp: str,
    assigned_by: str,
) -> str:
    """One GAF 2.2 line: a positive IEA annotation of `gene` to `term`."""
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
    return "\t".join(columns)


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
    sheet = _genes_sheet(specific, top_n)
    about_sheet = _about_sheet(thresholds, top_n, header or {})
    with (
        atomic_write(path, "wb") as handle,
        pd.ExcelWriter(handle, engine="openpyxl") as writer,
    ):
        terms = specific.assign(aspect=specific["aspect"].map(_aspect_title))
        for name, frame in (("genes", sheet), ("terms", terms), ("about", about_sheet)):
            frame.to_excel(writer, sheet_name=name, index=False)
            _format_sheet(writer.sheets[name], frame)
    return len(sheet)


def _genes_sheet(specific: pd.DataFrame, top_n: int) -> pd.DataFrame:
    """Sheet "genes" of `write_excel_summary`: one row per gene of the sorted `specific`
    rows, with its symbol and protein name where given, then per aspect its top_n terms and
    the number of its terms."""
    aspects = in_aspect_order(set(specific["aspect"]))
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
    return pd.DataFrame({**labels, **cells, **counts}, index=genes).reset_index()


def _about_sheet(
    thresholds: Mapping[str, float], top_n: int, header: Mapping[str, str]
) -> pd.DataFrame:
    """Sheet "about" of `write_excel_summary`: the header items, the thresholds and what
    the scores mean."""
    about = [(str(key), str(value)) for key, value in header.items()]
    ordered = in_aspect_order(thresholds)
    about += [(f"threshold, {_aspect_title(aspect)}", thresholds[aspect]) for aspect in ordered]
    about += [("terms listed per aspect", top_n), ("scores", SCORE_EXPLANATION)]
    return pd.DataFrame(about, columns=["item", "value"])


def _format_sheet(worksheet, frame: pd.DataFrame, max_width: int = 100) -> None:
    """Freeze the header row, add filters and fit column widths to their contents."""
    from openpyxl.utils import get_column_letter

    worksheet.freeze_panes = "A2"
    worksheet.auto_filter.ref = worksheet.dimensions
    for index, column in enumerate(frame.columns, start=1):
        longest = frame[column].astype(str).str.len().max() if len(frame) else 0
        width = min(max(len(str(column)), int(longest)) + 2, max_width)
        worksheet.column_dimensions[get_column_letter(index)].width = width


def read_thresholds(path: str | Path) -> dict[str, float]:
    return _thresholds(pd.read_csv(path, sep="\t"))


def _thresholds(table: pd.DataFrame) -> dict[str, float]:
    return dict(zip(table["aspect"], table["threshold"].astype(float), strict=True))


def _threshold_header(table: pd.DataFrame) -> dict[str, str]:
    """`threshold-P: 0.34 (expected precision 0.61; co-training Fmax on ...)` lines."""
    header = {}
    for row in table.itertuples(index=False):
        expected = (
            f"expected precision {row.expected_precision:.2f}, recall {row.expected_recall:.2f}"
            if pd.notna(row.expected_precision)
            else "precision not measured"
        )
        header[f"threshold-{row.aspect}"] = f"{row.threshold:g} ({expected}; {row.chosen_on})"
    return header


def write_exports(
    table: pd.DataFrame,
    ontology: Ontology,
    thresholds_tsv: str,
    stamp: dict,
    outputs: dict[str, str],
    gaf_identity: dict,
    gaf_citation: dict,
    top_terms: int,
) -> dict:
    """Every export of a predictions table; returns counts for the run summary.

    The GAF is written where `outputs` has one (`gaf_citation` then holds its reference and
    assigned_by); its line count is None where not."""
    threshold_table = pd.read_csv(thresholds_tsv, sep="\t")
    thresholds = _thresholds(threshold_table)
    header = releases.header_lines(stamp) | _threshold_header(threshold_table)
    write_predictions_tsv(table, outputs["predictions"], header)
    specific = most_specific(table, ontology, thresholds)
    write_predictions_tsv(specific, outputs["most_specific"], header)
    write_cafa(table, outputs["cafa"])
    above = table[table["score"] >= table["aspect"].map(thresholds).fillna(np.inf)]
    gaf_lines = None
    if "gaf" not in outputs:
        log.info(
            "no GAF written: set export.gaf.citation (and export.gaf.assigned_by) to write one"
        )
    else:
        gaf_lines = write_gaf(
            specific,
            outputs["gaf"],
            db=gaf_identity["db"],
            taxon=gaf_identity["taxon"],
            symbols=gaf_identity["symbols"],
            reference=gaf_citation["reference"],
            assigned_by=gaf_citation["assigned_by"],
            go_version=ontology.data_version,
            min_score=thresholds,
            ontology=ontology,
            header_extra=header,
        )
    summary_genes = write_excel_summary(
        table, outputs["excel"], thresholds, top_n=top_terms, header=header, specific=specific
    )
    return {
        "rows": len(table),
        "genes": int(table["gene_id"].nunique()),
        "rows_above_threshold": len(above),
        "genes_above_threshold": int(above["gene_id"].nunique()),
        "most_specific_rows": len(specific),
        "gaf_lines": gaf_lines,
        "excel_genes": summary_genes,
        "thresholds": thresholds,
    }
