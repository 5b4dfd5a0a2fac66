"""Deploying GOcotrain the way Snakemake users deploy workflows: `snakedeploy deploy-workflow`
from a local repository (no network), then a dry run in the deployed folder."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, planned_jobs

pytestmark = pytest.mark.workflow

SNAKEDEPLOY = Path(sys.executable).with_name("snakedeploy")
MODULE = "gocotrain"
# The module's `snakefile:` entry in the Snakefile snakedeploy writes.
SNAKEFILE_ENTRY = re.compile(r'(snakefile:\s*\n\s*)"([^"]+)"')


def run(command: list, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=600, check=False
    )


def point_config_at_demo_data(config_path: Path) -> None:
    """The deployed config (the demo's), its data files given by absolute paths: the deployed
    folder has no resources/demo/ of its own."""
    config = yaml.safe_load(config_path.read_text())
    for key in ("sequences", "annotations", "ontology", "expression", "id_map"):
        config[key] = str(ROOT / config[key])
    config_path.write_text(yaml.safe_dump(config))


@pytest.fixture
def deployment(tmp_path) -> tuple[Path, Path]:
    """(the local repository deployed from, the deployed folder)."""
    # A clone holds the committed workflow only: snakedeploy copies a local source whole, and
    # this checkout's .venv/ and results/ are no part of the workflow.
    source = tmp_path / "source"
    cloned = run(["git", "clone", "--quiet", str(ROOT), str(source)])
    assert cloned.returncode == 0, cloned.stderr
    head = run(["git", "rev-parse", "HEAD"], cwd=source).stdout.strip()
    # The command requires --tag, --branch or --commit; a local source ignores it and deploys
    # the folder as checked out, which is why the clone is of HEAD.
    destination = tmp_path / "deployed"
    deployed = run(
        [SNAKEDEPLOY, "deploy-workflow", source, destination, "--commit", head, "--name", MODULE]
    )
    assert deployed.returncode == 0, deployed.stderr
    return source, destination


def test_deploys_a_module_declaration_and_the_config(deployment):
    source, destination = deployment
    snakefile = (destination / "workflow" / "Snakefile").read_text()
    assert f"module {MODULE}:" in snakefile
    assert f"use rule * from {MODULE}" in snakefile
    assert 'configfile: "config/config.yaml"' in snakefile
    for name in ("config.yaml", "README.md"):
        assert (destination / "config" / name).read_text() == (source / "config" / name).read_text()
    assert (destination / "profiles" / "default").is_dir()


def test_deployed_workflow_plans_every_step(deployment):
    source, destination = deployment
    # snakedeploy 0.17.1 writes a local source's Snakefile as "Snakefile", relative to the
    # source, but Snakemake resolves a module's path against the deployed workflow/ folder: the
    # module would include itself (RecursionError). Pointing it at the source, as its
    # post-deployment note asks of the user, is the one edit made here; see the xfail below.
    snakefile = destination / "workflow" / "Snakefile"
    snakefile.write_text(
        SNAKEFILE_ENTRY.sub(rf'\1"{source / "Snakefile"}"', snakefile.read_text(), count=1)
    )
    point_config_at_demo_data(destination / "config" / "config.yaml")
    planned = run([sys.executable, "-m", "snakemake", "--dry-run", "--cores", "1"], destination)
    assert planned.returncode == 0, (planned.stdout + planned.stderr)[-3000:]
    jobs = planned_jobs(planned.stdout)
    for rule in ("plan_cotraining", "cotrain_batch", "export_predictions", "evaluation_score"):
        assert jobs.get(rule, 0) >= 1, (rule, jobs)


@pytest.mark.xfail(
    strict=True,
    reason="snakedeploy 0.17.1 writes a local source's module path relative to the source, "
    "which Snakemake resolves against the deployed workflow/ folder",
)
def test_deployed_module_points_at_the_source_snakefile(deployment):
    source, destination = deployment
    workflow = destination / "workflow"
    declared = SNAKEFILE_ENTRY.search((workflow / "Snakefile").read_text()).group(2)
    assert (workflow / declared).resolve() == (source / "Snakefile").resolve()
