"""The config contract: the demo config, the schema and config/README.md agree."""

import json

import jsonschema
import pytest
import yaml
from conftest import DEMO, ROOT, schema_defaults, snakemake

SCHEMA = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())


def keys(properties, prefix=""):
    for key, spec in properties.items():
        yield prefix + key, spec
        if spec.get("type") == "object":
            yield from keys(spec["properties"], f"{prefix}{key}.")


def test_every_key_has_a_description_and_optional_keys_a_default():
    for key, spec in keys(SCHEMA["properties"]):
        assert spec.get("description"), key
        if key not in SCHEMA["required"]:
            assert "default" in spec, key


def test_config_readme_documents_every_key_with_its_default():
    readme = (ROOT / "config/README.md").read_text()
    for key, spec in keys(SCHEMA["properties"]):
        row = next((line for line in readme.splitlines() if line.startswith(f"| `{key}` |")), None)
        assert row, f"{key} missing from config/README.md"
        if "default" in spec and spec.get("type") != "object":
            assert f"`{json.dumps(spec['default'])}`" in row, key


def test_shipped_configs_are_valid():
    for name in (
        "config.yaml",
        "human-2022.yaml",
        "demo-new-organism.yaml",
        "human-new-organism.yaml",
        "yeast-2019.yaml",
        "yeast-new-organism.yaml",
        "human-2022-tcga.yaml",
    ):
        config = yaml.safe_load((ROOT / "config" / name).read_text())
        jsonschema.validate(config, SCHEMA)


def test_memory_follows_input_size_and_grows_with_each_attempt():
    from types import SimpleNamespace

    from gocotrain.resources import memory_mb

    scaled = memory_mb(1000, 30)
    small, large = SimpleNamespace(size_mb=1), SimpleNamespace(size_mb=100)
    assert scaled(None, small, 1) == 1030
    assert scaled(None, large, 1) == 4000
    assert scaled(None, large, 2) == 8000  # resubmitted after running out of memory


def test_a_folder_input_counts_by_the_files_in_it(tmp_path):
    """A reference's search database is a folder: its files' size, not its directory
    entry's, sizes the search."""
    from gocotrain.resources import memory_mb, runtime_minutes

    class Input(list):  # as Snakemake's: a list of paths with their size_mb
        size_mb = 0.004  # what Snakemake says of a folder: its directory entry

    (tmp_path / "database-mmseqs").mkdir()
    (tmp_path / "database-mmseqs" / "db").write_bytes(b"x" * 2_000_000)
    assert memory_mb(1000, 20)(None, Input([str(tmp_path / "database-mmseqs")]), 1) == 1040
    assert runtime_minutes(30, 2)(None, Input([str(tmp_path / "database-mmseqs")]), 1) == 35


