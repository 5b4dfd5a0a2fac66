"""The package's layout: product code never imports evaluation code, and every rule's
script calls the step function of the rule's name."""

import ast
import re

from conftest import ROOT

PACKAGE = ROOT / "src" / "gocotrain"
EVALUATION = {
    "methods",
    "metrics",
    "cafa_benchmark",
    "splits",
    "changes",
    "changes_scoring",
    "changes_page",
    "figures",
    "comparison_page",
    "predictions_page",
    "pages",
    "cli",
    "reuse",
    "prior_weights",
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
            found |= {alias.name for alias in node.names} if not module else {module}
        elif isinstance(node, ast.Import):
            found |= {alias.name.removeprefix("gocotrain.") for alias in node.names}
    return found


def test_product_modules_never_import_evaluation_modules():
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    product = set(modules) - EVALUATION - EVALUATION_STEPS
    assert {"terms", "transfer", "models", "predict", "steps.export"} <= product
    for name in product:
        assert not imported(modules[name]) & (EVALUATION | EVALUATION_STEPS), name


def test_each_rule_script_calls_the_step_of_its_name():
    checked = 0
    for rules in (ROOT / "workflow" / "rules").glob("*.smk"):
        blocks = re.split(r"^\s*rule (?=\w+:)", rules.read_text(), flags=re.M)[1:]
        for block in blocks:
            rule = block.split(":", 1)[0]
            script = re.search(r'script:\s*"\.\./scripts/(\w+)\.py"', block.split("\nrule ")[0])
            if script is None or rule.startswith(("prepare_labels_", "predict_prepare_")):
                continue  # no script, or the same step on other inputs (newer labels, new genes)
            assert script.group(1) == rule, rules.name
            source = (ROOT / "workflow" / "scripts" / f"{rule}.py").read_text()
            assert f"from gocotrain.steps.{rules.stem} import {rule}\n" in source, rule
            checked += 1
    assert checked >= 20


def test_steps_never_import_other_steps():
    """Each step module holds one rule group's steps; what two groups share lives in the
    package (steps/__init__.py holds only the helpers every step uses)."""
    steps = {module_name(path): path for path in (PACKAGE / "steps").glob("*.py")}
    assert len(steps) >= 6
    for name, path in steps.items():
        others = {step for step in imported(path) if step.startswith("steps.")} - {name}
        assert not others, f"{name} imports {others}"


def test_the_teacher_and_the_predictions_table_stay_product_code():
    """One finish (teaching) and one table (predictions) serve the export, the evaluation and
    saved-model prediction: none of them imports evaluation code, and the export, the
    evaluation and prediction all reach the finish through the teacher."""
    for name in ("teaching", "predictions", "predict"):
        assert not imported(PACKAGE / f"{name}.py") & (EVALUATION | EVALUATION_STEPS), name
    for name in ("steps/export.py", "steps/evaluation.py", "predict.py"):
        assert "teaching" in imported(PACKAGE / name) or any(
            "gocotrain.teaching" in line for line in (PACKAGE / name).read_text().splitlines()
        ), name
