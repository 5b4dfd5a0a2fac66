import pandas as pd
import pytest
from conftest import EVIDENCE_CODES, write

from gocotrain.errors import InputError
from gocotrain.inputs.annotations import build_labels, check_annotations, read_annotations

GAF_HEADER = "!gaf-version: 2.2\n!generated-by: test\n"


def gaf_line(gene, term, evidence="IDA", qualifier="involved_in", aspect="P"):
    columns = [
        "UniProtKB",
        gene,
        f"SYM_{gene}",
        qualifier,
        term,
        "PMID:1",
        evidence,
        "",
        aspect,
        "",
        "",
        "protein",
        "taxon:9606",
        "20220101",
        "UniProt",
        "",
        "",
    ]
    return "\t".join(columns) + "\n"


def labels_of(table, gene, aspect):
    rows = table[(table["gene_id"] == gene) & (table["aspect"] == aspect)]
    return set(rows["go_id"])


def test_demo_gaf_labels_are_closed_upward_and_rootless(demo, demo_ontology, demo_proteins):
    raw = read_annotations(demo / "annotations.gaf.gz")
    assert raw.file_format == "GAF 2.2"
    labels = build_labels(raw, demo_ontology, list(demo_proteins), EVIDENCE_CODES, ["P", "F", "C"])
    table = labels.table
    roots = demo_ontology.roots  # a property computed over every term: read it once
    assert not set(table["go_id"]) & roots
    for (_gene, aspect), group in table.groupby(["gene_id", "aspect"]):
        terms = set(group["go_id"])
        assert demo_ontology.propagate(terms) - roots == terms
        assert {demo_ontology.aspects[t] for t in terms} == {aspect}
    assert labels.report["annotations_other_evidence"] > 0  # IEA etc. are not labels
    assert labels.report["labeled_genes_P"] == table.query("aspect == 'P'")["gene_id"].nunique()


def test_filters_maps_and_reports(tmp_path, demo_ontology):
    path = write(
        tmp_path / "a.gaf",
        GAF_HEADER
        + gaf_line("G1", "GO:0006936")  # muscle contraction
        + gaf_line("G1", "GO:0019952")  # alt_id of reproduction
        + gaf_line("G2", "GO:0006936", evidence="IEA")  # not experimental
        + gaf_line("G3", "GO:0006936", qualifier="NOT|involved_in")
        + gaf_line("G3", "GO:0000005", aspect="F")  # obsolete
        + gaf_line("G3", "GO:9999999")  # unknown
        + gaf_line("G4", "GO:0005515", qualifier="enables", aspect="F")
        + gaf_line("NOPE", "GO:0005515", qualifier="enables", aspect="F"),
    )
    raw = read_annotations(path)
    labels = build_labels(
        raw, demo_ontology, ["G1", "G2", "G3", "G4"], EVIDENCE_CODES, ["P", "F", "C"]
    )
    table, report = labels.table, labels.report
    assert labels_of(table, "G1", "P") == {
        "GO:0006936",
        "GO:0003012",
        "GO:0003008",
        "GO:0032501",
        "GO:0000003",
    }
    assert labels_of(table, "G2", "P") == set()
    assert labels_of(table, "G3", "P") == set()  # NOT is never a positive
    assert labels_of(table, "G4", "F") == {"GO:0005515", "GO:0005488"}
    assert report["annotations_other_evidence"] == 1
    assert report["annotations_negated_not_used"] == 1
    assert report["annotations_alt_id_mapped"] == 1
    assert report["annotations_obsolete_term_dropped"] == 1
    assert report["annotations_unknown_term_dropped"] == 1
    assert report["annotation_genes_not_in_sequences"] == 1
    assert raw.gaf_identity(["G1"]) == {
        "db": "UniProtKB",
        "taxon": "taxon:9606",
        "symbols": {"G1": "SYM_G1"},
        "names": {},
    }


def test_versioned_ids_match_unversioned(tmp_path, demo_ontology):
    path = write(tmp_path / "t.tsv", "ENSG00000000003.10\tGO:0006936\n")
    labels = build_labels(read_annotations(path), demo_ontology, ["ENSG00000000003"], [], ["P"])
    assert set(labels.table["gene_id"]) == {"ENSG00000000003"}


