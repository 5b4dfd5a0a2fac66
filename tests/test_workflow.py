"""The Snakemake workflow itself: dry run, a real run on the demo data, and bad input."""

import gzip
import json
import re
import shutil
import subprocess
import sys

import pandas as pd
import pytest
from conftest import (
    DEMO,
    DEMO_TEST_SETTINGS,
    PREDICTION_COLUMNS,
    RELEASE,
    RELEASE_BENCHMARKS,
    RELEASE_DIR,
    RELEASE_DIR_PATH,
    RELEASE_LOGS,
    ROOT,
    demo_config,
    ontobio_check,
    planned_jobs,
    schema_defaults,
    shared_results,
    snakemake,
)

from gocotrain.evaluation.blend_weights import BLEND_WEIGHTS, read_blend_parts
from gocotrain.evaluation.method_names import METHODS
from gocotrain.export.formats import read_predictions_tsv
from gocotrain.inputs.ontology import ASPECT_NAMES

pytestmark = pytest.mark.workflow


@pytest.fixture(scope="module")
def demo_plan(tmp_path_factory):
    """The demo config's dry run, which the tests below read: made once."""
    workdir = tmp_path_factory.mktemp("plan")
    result = snakemake(workdir, demo_config(workdir), "--dry-run", "--cores", "2")
    assert result.returncode == 0, result.stderr
    return result


def test_dry_run_plans_every_rule(demo_plan):
    jobs = planned_jobs(demo_plan.stdout)
    assert {
        "prepare_ontology",
        "prepare_sequences",
        "prepare_expression",
        "prepare_labels",
        "sequence_features",
        "expression_features",
        "plan_cotraining",
        "cotrain_batch",
        "gather_cotraining",
        "stamp_release",
        "choose_thresholds",
        "export_predictions",
        "save_model",
        "evaluation_targets",
        "evaluation_score",
        "evaluation_figures",
        "run_figures",
    } <= set(jobs), jobs
    # Per aspect: one plan, `cotrain_batches` (2 in the demo config) batches, one gather.
    assert jobs["plan_cotraining"] == 3
    assert jobs["cotrain_batch"] == 6
    assert jobs["gather_cotraining"] == 3
    # The demo config evaluates the default methods (four of the eight) on one fold.
    assert jobs["evaluation_predict"] == len(schema_defaults()["evaluation"]["methods"]) == 8


def test_no_gaf_is_planned_without_a_reference_to_cite(tmp_path, demo_plan):
    cited = demo_plan
    uncited = snakemake(
        tmp_path,
        demo_config(tmp_path, export={"gaf": {"citation": None}}),
        "--dry-run",
        "--cores",
        "2",
    )
    assert cited.returncode == uncited.returncode == 0, uncited.stderr
    assert f"{RELEASE_DIR}/predictions/predictions.gaf" in cited.stdout
    assert "predictions.gaf" not in uncited.stdout
    assert planned_jobs(uncited.stdout) == planned_jobs(cited.stdout)


def planned_outputs(dry_run: str) -> dict[str, set[str]]:
    """Each planned rule's outputs, from a dry run's job listing."""
    outputs: dict[str, set[str]] = {}
    rule = None
    for line in dry_run.splitlines():
        if line.startswith(("rule ", "localrule ")):
            rule = line.split()[1].rstrip(":")
        elif line.strip().startswith("output:") and rule:
            outputs.setdefault(rule, set()).update(line.split(":", 1)[1].strip().split(", "))
    return outputs


def test_only_save_model_writes_into_the_model_folder(demo_plan):
    """The folder is save_model's one output: a failed save leaves no model folder behind
    (Snakemake removes a failed job's outputs), so none lacks its model.json."""
    result = demo_plan
    model = f"{RELEASE_DIR}/model"
    writers = {
        rule
        for rule, paths in planned_outputs(result.stdout).items()
        if any(path == model or path.startswith(model + "/") for path in paths)
    }
    assert writers == {"save_model"}
    assert planned_outputs(result.stdout)["save_model"] == {model}


