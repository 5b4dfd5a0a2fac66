"""The date split (evaluation.protocol date_split): a time split built from one annotation
file's own dates (GAF column 14), its input errors, and a run of it on the demo data."""

import gzip
import hashlib
import re

import pandas as pd
import pytest
from conftest import (
    DEMO,
    DEMO_TEST_SETTINGS,
    EVIDENCE_CODES,
    FAST_COTRAINING,
    RELEASE_DIR,
    demo_config,
    shared_results,
    snakemake,
)

from gocotrain.errors import InputError
from gocotrain.evaluation import date_split
from gocotrain.evaluation.date_split import DateSplit, choose_split_date
from gocotrain.evaluation.splits import time_split_targets
from gocotrain.export.targets import (
    LIMITED_KNOWLEDGE,
    NO_KNOWLEDGE,
    closest_to_exported,
    headline_targets,
)
from gocotrain.inputs.annotations import build_labels, read_annotations
from gocotrain.steps.evaluation import Splits, evaluation_targets, prepare_labels_before_date

ASPECTS = ["P", "F", "C"]
HEADER = "!gaf-version: 2.2\n!generated-by: a curator\n!date-generated: 2021-03-01\n"
APOPTOSIS, PROLIFERATION = "GO:0006915", "GO:0008283"
DNA_BINDING, NUCLEUS, CYTOPLASM = "GO:1990837", "GO:0005634", "GO:0005737"
# (gene, qualifier, term, evidence, aspect, date): each gene's story around 2018-01-01.
ROWS = [
    ("P1", "involved_in", APOPTOSIS, "IDA", "P", "20150301"),  # known before, nothing new
    ("P1", "enables", DNA_BINDING, "IMP", "F", "20160101"),
    ("P2", "involved_in", APOPTOSIS, "IMP", "P", "20150301"),  # limited knowledge in F
    ("P2", "enables", DNA_BINDING, "IDA", "F", "20200101"),
    ("P3", "involved_in", PROLIFERATION, "IDA", "P", "20190505"),  # no knowledge: P and C
    ("P3", "located_in", NUCLEUS, "IDA", "C", "20200101"),
    ("P4", "involved_in", APOPTOSIS, "IDA", "P", "20171231"),  # partial knowledge in P
    ("P4", "involved_in", PROLIFERATION, "IDA", "P", "20190101"),
    ("P5", "located_in", CYTOPLASM, "IEA", "C", "20190101"),  # not of the evidence codes
    ("P6", "NOT|located_in", CYTOPLASM, "IDA", "C", "20120101"),  # negated
    ("P6", "located_in", NUCLEUS, "IDA", "C", "20180101"),  # on the date: trains
]


def gaf_line(gene, qualifier, term, evidence, aspect, date) -> str:
    return "\t".join(
        [
            "UniProtKB",
            gene,
            f"SYM{gene}",
            qualifier,
            term,
            "PMID:123",
            evidence,
            "",
            aspect,
            f"protein {gene}",
            "",
            "protein",
            "taxon:9606",
            date,
            "UniProt",
            "",
            "",
        ]
    )


def write_gaf(path, rows=ROWS):
    path.write_text(HEADER + "".join(gaf_line(*row) + "\n" for row in rows))
    return path


@pytest.fixture
def few_genes_suffice(monkeypatch):
    """The small GAF's handful of targets may pass the check for enough genes."""
    monkeypatch.setattr(date_split, "MIN_NEW_GENES", 1)


