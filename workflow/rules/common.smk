import difflib
import sys
from pathlib import Path

import jsonschema
import yaml
from snakemake.utils import min_version, validate

sys.path.insert(0, str(Path(workflow.basedir) / "src"))
from gocotrain.resources import memory_mb  # noqa: E402

min_version("9.0")

INPUT_FILE_KEYS = ("sequences", "annotations", "ontology", "expression", "id_map")
SCHEMA = Path(workflow.basedir) / "workflow" / "schemas" / "config.schema.yaml"


def config_problems(config, schema):
    """One line per problem, naming the key, instead of jsonschema's dump of the schema."""
    problems = []
    validator = jsonschema.Draft202012Validator(schema)
    for error in sorted(validator.iter_errors(config), key=lambda e: list(e.path)):
        where = ".".join(str(part) for part in error.path) or "top level"
        line = f"config {where}: {error.message}"
        if error.validator == "additionalProperties":
            known = error.schema.get("properties", {})
            for key in set(error.instance) - set(known):
                close = difflib.get_close_matches(key, known, n=1)
                if close:
                    line += f" (did you mean {close[0]!r}?)"
        problems.append(line)
    for key in INPUT_FILE_KEYS:
        path = config.get(key)
        if isinstance(path, str) and not Path(path).is_file():
            problems.append(
                f"config {key}: the file {path!r} does not exist (paths are relative to the "
                f"working directory {Path.cwd()}); fix the path or pass --config {key}=PATH"
            )
    return problems


def validate_config():
    problems = config_problems(config, yaml.safe_load(SCHEMA.read_text()))
    if problems:
        # A short message and exit: a WorkflowError would print a traceback-like frame list.
        print(
            "GOcotrain: the configuration has problems:\n  "
            + "\n  ".join(problems)
            + "\nFix them in config/config.yaml (or the --configfile you gave); "
            "config/README.md lists every key with its meaning and default.",
            file=sys.stderr,
        )
        sys.exit(1)
    validate(config, schema=str(SCHEMA))  # fills in the defaults


validate_config()

ASPECTS = config["aspects"]


def final_outputs():
    return [
        "results/predictions/predictions.tsv",
        "results/predictions/predictions.cafa.tsv",
        "results/predictions/predictions.gaf",
        "results/predictions/summary.json",
        "results/predictions/summary.tsv",
    ]


def expression_inputs(wildcards):
    inputs = {
        "expression": config["expression"],
        "proteins": "results/sequences/proteins.fa",
    }
    if config["id_map"]:
        inputs["id_map"] = config["id_map"]
    return inputs
