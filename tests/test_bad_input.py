"""A corpus of broken and awkward inputs (tests/corpus/), each run through the step its rule
runs. Every case either stops with a message naming the file, the line or ID and a fix, leaving
no output behind, or goes on with the problem counted in the step's report."""

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import FAST_COTRAINING

from gocotrain.errors import InputError
from gocotrain.learning.cotraining import from_settings
from gocotrain.learning.terms import score_aspect
from gocotrain.steps import features as feature_steps
from gocotrain.steps import inputs as input_steps
from gocotrain.views.features import FeatureMatrix

CORPUS = Path(__file__).parent / "corpus"
PROTEINS = CORPUS / "ok_proteins.fa"
GENBANK_IDS = ["locus_tag", "protein_id", "gene"]
EVIDENCE = ["EXP", "IDA", "IPI", "IMP", "IGI", "IEP", "TAS", "IC"]


@pytest.fixture(scope="module")
def ontology_json(tmp_path_factory, demo_ontology):
    path = tmp_path_factory.mktemp("go") / "ontology.json"
    demo_ontology.to_json(path)
    return path


def run_sequences(name, tmp_path, sequence_type="auto"):
    outputs = [tmp_path / "proteins.fa", tmp_path / "report.json"]
    input_steps.prepare_sequences(
        str(CORPUS / name), *map(str, outputs), sequence_type, 1, GENBANK_IDS
    )
    return json.loads(outputs[1].read_text())


def run_labels(name, tmp_path, ontology_json):
    outputs = [tmp_path / "labels.tsv", tmp_path / "report.json"]
    input_steps.prepare_labels(
        str(CORPUS / name),
        str(ontology_json),
        str(PROTEINS),
        *map(str, outputs),
        EVIDENCE,
        ["P", "F", "C"],
    )
    return json.loads(outputs[1].read_text()), pd.read_csv(outputs[0], sep="\t")


def run_expression(name, tmp_path, id_map=None, min_share=0.0, kind="tpm"):
    outputs = [tmp_path / "expression.npz", tmp_path / "report.json"]
    input_steps.prepare_expression(
        str(CORPUS / name),
        str(PROTEINS),
        *map(str, outputs),
        kind,
        id_map=id_map and str(CORPUS / id_map),
        min_share=min_share,
    )
    return json.loads(outputs[1].read_text()), FeatureMatrix.from_npz(outputs[0])


def assert_stops(run, name, tmp_path, fragment, where):
    """The step raises an InputError naming the file, the place and a fix, and writes nothing.

    The message starts with the file's path; `where` is the line, the ID or the hint that
    points into the file, or the bare file name with a colon when the whole file is at fault.
    """
    with pytest.raises(InputError) as raised:
        run()
    message = str(raised.value)
    assert message.startswith(str(CORPUS / name)), message
    assert fragment in message and where in message, message
    assert "What to do:" in message
    assert not [
        path for path in tmp_path.iterdir() if path.suffix != ".json" or path.stat().st_size
    ]


SEQUENCE_ERRORS = [
    ("fasta_no_header.fa", "not a FASTA or GenBank file", "line 1"),
    ("fasta_text_before_header.fa", "text before the first FASTA header", "line 1"),
    ("fasta_illegal_letters.fa", "illegal letters '1'", "line 3, ID 'G2'"),
    ("fasta_duplicate_ids.fa", "duplicate sequence ID", "line 5, ID 'G1'"),
    ("fasta_header_without_id.fa", "a FASTA header has no ID", "line 3"),
    ("cds_illegal_letters.fa", "illegal letters 'X'", "ID 'G2'"),
    ("fasta_truncated.fa.gz", "damaged or truncated", "gzip -t"),
    ("not_sequences.txt", "not a FASTA or GenBank file", "line 1"),
]


@pytest.mark.parametrize(("name", "fragment", "where"), SEQUENCE_ERRORS)
def test_sequence_errors(tmp_path, name, fragment, where):
    assert_stops(lambda: run_sequences(name, tmp_path), name, tmp_path, fragment, where)


@pytest.mark.parametrize(
    ("name", "skipped", "genes"),
    [
        ("fasta_empty_sequence.fa", {"empty sequence": 1}, 2),
        ("cds_internal_stop.fa", {"internal stop codon": 1}, 1),
        ("cds_partial_codon.fa", {"CDS length not a multiple of 3 (trimmed)": 1}, 2),
        ("fasta_windows_line_endings.fa", {}, 4),
        ("fasta_utf8_bom.fa", {}, 4),
        ("fasta_gzipped_ok.fa.gz", {}, 4),
    ],
)
def test_sequence_cases_that_go_on(tmp_path, name, skipped, genes):
    report = run_sequences(name, tmp_path)
    assert report["records_skipped"] == skipped
    assert report["genes_with_sequence"] == genes


