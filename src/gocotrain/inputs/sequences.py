"""Read protein FASTA, CDS FASTA or GenBank files into one protein sequence per gene.

FASTA is read by hand rather than with Bio.SeqIO: SeqIO silently skips text before the
first header and reports no line numbers, and users need both to fix a broken file.
Translation and GenBank parsing are Biopython's.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from Bio import SeqIO
from Bio.Data import CodonTable
from Bio.Seq import Seq

from gocotrain.errors import InputError
from gocotrain.textio import atomic_write, read_text

PROTEIN_LETTERS = set("ACDEFGHIKLMNPQRSTVWYBZJUOX*")
NUCLEOTIDE_LETTERS = set("ACGTUN")
IUPAC_NUCLEOTIDE_LETTERS = set("ACGTUNRYKMSWBDHV")
UNIPROT_HEADER = re.compile(r"^(?:sp|tr)\|([^|]+)\|")
SEQUENCE_TYPES = ("auto", "protein", "cds", "genbank")


@dataclass
class SequenceSet:
    """Protein sequences keyed by gene ID, in file order, with what happened on the way."""

    proteins: dict[str, str]
    kind: str
    # Per gene, the gene symbol and protein name its record gives ("" where none).
    names: dict[str, tuple[str, str]] = field(default_factory=dict)
    records_read: int = 0
    skipped: Counter = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def skip(self, reason: str, record_id: str) -> None:
        self.skipped[reason] += 1
        self.examples.setdefault(reason, [])
        if len(self.examples[reason]) < 5:
            self.examples[reason].append(record_id)

    def report(self) -> dict:
        return {
            "sequence_kind": self.kind,
            "records_read": self.records_read,
            "genes_with_sequence": len(self.proteins),
            "records_skipped": dict(self.skipped),
            "records_skipped_examples": self.examples,
        }


def gene_id_from_header(header: str) -> str:
    """First word of a FASTA header; UniProt's `sp|ACC|NAME` gives the accession."""
    token = header.split(maxsplit=1)[0] if header.strip() else ""
    match = UNIPROT_HEADER.match(token)
    return match.group(1) if match else token


# Ensembl's pep and cds FASTA headers name the gene: `>ENSP… pep … gene:ENSG00000141510.18 …`.
ENSEMBL_GENE = re.compile(r"\sgene:(\S+)")


def header_gene_ids(path: str | Path) -> list[tuple[str, str, int]]:
    """(sequence ID, gene ID, line) for each FASTA header that names its gene as Ensembl's do;
    none for a file of another kind or without such headers."""
    text = read_text(path)
    if not text.lstrip().startswith(">"):
        return []
    rows = []
    for number, line in enumerate(text.split("\n"), start=1):
        found = ENSEMBL_GENE.search(line) if line.startswith(">") else None
        if found:
            rows.append((gene_id_from_header(line[1:]), found.group(1), number))
    return rows


ENSEMBL_FIELD = re.compile(r"(\w+):(\S+)")


def names_from_header(header: str) -> tuple[str, str]:
    """(gene symbol, protein name) from a FASTA header, as the common sources write them:
    UniProt (`sp|P04637|P53_HUMAN Cellular tumor antigen p53 OS=… GN=TP53 …`), Ensembl
    (`ENSP… pep … gene_symbol:TP53 description:…`), NCBI (`NP_000537.3 cellular tumor
    antigen p53 [Homo sapiens]`); ("", "") where the header has no description."""
    parts = header.split(maxsplit=1)
    description = parts[1].strip() if len(parts) > 1 else ""
    if UNIPROT_HEADER.match(parts[0] if parts else ""):
        symbol = re.search(r"\bGN=(\S+)", description)
        name = re.split(r" [A-Z]{2}=", description, maxsplit=1)[0]
        return (symbol.group(1) if symbol else ""), name.strip()
    if " gene_symbol:" in f" {description}" or description.startswith("pep "):
        fields = dict(ENSEMBL_FIELD.findall(description))
        name = description.split("description:", 1)[1] if "description:" in description else ""
        return fields.get("gene_symbol", ""), re.sub(r" \[Source:.*\]$", "", name).strip()
    return "", re.sub(r" \[[^\]]+\]$", "", description).strip()


