"""A new annotation release reruns only what depends on it, says what changed, and a saved
model scores new genes without retraining (issue 6), on the demo data."""

import json
import shutil
import subprocess

import pandas as pd
import pytest
import yaml
from conftest import (
    DEMO,
    DEMO_EVALUATION,
    DEMO_TEST_SETTINGS,
    RELEASE,
    RELEASE_DIR,
    ROOT,
    demo_config,
    planned_jobs,
    snakemake,
)

from gocotrain.export.formats import read_predictions_tsv
from gocotrain.inputs.annotations import Labels

pytestmark = pytest.mark.workflow

EARLIER = "2022-03"
EARLIER_DIR = f"results/releases/{EARLIER}"
# What a new annotation release reruns; sequences, expression, their features and the
# homology search are shared by every release.
RELEASE_RULES = {
    "stamp_release",
    "prepare_ontology",
    "prepare_labels",
    "plan_cotraining",
    "cotrain_batch",
    "gather_cotraining",
    "choose_thresholds",
    "fit_teacher",
    "export_predictions",
    "save_model",
    "run_figures",
    "top_predictions_page",
    "all",
}
SHARED_RULES = {
    "prepare_sequences",
    "prepare_expression",
    "sequence_features",
    "expression_features",
    "homology_search",
}
NEW_GENES = {
    "sequences": str(DEMO / "new_genes.fa.gz"),
    "expression": str(DEMO / "new_genes.expression.tsv.gz"),
    "id_map": str(DEMO / "new_genes.idmap.tsv.gz"),
}


@pytest.fixture(scope="module")
def workdir(demo_run, tmp_path_factory):
    """A copy of the demo run (release 2022-09), to add releases and predictions to."""
    copy = tmp_path_factory.mktemp("releases") / "run"
    shutil.copytree(demo_run, copy, symlinks=True)
    return copy


def earlier_config(workdir, **overrides):
    """The simulated earlier release: 15% of the genes' annotations hidden."""
    settings = DEMO_TEST_SETTINGS | {
        "annotations": str(DEMO / "annotations.earlier.gaf.gz"),
        "release": EARLIER,
    }
    return demo_config(workdir, "earlier.yaml", **(settings | overrides))