@pytest.mark.parametrize("header", ["", "gene_id\tgo_id\n"])
def test_plain_table_with_or_without_header(tmp_path, demo_ontology, header):
    path = write(tmp_path / "t.tsv.gz", header + "G1\tGO:0006936\nG2\tGO:0005515\n", True)
    raw = read_annotations(path)
    assert raw.file_format == "gene/term table"
    assert list(raw.table["gene_id"]) == ["G1", "G2"]
    labels = build_labels(raw, demo_ontology, ["G1", "G2"], EVIDENCE_CODES, ["P", "F"])
    assert labels_of(labels.table, "G2", "F") == {"GO:0005515", "GO:0005488"}


def test_gaf_with_missing_columns_names_the_line(tmp_path):
    bad = GAF_HEADER + gaf_line("G1", "GO:0006936") + "UniProtKB\tG2\tX\tGO:0006936\n"
    path = write(tmp_path / "bad.gaf", bad)
    with pytest.raises(InputError) as raised:
        read_annotations(path)
    assert "line 4" in str(raised.value) and "4 tab-separated columns" in str(raised.value)


def test_no_gene_in_common_is_an_input_error(tmp_path, demo_ontology):
    path = write(tmp_path / "a.gaf", GAF_HEADER + gaf_line("G1", "GO:0006936"))
    with pytest.raises(InputError, match="none of the 1 annotated gene IDs"):
        build_labels(read_annotations(path), demo_ontology, ["OTHER"], EVIDENCE_CODES, ["P"])


def test_most_annotated_genes_without_a_sequence_stop_the_run(tmp_path, demo_ontology):
    """Nineteen of twenty annotated genes match no sequence: a stop that names the file, the
    share, examples of both files and what to do; two of three (GOA's file against a
    reviewed proteome leaves nearly half) are counted and go on."""
    genes = ["G1", *(f"ENSG{number:02d}" for number in range(19))]
    lines = [gaf_line(gene, "GO:0006936") for gene in genes]
    path = write(tmp_path / "a.gaf", GAF_HEADER + "".join(lines))
    with pytest.raises(InputError) as error:
        build_labels(read_annotations(path), demo_ontology, ["G1", "G2"], [], ["P"], path)
    message = str(error.value)
    assert message.startswith(f"{path}: 19 of its 20 annotated gene IDs (95%) match no sequence")
    assert "['ENSG00', 'ENSG01', 'ENSG02']" in message and "['G1', 'G2']" in message
    assert "What to do: give the sequence file the annotations were made for" in message
    some = write(tmp_path / "some.gaf", GAF_HEADER + "".join(lines[:3]))
    labels = build_labels(read_annotations(some), demo_ontology, ["G1"], EVIDENCE_CODES, ["P"])
    assert labels.report["annotation_genes_not_in_sequences"] == 2
    # A caller that reads a few of a reference's proteins opts out.
    labels = build_labels(
        read_annotations(path), demo_ontology, ["G1"], EVIDENCE_CODES, ["P"], path, None
    )
    assert labels.report["annotation_genes_not_in_sequences"] == 19


def test_labels_tsv_round_trip(tmp_path, demo_ontology):
    from gocotrain.inputs.annotations import Labels

    path = write(tmp_path / "t.tsv", "G1\tGO:0006936\n")
    labels = build_labels(read_annotations(path), demo_ontology, ["G1"], [], ["P"])
    labels.to_tsv(tmp_path / "labels.tsv")
    again = Labels.from_tsv(tmp_path / "labels.tsv")
    pd.testing.assert_frame_equal(again.table, labels.table.astype(str))


def test_evidence_codes_match_whatever_their_case(tmp_path, demo_ontology):
    """A GAF written by hand with `ida` or `Ida` labels its genes like one with `IDA`."""
    path = write(
        tmp_path / "mixed.gaf",
        GAF_HEADER
        + gaf_line("G1", "GO:0006936", evidence="ida")
        + gaf_line("G2", "GO:0006936", evidence="Ida")
        + gaf_line("G3", "GO:0006936", evidence="iea"),  # still not experimental
    )
    labels = build_labels(
        read_annotations(path), demo_ontology, ["G1", "G2", "G3"], EVIDENCE_CODES, ["P"]
    )
    assert set(labels.table["gene_id"]) == {"G1", "G2"}
    assert labels.report["annotations_other_evidence"] == 1


