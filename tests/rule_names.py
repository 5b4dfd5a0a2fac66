"""Write, as JSON, what each rule of the workflow names (its inputs, also those of its input
functions, outputs, params and wildcards), its script and its rule file, as Snakemake reads
them with a config: `python tests/rule_names.py CONFIG OUT.json`, run in the checkout."""

import json
import sys
from pathlib import Path

from snakemake.api import SnakemakeApi
from snakemake.io import AnnotatedString, is_flagged
from snakemake.iocontainers import Namedlist
from snakemake.settings.types import ConfigSettings, OutputSettings, ResourceSettings


def input_names(rule) -> list[str]:
    """The rule's named inputs, and the keys its `unpack`ed input functions return."""
    names = set(rule.input.keys())
    for item in rule.input:
        if is_flagged(item, "unpack"):
            names |= set(function_of(item)(Namedlist()))
    return sorted(names)


def function_of(item):
    """The function behind an input item that Snakemake wrapped (a file, a flagged string)."""
    while not callable(item):
        item = item.callable if isinstance(item, AnnotatedString) else item._file
    return item


def rule_names(config: Path) -> dict:
    with SnakemakeApi(OutputSettings()) as api:
        workflow = api.workflow(
            resource_settings=ResourceSettings(cores=1),
            config_settings=ConfigSettings(configfiles=[config]),
            snakefile=Path("Snakefile"),
            workdir=Path.cwd(),
        )._workflow  # the parsed workflow; Snakemake's API has no public reader of its rules
        return {
            rule.name: {
                "input": input_names(rule),
                "output": sorted(rule.output.keys()),
                "params": sorted(rule.params.keys()),
                "wildcards": sorted(rule.wildcard_names),
                "script": rule.script,
                "group": Path(rule.snakefile).stem,
            }
            for rule in workflow.rules
        }


if __name__ == "__main__":
    Path(sys.argv[2]).write_text(json.dumps(rule_names(Path(sys.argv[1])), indent=1))