def test_batches_follow_the_config_and_set_scatter(tmp_path):
    config = demo_config(tmp_path, cotrain_batches=4)
    planned = snakemake(tmp_path, config, "--dry-run", "--cores", "2")
    assert planned.returncode == 0, planned.stderr[-2000:]
    assert planned_jobs(planned.stdout)["cotrain_batch"] == 12
    overridden = snakemake(
        tmp_path, config, "--dry-run", "--cores", "2", "--set-scatter", "cotrain=1"
    )
    assert overridden.returncode == 0, overridden.stderr[-2000:]
    assert planned_jobs(overridden.stdout)["cotrain_batch"] == 3


def test_real_run_writes_every_output(demo_run):
    predictions = demo_run / RELEASE_DIR_PATH / "predictions"
    table, header = read_predictions_tsv(predictions / "predictions.tsv")
    assert header["release"] == RELEASE and header["go-version"] == "releases/2022-07-01"
    assert list(table.columns) == PREDICTION_COLUMNS
    assert set(table["aspect"]) == {"P", "F", "C"}
    assert table["go_name"].notna().all()
    assert table["score"].between(0.01, 1).all()
    cafa = pd.read_csv(predictions / "predictions.cafa.tsv", sep="\t", header=None)
    assert cafa.shape == (len(table), 3)
    for rule in ("sequence_features", "expression_features"):
        assert (demo_run / "benchmarks" / f"{rule}.tsv").exists()
    assert (demo_run / RELEASE_BENCHMARKS / "cotrain/P/batch-2-of-2.tsv").exists()
    # The batches' shares are temporary: gathered, then removed.
    assert (demo_run / f"{RELEASE_DIR}/cotrain/P/terms.tsv").exists()
    assert not list((demo_run / f"{RELEASE_DIR}/cotrain/P").glob("batch-*"))
    export_log = (demo_run / RELEASE_LOGS / "export_predictions.log").read_text()
    assert f"run summary: {RELEASE_DIR}/predictions/summary.json" in export_log
    # Progress at each quarter of a batch's terms, not a line per term.
    batch_log = (demo_run / RELEASE_LOGS / "cotrain/P/batch-1-of-2.log").read_text()
    assert 1 <= batch_log.count("terms scored in") <= 5


def test_the_run_ends_saying_where_the_predictions_are_and_what_to_expect(demo_run):
    stderr = (demo_run / "snakemake.stderr").read_text()
    closing = stderr[stderr.index("GOcotrain: predictions of release") :].splitlines()
    assert (
        closing[0] == f"GOcotrain: predictions of release {RELEASE} in {RELEASE_DIR}/predictions/"
    )
    thresholds = pd.read_csv(demo_run / RELEASE_DIR / "predictions/thresholds.tsv", sep="\t")
    summary = json.loads((demo_run / RELEASE_DIR / "predictions/summary.json").read_text())
    for row, line in zip(thresholds.itertuples(), closing[2:5], strict=True):
        namespace = {"P": "biological_process", "F": "molecular_function"}.get(
            row.aspect, "cellular_component"
        )
        genes = summary["aspects"][namespace]["genes_predicted"]
        assert line.startswith(f"  {namespace}: threshold {row.threshold:g} (expected precision")
        assert f"; {genes} genes with" in line
    # The log is for people: no empty shell commands, no dump of the summary's every value.
    assert "Shell command: None" not in stderr and "summary details" not in stderr


def test_predictions_only_for_unlabeled_genes_and_consistent(demo_run, demo_ontology):
    table, _ = read_predictions_tsv(demo_run / f"{RELEASE_DIR}/predictions/predictions.tsv")
    labels = pd.read_csv(demo_run / f"{RELEASE_DIR}/labels/labels.tsv", sep="\t")
    labeled = set(zip(labels["gene_id"], labels["aspect"], strict=True))
    assert not labeled & set(zip(table["gene_id"], table["aspect"], strict=True))
    score = dict(
        zip(zip(table["gene_id"], table["go_id"], strict=True), table["score"], strict=True)
    )
    for (gene, term), value in score.items():
        for ancestor in demo_ontology.ancestors(term):
            if (gene, ancestor) in score:
                assert score[(gene, ancestor)] >= value


