import numpy as np
import pandas as pd
import pytest
from conftest import write

from gocotrain.errors import InputError
from gocotrain.inputs.expression import (
    join_expression,
    join_to_genes,
    normalise,
    read_expression,
    read_id_map,
)
from gocotrain.views.features import expression_features


def test_demo_matrix_fpkm_to_log_tpm(demo):
    frame = read_expression(demo / "expression.tsv.gz")
    assert frame.shape[1] == 271 and frame.index[0].startswith("ENSG")
    log_tpm, _ = normalise(frame, "fpkm")
    tpm = 2**log_tpm - 1
    np.testing.assert_allclose(tpm.sum(axis=0), 1e6, rtol=1e-6)


def test_counts_become_log_cpm_and_empty_samples_drop():
    frame = pd.DataFrame({"s1": [10.0, 30.0], "s2": [0.0, 0.0]}, index=["g1", "g2"])
    log_cpm, report = normalise(frame, "counts")
    assert list(log_cpm.columns) == ["s1"]
    assert report["expression_samples_empty_dropped"] == 1
    np.testing.assert_allclose(log_cpm["s1"], np.log2([250001.0, 750001.0]))


def test_log_ratios_with_gaps_are_taken_as_given(tmp_path):
    """Two-colour arrays (log2 ratios, negative) with empty cells, as the Gasch compendium
    and a union of studies have them: kind `log` keeps the values, gaps stay missing, a gene
    with fewer than three values is left out and a sample without any value is dropped."""
    text = (
        "gene\ta1\ta2\ta3\ta4\tempty\n"
        "g1\t-1.5\t0.2\t\t2.0\t\n"
        "g2\t0.5\tNA\t-0.1\t1.0\t\n"
        "g3\t\t\t0.3\t\t\n"
    )
    path = write(tmp_path / "arrays.tsv", text)
    with pytest.raises(InputError, match="negative value"):
        read_expression(path)  # counts, TPM and FPKM are never negative
    frame = read_expression(path, "log")
    values, report = normalise(frame, "log")
    assert list(values.index) == ["g1", "g2"] and "empty" not in values.columns
    assert values.loc["g1", "a1"] == -1.5 and np.isnan(values.loc["g2", "a2"])
    assert report["expression_samples_empty_dropped"] == 1
    assert report["expression_genes_too_few_values_dropped"] == 1


def test_missing_values_add_nothing_to_a_profile():
    """A missing value is the gene's mean over its measured samples: 0 in its z-scored
    profile, and its mean and SD are those of the measured values."""
    values = pd.DataFrame(
        [[1.0, 3.0, np.nan, 5.0], [2.0, 2.5, 1.0, 0.0], [0.0, 1.0, 2.0, 4.0]],
        index=["g1", "g2", "g3"],
        columns=["a", "b", "c", "d"],
    )
    features, _, _ = expression_features(values, n_components=0)
    frame = features.to_frame()
    assert frame.loc["g1", "expr_mean"] == pytest.approx(3.0)
    assert frame.loc["g1", "expr_sd"] == pytest.approx(np.std([1.0, 3.0, 5.0]))
    assert frame.loc["g1", "expr_sample_c"] == 0
    assert np.isfinite(frame.to_numpy()).all()


def test_csv_is_read(tmp_path):
    path = write(tmp_path / "e.csv", "gene,a,b\ng1,1,2\ng2,3,4\n")
    assert read_expression(path).loc["g2", "b"] == 4


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("gene\ta\tb\ng1\t1\tx\n", "non-numeric value 'x' in sample 'b'", 2),
        ("gene\ta\tb\ng1\t1\t2\ng1\t1\t2\n", "duplicate gene IDs", 3),
        ("gene\ta\ta\ng1\t1\t2\n", "duplicate sample names", 1),
        ("gene\ta\tb\ng1\t1\t-2\n", "negative value", 2),
        ("gene\ta\tb\ng1\t1\tinf\n", "infinite value", 2),
    ],
)
def test_bad_matrices_name_line_and_problem(tmp_path, text, message, line):
    path = write(tmp_path / "e.tsv", text)
    with pytest.raises(InputError) as raised:
        read_expression(path)
    assert message in str(raised.value) and f"line {line}" in str(raised.value)
    assert str(path) in str(raised.value)


def test_id_map_many_to_many_with_versions_and_header(tmp_path):
    log_expression = pd.DataFrame(
        [[1.0, 3.0], [3.0, 5.0], [7.0, 7.0]],
        index=["ENSG01.10", "ENSG02.3", "ENSG03.1"],
        columns=["s1", "s2"],
    )
    path = write(tmp_path / "map.tsv", "acc\tensembl\nP1\tENSG01\nP1\tENSG02\nP2\tENSG02\n")
    joined, report = join_to_genes(log_expression, ["P1", "P2", "P3"], read_id_map(path))
    assert list(joined.index) == ["P1", "P2"]
    assert joined.loc["P1"].tolist() == [2.0, 4.0]  # mean of the two mapped genes
    assert joined.loc["P2"].tolist() == [3.0, 5.0]
    assert report["expression_rows_not_matched"] == 1
    assert report["genes_with_expression"] == 2