def fasta_names(text: str) -> dict[str, tuple[str, str]]:
    """`names_from_header` for every header of a FASTA text, by gene ID."""
    return {
        gene_id_from_header(line[1:]): names_from_header(line[1:])
        for line in text.split("\n")
        if line.startswith(">") and line[1:].strip()
    }


def write_names(names: dict[str, tuple[str, str]], path: str | Path) -> None:
    """gene_id, symbol, protein_name per gene (a TSV the exports join on)."""
    with atomic_write(path) as handle:
        handle.write("gene_id\tsymbol\tprotein_name\n")
        for gene, (symbol, name) in names.items():
            clean = [value.replace("\t", " ") for value in (gene, symbol, name)]
            handle.write("\t".join(clean) + "\n")


def read_names(path: str | Path) -> dict[str, tuple[str, str]]:
    table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    return {
        gene: (symbol, name)
        for gene, symbol, name in zip(
            table["gene_id"], table["symbol"], table["protein_name"], strict=True
        )
    }


def read_fasta(path: str | Path) -> list[tuple[str, str, int]]:
    """Return (gene_id, sequence, header line) for each record, checking the layout."""
    records: list[tuple[str, list[str], int]] = []
    seen: dict[str, int] = {}
    current: list[str] | None = None
    for number, line in enumerate(read_text(path).split("\n"), start=1):
        if line.startswith(">"):
            gene_id = gene_id_from_header(line[1:])
            if not gene_id:
                raise InputError(
                    path, "a FASTA header has no ID", "write an ID right after '>'", line=number
                )
            if gene_id in seen:
                raise InputError(
                    path,
                    f"duplicate sequence ID (first seen on line {seen[gene_id]})",
                    "give every sequence a unique ID, or remove the duplicate",
                    line=number,
                    record=gene_id,
                )
            seen[gene_id] = number
            current = []
            records.append((gene_id, current, number))
        elif line.strip():
            if current is None:
                raise InputError(
                    path,
                    "text before the first FASTA header ('>' line)",
                    "check that this is a FASTA file and that it starts with a '>' header",
                    line=number,
                )
            current.append(line.strip().replace(" ", ""))
    if not records:
        raise InputError(path, "no FASTA records found", "give a FASTA file with '>' headers")
    return [(gene_id, "".join(parts).upper(), number) for gene_id, parts, number in records]


def detect_kind(path: str | Path, text: str) -> str:
    first = next((line for line in text.split("\n") if line.strip()), "")
    if first.startswith("LOCUS"):
        return "genbank"
    if first.startswith(">") or "\n>" in text:
        letters = Counter()
        for line in text.split("\n"):
            if not line.startswith(">"):
                letters.update(line.strip().upper())
        total = sum(letters.values())
        nucleotide = sum(letters[letter] for letter in NUCLEOTIDE_LETTERS)
        return "cds" if total and nucleotide / total >= 0.9 else "protein"
    raise InputError(
        path,
        "not a FASTA or GenBank file (the first line starts with neither '>' nor 'LOCUS')",
        "give protein or CDS FASTA, or GenBank; or set sequence_type",
        line=1,
    )


def clean_protein(sequences: SequenceSet, path, gene_id: str, protein: str, line: int | None):
    """Check letters, drop the terminal stop, and keep or skip the protein."""
    illegal = set(protein) - PROTEIN_LETTERS
    if illegal:
        raise InputError(
            path,
            f"illegal letters {''.join(sorted(illegal))!r} in a protein sequence",
            "use one-letter amino-acid codes (X for unknown); check sequence_type",
            line=line,
            record=gene_id,
        )
    protein = protein.rstrip("*")
    if not protein:
        sequences.skip("empty sequence", gene_id)
    elif "*" in protein:
        sequences.skip("internal stop codon", gene_id)
    else:
        sequences.proteins[gene_id] = protein


def translate_cds(sequence: str, table: int) -> tuple[str, bool]:
    """Translate a CDS; the flag says whether its length was not a multiple of three."""
    partial = len(sequence) % 3 != 0
    trimmed = sequence[: len(sequence) - len(sequence) % 3]
    return str(Seq(trimmed.replace("U", "T")).translate(table=table)), partial


