"""The demo workflow through a real SLURM: tests/slurm/cluster.sh starts a one-node cluster on
localhost (slurmctld, slurmd, slurmdbd with MariaDB, munge; from Debian's packages).

Skipped, saying why, where the cluster cannot be started (not root), or where SLURM is not
installed and nobody asked for it. CI sets GOCOTRAIN_REQUIRE_SLURM=1: SLURM is then installed
from Debian when missing, and a skip becomes a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import (
    DEMO_TEST_SETTINGS,
    RELEASE_DIR_PATH,
    ROOT,
    SNAKEMAKE,
    comparable_outputs,
    demo_config,
)

from gocotrain.resources import cotrain_runtime

pytestmark = pytest.mark.workflow

HARNESS = ROOT / "tests" / "slurm" / "cluster.sh"
BASE = Path(os.environ.get("GOCOTRAIN_SLURM_BASE", "/tmp/gocotrain-slurm"))
# Every run is bounded: a run that hangs on a lost job must fail the test, not the CI.
RUN_TIMEOUT = 900
# One thread a job, so that the node (2 CPUs here; a job asking for more would never start)
# runs two at once: the plugin's status checks back off by 10 s a round, which makes a run of
# one-at-a-time jobs slow. The homology search asks for both (`--set-threads` below). Three
# batches, where the local run has two, so the comparison also shows the split does not
# change a score.
SLURM_SETTINGS = DEMO_TEST_SETTINGS | {"threads": 1, "cotrain_batches": 3}
SEARCH_THREADS = 2
SUBMITTED_RULES = {
    "prepare_ontology",
    "prepare_sequences",
    "prepare_expression",
    "prepare_labels",
    "sequence_features",
    "expression_features",
    "homology_search",
    "cotrain_batch",
    "fit_teacher",
    "export_predictions",
    "save_model",
    "run_figures",
    "top_predictions_page",
}


@pytest.fixture(scope="module")
def slurm():
    """The cluster's environment (PATH with its client wrappers, SLURM_CONF)."""
    required = os.environ.get("GOCOTRAIN_REQUIRE_SLURM") == "1"
    problem = None
    if os.geteuid() != 0:
        problem = "starting a local SLURM needs root"
    elif not Path("/usr/sbin/slurmctld").exists() and not required:
        # Installing SLURM, munge and MariaDB is not something a test run should do unasked.
        problem = "SLURM is not installed; GOCOTRAIN_REQUIRE_SLURM=1 installs it from Debian"
    elif not Path("/usr/sbin/slurmctld").exists() and not shutil.which("apt-get"):
        problem = "no apt-get to install SLURM from"
    if problem:
        if required:
            pytest.fail(f"GOCOTRAIN_REQUIRE_SLURM=1 but {problem}")
        pytest.skip(problem)
    started = subprocess.run(
        ["bash", str(HARNESS), "start"], capture_output=True, text=True, timeout=900, check=False
    )
    assert started.returncode == 0, started.stdout[-2000:] + started.stderr[-3000:]
    env = os.environ | {
        "SLURM_CONF": str(BASE / "etc" / "slurm.conf"),
        "PATH": f"{BASE / 'bin'}:{Path(SNAKEMAKE[0]).parent}:{os.environ['PATH']}",
    }
    yield env
    subprocess.run(["bash", str(HARNESS), "stop"], capture_output=True, timeout=120, check=False)


