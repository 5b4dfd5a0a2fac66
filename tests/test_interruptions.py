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
    shared_results,
    snakemake,
)

pytestmark = pytest.mark.workflow


def interrupt_during_cotraining(workdir: Path, config: Path, signal_number: int, cores: int):
    """Start the workflow and send the signal to its whole process group mid co-training."""
    arguments = ["--directory", str(workdir), "--configfile", str(config), "--cores", str(cores)]
    process = subprocess.Popen(
        [*SNAKEMAKE, *arguments],
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
    try:
        process.wait(timeout=120)
    except subprocess.TimeoutExpired:
        # Snakemake 9's SIGTERM handler (JobScheduler.exit_gracefully) takes the scheduler's
        # plain Lock, so a signal that lands while the scheduler holds it never returns (seen
        # once in CI, stop 30). A user kills such a run; so does the test, and unlocks it.
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        assert snakemake(workdir, config, "--unlock").returncode == 0
    # Nothing in predictions/ looks finished: the thresholds are copied there by the export.
    assert not list((workdir / f"{RELEASE_DIR}/predictions").glob("*"))


def test_a_terminated_one_core_run_resumes_to_what_two_cores_give(request, tmp_path):
    """Every job of this run, from the sequences on, runs on one core (demo_run on two)."""
    config = demo_config(tmp_path, **DEMO_TEST_SETTINGS)
    interrupt_during_cotraining(tmp_path, config, signal.SIGTERM, cores=1)
    result = snakemake(tmp_path, config, "--cores", "1")
    assert result.returncode == 0, result.stderr[-3000:]
    # Asked for only now: where another worker is still making the demo run, this one ran.
    demo_run = request.getfixturevalue("demo_run")
    assert comparable_outputs(tmp_path) == comparable_outputs(demo_run)


def test_a_killed_run_resumes_to_the_same_result(demo_run, tmp_path):
    """From the demo run's shared results (sequences, features, homology) on: the release's
    own jobs are the ones a kill interrupts."""
    workdir = shared_results(demo_run, tmp_path / "run")
    config = demo_config(workdir, **DEMO_TEST_SETTINGS)
    interrupt_during_cotraining(workdir, config, signal.SIGKILL, cores=2)
    # A killed Snakemake cannot remove its lock; `--unlock` is the documented way on.
    assert snakemake(workdir, config, "--unlock").returncode == 0
    result = snakemake(workdir, config, "--cores", "2")
    assert result.returncode == 0, result.stderr[-3000:]
    assert comparable_outputs(workdir) == comparable_outputs(demo_run)