def read_sequences(
    path: str | Path,
    sequence_type: str = "auto",
    genetic_code: int = 1,
    genbank_id_qualifiers: tuple[str, ...] = ("locus_tag", "protein_id", "gene"),
) -> SequenceSet:
    """Read a sequence file of any supported kind into proteins keyed by gene ID."""
    if sequence_type not in SEQUENCE_TYPES:
        raise InputError(
            None, f"unknown sequence_type {sequence_type!r}", f"use one of {SEQUENCE_TYPES}"
        )
    if genetic_code not in CodonTable.unambiguous_dna_by_id:
        raise InputError(
            None,
            f"unknown genetic_code {genetic_code}",
            "use an NCBI translation table number (1 standard, 11 bacterial, ...)",
        )
    text = read_text(path)
    kind = detect_kind(path, text) if sequence_type == "auto" else sequence_type
    sequences = SequenceSet(proteins={}, kind=kind)
    if kind == "genbank":
        read_genbank(path, text, sequences, genetic_code, genbank_id_qualifiers)
    else:
        names = fasta_names(text)
        for gene_id, sequence, line in read_fasta(path):
            sequences.records_read += 1
            if kind == "cds":
                illegal = set(sequence) - IUPAC_NUCLEOTIDE_LETTERS
                if illegal:
                    raise InputError(
                        path,
                        f"illegal letters {''.join(sorted(illegal))!r} in a nucleotide sequence",
                        "use IUPAC nucleotide codes, or set sequence_type: protein",
                        line=line,
                        record=gene_id,
                    )
                protein, partial = translate_cds(sequence, genetic_code)
                if partial:
                    sequences.skipped["CDS length not a multiple of 3 (trimmed)"] += 1
                clean_protein(sequences, path, gene_id, protein, line)
            else:
                clean_protein(sequences, path, gene_id, sequence, line)
    if kind != "genbank":
        sequences.names = {gene: names[gene] for gene in sequences.proteins if gene in names}
    if not sequences.proteins:
        raise InputError(
            path,
            f"no usable {kind} sequences (skipped: {dict(sequences.skipped)})",
            "check the file and sequence_type",
        )
    return sequences


def read_genbank(path, text, sequences, genetic_code, id_qualifiers) -> None:
    seen: set[str] = set()
    try:
        for number, record in enumerate(SeqIO.parse(io.StringIO(text), "genbank"), start=1):
            for feature in record.features:
                if feature.type != "CDS":
                    continue
                sequences.records_read += 1
                qualifiers = feature.qualifiers
                gene_id = next(
                    (qualifiers[key][0] for key in id_qualifiers if qualifiers.get(key)), None
                )
                if gene_id is None:
                    sequences.skip(f"CDS without any of {list(id_qualifiers)}", record.id)
                    continue
                if "pseudo" in qualifiers or "pseudogene" in qualifiers:
                    sequences.skip("pseudogene CDS", gene_id)
                    continue
                if gene_id in seen:
                    raise InputError(
                        path,
                        f"duplicate CDS ID in GenBank record {number} ({record.id})",
                        "make the ID qualifiers unique, or set genbank_id_qualifiers",
                        record=gene_id,
                    )
                seen.add(gene_id)
                if qualifiers.get("translation"):
                    protein = qualifiers["translation"][0].upper()
                else:
                    table = int(qualifiers.get("transl_table", [genetic_code])[0])
                    nucleotides = str(feature.extract(record.seq)).upper()
                    protein, partial = translate_cds(nucleotides, table)
                    if partial:
                        sequences.skipped["CDS length not a multiple of 3 (trimmed)"] += 1
                clean_protein(sequences, path, gene_id, protein, None)
                sequences.names[gene_id] = (
                    qualifiers.get("gene", [""])[0],
                    qualifiers.get("product", [""])[0],
                )
    except ValueError as error:
        raise InputError(
            path,
            f"GenBank parse error: {error}",
            "check that the file is complete GenBank (LOCUS ... //)",
        ) from None


def write_fasta(proteins: dict[str, str], path: str | Path, width: int = 60) -> None:
    with atomic_write(path) as handle:
        for gene_id, protein in proteins.items():
            handle.write(f">{gene_id}\n")
            for start in range(0, len(protein), width):
                handle.write(protein[start : start + width] + "\n")