def run_on_slurm(workdir: Path, config: Path, env: dict, *arguments: str):
    """The README's cluster command, with status checks tuned for a test-sized run."""
    return subprocess.run(
        [
            "timeout",
            str(RUN_TIMEOUT),
            *SNAKEMAKE,
            "--workflow-profile",
            str(ROOT / "profiles" / "slurm"),
            "--directory",
            str(workdir),
            "--configfile",
            str(config),
            # The plugin waits 40 s before its first poll by default.
            "--slurm-init-seconds-before-status-checks",
            "1",
            "--latency-wait",
            "5",
            *arguments,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=RUN_TIMEOUT + 60,
        check=False,
    )


def accounting(env: dict, since: str) -> list[dict]:
    """Jobs SLURM recorded since `since`, with what they asked for and how they ended."""
    fields = ["JobID", "JobName", "Comment", "State", "ReqMem", "Timelimit", "ReqCPUS"]
    listing = subprocess.run(
        ["sacct", "-X", "-n", "-P", "-S", since, f"--format={','.join(fields)}"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    return [dict(zip(fields, line.split("|"), strict=True)) for line in listing.stdout.splitlines()]


def rule_of(job: dict) -> str:
    """The rule from the plugin's comment, "rule_<name>" or "rule_<name>_wildcards_<...>"."""
    return job["Comment"].removeprefix("rule_").split("_wildcards_")[0]


def minutes(timelimit: str) -> int:
    """sacct's [D-]HH:MM:SS as minutes."""
    days, _, clock = timelimit.rpartition("-")
    hours, mins, _ = (int(part) for part in clock.split(":"))
    return int(days or 0) * 1440 + hours * 60 + mins


def since_now() -> str:
    time.sleep(1)  # sacct's -S has a resolution of seconds
    return time.strftime("%Y-%m-%dT%H:%M:%S")


@pytest.fixture(scope="module")
def slurm_run(slurm, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("slurm_run")
    config = demo_config(workdir, **SLURM_SETTINGS)
    since = since_now()
    threads = f"homology_search={SEARCH_THREADS}"
    result = run_on_slurm(workdir, config, slurm, "--set-threads", threads)
    assert result.returncode == 0, result.stderr[-4000:]
    return workdir, accounting(slurm, since)


def test_every_job_went_through_slurm(slurm_run):
    workdir, jobs = slurm_run
    assert {rule_of(job) for job in jobs} == SUBMITTED_RULES
    assert all(job["State"] == "COMPLETED" for job in jobs), jobs
    # One run, one job name (the plugin names jobs by the run); batches as planned.
    assert len({job["JobName"] for job in jobs}) == 1
    batches = sorted(job["Comment"] for job in jobs if rule_of(job) == "cotrain_batch")
    assert batches == [
        f"rule_cotrain_batch_wildcards_{aspect}_{item}"
        for aspect in "CFP"
        for item in ("1-of-3", "2-of-3", "3-of-3")
    ]
    # The cheap planning and gathering ran on the submitting host, not as cluster jobs.
    assert not any(rule_of(job) in ("plan_cotraining", "gather_cotraining") for job in jobs)
    assert (workdir / RELEASE_DIR_PATH / "cotrain" / "P.npz").exists()


def test_jobs_asked_for_the_resources_their_rules_compute(slurm_run):
    workdir, jobs = slurm_run
    for job in jobs:
        assert job["ReqMem"].endswith("M") and int(job["ReqMem"][:-1]) >= 1000, job
        assert minutes(job["Timelimit"]) >= 5, job
    for job in jobs:
        if rule_of(job) != "cotrain_batch":
            continue
        aspect, item = job["Comment"].split("_wildcards_")[1].split("_")
        terms = workdir / RELEASE_DIR_PATH / "cotrain" / aspect / "terms.tsv"
        expected = cotrain_runtime(
            SimpleNamespace(scatteritem=item), SimpleNamespace(terms=str(terms)), 1, 1
        )
        assert minutes(job["Timelimit"]) == expected, job
        assert job["ReqCPUS"] == "1", job
    homology = next(job for job in jobs if rule_of(job) == "homology_search")
    assert homology["ReqCPUS"] == str(SEARCH_THREADS)


def test_slurm_results_equal_a_local_run(slurm_run, demo_run):
    workdir, _ = slurm_run
    slurm_outputs, local_outputs = comparable_outputs(workdir), comparable_outputs(demo_run)
    for name, content in local_outputs.items():
        assert slurm_outputs[name] == content, name


def test_a_failing_job_fails_the_run_instead_of_hanging(slurm, tmp_path):
    broken = tmp_path / "expression.tsv"
    broken.write_text("gene\tcell1\tcell2\nENSG00000000003\t1.0\tlots\n")
    config = demo_config(tmp_path, **SLURM_SETTINGS, expression=str(broken))
    since = since_now()
    # The failing job alone, as below: the others would only be waited for.
    result = run_on_slurm(
        tmp_path, config, slurm, "--retries", "0", "--until", "prepare_expression"
    )
    assert result.returncode not in (0, 124), result.stderr[-3000:]
    assert "lots" in result.stderr  # the step's own message reaches the user
    failed = [job for job in accounting(slurm, since) if job["State"] == "FAILED"]
    assert [rule_of(job) for job in failed] == ["prepare_expression"]
    assert not (tmp_path / RELEASE_DIR_PATH / "predictions" / "predictions.tsv").exists()


def test_a_job_killed_for_memory_is_retried_with_more(slurm, tmp_path):
    """SLURM kills the job above its --mem (OverMemoryKill); the retry asks for more."""
    config = demo_config(tmp_path, **SLURM_SETTINGS)
    since = since_now()
    result = run_on_slurm(
        tmp_path,
        config,
        slurm,
        "--retries",
        "1",
        # Below what Python and its libraries need on the first attempt, as every rule's own
        # mem_mb would grow on the second (resources.memory_mb).
        "--set-resources",
        "prepare_ontology:mem_mb=20 if attempt == 1 else 2000",
        "--until",
        "prepare_ontology",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    attempts = [job for job in accounting(slurm, since) if rule_of(job) == "prepare_ontology"]
    assert [job["ReqMem"] for job in attempts] == ["20M", "2000M"]
    # Without cgroups SLURM 22.05 records a job killed by OverMemoryKill as FAILED; its
    # slurmd says why.
    assert attempts[0]["State"] in ("OUT_OF_MEMORY", "FAILED")
    assert attempts[1]["State"] == "COMPLETED"
    slurmd_log = (BASE / "log" / "slurmd.log").read_text()
    assert f"StepId={attempts[0]['JobID']}.batch exceeded memory limit" in slurmd_log
    assert (tmp_path / RELEASE_DIR_PATH / "ontology" / "ontology.json").exists()


def test_a_job_no_node_can_run_stops_the_run_before_anything_is_submitted(slurm, tmp_path):
    """threads above the one node's 2 CPUs: SLURM would keep such a job PENDING
    (PartitionConfig) forever; the run stops first, naming the rules and what to set."""
    config = demo_config(tmp_path, **(SLURM_SETTINGS | {"threads": 8}))
    since = since_now()
    result = run_on_slurm(tmp_path, config, slurm)
    assert result.returncode != 0
    assert "jobs no node of this cluster can run (nothing was submitted)" in result.stderr
    assert "rule homology_search: a job asks for 8 CPUs, the largest node has 2" in result.stderr
    assert "set threads: 2" in result.stderr
    assert not accounting(slurm, since)