def test_labels_up_to_the_date_train_and_later_first_annotations_are_targets(
    tmp_path, demo_ontology, few_genes_suffice
):
    annotations = read_annotations(write_gaf(tmp_path / "dated.gaf"))
    genes = sorted({row[0] for row in ROWS})
    split = DateSplit("2018-01-01", 0.2)
    before = split.labels(annotations, demo_ontology, genes, EVIDENCE_CODES, ASPECTS, "x.gaf")
    direct = set(zip(before.table["gene_id"], before.table["go_id"], strict=True))
    assert {("P1", APOPTOSIS), ("P2", APOPTOSIS), ("P4", APOPTOSIS), ("P6", NUCLEUS)} <= direct
    assert ("P2", DNA_BINDING) not in direct and ("P4", PROLIFERATION) not in direct
    assert not {"P3", "P5"} & set(before.table["gene_id"])
    # The targets are the time split's, between these labels and all of them.
    every = read_annotations(write_gaf(tmp_path / "all.gaf"))
    all_labels = build_labels(every, demo_ontology, genes, EVIDENCE_CODES, ASPECTS).table
    targets = {
        aspect: time_split_targets(before.table, all_labels, aspect, ontology=demo_ontology)
        for aspect in ASPECTS
    }
    assert set(targets["F"][LIMITED_KNOWLEDGE]) == {"P2"} and not targets["F"][NO_KNOWLEDGE]
    assert set(targets["P"][NO_KNOWLEDGE]) == {"P3"} and not targets["P"][LIMITED_KNOWLEDGE]
    assert set(targets["C"][NO_KNOWLEDGE]) == {"P3"}
    assert before.report["split_date"] == "2018-01-01"
    assert not before.report["split_date_chosen_from_file"]
    assert before.report["no_knowledge_genes_P"] == 1
    assert before.report["limited_knowledge_genes_F"] == 1
    assert before.report["annotations_up_to_split_date"] == 6


def test_the_steps_write_a_date_split_of_date_targets(tmp_path, demo_ontology, few_genes_suffice):
    gaf = write_gaf(tmp_path / "dated.gaf")
    proteins = tmp_path / "proteins.fa"
    proteins.write_text("".join(f">{gene}\nMKV\n" for gene in sorted({r[0] for r in ROWS})))
    ontology = tmp_path / "ontology.json"
    demo_ontology.to_json(ontology)
    labels, report = tmp_path / "before_date.tsv", tmp_path / "report.json"
    prepare_labels_before_date(
        *map(str, (gaf, ontology, proteins, labels, report)),
        EVIDENCE_CODES,
        ASPECTS,
        DateSplit(20180101, 0.2),
    )
    every = tmp_path / "labels.tsv"
    build = read_annotations(gaf)
    genes = sorted({row[0] for row in ROWS})
    build_labels(build, demo_ontology, genes, EVIDENCE_CODES, ASPECTS).to_tsv(every)
    found = evaluation_targets(
        str(labels),
        str(tmp_path / "targets.tsv"),
        ASPECTS,
        Splits("date_split", 5, None, 0, 0.25),
        labels_new=str(every),
        ontology=str(ontology),
    )
    assert set(found["split"]) == {"date"}
    kinds = found.groupby("targets")["gene_id"].unique().map(set).to_dict()
    assert kinds == {NO_KNOWLEDGE: {"P3"}, LIMITED_KNOWLEDGE: {"P2"}}


def test_a_date_split_leads_with_its_no_knowledge_genes():
    """Its no-knowledge genes are the closest to the exported ones (as a time split's), while
    they are enough to lead; the limited-knowledge genes lead only where they are not."""
    kinds = [LIMITED_KNOWLEDGE, NO_KNOWLEDGE]
    assert closest_to_exported(kinds) == NO_KNOWLEDGE
    assert closest_to_exported(kinds, {NO_KNOWLEDGE: 60, LIMITED_KNOWLEDGE: 200}) == NO_KNOWLEDGE
    assert closest_to_exported(kinds, {NO_KNOWLEDGE: 10, LIMITED_KNOWLEDGE: 200}) == (
        LIMITED_KNOWLEDGE
    )