def test_crlf_and_bom_give_the_same_proteins(tmp_path):
    plain = (run_sequences("ok_proteins.fa", tmp_path), (tmp_path / "proteins.fa").read_text())
    for name in ("fasta_windows_line_endings.fa", "fasta_utf8_bom.fa"):
        assert (run_sequences(name, tmp_path), (tmp_path / "proteins.fa").read_text()) == plain


ANNOTATION_ERRORS = [
    ("gaf_too_few_columns.gaf", "has 9 tab-separated columns", "line 3"),
    ("gaf_too_many_columns.gaf", "has 18 tab-separated columns", "line 3"),
    ("gaf_unknown_genes.gaf", "none of the 2 annotated gene IDs", "X1"),
    ("table_one_column.tsv", "expected gene_id<TAB>go_id", "line 2"),
    ("gaf_empty.gaf", "no annotation lines", "gaf_empty.gaf: "),
    ("gaf_mostly_unknown_go_ids.gaf", "2 of its 3 annotations (67%) name GO IDs", "GO:9999998"),
    ("gaf_no_experimental_evidence.gaf", "no usable labels", "evidence_codes"),
]


@pytest.mark.parametrize(("name", "fragment", "where"), ANNOTATION_ERRORS)
def test_annotation_errors(tmp_path, ontology_json, name, fragment, where):
    def run():
        run_labels(name, tmp_path, ontology_json)

    assert_stops(run, name, tmp_path, fragment, where)


@pytest.mark.parametrize(
    ("name", "report_key", "count"),
    [
        ("gaf_unknown_go_id.gaf", "annotations_unknown_term_dropped", 1),
        ("gaf_obsolete_go_id.gaf", "annotations_obsolete_term_dropped", 1),
        ("gaf_alt_go_id.gaf", "annotations_alt_id_mapped", 1),
        ("gaf_not_qualifier.gaf", "annotations_negated_not_used", 1),
        ("gaf_2_1.gaf", "labeled_genes_C", 1),
        ("table_without_header.tsv", "labeled_genes_F", 1),
        ("table_with_header.tsv", "labeled_genes_F", 1),
    ],
)
def test_annotation_cases_that_go_on(tmp_path, ontology_json, name, report_key, count):
    report, labels = run_labels(name, tmp_path, ontology_json)
    assert report[report_key] == count
    if name == "gaf_not_qualifier.gaf":
        assert "G2" not in set(labels["gene_id"])
    if name == "gaf_alt_go_id.gaf":
        assert "GO:0000003" in set(labels["go_id"])


def test_unknown_aspect_letter_is_counted_and_the_ontology_decides(tmp_path, ontology_json):
    report, labels = run_labels("gaf_unknown_aspect_letter.gaf", tmp_path, ontology_json)
    assert report["annotation_warnings"] == {
        "unknown aspect letter (aspect taken from the ontology)": 1
    }
    assert set(labels.query("gene_id == 'G2'")["aspect"]) == {"P"}


@pytest.mark.parametrize(
    ("name", "fragment", "where"),
    [
        ("obo_cycle.obo", "has a cycle", "GO:0000001"),
        ("obo_dangling_parent.obo", "GO:0000404 that is not defined", "ID 'GO:0000002'"),
        ("obo_not_obo.obo", "not an OBO ontology", "obo_not_obo.obo: no [Term] stanzas"),
    ],
)
def test_ontology_errors(tmp_path, name, fragment, where):
    def run():
        input_steps.prepare_ontology(
            str(CORPUS / name), str(tmp_path / "o.json"), str(tmp_path / "r.json")
        )

    assert_stops(run, name, tmp_path, fragment, where)


EXPRESSION_ERRORS = [  # the file named in the message is the ID map where one is given
    ("expr_negative.tsv", None, "negative value in sample 's2'", "line 5, ID 'G4'"),
    ("expr_negative.tsv", None, "set expression_kind: log", "line 5, ID 'G4'"),
    ("expr_non_numeric.tsv", None, "non-numeric value 'high'", "line 3, ID 'G2'"),
    ("expr_infinite.tsv", None, "infinite value in sample 's2'", "line 3, ID 'G2'"),
    ("expr_duplicate_gene.tsv", None, "duplicate gene IDs", "line 6, ID 'G2'"),
    ("expr_duplicate_sample.tsv", None, "duplicate sample names", "line 1"),
    ("expr_no_matching_ids.tsv", None, "no expression row matches", "id_map"),
    (
        "expr_ensembl_versions.tsv",
        "idmap_no_overlap.tsv",
        "no expression row matches",
        "expression ['ENSG01.3', 'ENSG02.10'], sequences ['G1', 'G2']",
    ),
    ("expr_ensembl_versions.tsv", "idmap_one_column.tsv", "expected two columns", "line 2"),
]


