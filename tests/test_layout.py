"""The package's layout: product code never imports evaluation code, and every rule runs the
step function of the rule's name with what the rule names."""

import ast
import dataclasses
import inspect
import json
import subprocess
import sys
import typing

import pytest
from conftest import ROOT

from gocotrain.steps import NAMESPACES, SAME_STEP, BindError, bind, dataclass_of, find_step

PACKAGE = ROOT / "src" / "gocotrain"
# Evaluation code: the evaluation folder and the command line that runs it.
EVALUATION = {"cli", "evaluation"} | {
    f"evaluation.{path.stem}" for path in (PACKAGE / "evaluation").glob("*.py")
}
EVALUATION_STEPS = {"steps.evaluation", "steps.report"}


def module_name(path) -> str:
    name = ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
    return name.removesuffix(".__init__").removesuffix("__init__") or "gocotrain"


def imported(path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("gocotrain"):
            module = node.module.removeprefix("gocotrain").lstrip(".")
            prefix = f"{module}." if module else ""
            found |= {prefix + alias.name for alias in node.names} | ({module} - {""})
        elif isinstance(node, ast.Import):
            found |= {alias.name.removeprefix("gocotrain.") for alias in node.names}
    return found


def test_product_modules_never_import_evaluation_modules():
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    product = set(modules) - EVALUATION - EVALUATION_STEPS
    assert {"learning.terms", "teaching.transfer", "export.models", "export.predict"} <= product
    assert "steps.export" in product
    for name in product:
        assert not imported(modules[name]) & (EVALUATION | EVALUATION_STEPS), name


# Inputs that only order a rule after another, which its step does not read.
ORDERING_INPUTS = {
    "stamp_release": {"ontology", "annotations"},  # the stamp holds their checksums
    "reference_database": {"checked"},
}


@pytest.fixture(scope="module")
def workflow_rules(tmp_path_factory) -> dict[str, dict]:
    """Every rule as Snakemake reads it (tests/rule_names.py), with the demo's config and the
    new-organism demo's: what each names, in either."""
    rules: dict[str, dict] = {}
    for config in ("config/config.yaml", "config/demo-new-organism.yaml"):
        out = tmp_path_factory.mktemp("rules") / "rules.json"
        subprocess.run(
            [sys.executable, str(ROOT / "tests" / "rule_names.py"), config, str(out)],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        for name, rule in json.loads(out.read_text()).items():
            known = rules.setdefault(name, rule)
            for space in NAMESPACES:
                known[space] = sorted(set(known[space]) | set(rule[space]))
    return rules


def step_names(step) -> set[str]:
    """The names a step binds: its parameters, and the fields of those typed as dataclasses."""
    hints = typing.get_type_hints(step)
    names = set()
    for name in inspect.signature(step).parameters:
        kind = dataclass_of(hints.get(name))
        names |= {field.name for field in dataclasses.fields(kind)} if kind else {name}
    return names


def test_every_rule_runs_the_step_of_its_name_with_what_it_names(workflow_rules):
    """Every rule's script is the generic one; its step, named as the rule (or SAME_STEP's),
    lives in the steps module of the rule's file, binds from what the rule names, and reads
    every input, output and param the rule names (but ORDERING_INPUTS)."""
    assert sorted(path.name for path in (ROOT / "workflow" / "scripts").glob("*.py")) == [
        "_package.py",
        "run_step.py",
    ]
    checked = 0
    for name, rule in workflow_rules.items():
        if rule["script"] is None:
            continue  # a target rule: `all`, `predict`
        assert rule["script"] == "../scripts/run_step.py", name
        step = find_step(name)
        if name not in SAME_STEP:
            assert step.__module__ == f"gocotrain.steps.{rule['group']}", name
        named = {space: dict.fromkeys(rule[space], "") for space in NAMESPACES}
        bind(step, name, named | {"threads": {"threads": 1}})  # raises BindError naming a gap
        # Wildcards may only place the files.
        given = {item for space in ("input", "output", "params") for item in rule[space]}
        unread = given - step_names(step) - ORDERING_INPUTS.get(name, set())
        assert not unread, f"rule {name} names {unread}, which step {step.__name__} never reads"
        checked += 1
    assert checked >= 30


def test_no_step_takes_more_than_eight_parameters_or_runs_over_sixty_lines():
    for path in (PACKAGE / "steps").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                where = f"{path.name}: {node.name}"
                if path.name != "__init__.py":
                    assert len(node.args.args) + len(node.args.kwonlyargs) <= 8, where
                assert node.end_lineno - node.lineno < 60, where


def test_every_function_holds_in_sixty_lines_and_every_module_in_five_hundred():
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text()
        assert len(text.splitlines()) <= 500, path
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno - node.lineno < 60, f"{path}: {node.name}"


def test_the_package_shows_its_groups_in_folders():
    """Inputs, views, learning, teaching, export and evaluation each have a folder with a
    docstring saying what it holds; only the shared plumbing stays at the top."""
    groups = {"inputs", "views", "learning", "teaching", "export", "evaluation", "steps"}
    folders = {path.parent.name for path in PACKAGE.glob("*/__init__.py")}
    assert folders == groups
    for group in groups:
        assert ast.get_docstring(ast.parse((PACKAGE / group / "__init__.py").read_text()))
    top = {path.stem for path in PACKAGE.glob("*.py")}
    assert top == {"__init__", "cli", "cluster", "errors", "resources", "textio"}


def test_steps_never_import_other_steps():
    """Each step module holds one rule group's steps; what two groups share lives in the
    package (steps/__init__.py holds only the helpers every step uses)."""
    steps = {module_name(path): path for path in (PACKAGE / "steps").glob("*.py")}
    assert len(steps) >= 6
    for name, path in steps.items():
        others = (imported(path) & set(steps)) - {name, "steps"}
        assert not others, f"{name} imports {others}"


def test_the_teacher_and_the_predictions_table_stay_product_code():
    """One finish (teaching) and one table (predictions) serve the export, the evaluation and
    saved-model prediction: none of them imports evaluation code, and the export, the
    evaluation and prediction all reach the finish through the teacher."""
    for name in ("teaching/teacher", "export/predictions", "export/predict"):
        assert not imported(PACKAGE / f"{name}.py") & (EVALUATION | EVALUATION_STEPS), name
    for name in ("steps/export.py", "steps/evaluation.py", "export/predict.py"):
        assert "teaching.teacher" in imported(PACKAGE / name), name


@dataclasses.dataclass(frozen=True)
class _Files:
    labels: str
    hits: list[str]
    calibrations: str | None = None


def _step(aspect: str, files: _Files, threads: int, min_score: float = 0.01) -> None:
    """A step as the binder sees one."""


def _named(**spaces) -> dict[str, dict]:
    return {space: spaces.get(space, {}) for space in NAMESPACES} | {"threads": {"threads": 2}}


def test_the_binder_builds_dataclasses_from_the_rules_names():
    named = _named(
        input={"labels": "l.tsv", "hits": ["a.tsv", "b.tsv"], "calibrations": []},
        wildcards={"aspect": "P"},
    )
    assert bind(_step, "demo", named) == {
        "aspect": "P",
        "files": _Files("l.tsv", ["a.tsv", "b.tsv"], None),  # `[]`: no file, so None
        "threads": 2,
    }
    named["params"] = {"min_score": 0.5}
    assert bind(_step, "demo", named)["min_score"] == 0.5


def test_the_binder_names_the_rule_and_what_is_missing_or_named_twice():
    aspect = {"aspect": "P"}
    with pytest.raises(
        BindError, match=r"rule demo: step _step needs 'hits' \(parameter files.hits\)"
    ):
        bind(_step, "demo", _named(input={"labels": "l.tsv"}, wildcards={"aspect": "P"}))
    with pytest.raises(BindError, match=r"needs 'labels' \(parameter files.labels\)"):
        bind(_step, "demo", _named(wildcards=aspect))
    with pytest.raises(BindError, match="rule demo: step _step needs 'aspect'"):
        bind(_step, "demo", _named(input={"labels": "l.tsv", "hits": []}))
    with pytest.raises(BindError, match="'labels' is named in input and output"):
        bind(
            _step,
            "demo",
            _named(input={"labels": "l.tsv"}, output={"labels": "o"}, wildcards=aspect),
        )
    with pytest.raises(BindError, match="rule demo: 'labels' is a list of 2"):
        bind(_step, "demo", _named(input={"labels": ["a", "b"], "hits": []}, wildcards=aspect))
    with pytest.raises(BindError, match="rule no_such_rule: no step of its name"):
        find_step("no_such_rule")


def test_a_rule_used_from_a_module_finds_its_step_under_the_modules_prefix():
    assert find_step("gocotrain_prepare_ontology").__name__ == "prepare_ontology"
    assert find_step("gocotrain_prepare_labels_new").__name__ == "prepare_labels"
    assert find_step("my_run_evaluation_predict").__name__ == "evaluation_predict"


def test_the_steps_that_fit_nothing_start_without_scikit_learn_or_xgboost():
    """Every step module but `predict` (whose one step applies a saved model's boosters)
    loads without them: most jobs plan, gather, score or export, and the imports cost each
    such job about a second. Fitting, and reading boosters, import them where they do it."""
    steps = sorted(
        module_name(path) for path in (PACKAGE / "steps").glob("[!_]*.py") if path.stem != "predict"
    )
    code = (
        "import sys\n"
        + "".join(f"import gocotrain.{name}\n" for name in steps)
        + "print(sorted({m.split('.')[0] for m in sys.modules} & {'sklearn', 'xgboost'}))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert loaded.strip() == "[]", loaded