def test_terms_too_rare_to_model_are_scored_by_homology_transfer(demo_run):
    release = demo_run / RELEASE_DIR
    table, _ = read_predictions_tsv(release / "predictions/predictions.tsv")
    labels = pd.read_csv(release / "labels/labels.tsv", sep="\t")
    summary = json.loads((release / "predictions/summary.json").read_text())
    min_positives = summary["settings"]["min_positives"]
    for aspect, name in (("P", "biological_process"), ("F", "molecular_function")):
        report = json.loads((release / f"cotrain/{aspect}.json").read_text())
        modelled = {entry["term"] for entry in report["terms"]}
        rows = table[table["aspect"] == aspect]
        rare = rows[~rows["go_id"].isin(modelled)]
        assert len(rare) > 0
        counts = labels.loc[labels["aspect"] == aspect, "go_id"].value_counts()
        assert (counts.reindex(rare["go_id"]).to_numpy() < min_positives).all()
        assert rare["score_expression"].isna().all()
        assert (rare["score"] == rare["score_sequence"]).all()
        assert set(rare["source"]) == {"homology transfer"}
        # homology.blend (a default): the modelled terms' scores average in their transfer.
        modelled_rows = rows[rows["go_id"].isin(modelled)]
        assert set(modelled_rows["source"]) == {"two-view model and homology transfer"}
        assert summary["aspects"][name]["predictions_transferred"] == len(rare)
        # Calibrated on left-out labeled genes: a term one homolog carries is not certain.
        assert (rare["score"] >= 0.9999).mean() < 0.01
        teacher = json.loads((release / "model/teacher.json").read_text())
        assert teacher["aspects"][aspect]["calibration"]["precision"][-1] < 1
        assert summary["aspects"][name]["rare_terms_transferred"] == rare["go_id"].nunique()


def test_gaf_reads_back_with_goatools(demo_run, demo_ontology):
    from goatools.anno.gaf_reader import GafReader

    path = demo_run / f"{RELEASE_DIR}/predictions/predictions.gaf"
    assert path.read_text().startswith("!gaf-version: 2.2\n")
    records = GafReader(str(path)).get_associations()
    assert records and all(record.Evidence_Code == "IEA" for record in records)
    assert {record.Taxon[0] for record in records} == {9606}
    # The most specific terms only (the true-path rule implies the rest), and none that GO's
    # rules refuse with IEA (GORULE:0000005: binding, protein binding).
    terms_of: dict[str, set[str]] = {}
    for record in records:
        terms_of.setdefault(record.DB_ID, set()).add(record.GO_ID)
    for gene, terms in terms_of.items():
        for term in terms:
            assert not (demo_ontology.ancestors(term) - {term}) & terms, (gene, term)
    assert not {"GO:0005515", "GO:0005488"} & {record.GO_ID for record in records}
    specific, _ = read_predictions_tsv(
        demo_run / f"{RELEASE_DIR}/predictions/predictions.most_specific.tsv"
    )
    allowed = specific[~specific["go_id"].isin(["GO:0005515", "GO:0005488"])]
    assert len(records) == len(allowed)  # one line per most specific prediction


def test_gaf_passes_go_rules_as_ontobio_applies_them(demo_run, tmp_path):
    path = demo_run / f"{RELEASE_DIR}/predictions/predictions.gaf"
    lines = [line for line in path.read_text().splitlines() if not line.startswith("!")]
    checked = ontobio_check(path, DEMO / "go-basic.obo.gz", tmp_path / "go.json")
    assert checked["associations"] == len(lines) > 0  # ontobio accepted every line
    assert checked["messages"] == {}, checked["examples"]
    assert {line.split("\t")[5] for line in lines} == {"DOI:10.1145/279943.279962"}


