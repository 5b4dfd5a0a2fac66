"""What each workflow rule does, one module per rule group (`workflow/rules/<group>.smk` →
`steps/<group>.py`) and one function per rule, named as the rule, so the rules stay thin and
the logic is testable.

Every rule runs `workflow/scripts/run_step.py`, which finds the rule's step (`find_step`) and
calls it with its parameters bound by name from the rule (`bind`): a rule names each input,
output, param and wildcard as the step's parameter, or as a field of a parameter typed as a
dataclass (files that travel together: `TeacherFiles`, `Exports`). Each step writes its
outputs, reporting counts in a JSON file that the export step gathers into the run summary.
"""

from __future__ import annotations

import dataclasses
import importlib
import importlib.util
import inspect
import json
import logging
import re
import sys
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gocotrain.errors import InputError
from gocotrain.textio import atomic_write

log = logging.getLogger("gocotrain")

# The steps modules, in the order `find_step` looks in them: one per rule file.
GROUPS = (
    "inputs",
    "features",
    "homology",
    "reference",
    "cotrain",
    "evaluation",
    "export",
    "predict",
    "report",
)
# Rules that run the step of another name: the same step on other inputs (the newer labels of
# a time split, a date split's labels taught by a reference, the new genes of a saved model's
# prediction).
SAME_STEP = {
    "prepare_labels_new": "prepare_labels",
    "prepare_training_labels_before_date": "prepare_training_labels",
    "predict_prepare_sequences": "prepare_sequences",
}
# Where `bind` looks for a name, besides `threads`.
NAMESPACES = ("input", "output", "params", "wildcards")


class BindError(ValueError):
    """A rule does not give its step what the step needs."""


def write_json(payload: dict, path: str | Path) -> None:
    with atomic_write(path) as handle:
        handle.write(json.dumps(payload, indent=2, sort_keys=True, default=str) + "\n")


def read_json(path: str | Path) -> dict:
    return json.loads(Path(path).read_text())


# ----------------------------------------------------------------------------------------
# Files and settings that several rule groups' steps take together


@dataclass(frozen=True)
class TeacherFiles:
    """What the teacher of a run's scores reads (`teaching.load_teacher`): the organism's
    hits (its own search, then each reference's), its training labels, the references'
    labels and, where a reference teaches, the reference transfer's calibrations."""

    teacher_hits: list[str]
    training_labels: str
    reference_labels: list[str]
    reference_calibrations: str | None = None


@dataclass(frozen=True)
class ExportSettings:
    """How the predictions are exported: the lowest score written, the top terms per gene in
    the summary, and the GAF's citation (`gaf_citation`)."""

    min_score: float
    top_terms: int
    gaf_reference: str | None = None
    gaf_assigned_by: str | None = None

    @property
    def gaf_citation(self) -> dict:
        return {"reference": self.gaf_reference, "assigned_by": self.gaf_assigned_by}


@dataclass(frozen=True, kw_only=True)
class Exports:
    """The exports of the predictions (`export.write_exports`) and the summary; the GAF only
    where the config cites one."""

    predictions: str
    most_specific: str
    cafa: str
    excel: str
    summary_json: str
    gaf: str | None = None

    def as_dict(self) -> dict[str, str]:
        return {key: value for key, value in dataclasses.asdict(self).items() if value}


# ----------------------------------------------------------------------------------------
# From a rule to its step


def find_step(rule: str) -> Callable[..., object]:
    """The step function of `rule`: named as the rule (or `SAME_STEP`'s), in the first of the
    `GROUPS` modules that defines it; only that module is imported. A rule used from a
    Snakemake module carries the module's prefix (`use rule * from gocotrain as
    gocotrain_*`): its step is named by the longest end of its name that names one."""
    words = rule.split("_")
    for start in range(len(words)):
        name = "_".join(words[start:])
        name = SAME_STEP.get(name, name)
        for group in GROUPS:
            module = f"{__name__}.{group}"
            source = Path(importlib.util.find_spec(module).origin).read_text()
            if re.search(rf"^def {name}\(", source, flags=re.M):
                return getattr(importlib.import_module(module), name)
    raise BindError(f"rule {rule}: no step of its name in gocotrain.steps.{{{','.join(GROUPS)}}}")


