"""Expression matrices (genes × samples) and their join to sequence gene IDs."""

from __future__ import annotations

import io
import logging
import re
import warnings
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import pandas as pd

from gocotrain.errors import InputError
from gocotrain.inputs.ids import IdMatcher, case_mismatch, strip_version
from gocotrain.inputs.sequences import header_gene_ids
from gocotrain.textio import read_text

EXPRESSION_KINDS = ("counts", "tpm", "fpkm", "log")
# Fewest measured samples for a gene to get a profile: with fewer, its co-expression with
# any other gene is noise.
MIN_MEASURED_SAMPLES = 3

log = logging.getLogger("gocotrain")


def _separator(path: Path, first_line: str) -> str:
    name = path.name.lower().removesuffix(".gz")
    if name.endswith(".csv"):
        return ","
    if name.endswith((".tsv", ".tab", ".txt")) or "\t" in first_line:
        return "\t"
    return "," if "," in first_line else "\t"


# Gene annotation that tools write beside the samples, never samples: featureCounts' Chr,
# Start, End, Strand and Length, RSEM's lengths and transcripts, the names, descriptions and
# biotypes of BioMart or GENCODE tables. Compared lower-case, with spaces, dots and slashes
# as underscores ("Gene name" is gene_name).
ANNOTATION_COLUMNS = frozenset(
    {
        "chr",
        "chrom",
        "chromosome",
        "chromosome_scaffold_name",
        "seqname",
        "start",
        "end",
        "gene_start_(bp)",
        "gene_end_(bp)",
        "strand",
        "length",
        "gene_length",
        "effective_length",
        "transcript_id",
        "transcript_ids",
        "transcript_id(s)",
        "gene_name",
        "gene_symbol",
        "symbol",
        "description",
        "gene_description",
        "biotype",
        "gene_biotype",
        "gene_type",
    }
)


def _annotation_name(column: object) -> bool:
    return re.sub(r"[\s./]+", "_", str(column).strip().lower()) in ANNOTATION_COLUMNS


def _text_only(values: pd.Series) -> bool:
    """Text in every filled cell, no number in any: a column of names, not of values."""
    filled = values.dropna()
    return len(filled) > 0 and pd.to_numeric(filled, errors="coerce").isna().all()


def _not_samples(frame: pd.DataFrame) -> list[str]:
    """The columns before the samples that annotate the genes, and those after them with an
    annotation's name: a column named as annotation (ANNOTATION_COLUMNS), or, before the
    samples, one that holds only text (a symbol, a description) while a column of numbers
    follows. A sample with a stray word in it is not one of them: it holds numbers too."""
    columns = list(frame.columns)
    leading = 0
    while leading < len(columns) and (
        _annotation_name(columns[leading]) or _text_only(frame[columns[leading]])
    ):
        leading += 1
    trailing = len(columns)
    while trailing > leading and _annotation_name(columns[trailing - 1]):
        trailing -= 1
    dropped = columns[:leading] + columns[trailing:]
    if leading == trailing:  # only text: what is wrong in it is the non-numeric value
        dropped = [column for column in dropped if _annotation_name(column)]
    return dropped


def _without_comments(text: str) -> tuple[str, int]:
    """The text without its leading `#` lines (featureCounts' command line) and the `!`
    lines of a GEO series matrix (the series' metadata before the table, the
    ``!series_matrix_table_end`` after it), and the number of leading lines skipped."""
    lines = text.split("\n")
    skipped = 0
    while skipped < len(lines) and lines[skipped].startswith(("#", "!")):
        skipped += 1
    return "\n".join(line for line in lines[skipped:] if not line.startswith("!")), skipped


def read_expression(path: str | Path, kind: str = "tpm") -> pd.DataFrame:
    """Read a genes × samples matrix of `kind` (EXPRESSION_KINDS): gene IDs in column 1,
    sample names in row 1. Empty and NA cells are missing values (`normalise` handles them);
    negative values are refused unless the kind is `log` (log ratios, log-CPM, VST).

    Leading `#` lines and a GEO series matrix's `!` lines are skipped, and columns that
    annotate the genes rather than measure a sample (featureCounts' Chr, Start, End, Strand
    and Length; a gene name, a description; `_not_samples`) are left out, with a warning
    that names them.
    """
    path = Path(path)
    text, skipped = _without_comments(read_text(path))
    first_line = text.split("\n", 1)[0]
    separator = _separator(path, first_line)
    header = _header_names(path, first_line, separator, skipped)
    frame = _parsed_table(path, text, separator, header[0])
    frame = _without_annotation_columns(frame, path)
    _check_rows(frame, path, skipped)
    _check_values(frame, path, kind, skipped)
    # Rows and columns in a fixed order, so that a reordered file gives identical results.
    return frame.astype(float).sort_index(axis=0).sort_index(axis=1)