def test_the_outputs_page_shows_the_demo_header_as_the_demo_writes_it(demo_run):
    path = demo_run / f"{RELEASE_DIR}/predictions/predictions.tsv"
    with open(path) as handle:
        header = [line.rstrip("\n") for line in handle if line.startswith("#")]
    page = (ROOT / "docs" / "outputs.md").read_text()
    block = page.split("Every exported TSV and GAF starts with the release", 1)[1]
    shown = block.split("```", 2)[1].strip().splitlines()
    # The page shows the demo config's run; the test run models fewer terms
    # (DEMO_TEST_SETTINGS), so its thresholds differ while the rest is the same.
    assert [line for line in shown if not line.startswith("# threshold-")] == [
        line for line in header if not line.startswith("# threshold-")
    ]
    threshold = re.compile(r"# threshold-([PFC]): [0-9.]+ \(expected precision [0-9.]+, recall")
    assert [threshold.match(line)[1] for line in shown if line.startswith("# threshold-")] == [
        threshold.match(line)[1] for line in header if line.startswith("# threshold-")
    ]
    held_out = [line.rsplit(";", 1)[1] for line in header if line.startswith("# threshold-")]
    assert held_out == [line.rsplit(";", 1)[1] for line in shown if line.startswith("# thr")]


def test_summary_counts_genes_views_and_terms(demo_run):
    summary = json.loads((demo_run / f"{RELEASE_DIR}/predictions/summary.json").read_text())
    inputs = summary["inputs"]
    assert inputs["genes_read"] == 960
    assert inputs["genes_with_expression"] == 900 and inputs["genes_sequence_only"] == 60
    assert inputs["expression_rows_not_matched"] == 150
    for aspect in ("biological_process", "molecular_function", "cellular_component"):
        counts = summary["aspects"][aspect]
        assert counts["labeled_genes"] + counts["unlabeled_genes"] == 960
        assert counts["terms_modelled"] > 0
    assert summary["predictions"]["gaf_taxon"] == "taxon:9606"  # taken from the input GAF
    tsv = pd.read_csv(demo_run / f"{RELEASE_DIR}/predictions/summary.tsv", sep="\t")
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
    assert not (tmp_path / RELEASE_DIR_PATH / "predictions").exists()
    assert not (tmp_path / "results" / "sequences" / "proteins.fa").exists()


def test_evaluation_compares_every_method_on_the_same_genes(demo_run):
    metrics = pd.read_csv(
        demo_run / f"{RELEASE_DIR}/evaluation/cross_validation/metrics.tsv", sep="\t"
    )
    # The default methods (the demo config names none), on the whole fold and again on its
    # least annotated genes.
    methods = schema_defaults()["evaluation"]["methods"]
    assert metrics.groupby("targets").size().to_dict() == {
        "cross_validation": len(methods) * 3,
        "least_annotated": len(methods) * 3,
    }
    metrics = metrics[metrics["targets"] == "cross_validation"]
    assert set(metrics["method"]) == set(methods) < set(METHODS)
    assert metrics["fmax"].between(0.05, 1).all() and metrics["smin"].gt(0).all()
    # Every method was scored on the same held-out genes of each aspect.
    assert metrics.groupby("aspect")["n_proteins"].nunique().eq(1).all()
    # The learned methods beat guessing every term's frequency on the demo's processes too.
    fmax = metrics.set_index(["aspect", "method"])["fmax"]
    for aspect in ("biological_process", "molecular_function", "cellular_component"):
        assert fmax[aspect, "cotraining"] > fmax[aspect, "homology"]
    table = (demo_run / f"{RELEASE_DIR}/report/metrics.html").read_text()
    assert all(method in table for method in methods)
    for name in ("metrics", "precision_recall", "per_term_aupr", "learning_curves"):
        assert (demo_run / f"{RELEASE_DIR}/report/{name}.png").read_bytes()[:4] == b"\x89PNG"
    assert (
        demo_run / f"{RELEASE_BENCHMARKS}/evaluation/cross_validation/cotraining/fold0.tsv"
    ).exists()


