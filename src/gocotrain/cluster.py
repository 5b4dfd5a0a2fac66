"""What a cluster's nodes offer, so that a job no node can run stops the run before it is
submitted instead of waiting in the queue forever (SLURM keeps such a job PENDING, reason
PartitionConfig, and Snakemake waits without a word)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass


@dataclass(frozen=True)
class NodeLimits:
    """The most CPUs and memory (MB) one node of the cluster offers."""

    cpus: int
    mem_mb: int


def slurm_node_limits() -> NodeLimits | None:
    """From `sinfo`: the largest node's CPUs and memory; None where sinfo cannot tell."""
    try:
        listing = subprocess.run(
            ["sinfo", "--noheader", "--format=%c %m"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    nodes = []
    for line in listing.stdout.split("\n"):
        parts = line.split()
        if len(parts) == 2 and all(part.rstrip("+").isdigit() for part in parts):
            nodes.append(tuple(int(part.rstrip("+")) for part in parts))
    if not nodes:
        return None
    return NodeLimits(max(cpus for cpus, _ in nodes), max(mem for _, mem in nodes))


def unschedulable(jobs: list[tuple[str, int, object]], limits: NodeLimits) -> list[str]:
    """One line per rule whose jobs (rule, threads, mem_mb) ask for more than any node has."""
    problems = {}
    for rule, threads, mem_mb in jobs:
        if threads > limits.cpus:
            problems[rule] = (
                f"rule {rule}: a job asks for {threads} CPUs, the largest node has "
                f"{limits.cpus}; set threads: {limits.cpus} (or less) in the config"
            )
        elif isinstance(mem_mb, int) and mem_mb > limits.mem_mb:
            problems[rule] = (
                f"rule {rule}: a job asks for {mem_mb} MB of memory, the largest node has "
                f"{limits.mem_mb} MB; run it on a partition with larger nodes"
            )
    return sorted(problems.values())