def test_the_date_chosen_leaves_the_share_of_genes_first_annotated_after_it():
    firsts = pd.DataFrame(
        {
            "gene_id": [f"G{year}" for year in range(2010, 2020)] + ["G2010"],
            "aspect": ["P"] * 10 + ["F"],
            "date": [pd.Timestamp(f"{year}-01-01") for year in range(2010, 2020)]
            + [pd.Timestamp("2019-06-01")],  # a later aspect does not make G2010 new
        }
    )
    assert choose_split_date(firsts, 0.2) == pd.Timestamp("2017-01-01")  # 2 of 10 after
    assert choose_split_date(firsts, 0.25) == pd.Timestamp("2016-01-01")  # 3 of 10 after
    assert choose_split_date(firsts, 0.1) == pd.Timestamp("2018-01-01")
    assert choose_split_date(firsts, 0.99) == pd.Timestamp("2010-01-01")  # the most it can


# ----------------------------------------------------------------------------------------
# Input errors


def test_one_placeholder_date_stops_with_a_clear_message():
    demo = DEMO / "annotations.gaf.gz"
    with pytest.raises(InputError) as stopped:
        DateSplit(None, 0.2).check_file(read_annotations(demo), demo, EVIDENCE_CODES, ASPECTS)
    message = str(stopped.value)
    assert message.startswith(str(demo))
    assert "carry one date (2022-09-12)" in message and "placeholder" in message
    assert "What to do: give the annotation file as released" in message
    assert "cross_validation" in message


def test_a_gene_term_table_has_no_dates(tmp_path):
    table = tmp_path / "pairs.tsv"
    table.write_text("P1\tGO:0006915\nP2\tGO:0005634\n")
    with pytest.raises(InputError, match="a gene/term table has no annotation dates") as stopped:
        DateSplit(None, 0.2).check_file(read_annotations(table), table, EVIDENCE_CODES, ASPECTS)
    assert str(stopped.value).startswith(str(table))


def test_a_malformed_date_is_named_with_its_line(tmp_path):
    rows = list(ROWS)
    rows[4] = (*rows[4][:5], "2019-05-05")
    gaf = write_gaf(tmp_path / "dated.gaf", rows)
    with pytest.raises(InputError) as stopped:
        DateSplit(None, 0.2).check_file(read_annotations(gaf), gaf, EVIDENCE_CODES, ASPECTS)
    # Three header lines, then the fifth annotation.
    assert stopped.value.line == 8
    assert f"{gaf}, line 8: the date '2019-05-05' (column 14)" in str(stopped.value)
    assert "YYYYMMDD" in str(stopped.value)


def test_a_date_before_every_annotation_leaves_nothing_to_train_on(tmp_path):
    gaf = write_gaf(tmp_path / "dated.gaf")
    with pytest.raises(InputError, match="the earliest is 2015-03-01"):
        DateSplit("2001-01-01", 0.2).check_file(read_annotations(gaf), gaf, EVIDENCE_CODES, ASPECTS)


def dated_demo(path, dates: list[str]):
    """The demo GAF with each gene's annotations in an aspect dated by a hash of the gene ID
    and the aspect, into `dates`: genes first annotated at different dates, some in one
    aspect before another (limited knowledge)."""
    lines = []
    with gzip.open(DEMO / "annotations.gaf.gz", "rt") as handle:
        for line in handle:
            if not line.startswith("!"):
                columns = line.split("\t")
                digest = hashlib.sha256(f"{columns[1]} {columns[8]}".encode()).digest()
                columns[13] = dates[digest[0] % len(dates)]
                line = "\t".join(columns)
            lines.append(line)
    path.write_text("".join(lines))
    return path


