"""The Snakemake workflow itself: dry run, a real run on the demo data, and bad input."""

import json
import shutil

import pandas as pd
import pytest
from conftest import DEMO, PREDICTION_COLUMNS, demo_config, snakemake


def test_dry_run_plans_every_rule(tmp_path):
    result = snakemake(tmp_path, demo_config(tmp_path), "--dry-run", "--cores", "2")
    assert result.returncode == 0, result.stderr
    for rule in (
        "prepare_ontology",
        "prepare_sequences",
        "prepare_expression",
        "prepare_labels",
        "sequence_features",
        "expression_features",
        "cotrain",
        "export_predictions",
    ):
        assert rule in result.stdout
    assert "cotrain                    3" in result.stdout


def test_real_run_writes_every_output(demo_run):
    predictions = demo_run / "results" / "predictions"
    table = pd.read_csv(predictions / "predictions.tsv", sep="\t")
    assert list(table.columns) == PREDICTION_COLUMNS
    assert set(table["aspect"]) == {"P", "F", "C"}
    assert table["go_name"].notna().all()
    assert table["score"].between(0.01, 1).all()
    cafa = pd.read_csv(predictions / "predictions.cafa.tsv", sep="\t", header=None)
    assert cafa.shape == (len(table), 3)
    for rule in ("sequence_features", "expression_features", "cotrain/P"):
        assert (demo_run / "benchmarks" / f"{rule}.tsv").exists()
    assert (demo_run / "logs" / "export_predictions.log").read_text().count("summary") > 10


def test_predictions_only_for_unlabeled_genes_and_consistent(demo_run, demo_ontology):
    table = pd.read_csv(demo_run / "results/predictions/predictions.tsv", sep="\t")
    labels = pd.read_csv(demo_run / "results/labels/labels.tsv", sep="\t")
    labeled = set(zip(labels["gene_id"], labels["aspect"], strict=True))
    assert not labeled & set(zip(table["gene_id"], table["aspect"], strict=True))
    score = dict(
        zip(zip(table["gene_id"], table["go_id"], strict=True), table["score"], strict=True)
    )
    for (gene, term), value in score.items():
        for ancestor in demo_ontology.ancestors(term):
            if (gene, ancestor) in score:
                assert score[(gene, ancestor)] >= value


def test_gaf_reads_back_with_goatools(demo_run):
    from goatools.anno.gaf_reader import GafReader

    path = demo_run / "results/predictions/predictions.gaf"
    assert path.read_text().startswith("!gaf-version: 2.2\n")
    records = GafReader(str(path)).get_associations()
    assert records and all(record.Evidence_Code == "IEA" for record in records)
    assert {record.Taxon[0] for record in records} == {9606}


def test_summary_counts_genes_views_and_terms(demo_run):
    summary = json.loads((demo_run / "results/predictions/summary.json").read_text())
    inputs = summary["inputs"]
    assert inputs["genes_read"] == 960
    assert inputs["genes_with_expression"] == 900 and inputs["genes_sequence_only"] == 60
    assert inputs["expression_rows_not_matched"] == 150
    for aspect in ("biological_process", "molecular_function", "cellular_component"):
        counts = summary["aspects"][aspect]
        assert counts["labeled_genes"] + counts["unlabeled_genes"] == 960
        assert counts["terms_modelled"] > 0
    assert summary["predictions"]["gaf_taxon"] == "taxon:9606"  # taken from the input GAF
    tsv = pd.read_csv(demo_run / "results/predictions/summary.tsv", sep="\t")
    assert "inputs.genes_with_expression" in set(tsv["key"])


def test_broken_fasta_stops_with_file_and_line(tmp_path):
    broken = tmp_path / "broken.fa"
    shutil.copyfile(DEMO / "proteins.fa.gz", tmp_path / "ok.fa.gz")
    broken.write_text(">P1\nMKV\n>P1\nMAA\n")
    config = demo_config(tmp_path, sequences=str(broken))
    result = snakemake(tmp_path, config, "--cores", "2")
    assert result.returncode != 0
    assert f"{broken}, line 3, ID 'P1': duplicate sequence ID" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "results" / "predictions").exists()
    assert not (tmp_path / "results" / "sequences" / "proteins.fa").exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"min_positive": 5}, "'min_positive' was unexpected"),
        ({"expression": "nowhere.tsv"}, "the file 'nowhere.tsv' does not exist"),
        ({"min_positives": "many"}, "'many' is not of type 'integer'"),
    ],
)
def test_bad_config_stops_before_any_job(tmp_path, overrides, message):
    result = snakemake(tmp_path, demo_config(tmp_path, **overrides), "--dry-run")
    assert result.returncode != 0
    assert message in result.stderr
    assert "config/README.md" in result.stderr or "--config" in result.stderr
