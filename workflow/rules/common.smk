from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.utils import min_version, validate

min_version("9.0")

INPUT_FILE_KEYS = ("sequences", "annotations", "ontology", "expression", "id_map")


def validate_config():
    try:
        validate(config, schema="../schemas/config.schema.yaml")
    except WorkflowError as error:
        raise WorkflowError(
            f"{error}\nFix the key in config/config.yaml (or the --configfile you gave); "
            "config/README.md lists every key with its meaning and default."
        ) from None
    for key in INPUT_FILE_KEYS:
        path = config.get(key)
        if path and not Path(path).is_file():
            raise WorkflowError(
                f"config key {key!r}: the file {path!r} does not exist "
                f"(paths are relative to the working directory {Path.cwd()}). "
                f"Fix the path in the config or pass --config {key}=PATH."
            )


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