def test_uniprot_isoform_annotations_label_the_canonical_accession(tmp_path, demo_ontology):
    """GOA annotates isoforms as P31946-2; a proteome keyed by P31946 keeps those labels."""
    path = write(
        tmp_path / "isoforms.gaf",
        GAF_HEADER
        + gaf_line("P31946-2", "GO:0006936")
        + gaf_line("Q04917", "GO:0006936")
        + gaf_line("HLA-2", "GO:0006936"),  # not a UniProt accession: no isoform to strip
    )
    labels = build_labels(
        read_annotations(path), demo_ontology, ["P31946", "Q04917", "HLA"], EVIDENCE_CODES, ["P"]
    )
    assert set(labels.table["gene_id"]) == {"P31946", "Q04917"}
    assert labels.report["annotation_genes_not_in_sequences"] == 1


def test_a_gpad_file_is_named_as_such(tmp_path):
    path = write(
        tmp_path / "goa_human.gpad",
        "!gpa-version: 2.0\nUniProtKB:P31946\t\tRO:0002327\tGO:0042802\tPMID:1\tECO:0000353\n",
    )
    with pytest.raises(InputError, match="this is a GPAD file") as error:
        read_annotations(path)
    assert str(path) in str(error.value) and "GAF" in str(error.value)


def test_uniprot_cells_with_several_go_ids_just_work(tmp_path, demo_ontology):
    """UniProt's TSV exports hold every GO ID of an entry in one cell, as IDs or with their
    names; an entry without GO has an empty cell."""
    text = (
        "Entry\tGene Ontology IDs\n"
        "G1\tGO:0006936; GO:0005515\n"
        "G2\tprotein binding [GO:0005515]; muscle contraction [GO:0006936]\n"
        "G3\t\n"
    )
    raw = read_annotations(write(tmp_path / "uniprot.tsv", text))
    assert sorted(zip(raw.table["gene_id"], raw.table["go_id"], strict=True)) == [
        ("G1", "GO:0005515"),
        ("G1", "GO:0006936"),
        ("G2", "GO:0005515"),
        ("G2", "GO:0006936"),
    ]
    labels = build_labels(raw, demo_ontology, ["G1", "G2", "G3"], EVIDENCE_CODES, ["P", "F"])
    assert labels_of(labels.table, "G2", "F") == {"GO:0005515", "GO:0005488"}


@pytest.mark.parametrize(
    "text", ["G1\t0006936\nG2\t0005515\n", GAF_HEADER + gaf_line("G1", "0006936")]
)
def test_go_ids_without_their_prefix_are_named_as_such(tmp_path, text):
    with pytest.raises(InputError) as raised:
        read_annotations(write(tmp_path / "bare.txt", text))
    message = str(raised.value)
    assert "'0006936' has no GO: prefix" in message and "GO:0006936" in message
    assert "line" in message


def test_ids_that_differ_only_in_case_are_named_as_such(tmp_path, demo_ontology):
    path = write(tmp_path / "a.tsv", "p04217\tGO:0006936\nq9y6k9\tGO:0005515\n")
    with pytest.raises(InputError) as raised:
        build_labels(read_annotations(path), demo_ontology, ["P04217", "Q9Y6K9"], [], ["P"])
    message = str(raised.value)
    assert "2 of them differ from the sequences only in letter case" in message
    assert "'p04217' here, 'P04217' in the sequences" in message


def test_annotations_without_usable_evidence_are_named_with_what_they_have(tmp_path):
    """A reference GAF of electronic annotations only, read with experimental codes."""
    lines = [gaf_line(gene, "GO:0006936", evidence="IEA") for gene in "AB"]
    path = write(tmp_path / "iea.gaf", GAF_HEADER + "".join(lines))
    with pytest.raises(InputError) as raised:
        check_annotations(read_annotations(path), ["A", "B"], ["EXP", "IDA"], path)
    message = str(raised.value)
    assert "none of its 2 annotations is of the evidence codes ['EXP', 'IDA']" in message
    assert "IEA x2" in message
    assert check_annotations(read_annotations(path), ["A"], ["IEA"], path)["annotation_genes"] == 2
