import gzip

import pytest
from Bio import SeqIO
from Bio.Seq import Seq
from Bio.SeqFeature import FeatureLocation, SeqFeature
from Bio.SeqRecord import SeqRecord
from conftest import write

from gocotrain.errors import InputError
from gocotrain.inputs.sequences import read_sequences, write_fasta

# One codon per amino acid: back-translating real proteins gives real-length CDSs.
CODON = {
    "A": "GCT",
    "C": "TGT",
    "D": "GAT",
    "E": "GAA",
    "F": "TTT",
    "G": "GGT",
    "H": "CAT",
    "I": "ATT",
    "K": "AAA",
    "L": "CTG",
    "M": "ATG",
    "N": "AAT",
    "P": "CCT",
    "Q": "CAA",
    "R": "CGT",
    "S": "TCT",
    "T": "ACT",
    "V": "GTT",
    "W": "TGG",
    "Y": "TAT",
}


def standard(proteins):
    return {gene: protein for gene, protein in proteins.items() if set(protein) <= set(CODON)}


def test_protein_fasta_gz_reads_every_record(demo):
    sequences = read_sequences(demo / "proteins.fa.gz")
    assert sequences.kind == "protein"
    with gzip.open(demo / "proteins.fa.gz", "rt") as handle:
        headers = [line[1:].split()[0] for line in handle if line.startswith(">")]
    assert list(sequences.proteins) == headers
    assert all(protein.isalpha() and protein.isupper() for protein in sequences.proteins.values())


def test_uniprot_headers_give_accessions_and_crlf_bom_are_accepted(tmp_path):
    path = write(
        tmp_path / "p.fa",
        "\ufeff>sp|P12345|NAME_HUMAN Some protein\r\nMKV\r\nLLA*\r\n>tr|Q99999|X_HUMAN\r\nMAAA\r\n",
    )
    sequences = read_sequences(path)
    assert sequences.proteins == {"P12345": "MKVLLA", "Q99999": "MAAA"}


def test_cds_fasta_is_detected_and_translated(tmp_path, demo_proteins):
    chosen = dict(list(standard(demo_proteins).items())[:20])
    cds = {gene: "".join(CODON[aa] for aa in protein) + "TAA" for gene, protein in chosen.items()}
    path = tmp_path / "cds.fa.gz"
    with gzip.open(path, "wt") as handle:
        for gene, sequence in cds.items():
            handle.write(f">{gene}\n{sequence}\n")
    sequences = read_sequences(path)
    assert sequences.kind == "cds"
    assert sequences.proteins == chosen


def test_cds_with_internal_stop_is_skipped_and_counted(tmp_path):
    path = write(tmp_path / "cds.fa", ">g1\nATGAAATAAGGGTAA\n>g2\nATGAAAGGGTAA\n")
    sequences = read_sequences(path, sequence_type="cds")
    assert sequences.proteins == {"g2": "MKG"}
    assert sequences.skipped["internal stop codon"] == 1


def test_alternative_genetic_code(tmp_path):
    # TGA is tryptophan in the mycoplasma/spiroplasma code (table 4), a stop in table 1.
    path = write(tmp_path / "cds.fa", ">g1\nATGTGAAAATAA\n")
    assert read_sequences(path, "cds", genetic_code=4).proteins == {"g1": "MWK"}


def test_genbank_cds_features(tmp_path, demo_proteins):
    chosen = list(standard(demo_proteins).items())[:3]
    nucleotides, features, start = "", [], 0
    for index, (_gene, protein) in enumerate(chosen):
        cds = "".join(CODON[aa] for aa in protein) + "TAG"
        qualifiers = {"locus_tag": [f"LT_{index}"], "gene": [f"gene{index}"]}
        qualifiers["product"] = [f"protein {index}"]
        if index == 0:
            qualifiers["translation"] = [protein]
        features.append(
            SeqFeature(
                FeatureLocation(start, start + len(cds), strand=1),
                type="CDS",
                qualifiers=qualifiers,
            )
        )
        nucleotides += cds + "NNNN"
        start += len(cds) + 4
    record = SeqRecord(
        Seq(nucleotides),
        id="CONTIG1",
        name="CONTIG1",
        features=features,
        annotations={"molecule_type": "DNA"},
    )
    path = tmp_path / "genome.gbk"
    SeqIO.write([record], path, "genbank")
    sequences = read_sequences(path)
    assert sequences.kind == "genbank"
    assert sequences.proteins == {f"LT_{i}": protein for i, (_, protein) in enumerate(chosen)}
    assert sequences.names["LT_1"] == ("gene1", "protein 1")  # the CDS's gene and product


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            "sp|P04637|P53_HUMAN Cellular tumor antigen p53 OS=Homo sapiens OX=9606 GN=TP53 "
            "PE=1 SV=4",
            ("TP53", "Cellular tumor antigen p53"),
        ),
        (
            "ENSP00000269305.4 pep chromosome:GRCh38:17:7661779:7687538:-1 "
            "gene:ENSG00000141510.18 transcript:ENST00000269305.9 gene_biotype:protein_coding "
            "gene_symbol:TP53 description:tumor protein p53 [Source:HGNC Symbol;Acc:HGNC:11998]",
            ("TP53", "tumor protein p53"),
        ),
        (
            "NP_000537.3 cellular tumor antigen p53 isoform a [Homo sapiens]",
            ("", "cellular tumor antigen p53 isoform a"),
        ),
        ("G1", ("", "")),
    ],
)
def test_names_come_from_the_headers_as_sources_write_them(tmp_path, header, expected):
    path = write(tmp_path / "named.fa", f">{header}\nMEEPQSDPSV\n")
    found = read_sequences(path)
    assert list(found.names.values()) == [expected]


@pytest.mark.parametrize(
    ("text", "problem", "line"),
    [
        ("MKV\n>g1\nMKV\n", "text before the first FASTA header", 1),
        (">g1\nMKV\n>g1\nMAA\n", "duplicate sequence ID", 3),
        (">g1\nMK1V\n", "illegal letters", 1),
    ],
)
def test_broken_fasta_names_file_line_and_fix(tmp_path, text, problem, line):
    path = write(tmp_path / "broken.fa", text)
    with pytest.raises(InputError) as raised:
        read_sequences(path)
    message = str(raised.value)
    assert str(path) in message and problem in message and f"line {line}" in message
    assert "What to do:" in message


def test_truncated_gzip_is_an_input_error(tmp_path, demo):
    data = (demo / "proteins.fa.gz").read_bytes()
    path = tmp_path / "cut.fa.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="damaged or truncated"):
        read_sequences(path)


def test_fasta_round_trip(tmp_path, demo_proteins):
    path = tmp_path / "out.fa"
    write_fasta(demo_proteins, path)
    assert read_sequences(path).proteins == demo_proteins


def test_outputs_are_written_atomically(tmp_path):
    from gocotrain.textio import atomic_write

    target = tmp_path / "out.tsv"
    with pytest.raises(RuntimeError), atomic_write(target) as handle:
        handle.write("half")
        raise RuntimeError("killed")
    assert list(tmp_path.iterdir()) == []  # neither the target nor a temporary file
    with atomic_write(target) as handle:
        handle.write("whole")
    assert target.read_text() == "whole"
    assert target.stat().st_mode & 0o644 == 0o644
