"""GO annotation files (GAF 2.x or a plain gene/term table) and the labels built from them."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from gocotrain.errors import InputError
from gocotrain.inputs.ids import IdMatcher, case_mismatch
from gocotrain.inputs.ontology import Ontology
from gocotrain.textio import atomic_write, iter_lines

GAF_COLUMNS = 17
GAF_MIN_COLUMNS = 15  # GAF 1.0 had 15; the two last columns of 2.x are optional in practice
ASPECT_LETTERS = {"P", "F", "C"}
# Past this share of its annotated genes matching no sequence ID, an annotation file is not
# the sequences' (another proteome, or IDs of another kind): the run stops. GOA's file against
# UniProt's reviewed proteome leaves 44% unmatched (human, 2022: its unreviewed accessions),
# and an organism with more unreviewed entries leaves more; a file of other IDs, nearly all.
UNMATCHED_GENES_STOP_SHARE = 0.9
# Where a training label comes from (column `source`): the organism's own annotations, or
# a reference species' teaching (`gocotrain.teaching.reference`).
OWN, REFERENCE = "own", "reference"


@dataclass
class Annotations:
    """Raw annotation rows: gene_id, go_id, evidence ('' for a plain table), negated; a GAF's
    also its database, symbol, name, taxon, aspect letter (column 9), date (column 14, as
    written) and line number."""

    table: pd.DataFrame
    file_format: str
    lines_read: int
    warnings: Counter = field(default_factory=Counter)

    def gaf_identity(self, genes: list[str]) -> dict:
        """The database, taxon, gene symbols and protein names (GAF columns 3 and 10) the
        input GAF uses, to reuse in the exports."""
        if "db" not in self.table:
            return {"db": None, "taxon": None, "symbols": {}, "names": {}}
        matcher = IdMatcher(genes)
        symbols, names = {}, {}
        rows = zip(self.table["gene_id"], self.table["symbol"], self.table["name"], strict=True)
        for gene, symbol, name in rows:
            for known in matcher.match(gene):
                symbols.setdefault(known, symbol)
                if name:
                    names.setdefault(known, name)

        def most_common(column: str) -> str | None:
            values = self.table[column][self.table[column] != ""]
            return str(values.mode().iloc[0]) if len(values) else None

        return {
            "db": most_common("db"),
            "taxon": most_common("taxon"),
            "symbols": symbols,
            "names": names,
        }


def read_annotations(path: str | Path) -> Annotations:
    lines = [(number, line) for number, line in iter_lines(path) if line.strip()]
    header = [line for _, line in lines if line.startswith("!")]
    body = [(number, line) for number, line in lines if not line.startswith("!")]
    version = next(
        (line.split(":", 1)[1].strip() for line in header if line.startswith("!gaf-version")),
        None,
    )
    if any(line.startswith("!gpa-version") for line in header):
        raise InputError(
            path,
            "this is a GPAD file (GO's gene product association data), which is not read",
            "give the GAF of the same release (e.g. goa_human.gaf.gz), or gene<TAB>GO pairs",
        )
    if not body:
        raise InputError(path, "no annotation lines", "give a GAF file or a gene<TAB>GO table")
    is_gaf = version is not None or len(body[0][1].split("\t")) >= GAF_MIN_COLUMNS
    if is_gaf:
        return _read_gaf(path, body, version)
    return _read_table(path, body)


def _read_gaf(path, body, version) -> Annotations:
    dbs, genes, symbols, names, terms, evidence, negated, taxa = ([] for _ in range(8))
    aspects, dates, numbers = [], [], []
    warnings: Counter = Counter()
    for number, line in body:
        columns = line.split("\t")
        if len(columns) < GAF_MIN_COLUMNS or len(columns) > GAF_COLUMNS:
            raise InputError(
                path,
                f"a GAF line has {len(columns)} tab-separated columns; GAF 2.x has {GAF_COLUMNS}",
                "check that the columns are separated by tabs, not spaces, and none is missing",
                line=number,
            )
        _stop_if_unprefixed(columns[4].strip(), path, number)
        if not columns[1] or not columns[4]:
            raise InputError(
                path,
                "a GAF line has an empty DB_Object_ID (column 2) or GO ID (column 5)",
                "fill in or remove the line",
                line=number,
            )
        if columns[8] not in ASPECT_LETTERS:
            warnings["unknown aspect letter (aspect taken from the ontology)"] += 1
        dbs.append(columns[0])
        genes.append(columns[1])
        symbols.append(columns[2])
        names.append(columns[9])
        terms.append(columns[4])
        evidence.append(columns[6])
        negated.append("NOT" in columns[3].split("|"))
        taxa.append(columns[12].split("|")[0])
        aspects.append(columns[8])
        dates.append(columns[13].strip())
        numbers.append(number)
    table = pd.DataFrame(
        {
            "gene_id": genes,
            "go_id": terms,
            "evidence": evidence,
            "negated": negated,
            "db": dbs,
            "symbol": symbols,
            "name": names,
            "taxon": taxa,
            "aspect": aspects,
            "date": dates,
            "line": numbers,
        }
    )
    file_format = f"GAF {version}" if version else "GAF (no version header)"
    return Annotations(table, file_format, len(body), warnings)


# A GO ID, and a GO ID's seven digits written without their prefix.
GO_ID = re.compile(r"GO:\d{7}")
BARE_GO_ID = re.compile(r"\d{7}")


def _read_table(path, body) -> Annotations:
    """gene<TAB>GO rows. A cell may hold several GO IDs, as UniProt's exports write them
    ("GO:0005515; GO:0005737", or "cytoplasm [GO:0005737]; ..."); an empty cell is a gene
    without annotation."""
    rows = []
    for index, (number, line) in enumerate(body):
        columns = line.split("\t") if "\t" in line else line.split()
        if len(columns) < 2:
            raise InputError(
                path,
                f"expected gene_id<TAB>go_id, found {len(columns)} column",
                "give two tab-separated columns, or a GAF file with a !gaf-version header",
                line=number,
            )
        gene, cell = columns[0].strip(), columns[1].strip()
        _stop_if_unprefixed(cell, path, number)
        terms = GO_ID.findall(cell) or ([cell] if cell else [])
        if index == 0 and not GO_ID.search(cell):
            continue  # a header line
        rows.extend((gene, term) for term in terms)
    table = pd.DataFrame(rows, columns=["gene_id", "go_id"])
    table["evidence"] = ""
    table["negated"] = False
    return Annotations(table, "gene/term table", len(body))


def _stop_if_unprefixed(cell: str, path, number: int) -> None:
    """GO IDs are written with their GO: prefix; seven bare digits are one without it, not
    a term of another ontology release."""
    first = re.split(r"[;,|\s]+", cell)[0]
    if BARE_GO_ID.fullmatch(first):
        raise InputError(
            path,
            f"the GO ID {first!r} has no GO: prefix",
            f"write GO IDs with their prefix, as GO:{first}",
            line=number,
        )


@dataclass
class Labels:
    """Propagated labels per aspect: a gene with any label in an aspect is labeled there."""

    table: pd.DataFrame  # gene_id, aspect, go_id (roots excluded), sorted
    report: dict

    def to_tsv(self, path: str | Path) -> None:
        with atomic_write(path) as handle:
            self.table.to_csv(handle, sep="\t", index=False)

    @classmethod
    def from_tsv(cls, path: str | Path) -> Labels:
        return cls(pd.read_csv(path, sep="\t", dtype=str), report={})


def matched_annotations(
    annotations: Annotations,
    genes: list[str],
    evidence_codes: list[str],
    path: str | Path = "annotations",
    max_unmatched_share: float | None = UNMATCHED_GENES_STOP_SHARE,
) -> tuple[pd.DataFrame, dict[str, str | None], dict]:
    """The annotations a run can use: of the `evidence_codes` (a GAF's), not negated; each
    annotated gene ID's sequence gene (None where none); and a report. Stops as
    `build_labels` says."""
    table = annotations.table
    report: dict = {"annotation_format": annotations.file_format}
    report["annotation_lines"] = annotations.lines_read
    report["annotation_warnings"] = dict(annotations.warnings)

    # Genes are matched over every annotation line, so that the report counts them whatever
    # their evidence; a file of other IDs must fail here, not as "no experimental evidence".
    matcher = IdMatcher(genes)
    gene_of = {gene: (matcher.match(gene) or [None])[0] for gene in table["gene_id"].unique()}
    unmatched = sorted(gene for gene, found in gene_of.items() if found is None)
    report["annotation_genes"] = len(gene_of)
    report["annotation_genes_not_in_sequences"] = len(unmatched)
    report["annotation_genes_not_in_sequences_examples"] = unmatched[:5]
    if len(unmatched) == len(gene_of):
        raise InputError(
            path,
            f"none of the {len(gene_of)} annotated gene IDs matches a sequence ID "
            f"(e.g. annotated {unmatched[:3]}, sequences {sorted(genes)[:3]})"
            + case_mismatch(unmatched, genes, "the sequences"),
            "use the same gene IDs in the annotation file (GAF column 2) and the sequence file",
        )
    if max_unmatched_share is not None and len(unmatched) > max_unmatched_share * len(gene_of):
        raise InputError(
            path,
            f"{len(unmatched)} of its {len(gene_of)} annotated gene IDs "
            f"({len(unmatched) / len(gene_of):.0%}) match no sequence ID, more than "
            f"{max_unmatched_share:.0%}: their labels would be dropped (e.g. annotated "
            f"{unmatched[:3]}, sequences {sorted(genes)[:3]})"
            + case_mismatch(unmatched, genes, "the sequences"),
            "give the sequence file the annotations were made for (a whole proteome, not a "
            "part or another release), or annotations keyed by the sequence file's IDs "
            "(GAF column 2; map other IDs to them first, e.g. with UniProt's ID mapping)",
        )

    if annotations.file_format != "gene/term table":
        # Evidence codes are upper case in GAF, but a file written by hand may not be.
        kept = table["evidence"].str.upper().isin({code.upper() for code in evidence_codes})
        report["annotations_other_evidence"] = int((~kept).sum())
        table = table[kept]
    report["annotations_negated_not_used"] = int(table["negated"].sum())
    table = table[~table["negated"]]

    return table, gene_of, report


def check_annotations(
    annotations: Annotations, genes: list[str], evidence_codes: list[str], path: str | Path
) -> dict:
    """Before any expensive work: the annotations name some of the `genes` and keep some
    lines of the `evidence_codes`; stops saying which fails. Returns the report."""
    table, _, report = matched_annotations(annotations, genes, evidence_codes, path, None)
    if table.empty:
        found = Counter(annotations.table["evidence"].str.upper()).most_common(5)
        raise InputError(
            path,
            f"none of its {annotations.lines_read} annotations is of the evidence codes "
            f"{evidence_codes} (and not negated); it has "
            + ", ".join(f"{code or 'none'} x{count}" for code, count in found),
            "set the reference's evidence_codes to codes the file uses, or give its "
            "annotations with experimental or curated evidence",
        )
    return report


def build_labels(
    annotations: Annotations,
    ontology: Ontology,
    genes: list[str],
    evidence_codes: list[str],
    aspects: list[str],
    path: str | Path = "annotations",
    max_unmatched_share: float | None = UNMATCHED_GENES_STOP_SHARE,
) -> Labels:
    """Filter, map and propagate annotations to labels over the known genes.

    Stops when none of the annotated genes, or more than `max_unmatched_share` of them, match
    a sequence ID; None for `genes` that are by design a few of the file's (a reference's
    proteins that a run reads)."""
    table, gene_of, report = matched_annotations(
        annotations, genes, evidence_codes, path, max_unmatched_share
    )
    term_status: Counter = Counter()
    examples: dict[str, list[str]] = defaultdict(list)
    resolved: dict[str, str | None] = {}
    for term, count in table["go_id"].value_counts().items():
        primary, status = ontology.resolve(term)
        resolved[term] = primary
        term_status[status] += int(count)
        if status in ("obsolete", "unknown") and len(examples[status]) < 5:
            examples[status].append(term)
    report["annotations_alt_id_mapped"] = term_status["alt_id"]
    report["annotations_obsolete_term_dropped"] = term_status["obsolete"]
    report["annotations_unknown_term_dropped"] = term_status["unknown"]
    report["obsolete_term_examples"] = examples["obsolete"]
    report["unknown_term_examples"] = examples["unknown"]
    _stop_if_most_terms_dropped(term_status, examples, path)

    direct: dict[tuple[str, str], set[str]] = defaultdict(set)
    wanted = set(aspects)
    for gene, term in zip(table["gene_id"], table["go_id"], strict=True):
        primary, gene_id = resolved[term], gene_of[gene]
        if primary is None or gene_id is None:
            continue
        aspect = ontology.aspects[primary]
        if aspect in wanted:
            direct[(gene_id, aspect)].add(primary)
    roots = ontology.roots
    rows = []
    for (gene_id, aspect), terms in direct.items():
        for term in ontology.propagate(terms) - roots:
            rows.append((gene_id, aspect, term))
    labels = pd.DataFrame(rows, columns=["gene_id", "aspect", "go_id"])
    labels = labels.sort_values(["aspect", "gene_id", "go_id"], ignore_index=True)
    for aspect in aspects:
        in_aspect = labels[labels["aspect"] == aspect]
        report[f"labeled_genes_{aspect}"] = int(in_aspect["gene_id"].nunique())
        report[f"labels_propagated_{aspect}"] = len(in_aspect)
    if labels.empty:
        raise InputError(
            path,
            "no usable labels are left after filtering by evidence code, aspect and gene ID",
            f"check evidence_codes (now {evidence_codes}) and aspects (now {aspects})",
        )
    return Labels(labels, report)


def _stop_if_most_terms_dropped(term_status: Counter, examples: dict, path: str | Path) -> None:
    """Stop when most annotations name GO IDs the ontology does not have (or made obsolete):
    the ontology file is then not the one the annotations were made with (say, years
    apart), and the labels left would silently be a fraction of the file's."""
    dropped = term_status["unknown"] + term_status["obsolete"]
    total = sum(term_status.values())
    if total and dropped > total / 2:
        named = (examples["unknown"] + examples["obsolete"])[:3]
        raise InputError(
            path,
            f"{dropped} of its {total} annotations ({dropped / total:.0%}) name GO IDs the "
            f"ontology lacks or made obsolete (e.g. {named})",
            "give the go-basic.obo of the annotation file's release (or a newer one)",
        )


def resolved(labels: pd.DataFrame, held_out: set[str] = frozenset()) -> pd.DataFrame:
    """The labels a fit learns from: a gene's own labels in an aspect win over its reference
    ones there; `held_out` genes' own labels are not read (the evaluation's targets), so they
    learn from the reference as a gene without own labels does. A table without sources is
    returned as it is."""
    if "source" not in labels:
        return labels
    own = labels[(labels["source"] == OWN) & ~labels["gene_id"].isin(held_out)]
    has_own = pd.MultiIndex.from_frame(own[["gene_id", "aspect"]].drop_duplicates())
    taught = labels[labels["source"] == REFERENCE]
    taught = taught[~pd.MultiIndex.from_frame(taught[["gene_id", "aspect"]]).isin(has_own)]
    return pd.concat([own, taught]).sort_values(["aspect", "gene_id", "go_id"], ignore_index=True)