def test_conda_environment_pins_match_the_pip_constraints():
    """envs/gocotrain.yaml (for --sdm conda) and constraints.txt (for pip) pin the same
    versions of every runtime dependency the rules import."""
    import re

    conda_names = {"py-xgboost": "xgboost", "pyyaml": "pyyaml", "matplotlib-base": "matplotlib"}
    environment = yaml.safe_load((ROOT / "envs/gocotrain.yaml").read_text())
    conda = {}
    for entry in environment["dependencies"]:
        if isinstance(entry, dict):  # pip's, pinned as pip pins: name==version
            conda |= dict(line.lower().split("==") for line in entry["pip"])
            continue
        name, version = entry.split("=", 1)
        conda[conda_names.get(name, name).lower()] = version
    pins = dict(
        line.lower().split("==")
        for line in (ROOT / "constraints.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    )
    pyproject = (ROOT / "pyproject.toml").read_text()
    runtime = re.search(r"dependencies = \[(.*?)\]", pyproject, re.S).group(1)
    names = {
        re.match(r'\s*"([A-Za-z0-9_.-]+)', line).group(1).lower()
        for line in runtime.splitlines()
        if line.strip().startswith('"')
    }
    engine = {"snakemake", "snakemake-executor-plugin-slurm", "jsonschema"}
    # conda-forge's py-xgboost is CPU-only unless a CUDA variant is asked for: pip's xgboost-cpu.
    conda["xgboost-cpu"] = conda["xgboost"]
    for name in names - engine:  # the workflow engine's own, not the rules'
        assert conda.get(name) == pins.get(name), (
            f"{name}: conda {conda.get(name)}, pip {pins.get(name)}"
        )
    assert conda["python"] == "3.11"


def test_the_estimators_defaults_are_the_schemas():
    """The schema is the one source of defaults: the estimator keeps its own (a scikit-learn
    estimator must have them) only as the schema's, under the same names."""
    from gocotrain.learning.cotraining import (
        VIEW_ESTIMATOR_KEYS,
        CoTrainingClassifier,
        from_settings,
    )
    from gocotrain.learning.view_learners import default_view_estimator

    defaults = schema_defaults()["cotraining"]
    estimator, view = CoTrainingClassifier().get_params(), default_view_estimator().get_params()
    for key, value in defaults.items():
        assert (view if key in VIEW_ESTIMATOR_KEYS else estimator)[key] == value, key
    made = from_settings(defaults, seed=3).get_params()
    assert made["random_state"] == 3 and made["estimator"].get_params() == view


@pytest.mark.workflow
@pytest.mark.parametrize(
    ("old", "replacement"),
    [
        ({"gaf_min_score": 0.4}, "gaf_min_score: this key was replaced by export.threshold"),
        ({"export": {"threshold": "fixed"}}, "'fixed' was replaced by the threshold itself"),
        (
            {"evaluation": {"homology_neighbours": 5}},
            "evaluation.homology_neighbours: this key was replaced by homology.neighbours",
        ),
        (
            {"evaluation": {"min_score": 0.1}},
            "evaluation.min_score: this key was replaced by export.min_score",
        ),
        # Keys regrouped by concern: the new organism's under reference, the exports' under
        # export.
        (
            {"reference": [{"sequences": "a.fa", "annotations": "a.gaf"}]},
            "config reference: the species list moved to reference.species",
        ),
        (
            {"reference_settings": {"check_proteins": 300}},
            "reference_settings: this key was replaced by reference.check_proteins",
        ),
        ({"export_threshold": 0.5}, "export_threshold: this key was replaced by export.threshold"),
        ({"min_score": 0.01}, "min_score: this key was replaced by export.min_score"),
        (
            {"summary_top_terms": 3},
            "summary_top_terms: this key was replaced by export.summary_top_terms",
        ),
        (
            {"gaf_reference": "PMID:1"},
            "gaf_reference: this key was replaced by export.gaf.citation",
        ),
        ({"gaf_db": "SGD"}, "gaf_db: this key was replaced by export.gaf.db"),
        ({"taxon": "taxon:9606"}, "taxon: this key was replaced by export.gaf.taxon"),
        (
            {"gaf_assigned_by": "MyLab"},
            "gaf_assigned_by: this key was replaced by export.gaf.assigned_by",
        ),
    ],
)
def test_a_replaced_key_names_its_replacement_before_any_job(tmp_path, old, replacement):
    result = dry_run_with(tmp_path, old)
    assert result.returncode == 1
    assert replacement in result.stderr
    assert "Traceback" not in result.stderr


def dry_run_with(tmp_path, changes: dict):
    """A dry run of the demo's config with `changes` (a section's dict updates it)."""
    config = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    for key, value in changes.items():
        if isinstance(value, dict):
            config.setdefault(key, {}).update(value)
        else:
            config[key] = value
    for key in ("sequences", "annotations", "ontology", "expression", "id_map"):
        config[key] = str(DEMO / config[key].rsplit("/", 1)[1])
    path = tmp_path / "changed.yaml"
    path.write_text(yaml.safe_dump(config))
    return snakemake(tmp_path, path, "--dry-run", "--cores", "1")


@pytest.mark.workflow
def test_a_value_out_of_every_choice_names_what_the_key_takes(tmp_path):
    """export.threshold takes 'fmax' or a number in [0, 1]: 2 says so, not "not valid under
    any of the given schemas"."""
    result = dry_run_with(tmp_path, {"export": {"threshold": 2}})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    expected = "config export.threshold: 2 is not a value it takes: 'fmax' or a number from 0 to 1"
    assert expected in result.stderr


@pytest.mark.workflow
@pytest.mark.parametrize("directory", [None, "run1"])
def test_a_users_config_gets_the_schemas_defaults_not_the_demos(tmp_path, directory):
    """Run from the checkout, with or without --directory, a config that sets only its input
    paths gets the documented defaults: no ID map, no release label, no demo settings."""
    import subprocess

    from conftest import SNAKEMAKE

    config = {key: str(DEMO / name) for key, name in REQUIRED_DEMO_INPUTS.items()}
    path = tmp_path / "my-genome.yaml"
    path.write_text(yaml.safe_dump(config))
    where = ["--directory", str(tmp_path / directory)] if directory else []
    result = subprocess.run(
        [*SNAKEMAKE, *where, "--configfile", str(path), "--dry-run", "--cores", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    plan = result.stdout
    assert "results/releases/go-2022-07-01_ann-" in plan  # the automatic label, not "2022-09"
    assert "results/releases/2022-09" not in plan
    assert "idmap.tsv.gz" not in plan  # the demo's ID map is not used
    # The default evaluation: one of 5 folds, the baselines, two_view_supervised and co-training.
    evaluated = "evaluation/cross_validation/predictions/{}/fold{}.tsv"
    assert evaluated.format("two_view_supervised", 0) in plan
    assert evaluated.format("cotraining", 0) in plan
    assert evaluated.format("cotraining", 1) not in plan
    assert "predictions/self_training/" not in plan


REQUIRED_DEMO_INPUTS = {
    "sequences": "proteins.fa.gz",
    "annotations": "annotations.gaf.gz",
    "ontology": "go-basic.obo.gz",
    "expression": "expression.tsv.gz",
}


@pytest.mark.workflow
@pytest.mark.parametrize(
    ("key", "make", "message"),
    [
        ("annotations", "truncated", "annotations.gaf.gz: the gzip stream is damaged or truncated"),
        ("expression", "folder", "config expression: "),
    ],
)
def test_an_unreadable_input_stops_before_any_job_with_its_name(tmp_path, key, make, message):
    import gzip

    config = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    for name in ("sequences", "annotations", "ontology", "expression", "id_map"):
        config[name] = str(DEMO / config[name].rsplit("/", 1)[1])
    if make == "truncated":
        broken = tmp_path / "annotations.gaf.gz"
        broken.write_bytes(gzip.compress(b"!gaf-version: 2.2\n" * 1000)[:30])
    else:
        broken = tmp_path / "expression_folder"
        broken.mkdir()
    config[key] = str(broken)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(config))
    result = snakemake(tmp_path, path, "--dry-run", "--cores", "1")
    assert result.returncode == 1
    assert message in result.stderr
    assert "is a folder" in result.stderr or make == "truncated"
    assert "Traceback" not in result.stderr


@pytest.mark.workflow
def test_training_without_annotations_says_what_is_missing(tmp_path):
    path = tmp_path / "sequences-only.yaml"
    path.write_text(yaml.safe_dump({"sequences": str(DEMO / "proteins.fa.gz")}))
    result = snakemake(tmp_path, path, "--dry-run", "--cores", "1")
    assert result.returncode == 1
    for key in ("annotations", "ontology", "expression"):
        assert f"config {key}: required to train" in result.stderr
    assert "set model to score the sequences with a saved model" in result.stderr


@pytest.mark.workflow
def test_usable_as_a_module_of_another_workflow(tmp_path):
    """`module … use rule * from gocotrain`, as Snakemake users deploy workflows: it plans
    every rule and runs one, its schema and package found from GOcotrain's own folder."""
    import subprocess
    import sys

    config = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    for key in ("sequences", "annotations", "ontology", "expression", "id_map"):
        config[key] = str(DEMO / config[key].rsplit("/", 1)[1])
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    (tmp_path / "Snakefile").write_text(
        'configfile: "config.yaml"\n\n\n'
        f'module gocotrain:\n    snakefile:\n        "{ROOT / "Snakefile"}"\n'
        "    config:\n        config\n\n\n"
        "use rule * from gocotrain as gocotrain_*\n"
    )

    def run(*arguments):
        return subprocess.run(
            [sys.executable, "-m", "snakemake", "--cores", "1", *arguments],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    planned = run("--dry-run")
    assert planned.returncode == 0, planned.stderr[-2000:]
    assert "gocotrain_cotrain_batch" in planned.stdout
    ontology = "results/releases/2022-09/ontology/ontology.json"
    result = run(ontology)
    assert result.returncode == 0, result.stderr[-2000:]
    assert (tmp_path / ontology).is_file()
