"""The config contract: the demo config, the schema and config/README.md agree."""

import json

import jsonschema
import yaml
from conftest import ROOT

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
    for name in ("config.yaml", "human-2022.yaml"):
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


def test_conda_environment_pins_match_the_pip_constraints():
    """envs/gocotrain.yaml (for --sdm conda) and constraints.txt (for pip) pin the same
    versions of every runtime dependency the rules import."""
    import re

    conda_names = {"py-xgboost": "xgboost", "pyyaml": "pyyaml", "matplotlib-base": "matplotlib"}
    environment = yaml.safe_load((ROOT / "envs/gocotrain.yaml").read_text())
    conda = {}
    for entry in environment["dependencies"]:
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
    for name in names - engine:  # the workflow engine's own, not the rules'
        assert conda.get(name) == pins.get(name), (
            f"{name}: conda {conda.get(name)}, pip {pins.get(name)}"
        )
    assert conda["python"] == "3.11"