def test_swapped_id_map_columns_are_detected(tmp_path):
    log_expression = pd.DataFrame([[1.0]], index=["ENSG01.1"], columns=["s"])
    path = write(tmp_path / "map.tsv", "ENSG01\tP1\n")
    joined, report = join_to_genes(log_expression, ["P1"], read_id_map(path))
    assert report["id_map_columns_swapped"] and list(joined.index) == ["P1"]


def test_no_overlap_is_an_input_error(tmp_path):
    log_expression = pd.DataFrame([[1.0]], index=["ENSG01"], columns=["s"])
    with pytest.raises(InputError, match="no expression row matches"):
        join_to_genes(log_expression, ["P1"], None, expression_path="e.tsv")


FEATURECOUNTS = (
    '# Program:featureCounts v2.0.6; Command:"featureCounts" "-a" "genes.gtf"\n'
    "Geneid\tChr\tStart\tEnd\tStrand\tLength\tliver.bam\tbrain.bam\n"
    "ENSG01\tchr1;chr1\t100;300\t200;400\t+;+\t202\t10\t0\n"
    "ENSG02\tchr2\t500\t900\t-\t401\t5\t7\n"
)


def test_featurecounts_table_is_read_with_its_samples_only(tmp_path):
    frame = read_expression(write(tmp_path / "counts.txt", FEATURECOUNTS))
    assert list(frame.columns) == ["brain.bam", "liver.bam"]  # not Length, not Chr
    assert frame.loc["ENSG02", "brain.bam"] == 7
    log_cpm, _ = normalise(frame, "counts")
    np.testing.assert_allclose(2 ** log_cpm["liver.bam"] - 1, [1e6 * 10 / 15, 1e6 * 5 / 15])


@pytest.mark.parametrize(
    "text",
    [
        "gene_id\tLength\ts1\ts2\ng1\t1200\t10\t0\ng2\t800\t5\t7\n",
        "gene_id\tgene_name\tdescription\tbiotype\ts1\ts2\n"
        "g1\tTP53\ttumor protein p53\tprotein_coding\t10\t0\ng2\tARF5\t\tlncRNA\t5\t7\n",
        "gene_id\tChr\tStart\tEnd\tStrand\tLength\ts1\ts2\n"
        "g1\t1\t100\t1300\t+\t1200\t10\t0\ng2\tX\t5\t805\t-\t800\t5\t7\n",
        # R's write.table: no header field for the row names
        '"Length"\t"s1"\t"s2"\n"g1"\t1200\t10\t0\n"g2"\t800\t5\t7\n',
        "Gene stable ID,Gene name,Chromosome/scaffold name,s1,s2\ng1,TP53,17,10,0\ng2,ARF5,7,5,7\n",
        "gene\tsymbol_in_house\ts1\ts2\tLength\ng1\tTP53\t10\t0\t1200\ng2\tARF5\t5\t7\t800\n",
    ],
)
def test_columns_that_annotate_the_genes_are_never_samples(tmp_path, caplog, text):
    path = write(tmp_path / ("e.csv" if "," in text else "e.tsv"), text)
    with caplog.at_level("WARNING", logger="gocotrain"):
        frame = read_expression(path)
    assert list(frame.columns) == ["s1", "s2"]
    assert frame.loc["g2", "s2"] == 7
    assert str(path) in caplog.text and "not read as samples" in caplog.text


def test_a_sample_with_a_stray_word_is_still_a_sample_in_error(tmp_path):
    """Only a column of names is left out: a sample that holds numbers and a word stops."""
    path = write(tmp_path / "e.tsv", "gene\tgene_name\ts1\ts2\ng1\tA\thigh\t1\ng2\tB\t2\t3\n")
    with pytest.raises(InputError, match="non-numeric value 'high' in sample 's1'"):
        read_expression(path)
    only_words = write(tmp_path / "words.tsv", "gene\ts1\ng1\thigh\ng2\tlow\n")
    with pytest.raises(InputError, match="non-numeric value 'high' in sample 's1'"):
        read_expression(only_words)


def test_featurecounts_errors_count_the_comment_line(tmp_path):
    path = write(tmp_path / "counts.txt", FEATURECOUNTS.replace("\t5\t7", "\tfive\t7"))
    with pytest.raises(InputError) as error:
        read_expression(path)
    assert error.value.line == 4 and "'five'" in str(error.value)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("gene\ts1\ts2\n", "a header but no gene rows"),
        ("Geneid\tChr\tStart\tEnd\tStrand\tLength\ng1\tchr1\t1\t9\t+\t9\n", "no sample columns"),
    ],
)
def test_a_matrix_without_values_stops_with_its_file(tmp_path, text, problem):
    path = write(tmp_path / "e.tsv", text)
    with pytest.raises(InputError, match=problem) as error:
        read_expression(path)
    assert str(path) in str(error.value)