def test_the_run_says_how_sure_each_margin_over_a_baseline_is(demo_run):
    """margins.tsv: co-training over naive, BLAST and DIAMOND kNN per target kind and aspect,
    as metrics.tsv has them, with intervals the report's headline gives."""
    folder = demo_run / f"{RELEASE_DIR}/evaluation/cross_validation"
    fmax = pd.read_csv(folder / "metrics.tsv", sep="\t").set_index(["targets", "aspect", "method"])
    margins = pd.read_csv(folder / "margins.tsv", sep="\t")
    assert len(margins) == 2 * 3 * 3
    assert set(margins["baseline"]) == {"naive", "blast", "homology"}
    for row in margins.itertuples(index=False):
        ours, theirs = (
            fmax.loc[(row.targets, row.aspect, m), "fmax"] for m in (row.method, row.baseline)
        )
        assert row.margin == pytest.approx(ours - theirs, abs=1e-3)
        assert row.low <= row.margin <= row.high
    page = (demo_run / f"{RELEASE_DIR}/report/metrics.html").read_text()
    assert "95 % interval over the held-out genes" in page
    summary = json.loads((demo_run / f"{RELEASE_DIR}/predictions/summary.json").read_text())
    assert pd.DataFrame(summary["margins"])[margins.columns].equals(margins)
    benchmark = subprocess.run(
        [sys.executable, str(ROOT / "scripts/benchmark_exported_genes.py"), str(demo_run)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert ": smallest margin over a baseline" in benchmark.stdout
    assert "margins with their 95 % intervals" in benchmark.stdout


def test_the_exports_blend_weight_is_the_one_the_evaluation_chose(demo_run):
    """prior_weights.tsv holds, per aspect, every blend weight's Fmax and the export's choice
    (the plain mean where too few genes are like the exported ones); the saved model and the
    run summary carry that weight; each learned method's blend parts are beside its
    predictions."""
    folder = demo_run / f"{RELEASE_DIR}/evaluation/cross_validation"
    weights = pd.read_csv(folder / "prior_weights.tsv", sep="\t", dtype={"half": str})
    export = weights[(weights["mixed_in"] == "transfer") & (weights["half"] == "export")]
    assert sorted(export["aspect"]) == ["C", "F", "P"]
    assert (export["method"] == "cotraining").all()
    chosen = dict(zip(export["aspect"], export["weight"], strict=True))
    for tried in export["fmax_by_weight"]:
        assert [float(entry.split(":")[0]) for entry in tried.split()] == list(BLEND_WEIGHTS)
    lessons = json.loads((demo_run / f"{RELEASE_DIR}/model/teacher.json").read_text())
    summary = json.loads((demo_run / f"{RELEASE_DIR}/predictions/summary.json").read_text())
    for aspect, weight in chosen.items():
        assert lessons["aspects"][aspect]["blend_weight"] == weight
        assert summary["aspects"][ASPECT_NAMES[aspect]]["blend_weight"] == weight
    parts = read_blend_parts(str(folder / "predictions/cotraining/fold0.blend.npz"))
    assert sorted(parts) == ["C", "F", "P"]
    assert read_blend_parts(str(folder / "predictions/naive/fold0.blend.npz")) == {}


def test_the_run_says_whether_each_view_carries_signal(demo_run):
    """view_signal.tsv, the run summary and the report's method comparison give each view
    alone, both, the controls and the margins, from the same metrics."""
    folder = demo_run / f"{RELEASE_DIR}/evaluation/cross_validation"
    metrics = pd.read_csv(folder / "metrics.tsv", sep="\t")
    signal = pd.read_csv(folder / "view_signal.tsv", sep="\t")
    assert signal.groupby("targets").size().to_dict() == {
        "cross_validation": 3,
        "least_annotated": 3,
    }
    signal = signal[signal["targets"] == "cross_validation"].set_index("aspect")
    metrics = metrics[metrics["targets"] == "cross_validation"]
    fmax = metrics.set_index(["aspect", "method"])["fmax"]
    for aspect, row in signal.iterrows():
        controls = max(fmax[aspect, "naive"], fmax[aspect, "multifunctionality"])
        expected = fmax[aspect, "expression_only"] - controls
        assert row["expression_over_controls"] == pytest.approx(expected, abs=1e-4)
        supervised = fmax[aspect, "two_view_supervised"]
        assert row["cotraining_over_supervised"] == pytest.approx(
            fmax[aspect, "cotraining"] - supervised, abs=1e-4
        )
    summary = json.loads((demo_run / f"{RELEASE_DIR}/predictions/summary.json").read_text())
    assert {entry["aspect"] for entry in summary["view_signal"]} == set(signal.index)
    page = (demo_run / f"{RELEASE_DIR}/report/metrics.html").read_text()
    assert "Does each view carry signal?" in page and "the expression view alone" in page


def test_snakemake_report_holds_the_figures(demo_run):
    config = demo_run / "config.yaml"
    result = snakemake(demo_run, config, "--report", str(demo_run / "report.html"))
    assert result.returncode == 0, result.stderr[-2000:]
    report = (demo_run / "report.html").read_text()
    for text in ("Method comparison", "Co-training", "per_term_aupr.png", "data_summary.html"):
        assert text in report
    # The introduction is the own-labels mode's.
    assert "by co-training a sequence view (composition and homology to labeled genes)" in report
    assert "organism, from annotated reference species" not in report


def older_release(path, drop_all_every: int, drop_function_every: int) -> None:
    """The demo GAF with some genes unannotated and others without function annotations,
    standing in for an older release."""
    with gzip.open(DEMO / "annotations.gaf.gz", "rt") as handle:
        lines = handle.readlines()
    genes = sorted({line.split("\t")[1] for line in lines if not line.startswith("!")})
    gone = set(genes[::drop_all_every])
    no_function = set(genes[1::drop_function_every])
    kept = [
        line
        for line in lines
        if line.startswith("!")
        or not (
            line.split("\t")[1] in gone
            or (line.split("\t")[1] in no_function and line.split("\t")[8] == "F")
        )
    ]
    path.write_text("".join(kept))


def test_time_split_scores_no_and_limited_knowledge_targets(demo_run, tmp_path):
    shared_results(demo_run, tmp_path)
    older_release(tmp_path / "older.gaf", 6, 5)
    settings = DEMO_TEST_SETTINGS | {
        "annotations": str(tmp_path / "older.gaf"),
        "annotations_new": str(DEMO / "annotations.gaf.gz"),
        "evaluation": {"protocol": "time_split", "methods": ["naive", "cotraining"]},
    }
    config = demo_config(tmp_path, **settings)
    target = f"{RELEASE_DIR}/evaluation/time_split/metrics.tsv"
    result = snakemake(tmp_path, config, "--cores", "2", target)
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = pd.read_csv(tmp_path / target, sep="\t")
    assert set(metrics["targets"]) == {"no_knowledge", "limited_knowledge"}
    assert set(metrics["method"]) == {"naive", "cotraining"}
    limited = metrics[metrics["targets"] == "limited_knowledge"]
    assert set(limited["aspect"]) == {"molecular_function"}  # only F was taken away
    assert not (tmp_path / f"{RELEASE_DIR}/cotrain").exists()  # the evaluation needs no export


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"evaluation": {"protocol": "time_split"}}, "time_split needs the newer annotations"),
        ({"evaluation": {"folds": 3, "folds_evaluated": 4}}, "4 is more than the 3 folds"),
        ({"evaluation": {"method": ["naive"]}}, "did you mean 'methods'?"),
        ({"min_positive": 5}, "'min_positive' was unexpected"),
        ({"expression": "nowhere.tsv"}, "the file 'nowhere.tsv' does not exist"),
        ({"min_positives": "many"}, "'many' is not of type 'integer'"),
        ({"seed": -1}, "config seed: -1 is less than the minimum of 0"),
        ({"release": "../2024"}, "config release: '../2024' does not match"),
        (
            {"previous_release": "2021-01"},
            "results/releases/2021-01/predictions/predictions.tsv does not exist",
        ),
        ({"model": "nowhere"}, "'nowhere' is not a saved model folder"),
        ({"export": {"gaf": {"citation": "GO_REF:0000000"}}}, "GO_REF:0000000 is a placeholder"),
        ({"export": {"gaf": {"citation": "my 2026 paper"}}}, "'my 2026 paper' does not match"),
    ],
)
def test_bad_config_stops_before_any_job(tmp_path, overrides, message):
    result = snakemake(tmp_path, demo_config(tmp_path, **overrides), "--dry-run")
    assert result.returncode != 0
    assert message in result.stderr
    assert "config/README.md" in result.stderr or "--config" in result.stderr
