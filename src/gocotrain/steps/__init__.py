"""What each workflow rule does, one module per rule group (`workflow/rules/<group>.smk`) and
one function per rule, named as the rule and its script, so the rule scripts stay one call
and the logic is testable.

Each step takes plain paths and settings and writes its outputs, reporting counts in a JSON
file that the export step gathers into the run summary. `run_rule` is how a rule script
calls its step.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path

from gocotrain.errors import InputError
from gocotrain.textio import atomic_write

log = logging.getLogger("gocotrain")


def write_json(payload: dict, path: str | Path) -> None:
    with atomic_write(path) as handle:
        handle.write(json.dumps(payload, indent=2, sort_keys=True, default=str) + "\n")


def read_json(path: str | Path) -> dict:
    return json.loads(Path(path).read_text())


def run_rule(snakemake, step: Callable[..., None], **arguments) -> None:
    """Run a step from a Snakemake script: log to the rule's log file and to stderr, and turn
    input errors into a short message and exit status 1 instead of a traceback."""
    handlers = [logging.StreamHandler(sys.stderr)]
    if snakemake.log:
        handlers.append(logging.FileHandler(snakemake.log[0], mode="w"))
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(message)s",
        handlers=handlers,
        force=True,
    )
    try:
        step(**arguments)
    except InputError as error:
        log.error("input error: %s", error)
        sys.exit(1)
