"""The code and the workflow stay lint-clean (ruff, snakefmt, snakemake --lint)."""

import subprocess
import sys

import pytest
from conftest import ROOT


def run(*command):
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)


def test_ruff_clean():
    result = run(sys.executable, "-m", "ruff", "check", ".")
    assert result.returncode == 0, result.stdout


def test_snakefmt_clean():
    result = run(sys.executable, "-m", "snakefmt", "--check", "Snakefile", "workflow")
    assert result.returncode == 0, result.stderr


@pytest.mark.workflow
def test_snakemake_lint_clean():
    result = run(sys.executable, "-m", "snakemake", "--lint", "--configfile", "config/config.yaml")
    assert result.returncode == 0
    assert "good condition" in result.stdout + result.stderr, result.stdout
