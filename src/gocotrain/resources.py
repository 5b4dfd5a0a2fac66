"""Job sizes that follow the data, for Snakemake's `resources:` (used on clusters).

Each is a callable Snakemake evaluates per job, once the job's inputs exist, and each grows
with the attempt, so a job killed for memory or time is resubmitted with more when Snakemake
runs with --retries (the SLURM profile sets 2).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable

# Minutes a co-training batch gets beyond its expected compute: reading the features and
# building the homology graph (about 20 s on the human data set) plus scheduling noise.
BATCH_OVERHEAD_MINUTES = 10
# Expected costs come from one machine; a cluster node may be slower or shared.
BATCH_SAFETY_FACTOR = 3


def memory_mb(base_mb: int, per_input_mb: float) -> Callable:
    """A `mem_mb` callable: a base plus a multiple of the job's input size, times the attempt.

    Measured on the human data set (17,459 proteins): a co-training batch reads 28 MB of inputs
    and peaks at 0.8 GB; expression features read 7.5 MB and peak at 0.4 GB.
    """

    def scaled(wildcards, input, attempt: int) -> int:
        return int((base_mb + per_input_mb * (input.size_mb + folders_mb(input))) * attempt)

    return scaled


def folders_mb(input) -> float:
    """The size of the files in a job's folder inputs (a reference's search database), which
    Snakemake's `size_mb` counts as their directory entry's few kilobytes."""
    paths = input if isinstance(input, list) else []
    total = 0
    for path in paths:
        if os.path.isdir(path):
            for folder, _, files in os.walk(path):
                total += sum(os.path.getsize(os.path.join(folder, name)) for name in files)
    return total / 1e6


def runtime_minutes(base_minutes: float, per_input_mb: float) -> Callable:
    """A `runtime` callable (minutes): a base plus minutes per MB of input, times the attempt."""

    def scaled(wildcards, input, attempt: int) -> int:
        size_mb = input.size_mb + folders_mb(input)
        return math.ceil(base_minutes + per_input_mb * size_mb) * attempt

    return scaled


def cotrain_runtime(wildcards, input, threads: int, attempt: int) -> int:
    """Minutes for one co-training batch: its terms' expected CPU time over its threads.

    Reads the batch plan, so Snakemake evaluates it only once the plan exists (a dry run shows
    the runtime as <TBD>).
    """
    from gocotrain.learning.batches import batch_seconds, read_costs  # pandas: only when jobs run

    seconds = batch_seconds(read_costs(input.terms), wildcards.scatteritem)
    minutes = BATCH_SAFETY_FACTOR * seconds / max(1, threads) / 60
    return math.ceil(BATCH_OVERHEAD_MINUTES + minutes) * attempt
