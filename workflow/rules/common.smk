import difflib
import sys
from pathlib import Path

import jsonschema
import yaml
from snakemake.utils import min_version, validate

sys.path.insert(0, str(Path(workflow.basedir) / "src"))
from gocotrain.resources import (
    cotrain_runtime,
    memory_mb,
    runtime_minutes,
)  # noqa: E402
from gocotrain.splits import split_names  # noqa: E402

min_version("9.0")

INPUT_FILE_KEYS = (
    "sequences",
    "annotations",
    "annotations_new",
    "ontology",
    "expression",
    "id_map",
)
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
    evaluation = config.get("evaluation")
    if isinstance(evaluation, dict):
        if evaluation.get("protocol") == "time_split" and not config.get(
            "annotations_new"
        ):
            problems.append(
                "config evaluation.protocol: time_split needs the newer annotations; set "
                "annotations_new to their file, or choose cross_validation"
            )
        folds, evaluated = evaluation.get("folds", 5), evaluation.get("folds_evaluated")
        if isinstance(folds, int) and isinstance(evaluated, int) and evaluated > folds:
            problems.append(
                f"config evaluation.folds_evaluated: {evaluated} is more than the {folds} "
                "folds; lower it or raise evaluation.folds"
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
EVALUATION = config["evaluation"]
EVALUATION_DIR = f"results/evaluation/{EVALUATION['protocol']}"
EVALUATION_SPLITS = split_names(
    EVALUATION["protocol"], EVALUATION["folds"], EVALUATION["folds_evaluated"]
)


def final_outputs():
    outputs = [
        "results/predictions/predictions.tsv",
        "results/predictions/predictions.cafa.tsv",
        "results/predictions/predictions.gaf",
        "results/predictions/summary.json",
        "results/predictions/summary.tsv",
        "results/report/learning_curves.png",
        "results/report/feature_importance.png",
        "results/report/data_summary.html",
    ]
    if EVALUATION_SPLITS:
        outputs += [
            f"{EVALUATION_DIR}/metrics.tsv",
            "results/report/metrics.html",
            "results/report/metrics.png",
            "results/report/precision_recall.png",
            "results/report/per_term_aupr.png",
        ]
    return outputs


def evaluation_label_inputs(wildcards):
    """The labels an evaluation reads: the newer release too for a time split."""
    inputs = {
        "labels": "results/labels/labels.tsv",
        "ontology": "results/ontology/ontology.json",
    }
    if EVALUATION["protocol"] == "time_split":
        inputs["labels_new"] = "results/labels/labels_new.tsv"
    return inputs


def expression_inputs(wildcards):
    inputs = {
        "expression": config["expression"],
        "proteins": "results/sequences/proteins.fa",
    }
    if config["id_map"]:
        inputs["id_map"] = config["id_map"]
    return inputs
