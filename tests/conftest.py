import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from filelock import FileLock

ROOT = Path(__file__).resolve().parents[1]
# The columns of predictions.tsv, as issue 2 and the README promise them.
PREDICTION_COLUMNS = [
    "gene_id",
    "symbol",
    "protein_name",
    "aspect",
    "go_id",
    "go_name",
    "score",
    "score_sequence",
    "score_expression",
    "source",
]
# Co-training settings small enough for unit tests (keys as in the config schema).
FAST_COTRAINING = {
    "rounds": 2,
    "pool_size": 20,
    "positives_per_round": 1,
    "max_negatives_per_round": 5,
    "confidence_threshold": 0.5,
    "combine": "product",
    "n_estimators": 10,
    "max_depth": 2,
    "learning_rate": 0.3,
    "max_bin": 16,
    "cotraining_trees": 0.3,
    "validation_fraction": 0.2,
    "min_validation_positives": 3,
    "min_improvement": 0.0,
    "validation_confidence": 0.9,
}
DEMO = ROOT / "resources" / "demo"
SCHEMA = ROOT / "workflow" / "schemas" / "config.schema.yaml"


def schema_defaults(schema: dict | None = None) -> dict:
    """The config schema's defaults, the one source of them: a section's as a dict."""
    schema = yaml.safe_load(SCHEMA.read_text()) if schema is None else schema
    defaults = {}
    for key, spec in schema.get("properties", {}).items():
        if "properties" in spec:
            defaults[key] = schema_defaults(spec)
        elif "default" in spec:
            defaults[key] = spec["default"]
    return defaults


# The evidence codes a run counts by default.
EVIDENCE_CODES = schema_defaults()["evidence_codes"]
# The demo config's release label, and where its results, logs and benchmarks go.
RELEASE = "2022-09"
RELEASE_DIR = f"results/releases/{RELEASE}"
RELEASE_DIR_PATH = Path(RELEASE_DIR)
RELEASE_LOGS = Path(f"logs/releases/{RELEASE}")
RELEASE_BENCHMARKS = f"benchmarks/releases/{RELEASE}"


# The files that run Snakemake or train on the demo data, longest first; the others follow in
# their own order. Under pytest-xdist (scripts/test.sh: one worker per core, each taking whole
# files as it finishes the last) a long file taken last would keep one worker busy while the
# others wait, and xdist's own order (most tests first) did. test_workflow.py comes first and
# starts with its tests of the shared demo run, which its neighbours below then find made.
LONGEST_FIRST = [
    "test_workflow.py",
    "test_new_organism.py",
    "test_rerun_and_predict.py",
    "test_slurm.py",
    "test_interruptions.py",
    "test_evaluation_steps.py",
    "test_config.py",
    "test_docs.py",
    "test_metrics.py",
    "test_bad_input.py",
    "test_layout.py",
    "test_deploy.py",
    "test_methods.py",
]


def pytest_configure(config):
    if hasattr(config.option, "loadscopereorder"):  # pytest-xdist: keep the order below
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(items):
    rank = {name: index for index, name in enumerate(LONGEST_FIRST)}

    def order(item):
        first = item.path.name == LONGEST_FIRST[0] and "demo_run" in item.fixturenames
        return rank.get(item.path.name, len(rank)), not first

    items.sort(key=order)


@pytest.fixture(scope="session")
def demo() -> Path:
    return DEMO


@pytest.fixture(scope="session")
def demo_ontology():
    from gocotrain.inputs.ontology import read_obo

    return read_obo(DEMO / "go-basic.obo.gz")


@pytest.fixture(scope="session")
def demo_proteins() -> dict[str, str]:
    from gocotrain.inputs.sequences import read_sequences

    return read_sequences(DEMO / "proteins.fa.gz").proteins


def write(path: Path, text: str, compress: bool = False) -> Path:
    if compress:
        with gzip.open(path, "wt") as handle:
            handle.write(text)
    else:
        path.write_text(text)
    return path


# Fewer terms than the README's demo command, so the suite stays quick; same data. Only
# demo_run evaluates the methods (on one of three folds, as the demo config does).
DEMO_TEST_SETTINGS = {"min_positives": 100, "evaluation": {"protocol": "none"}}
DEMO_EVALUATION = {"protocol": "cross_validation", "folds": 3, "folds_evaluated": 1}
SNAKEMAKE = [sys.executable, "-m", "snakemake", "--snakefile", str(ROOT / "Snakefile")]


def demo_config(workdir: Path, filename: str = "config.yaml", **overrides) -> Path:
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    for key in ("sequences", "annotations", "ontology", "expression", "id_map"):
        config[key] = str(ROOT / config[key])  # the demo's own files, wherever the test runs
    config.update(overrides)
    path = workdir / filename
    path.write_text(yaml.safe_dump(config))
    return path