def test_too_few_genes_after_the_date_says_how_many_and_which_date_would_do(tmp_path):
    # Most annotations in 2015, a few in 2013 and in 2021: 2021 holds few genes per aspect.
    gaf = dated_demo(tmp_path / "dated.gaf", ["20130101"] * 2 + ["20150101"] * 16 + ["20210101"])
    annotations = read_annotations(gaf)
    with pytest.raises(InputError) as stopped:
        DateSplit("2020-01-01", 0.2).check_file(annotations, gaf, EVIDENCE_CODES, ASPECTS)
    message = str(stopped.value)
    assert message.startswith(f"{gaf}: too few genes are first annotated after the split date")
    for aspect in ASPECTS:
        assert f"in aspect {aspect}" in message
    counts = date_split.new_genes(
        date_split.first_dates(annotations, gaf, EVIDENCE_CODES, ASPECTS),
        pd.Timestamp("2020-01-01"),
        ASPECTS,
    )
    assert all(0 < count < 50 for count in counts.values())
    assert f"{counts['P']} in aspect P" in message
    assert "set evaluation.split_date to 2014-12-31 or earlier" in message
    # The date suggested does leave enough.
    DateSplit("2014-12-31", 0.2).check_file(annotations, gaf, EVIDENCE_CODES, ASPECTS)


def test_the_workflow_stops_before_any_job_on_a_placeholder_date(tmp_path):
    settings = DEMO_TEST_SETTINGS | {"evaluation": {"protocol": "date_split"}}
    result = snakemake(tmp_path, demo_config(tmp_path, **settings), "--dry-run")
    assert result.returncode != 0
    assert "annotations.gaf.gz: all its" in result.stderr
    assert "placeholder" in result.stderr
    assert "Job stats" not in result.stdout


# ----------------------------------------------------------------------------------------
# The workflow


def test_date_split_runs_on_the_demo_with_a_dated_gaf(demo_run, tmp_path):
    shared_results(demo_run, tmp_path)
    gaf = dated_demo(tmp_path / "dated.gaf", ["20150101", "20170101", "20190101", "20210101"])
    settings = DEMO_TEST_SETTINGS | {
        "annotations": str(gaf),
        "cotraining": FAST_COTRAINING,
        "evaluation": {"protocol": "date_split", "methods": ["naive", "cotraining"]},
    }
    target = f"{RELEASE_DIR}/evaluation/date_split/metrics.tsv"
    config = demo_config(tmp_path, **settings)
    result = snakemake(tmp_path, config, "--cores", "2", target)
    assert result.returncode == 0, result.stderr[-3000:]
    # Every method and its teacher learn from the labels up to the date, not the export's.
    plan = snakemake(tmp_path, config, "--dry-run", "--forcerun", "evaluation_predict", target)
    inputs = re.findall(r"rule evaluation_predict:\n\s+input: (.*)", plan.stdout)
    assert len(inputs) == 2 and all("labels/before_date.tsv" in line for line in inputs)
    assert not any("labels/labels.tsv" in line for line in inputs)
    metrics = pd.read_csv(tmp_path / target, sep="\t")
    assert set(metrics["protocol"]) == {"date_split"}
    assert set(metrics["targets"]) == {NO_KNOWLEDGE, LIMITED_KNOWLEDGE}
    assert set(metrics["method"]) == {"naive", "cotraining"}
    assert headline_targets(metrics) == NO_KNOWLEDGE
    report = pd.read_json(tmp_path / RELEASE_DIR / "labels/report_before_date.json", typ="series")
    assert report["split_date"] == "2017-01-01" and report["split_date_chosen_from_file"]
    # The evaluation trained on fewer labels than the export's.
    before = pd.read_csv(tmp_path / RELEASE_DIR / "labels/before_date.tsv", sep="\t")
    every = pd.read_csv(tmp_path / RELEASE_DIR / "labels/labels.tsv", sep="\t")
    assert 0 < len(before) < len(every)
    targets = pd.read_csv(tmp_path / RELEASE_DIR / "evaluation/date_split/targets.tsv", sep="\t")
    assert not set(targets.loc[targets["targets"] == NO_KNOWLEDGE, "gene_id"]) & set(
        before["gene_id"]
    )