def _header_names(path: Path, first_line: str, separator: str, skipped: int) -> list[str]:
    """The header's column names: a gene ID column and at least one sample, each sample
    named once."""
    # GEO series matrices quote their header ("ID_REF", "GSM…"); the table reader unquotes.
    header = [name.strip('"') for name in first_line.split(separator)]
    if len(header) < 2:
        raise InputError(
            path,
            "the header has fewer than two columns (gene ID and at least one sample)",
            "write a genes × samples matrix separated by tabs (.tsv) or commas (.csv)",
            line=skipped + 1,
        )
    duplicated = sorted({name for name, n in Counter(header[1:]).items() if n > 1})
    if duplicated:
        raise InputError(
            path,
            f"duplicate sample names in the header: {duplicated[:5]}",
            "give every sample column a unique name",
            line=skipped + 1,
        )
    return header


def _parsed_table(path: Path, text: str, separator: str, gene_column: str) -> pd.DataFrame:
    """The matrix as pandas reads it, gene IDs (as strings) the index."""
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=separator,
            index_col=0,
            dtype={gene_column: str},
            na_values=["", "NA", "NaN", "nan", "NULL"],
            keep_default_na=False,
        )
    except (pd.errors.ParserError, ValueError) as error:
        raise InputError(
            path, f"cannot be read as a table: {error}", "check the separators on each line"
        ) from None
    frame.index = frame.index.astype(str)
    return frame