@pytest.mark.parametrize(("name", "id_map", "fragment", "where"), EXPRESSION_ERRORS)
def test_expression_errors(tmp_path, name, id_map, fragment, where):
    def run():
        run_expression(name, tmp_path, id_map)

    assert_stops(run, id_map or name, tmp_path, fragment, where)


def test_log_values_with_negatives_go_on_as_kind_log(tmp_path):
    _, matrix = run_expression("expr_negative.tsv", tmp_path, kind="log")
    assert list(matrix.genes) == ["G1", "G2", "G3", "G4"]
    assert matrix.to_frame().loc["G4", "s2"] == -1  # taken as given, not logged again


@pytest.mark.parametrize(
    ("name", "id_map", "genes"),
    [
        # A missing value (NA or an empty cell) is missing, not an error: G3 keeps two of
        # three samples, fewer than a profile needs, and alone has no expression.
        ("expr_nan.tsv", None, ["G1", "G2", "G4"]),
        ("expr_empty_cell.tsv", None, ["G1", "G2", "G4"]),
        ("expr_all_zero_gene.tsv", None, ["G1", "G2", "G3", "G4"]),
        ("expr_comma_separated.csv", None, ["G1", "G2", "G3", "G4"]),
        ("expr_single_sample.tsv", None, ["G1", "G2", "G3", "G4"]),
        ("expr_ensembl_versions.tsv", "idmap_versions.tsv", ["G1", "G2", "G3"]),
        ("expr_ensembl_versions.tsv", "idmap_swapped_columns.tsv", ["G1", "G2"]),
    ],
)
def test_expression_cases_that_go_on(tmp_path, name, id_map, genes):
    report, matrix = run_expression(name, tmp_path, id_map)
    assert list(matrix.genes) == genes
    assert report["genes_with_expression"] == len(genes)
    feature_steps.expression_features(
        str(tmp_path / "expression.npz"), str(tmp_path / "f.npz"), str(tmp_path / "r.json"), 50, 0
    )
    assert np.isfinite(FeatureMatrix.from_npz(tmp_path / "f.npz").values).all()


def test_a_join_that_leaves_most_genes_without_expression_stops(tmp_path):
    """Two of the four sequence genes match: enough at expression_min_share 0.5, a stop at
    0.75 that names the ID map, the counts and the setting."""
    name, id_map = "expr_ensembl_versions.tsv", "idmap_swapped_columns.tsv"
    enough, too_few = tmp_path / "enough", tmp_path / "too_few"
    enough.mkdir()
    too_few.mkdir()
    report, _ = run_expression(name, enough, id_map, min_share=0.5)
    assert report["genes_with_expression"] == 2

    def run():
        run_expression(name, too_few, id_map, min_share=0.75)

    assert_stops(
        run, id_map, too_few, "only 2 of the 4 sequence genes (50%)", "expression_min_share"
    )


def small_views(n=60, seed=0):
    rng = np.random.default_rng(seed)
    genes = [f"G{i:02d}" for i in range(n)]
    sequence = FeatureMatrix(np.array(genes), np.array(["a", "b"]), rng.random((n, 2)))
    expression = FeatureMatrix(np.array(genes), np.array(["c"]), rng.random((n, 1)))
    return genes, sequence, expression


def test_aspect_without_labeled_genes_predicts_nothing_and_says_so():
    genes, sequence, expression = small_views()
    labels = pd.DataFrame({"gene_id": genes[:30], "aspect": "P", "go_id": "GO:0006936"})
    scores, report = score_aspect(
        "C", sequence, expression, labels, None, from_settings(FAST_COTRAINING, 0), 5, 0
    )
    assert report["labeled_genes"] == 0 and report["terms_modelled"] == 0
    assert scores.score.shape == (60, 0)


def test_term_carried_by_every_labeled_gene_is_not_modelled():
    genes, sequence, expression = small_views()
    labels = pd.concat(
        [
            pd.DataFrame({"gene_id": genes[:30], "aspect": "P", "go_id": "GO:0003008"}),
            pd.DataFrame({"gene_id": genes[:10], "aspect": "P", "go_id": "GO:0006936"}),
        ]
    )
    scores, report = score_aspect(
        "P", sequence, expression, labels, None, from_settings(FAST_COTRAINING, 0), 5, 0
    )
    assert report["terms_without_negatives"] == 1
    assert list(scores.terms) == ["GO:0006936"]