def test_a_new_annotation_file_reruns_only_what_depends_on_it(workdir):
    result = snakemake(workdir, earlier_config(workdir), "--dry-run", "--cores", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    jobs = planned_jobs(result.stdout)
    assert set(jobs) == RELEASE_RULES, jobs
    assert not SHARED_RULES & set(jobs)
    assert jobs["cotrain_batch"] == 6


def test_one_release_label_never_takes_other_annotations(workdir):
    config = earlier_config(workdir, release=RELEASE)
    result = snakemake(workdir, config, "--dry-run", "--cores", "2")
    assert result.returncode == 1
    assert (
        f"{RELEASE_DIR}/release.json: release '{RELEASE}' already holds results made from "
        "other inputs" in result.stderr
    )
    assert "annotations_sha256" in result.stderr and "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def changes(workdir, demo_run):
    before = {
        path.relative_to(demo_run): path.read_bytes()
        for path in (demo_run / RELEASE_DIR / "predictions").iterdir()
    }
    result = snakemake(workdir, earlier_config(workdir), "--cores", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    # The demo run's own settings, evaluation included: only the comparison is new.
    settings = DEMO_TEST_SETTINGS | {"evaluation": DEMO_EVALUATION, "previous_release": EARLIER}
    config = demo_config(workdir, "changes.yaml", **settings)
    planned = snakemake(workdir, config, "--dry-run", "--cores", "2")
    assert planned.returncode == 0, planned.stderr[-3000:]
    result = snakemake(workdir, config, "--cores", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    return before, planned_jobs(planned.stdout)


def test_releases_never_overwrite_each_other(workdir, changes):
    before, _ = changes
    for path, content in before.items():
        assert (workdir / path).read_bytes() == content, path
    earlier, header = read_predictions_tsv(workdir / EARLIER_DIR / "predictions/predictions.tsv")
    assert header["release"] == EARLIER
    assert header["annotations"].startswith("annotations.earlier.gaf.gz sha256:")
    stamp = json.loads((workdir / EARLIER_DIR / "release.json").read_text())
    assert stamp["annotations_date"] == "2022-03-01"
    summary = json.loads((workdir / EARLIER_DIR / "predictions/summary.json").read_text())
    assert summary["release"] == stamp
    # The hidden genes are unlabeled in the earlier release: it predicts for more genes.
    current, _ = read_predictions_tsv(workdir / RELEASE_DIR / "predictions/predictions.tsv")
    assert earlier["gene_id"].nunique() > current["gene_id"].nunique()


def test_what_changed_since_the_earlier_release(workdir, changes):
    _, planned = changes
    assert planned == {"report_changes": 1, "all": 1}  # nothing else reruns
    folder = workdir / RELEASE_DIR / f"changes/since-{EARLIER}"
    summary = json.loads((folder / "summary.json").read_text())
    old = Labels.from_tsv(workdir / EARLIER_DIR / "labels/labels.tsv").table
    new = Labels.from_tsv(workdir / RELEASE_DIR / "labels/labels.tsv").table
    hidden = set(new["gene_id"]) - set(old["gene_id"])
    assert 100 < len(hidden) < 160  # 15% of the 960 genes, those with experimental labels
    newly_labeled = pd.read_csv(folder / "newly_labeled.tsv", sep="\t")
    for aspect in "PFC":
        expected = set(new.loc[new["aspect"] == aspect, "gene_id"]) - set(
            old.loc[old["aspect"] == aspect, "gene_id"]
        )
        counts = summary["aspects"][aspect]
        assert counts["newly_labeled_genes"] == len(expected)
        assert set(newly_labeled.loc[newly_labeled["aspect"] == aspect, "gene_id"]) == expected
        assert (
            0
            < counts["confirmed_predictions"]
            <= counts["predictions_at_threshold_for_newly_labeled_genes"]
        )
        assert 0 < counts["precision"] <= 1 and 0 < counts["recall"] <= 1
    # The earlier release's thresholds are the ones its predictions were exported with.
    thresholds = pd.read_csv(workdir / EARLIER_DIR / "predictions/thresholds.tsv", sep="\t")
    assert (
        summary["aspects"]["P"]["threshold"] == thresholds.set_index("aspect").loc["P", "threshold"]
    )
    confirmed = pd.read_csv(folder / "confirmed.tsv", sep="\t")
    assert set(confirmed["gene_id"]) <= hidden
    html = (folder / "report.html").read_text()
    assert all(
        name in html for name in ("biological process", "molecular function", "cellular component")
    )


def predict(workdir, name, **inputs):
    config = demo_config(
        workdir, name, **DEMO_TEST_SETTINGS, model=f"{RELEASE_DIR}/model", **inputs
    )
    return snakemake(workdir, config, "--cores", "2", "predict")


def test_saved_model_scores_new_genes_without_retraining(workdir):
    result = predict(workdir, "new_genes.yaml", **NEW_GENES)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "predict_new_genes" in result.stderr and "cotrain_batch" not in result.stderr
    folder = workdir / f"results/predict/{RELEASE}/new_genes"
    table, header = read_predictions_tsv(folder / "predictions.tsv")
    assert header["release"] == RELEASE and "threshold-P" in header
    assert table["gene_id"].nunique() == 40 and set(table["aspect"]) == {"P", "F", "C"}
    # 30 of the 40 have expression: only they get an expression-view score.
    with_expression = table.loc[table["score_expression"].notna(), "gene_id"].nunique()
    assert with_expression == 30
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["model_release"]["release"] == RELEASE
    assert summary["predictions"]["genes"] == 40
    assert (folder / "predictions.gaf").read_text().startswith("!gaf-version: 2.2\n")
    # One row per gene with a score at or above its aspect's threshold (the model's).
    thresholds = pd.read_csv(workdir / RELEASE_DIR / "model/thresholds.tsv", sep="\t")
    threshold = table["aspect"].map(
        dict(zip(thresholds["aspect"], thresholds["threshold"], strict=True))
    )
    above = set(table.loc[table["score"] >= threshold, "gene_id"])
    assert above and summary["predictions"]["excel_genes"] == len(above)
    sheets = pd.read_excel(folder / "predictions.summary.xlsx", sheet_name=None)
    assert set(sheets) == {"genes", "terms", "about"}
    assert sorted(sheets["genes"]["gene_id"]) == sorted(above)


def test_saved_model_reproduces_the_runs_own_scores(workdir):
    """Applied to the demo's own genes, the model gives every score the run exported."""
    result = predict(
        workdir,
        "own_genes.yaml",
        sequences=str(DEMO / "proteins.fa.gz"),
    )
    assert result.returncode == 0, result.stderr[-3000:]
    run, _ = read_predictions_tsv(workdir / RELEASE_DIR / "predictions/predictions.tsv")
    again, _ = read_predictions_tsv(workdir / f"results/predict/{RELEASE}/proteins/predictions.tsv")
    merged = run.merge(
        again, on=["gene_id", "aspect", "go_id"], how="left", suffixes=("", "_again")
    )
    assert merged["score_again"].notna().all()
    for column in ("score", "score_sequence", "score_expression"):
        pd.testing.assert_series_equal(merged[column], merged[f"{column}_again"], check_names=False)


def renamed_new_genes(tmp_path, stem):
    """The new genes under another file name: their results get their own folder."""
    sequences = tmp_path / f"{stem}.fa.gz"
    shutil.copyfile(NEW_GENES["sequences"], sequences)
    return NEW_GENES | {"sequences": str(sequences)}


def test_model_refuses_expression_it_was_not_trained_on(workdir, tmp_path):
    frame = pd.read_csv(NEW_GENES["expression"], sep="\t", index_col=0)
    dropped = list(frame.columns[:3])
    partial = tmp_path / "partial.tsv"
    frame.drop(columns=dropped).to_csv(partial, sep="\t")
    inputs = renamed_new_genes(tmp_path, "partial") | {"expression": str(partial)}
    result = predict(workdir, "partial.yaml", **inputs)
    assert result.returncode == 1
    assert "the model cannot be applied to these genes" in result.stderr
    assert (
        f"3 of the model's {frame.shape[1]} expression samples are not in the new" in result.stderr
    )
    assert dropped[0] in result.stderr and "Traceback" not in result.stderr
    assert not (workdir / f"results/predict/{RELEASE}/partial").exists() or not list(
        (workdir / f"results/predict/{RELEASE}/partial").glob("predictions*")
    )


def test_model_refuses_another_feature_definition(workdir, tmp_path):
    model = tmp_path / "model"
    shutil.copytree(workdir / RELEASE_DIR / "model", model)
    meta = json.loads((model / "model.json").read_text())
    meta["feature_definition"]["sequence"]["version"] += 1
    meta["feature_definition"]["sequence"]["columns"][0] = "aac_B"
    (model / "model.json").write_text(json.dumps(meta))
    inputs = renamed_new_genes(tmp_path, "changed")
    config = demo_config(workdir, "changed.yaml", **DEMO_TEST_SETTINGS, model=str(model), **inputs)
    result = snakemake(workdir, config, "--cores", "2", "predict")
    assert result.returncode == 1
    assert "sequence features version 2 in the model, 1 in this GOcotrain" in result.stderr
    assert "['aac_B'] are not made now" in result.stderr
    assert "Traceback" not in result.stderr


def test_predict_without_a_model_says_how(tmp_path):
    config = demo_config(tmp_path, **DEMO_TEST_SETTINGS)
    result = snakemake(tmp_path, config, "--dry-run", "--cores", "2", "predict")
    assert result.returncode == 1
    assert "the predict target needs a saved model" in result.stderr


def test_the_docs_saved_model_commands_run_as_written(workdir, tmp_path):
    """docs/saved-model.md's score.yaml and predict command, exactly as printed, from a
    checkout that holds the demo run's model where the page says it is. The model folder is
    self-contained: the checkout has no other file of the run it came from, and the config
    gives no annotations, ontology or expression kind; the scores are those scored beside the
    run that made it."""
    section = (ROOT / "docs/saved-model.md").read_text()
    score_yaml = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    command = section.split("```bash\n", 1)[1].split("```", 1)[0].strip()
    assert score_yaml.startswith("# score.yaml\n") and command.startswith(".venv/bin/snakemake")
    checkout = tmp_path / "checkout"
    checkout.mkdir()
    for name in ("Snakefile", "workflow", "src", "profiles", "resources", ".venv"):
        (checkout / name).symlink_to(ROOT / name)
    model = yaml.safe_load(score_yaml)["model"]
    shutil.copytree(workdir / RELEASE_DIR / "model", checkout / model)
    (checkout / "score.yaml").write_text(score_yaml)
    result = subprocess.run(
        ["bash", "-c", command], cwd=checkout, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    folder = checkout / f"results/predict/{RELEASE}/new_genes"
    assert (folder / "predictions.tsv").is_file() and (folder / "summary.json").is_file()
    assert not set(yaml.safe_load(score_yaml)) - {"model", "sequences", "expression", "id_map"}
    table, _ = read_predictions_tsv(folder / "predictions.tsv")
    beside = workdir / f"results/predict/{RELEASE}/new_genes/predictions.tsv"
    if not beside.exists():
        assert predict(workdir, "new_genes.yaml", **NEW_GENES).returncode == 0
    copied, _ = read_predictions_tsv(beside)
    pd.testing.assert_frame_equal(table, copied)
    assert f"GOcotrain: new genes scored in results/predict/{RELEASE}/new_genes/" in result.stderr