def new_organism_config(workdir: Path, **overrides) -> Path:
    """config/demo-new-organism.yaml with the demo's own files, wherever the test runs."""
    config = yaml.safe_load((ROOT / "config/demo-new-organism.yaml").read_text())
    for key in ("sequences", "ontology", "expression", "id_map"):
        config[key] = str(ROOT / config[key])
    for entry in config["reference"]["species"]:
        for key in ("sequences", "annotations"):
            entry[key] = str(ROOT / entry[key])
    config["min_positives"] = 100  # fewer, larger terms: the test's run takes minutes
    config.update(overrides)
    path = workdir / f"{config['release']}.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def snakemake(workdir: Path, config: Path, *arguments: str, timeout: int = 900):
    return subprocess.run(
        [*SNAKEMAKE, "--directory", str(workdir), "--configfile", str(config), *arguments],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def comparable_outputs(workdir: Path) -> dict[str, bytes]:
    """A run's outputs that do not depend on whether it evaluated the methods.

    The evaluation sets the export thresholds, and with them the GAF, the header lines and
    the counts above the thresholds, and gives the summary its view signal, its margins and
    the weights of the own term frequencies and of the transfer's blend it tried; every score
    (the weights chosen are 0 and the plain mean on the demo: too few least annotated genes to
    choose on), the CAFA file and the rest of the
    summary do not. Runs without evaluation are compared with demo_run (which has one) on these.
    """
    folder = workdir / RELEASE_DIR / "predictions"
    table = (folder / "predictions.tsv").read_bytes()
    summary = json.loads((folder / "summary.json").read_text())
    summary.pop("predictions")
    summary.pop("view_signal", None)
    summary.pop("margins", None)
    for aspect in summary["aspects"].values():
        assert aspect.pop("own_prior_weight", 0.0) == 0.0
        aspect.pop("own_prior_by_weight", None)
        assert aspect.pop("blend_weight", 0.5) == 0.5
        aspect.pop("blend_by_weight", None)
    return {
        "predictions.tsv": b"\n".join(
            line for line in table.split(b"\n") if not line.startswith(b"#")
        ),
        "predictions.cafa.tsv": (folder / "predictions.cafa.tsv").read_bytes(),
        "summary.json": json.dumps(summary, sort_keys=True).encode(),
    }


def shared_results(demo_run: Path, workdir: Path) -> Path:
    """A copy of the demo run's results that no release's annotations change (sequences,
    features, homology) in `workdir`, as a new release starts: its release jobs run anew."""
    shutil.copytree(demo_run, workdir, symlinks=True, dirs_exist_ok=True)
    for folder in ("results", "logs", "benchmarks"):
        shutil.rmtree(workdir / folder / "releases")
    return workdir


def planned_jobs(stdout: str) -> dict[str, int]:
    """Snakemake's "Job stats" table of a dry run, as rule -> count."""
    lines = stdout.split("Job stats:", 1)[1].splitlines()[3:]
    jobs = {}
    for line in lines:
        parts = line.split()
        if len(parts) != 2 or parts[0] == "total":
            break
        jobs[parts[0]] = int(parts[1])
    return jobs


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    """The demo, run once for the whole session: under pytest-xdist, the first worker that
    needs it runs it while the others wait on a lock, and all read the same folder (tests
    only read it, or copy it)."""
    if "PYTEST_XDIST_WORKER" not in os.environ:  # one process (or xdist not installed)
        return run_demo(tmp_path_factory.mktemp("demo_run"))
    shared = tmp_path_factory.getbasetemp().parent  # the same for every worker
    with FileLock(shared / "demo_run.lock"):
        workdir = shared / "demo_run"
        if not (workdir / "snakemake.stderr").exists():
            shutil.rmtree(workdir, ignore_errors=True)  # a failed try's leftovers
            workdir.mkdir()
            run_demo(workdir)
    return workdir


def run_demo(workdir: Path) -> Path:
    config = demo_config(workdir, **(DEMO_TEST_SETTINGS | {"evaluation": DEMO_EVALUATION}))
    result = snakemake(workdir, config, "--cores", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    (workdir / "snakemake.stderr").write_text(result.stderr)
    return workdir


ONTOBIO_PYTHON = ROOT / ".venv/ontobio/bin/python"


def ontobio_check(gaf: Path, obo: Path, scratch: Path) -> dict:
    """What ontobio's GAF parser and GO's rules say of `gaf` (tests/gaf_check/check.py)."""
    if not ONTOBIO_PYTHON.exists():
        pytest.skip("ontobio is not installed: run `bash scripts/setup.sh dev`")
    result = subprocess.run(
        [ONTOBIO_PYTHON, ROOT / "tests/gaf_check/check.py", gaf, obo, scratch],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)