def rule_names(snakemake) -> dict[str, dict[str, object]]:
    """The rule's named values, per namespace (`NAMESPACES`, and `threads`)."""
    named = {space: dict(getattr(snakemake, space).items()) for space in NAMESPACES}
    return named | {"threads": {"threads": snakemake.threads}}


def bind(step: Callable, rule: str, named: dict[str, dict[str, object]]) -> dict[str, object]:
    """The step's arguments, each bound by its name from `named` (`rule_names`); a parameter
    typed as a dataclass is built field by field from the same names. A parameter or field
    with a default may be left out of the rule (an optional input)."""
    hints = typing.get_type_hints(step)
    arguments = {}
    for parameter in inspect.signature(step).parameters.values():
        found = _bound(rule, step.__name__, parameter.name, hints.get(parameter.name), named)
        if found is not _MISSING:
            arguments[parameter.name] = found
        elif parameter.default is inspect.Parameter.empty:
            kind = dataclass_of(hints.get(parameter.name))
            first = f".{dataclasses.fields(kind)[0].name}" if kind else ""
            raise BindError(_missing(rule, step.__name__, parameter.name + first))
    return arguments


_MISSING = object()


def _bound(rule: str, step: str, name: str, hint, named: dict) -> object:
    """The value of `name` for a parameter or field typed `hint`, or _MISSING."""
    kind = dataclass_of(hint)
    if kind is not None:
        return _built(rule, step, name, kind, named)
    spaces = [space for space, values in named.items() if name in values]
    if len(spaces) > 1:
        raise BindError(
            f"rule {rule}: {name!r} is named in {' and '.join(spaces)}; step {step} "
            "needs it in one only"
        )
    if not spaces:
        return _MISSING
    return _as_type(rule, name, named[spaces[0]][name], hint)


def _built(rule: str, step: str, name: str, kind: type, named: dict) -> object:
    """A dataclass from its fields' names, or _MISSING where the rule names none of them."""
    hints = typing.get_type_hints(kind)
    fields, missing = {}, []
    for field in dataclasses.fields(kind):
        found = _bound(rule, step, field.name, hints[field.name], named)
        if found is not _MISSING:
            fields[field.name] = found
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            missing.append(field.name)
    if not fields:
        return _MISSING
    if missing:
        raise BindError(_missing(rule, step, f"{name}.{missing[0]}"))
    return kind(**fields)


def _missing(rule: str, step: str, name: str) -> str:
    return (
        f"rule {rule}: step {step} needs {name.rsplit('.', 1)[-1]!r} (parameter {name}), "
        f"which the rule names in none of {', '.join(NAMESPACES)}"
    )


def dataclass_of(hint) -> type | None:
    """The dataclass a parameter is typed as (also as `X | None`), else None."""
    for candidate in (hint, *typing.get_args(hint)):
        if isinstance(candidate, type) and dataclasses.is_dataclass(candidate):
            return candidate
    return None


def _as_type(rule: str, name: str, value: object, hint) -> object:
    """Snakemake's lists of files as the parameter takes them: a list, or where the rule
    gives none (`[]`) and the parameter may be None, None."""
    if not isinstance(value, list):
        return value
    if _takes(hint, list):
        return list(value)
    if not value and _takes(hint, type(None)):
        return None
    if _takes(hint, str) and len(value) == 1:
        return value[0]
    raise BindError(f"rule {rule}: {name!r} is a list of {len(value)}; its step takes {hint}")


def _takes(hint, kind: type) -> bool:
    if hint is None:
        return kind is list
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return any(_takes(arg, kind) for arg in typing.get_args(hint))
    return (typing.get_origin(hint) or hint) is kind


def run_rule(snakemake) -> None:
    """Run the step of a Snakemake rule: log to the rule's log file and to stderr, and turn
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
        step = find_step(snakemake.rule)
        arguments = bind(step, snakemake.rule, rule_names(snakemake))
    except BindError as error:
        log.error("%s", error)
        sys.exit(1)
    try:
        step(**arguments)
    except InputError as error:
        log.error("input error: %s", error)
        sys.exit(1)