def test_an_all_zero_matrix_stops_instead_of_dropping_every_sample(tmp_path):
    path = write(tmp_path / "zeros.tsv", "gene\ts1\ts2\ng1\t0\t0\ng2\t0\t0\n")
    with pytest.raises(
        InputError, match="every one of the 2 samples is empty or sums to zero"
    ) as error:
        normalise(read_expression(path), "tpm", path)
    assert str(path) in str(error.value)


ENSEMBL_PEP = (
    ">ENSP00000269305.4 pep chromosome:GRCh38:17:7661779:7687538:-1 gene:ENSG00000141510.18 "
    "transcript:ENST00000269305.9 gene_biotype:protein_coding gene_symbol:TP53\nMEEPQSDPSV\n"
    ">ENSP00000352610.5 pep chromosome:GRCh38:17:7661779:7687538:-1 gene:ENSG00000141510.18 "
    "transcript:ENST00000359597.8 gene_biotype:protein_coding gene_symbol:TP53\nMEEPQSDPSI\n"
    ">ENSP00000000233.5 pep chromosome:GRCh38:7:127588411:127591700:1 gene:ENSG00000004059.11 "
    "transcript:ENST00000000233.10 gene_biotype:protein_coding gene_symbol:ARF5\nMGLTVSA\n"
)


def test_ensembl_proteins_join_a_gene_matrix_through_their_headers(tmp_path):
    """Ensembl pep FASTA (ENSP… gene:ENSG….18) and a matrix keyed by ENSG: no ID map needed."""
    sequences = write(tmp_path / "Homo_sapiens.GRCh38.pep.all.fa", ENSEMBL_PEP)
    matrix = write(tmp_path / "genes.tsv", "gene\ts1\ts2\nENSG00000141510\t4\t6\nOTHER\t1\t1\n")
    log_tpm, _ = normalise(read_expression(matrix), "tpm")
    genes = ["ENSP00000000233", "ENSP00000269305", "ENSP00000352610"]
    joined, report = join_expression(log_tpm, genes, matrix, sequences=sequences)
    assert list(joined.index) == ["ENSP00000269305", "ENSP00000352610"]  # both TP53 proteins
    np.testing.assert_allclose(joined.loc["ENSP00000352610"], np.log2([5.0, 7.0]))
    assert report["id_map_from_sequence_headers"] is True
    assert report["genes_with_expression"] == 2 and report["expression_rows_not_matched"] == 1
    # A matrix keyed by the sequence IDs themselves still joins directly.
    direct = write(tmp_path / "proteins.tsv", "gene\ts1\nENSP00000000233\t3\n")
    joined, report = join_expression(
        normalise(read_expression(direct), "tpm")[0], genes, direct, sequences=sequences
    )
    assert (
        list(joined.index) == ["ENSP00000000233"] and "id_map_from_sequence_headers" not in report
    )


def test_a_transposed_matrix_is_named_as_such(tmp_path):
    path = write(tmp_path / "t.tsv", "sample\tG1\tG2\tG3\ncell1\t1\t2\t3\ncell2\t4\t5\t6\n")
    log_tpm, _ = normalise(read_expression(path), "tpm")
    with pytest.raises(InputError, match="the matrix looks transposed") as error:
        join_expression(log_tpm, ["G1", "G2", "G3"], path)
    assert str(path) in str(error.value)


def test_a_geo_series_matrix_reads_as_its_table(tmp_path):
    """GEO's series matrix: `!` metadata lines around a quoted table."""
    text = (
        '!Series_title\t"Stress responses"\n'
        '!Series_geo_accession\t"GSE18"\n'
        "!series_matrix_table_begin\n"
        '"ID_REF"\t"GSM1"\t"GSM2"\t"GSM3"\n'
        '"YAL001C"\t0.5\t-1.2\t0.1\n'
        '"YAL002W"\t\t0.3\t-0.2\n'
        "!series_matrix_table_end\n"
    )
    frame = read_expression(write(tmp_path / "GSE18_series_matrix.txt", text), "log")
    assert list(frame.columns) == ["GSM1", "GSM2", "GSM3"]
    assert list(frame.index) == ["YAL001C", "YAL002W"]
    assert np.isnan(frame.loc["YAL002W", "GSM1"]) and frame.loc["YAL001C", "GSM2"] == -1.2


@pytest.mark.parametrize("with_map", [False, True])
def test_ids_that_differ_only_in_case_are_named_as_such(tmp_path, with_map):
    """Lower-case sequence IDs against upper-case expression rows (or ID map): the message
    says it is the letter case, with an example from each side, not the ID map."""
    log_expression = pd.DataFrame({"s1": [1.0, 2.0], "s2": [0.5, 0.1]}, index=["P1", "P2"])
    rows = None
    if with_map:
        rows = read_id_map(write(tmp_path / "map.tsv", "P1\tP1\nP2\tP2\n"))
    with pytest.raises(InputError) as raised:
        join_to_genes(log_expression, ["p1", "p2"], rows)
    assert "only in letter case" in str(raised.value)
    assert "'p1'" in str(raised.value) and "'P1'" in str(raised.value)
