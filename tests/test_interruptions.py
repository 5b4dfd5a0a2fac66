"""Interrupted runs resume to the same result, and the number of cores changes nothing."""

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import (
    DEMO_TEST_SETTINGS,
    RELEASE_DIR,
    RELEASE_LOGS,
    SNAKEMAKE,
    comparable_outputs,
    demo_config,
    snakemake,
)

pytestmark = pytest.mark.workflow


def test_one_core_gives_byte_identical_predictions(demo_run, tmp_path):
    config = demo_config(tmp_path, **DEMO_TEST_SETTINGS)
    result = snakemake(tmp_path, config, "--cores", "1")
    assert result.returncode == 0, result.stderr[-3000:]
    assert comparable_outputs(tmp_path) == comparable_outputs(demo_run)


def interrupt_during_cotraining(workdir: Path, config: Path, signal_number: int) -> None:
    """Start the workflow and send the signal to its whole process group mid co-training."""
    process = subprocess.Popen(
        [*SNAKEMAKE, "--directory", str(workdir), "--configfile", str(config), "--cores", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 300
    while not list((workdir / RELEASE_LOGS / "cotrain").glob("*/batch-*.log")):
        assert process.poll() is None, "the run ended before co-training started"
        assert time.monotonic() < deadline, "co-training did not start in 5 minutes"
        time.sleep(0.5)
    time.sleep(3)  # well inside the first co-training job
    os.killpg(process.pid, signal_number)
    process.wait(timeout=120)
    # Nothing in predictions/ looks finished: the thresholds are copied there by the export.
    assert not list((workdir / f"{RELEASE_DIR}/predictions").glob("*"))


@pytest.mark.parametrize("signal_number", [signal.SIGTERM, signal.SIGKILL])
def test_interrupted_run_resumes_to_the_same_result(demo_run, tmp_path, signal_number):
    config = demo_config(tmp_path, **DEMO_TEST_SETTINGS)
    interrupt_during_cotraining(tmp_path, config, signal_number)
    if signal_number == signal.SIGKILL:
        # A killed Snakemake cannot remove its lock; `--unlock` is the documented way on.
        assert snakemake(tmp_path, config, "--unlock").returncode == 0
    result = snakemake(tmp_path, config, "--cores", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    assert comparable_outputs(tmp_path) == comparable_outputs(demo_run)