def _without_annotation_columns(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """`frame` without the columns that annotate the genes (`_not_samples`), with a warning
    that names them."""
    not_samples = _not_samples(frame)
    if not not_samples:
        return frame
    log.warning(
        "%s: columns that annotate the genes, not read as samples: %s",
        path,
        ", ".join(map(str, not_samples)),
    )
    return frame.drop(columns=not_samples)


def _check_rows(frame: pd.DataFrame, path: Path, skipped: int) -> None:
    """Stop unless the matrix has samples and genes, each gene in one row."""
    if frame.shape[1] == 0 or len(frame) == 0:
        raise InputError(
            path,
            "no sample columns" if len(frame) else "a header but no gene rows",
            "give a genes × samples matrix: gene IDs in column 1, one column per sample",
            line=skipped + 1,
        )
    duplicated_genes = frame.index[frame.index.duplicated()].unique()
    if len(duplicated_genes):
        line = int(np.flatnonzero(frame.index == duplicated_genes[0])[1]) + 2 + skipped
        raise InputError(
            path,
            f"duplicate gene IDs ({len(duplicated_genes)}, e.g. {list(duplicated_genes[:3])})",
            "give each gene one row (sum or average duplicates first)",
            line=line,
            record=duplicated_genes[0],
        )


def _check_values(frame: pd.DataFrame, path: Path, kind: str, skipped: int) -> None:
    """Stop at the first value that is not a number, is infinite, or (unless the kind is
    `log`) is negative, naming its line and gene."""
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            numeric = pd.to_numeric(frame[column], errors="coerce")
            bad = numeric.isna() & frame[column].notna()
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(
                path,
                f"non-numeric value {frame[column].iloc[row]!r} in sample {column!r}",
                "expression values must be numbers",
                line=row + 2 + skipped,
                record=frame.index[row],
            )
    values = frame.to_numpy(dtype=float)
    checks = [("an infinite value", np.isinf(values), "replace it with a finite number")]
    if kind != "log":
        checks.append(
            (
                "a negative value",
                values < 0,
                f"with expression_kind {kind!r} values are raw counts, TPM or FPKM; for values "
                "already on a log scale (log ratios of arrays, log-CPM, VST) set "
                "expression_kind: log",
            )
        )
    for problem, mask, fix in checks:
        if mask.any():
            row, column = (int(axis[0]) for axis in np.nonzero(mask))
            raise InputError(
                path,
                f"{problem} in sample {frame.columns[column]!r}",
                fix,
                line=row + 2 + skipped,
                record=frame.index[row],
            )


def normalise(
    frame: pd.DataFrame, kind: str, path: str | Path | None = None
) -> tuple[pd.DataFrame, dict]:
    """Values on a log scale: depth-normalised per sample (counts → CPM, FPKM → TPM; TPM as
    is) and log2(x + 1), or, for kind `log`, as given (already log ratios or normalised).

    Missing values stay missing. Samples without any expression (or without any value) are
    dropped, and genes with fewer than MIN_MEASURED_SAMPLES measured samples; a matrix left
    without samples or genes carries no information and stops here.
    """
    if kind not in EXPRESSION_KINDS:
        raise InputError(
            None, f"unknown expression_kind {kind!r}", f"use one of {EXPRESSION_KINDS}"
        )
    measured = frame.notna()
    totals = frame.sum(axis=0)
    empty = ~measured.any(axis=0) | ((totals <= 0) if kind != "log" else False)
    if empty.all():
        raise InputError(
            path,
            f"every one of the {len(totals)} samples is empty or sums to zero: no expression",
            "give the matrix with its values (counts, TPM, FPKM or log values), not an empty one",
        )
    frame = frame.loc[:, ~empty]
    report = {
        "expression_samples_empty_dropped": int(empty.sum()),
        "expression_values_missing": round(float(1 - measured.to_numpy().mean()), 4),
    }
    if kind in ("counts", "fpkm"):
        frame = frame / totals[~empty] * 1e6
    if kind != "log":
        frame = np.log2(frame + 1.0)
    return _without_sparse_genes(frame, report, path)


def _without_sparse_genes(frame: pd.DataFrame, report: dict, path) -> tuple[pd.DataFrame, dict]:
    """`frame` without the genes measured in fewer than MIN_MEASURED_SAMPLES samples."""
    sparse = frame.notna().sum(axis=1) < min(MIN_MEASURED_SAMPLES, frame.shape[1])
    report["expression_genes_too_few_values_dropped"] = int(sparse.sum())
    if sparse.all():
        raise InputError(
            path,
            f"no gene has a value in at least {MIN_MEASURED_SAMPLES} samples",
            "give a matrix with more measured values per gene",
        )
    if sparse.any():
        log.warning(
            "%s: %d genes have values in fewer than %d samples and get no expression profile "
            "(e.g. %s)",
            path,
            int(sparse.sum()),
            MIN_MEASURED_SAMPLES,
            ", ".join(frame.index[sparse][:3]),
        )
    return frame.loc[~sparse], report


def read_id_map(path: str | Path) -> list[tuple[str, str, int]]:
    """(sequence ID, expression ID, line) pairs from a two-column table; header optional."""
    rows = []
    for number, line in enumerate(read_text(path).split("\n"), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        columns = line.split("\t") if "\t" in line else line.replace(",", " ").split()
        if len(columns) < 2 or not columns[0].strip() or not columns[1].strip():
            raise InputError(
                path,
                "expected two columns: sequence ID and expression ID",
                "write one sequence-ID/expression-ID pair per line, separated by a tab",
                line=number,
            )
        rows.append((columns[0].strip(), columns[1].strip(), number))
    if not rows:
        raise InputError(path, "the ID map is empty", "give pairs of sequence and expression IDs")
    return rows


def join_to_genes(
    log_expression: pd.DataFrame,
    genes: list[str],
    id_map_rows: list[tuple[str, str, int]] | None,
    expression_path: str | Path = "expression",
    id_map_path: str | Path | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Expression profile per sequence gene; a gene mapped to several rows gets their mean."""
    rows_of_expression = IdMatcher(log_expression.index)
    report: dict = {"expression_rows": len(log_expression)}
    if id_map_rows is None:
        pairs = {gene: rows_of_expression.match(gene) for gene in genes}
    else:
        gene_matcher = IdMatcher(genes)
        forward = _count_matches(id_map_rows, gene_matcher, rows_of_expression)
        backward = _count_matches(
            [(b, a, n) for a, b, n in id_map_rows], gene_matcher, rows_of_expression
        )
        if backward > forward:
            id_map_rows = [(b, a, n) for a, b, n in id_map_rows]
            report["id_map_columns_swapped"] = True
        pairs = defaultdict(list)
        unused = 0
        for sequence_id, expression_id, _ in id_map_rows:
            targets = gene_matcher.match(sequence_id)
            rows = rows_of_expression.match(expression_id)
            if not targets or not rows:
                unused += 1
            for gene in targets:
                pairs[gene].extend(rows)
        report["id_map_rows"] = len(id_map_rows)
        report["id_map_rows_unmatched"] = unused
    pairs = {gene: sorted(set(rows)) for gene, rows in pairs.items() if rows}
    used_rows = {row for rows in pairs.values() for row in rows}
    unmatched = sorted(set(log_expression.index) - used_rows)
    report["expression_rows_not_matched"] = len(unmatched)
    report["expression_rows_not_matched_examples"] = unmatched[:5]
    report["genes_with_expression"] = len(pairs)
    if not pairs:
        _stop_if_transposed(log_expression, genes, id_map_rows, expression_path)
        source = id_map_path if id_map_rows is not None else expression_path
        raise InputError(
            source,
            "no expression row matches any sequence ID "
            f"(e.g. expression {list(log_expression.index[:2])}, sequences {genes[:2]})"
            + _case_hints(log_expression, genes, id_map_rows),
            "give id_map, a table from sequence IDs to expression IDs"
            if id_map_rows is None
            else "check that the ID map's columns hold sequence IDs and expression IDs",
        )
    ordered = sorted(pairs)
    position = {row: index for index, row in enumerate(log_expression.index)}
    matrix = log_expression.to_numpy()
    with warnings.catch_warnings():  # a sample missing in every row of a gene stays missing
        warnings.simplefilter("ignore", RuntimeWarning)
        profiles = np.vstack(
            [np.nanmean(matrix[[position[row] for row in pairs[gene]]], axis=0) for gene in ordered]
        )
    return pd.DataFrame(profiles, index=ordered, columns=log_expression.columns), report


def _case_hints(log_expression: pd.DataFrame, genes: list[str], id_map_rows) -> str:
    """Where the IDs that fail to join differ only in letter case, which ones."""
    if id_map_rows is None:
        return case_mismatch(log_expression.index, genes, "the sequences")
    return case_mismatch([row[0] for row in id_map_rows], genes, "the sequences") + (
        case_mismatch([row[1] for row in id_map_rows], log_expression.index, "the expression")
    )


def require_coverage(report: dict, genes: list[str], min_share: float, path: str | Path) -> None:
    """Stop when fewer than `min_share` of the sequence genes got an expression profile: a
    join that leaves most genes out has most likely matched IDs of another kind, and would
    leave the expression view nearly empty without a word."""
    matched = report["genes_with_expression"]
    if matched >= min_share * len(genes):
        return
    rows = report["expression_rows_not_matched_examples"][:3]
    raise InputError(
        path,
        f"only {matched} of the {len(genes)} sequence genes ({matched / len(genes):.0%}) match "
        f"an expression row (unmatched rows e.g. {rows}, sequence IDs e.g. {genes[:3]})",
        "use the same gene IDs in both files or give id_map; if most genes truly have no "
        f"expression in this matrix, lower expression_min_share (now {min_share})",
    )


def join_expression(
    log_expression: pd.DataFrame,
    genes: list[str],
    expression_path: str | Path,
    id_map: str | Path | None = None,
    sequences: str | Path | None = None,
) -> tuple[pd.DataFrame, dict]:
    """Each sequence gene's expression profile: through `id_map` when given; otherwise by the
    sequence IDs, or by the gene IDs the headers of `sequences` carry (Ensembl's
    `gene:ENSG…`, `sequences.header_gene_ids`), whichever matches more genes, so that an
    Ensembl proteome joins to a gene-level matrix without an ID map."""
    if id_map:
        return join_to_genes(log_expression, genes, read_id_map(id_map), expression_path, id_map)
    header_rows = header_gene_ids(sequences) if sequences else []
    expression_ids = IdMatcher(log_expression.index)
    direct = sum(bool(expression_ids.match(gene)) for gene in genes)
    if _count_matches(header_rows, IdMatcher(genes), expression_ids) <= direct:
        return join_to_genes(log_expression, genes, None, expression_path)
    joined, report = join_to_genes(log_expression, genes, header_rows, expression_path, sequences)
    report["id_map_from_sequence_headers"] = True
    return joined, report


def _stop_if_transposed(log_expression, genes, id_map_rows, expression_path) -> None:
    """A matrix whose sample names are the gene IDs is samples × genes: say so, rather than
    blame the ID map or the IDs."""
    known = IdMatcher(
        [*genes, *(row[1] for row in id_map_rows or []), *(row[0] for row in id_map_rows or [])]
    )
    as_genes = [name for name in log_expression.columns if known.match(str(name))]
    if as_genes:
        raise InputError(
            expression_path,
            f"no row is a gene, but {len(as_genes)} of the {log_expression.shape[1]} columns "
            f"are (e.g. {as_genes[:3]}): the matrix looks transposed (samples × genes)",
            "put genes in rows and samples in columns, e.g. t() in R before write.table",
        )


def _count_matches(rows, gene_matcher: IdMatcher, expression_matcher: IdMatcher) -> int:
    return sum(
        bool(gene_matcher.match(a)) and bool(expression_matcher.match(b)) for a, b, _ in rows
    )


__all__ = ["join_to_genes", "normalise", "read_expression", "read_id_map", "strip_version"]
