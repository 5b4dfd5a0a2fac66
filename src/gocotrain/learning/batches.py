"""GO terms of an aspect split into co-training jobs of about equal expected cost.

A proteome has hundreds to thousands of modelled terms; one job per aspect cannot use more
than one cluster node, and one job per term would flood the scheduler. The workflow runs a
fixed number of batches per aspect (Snakemake's scatter/gather, `cotrain_batches`), and this
module decides which terms go to which batch.

Terms are not equally expensive: a term with enough held-out positives is validated (an extra
pair of fits) and, when co-training wins, refitted with it, and its trees grow deeper. The cost
model below was fitted on the human data set (`scripts/benchmark_term_cost.py`).
"""

from __future__ import annotations

import math
import re

import pandas as pd

# Expected CPU seconds of one term on the human data set (about 17,000 genes, 2 views),
# fitted by scripts/benchmark_term_cost.py: a fixed part plus a part that grows with the
# logarithm of the term's positives (2026-12-02: 0.06 + 0.09 ln(positives) on 36 terms,
# rounded up; a rare term trains on a sample of its negatives, so the cost grows with the
# positives). Only the ratios between terms matter for balancing; the absolute value only
# sizes the jobs' runtime request.
SECONDS_BASE = 0.1
SECONDS_PER_LOG_POSITIVE = 0.1
COST_MODEL_GENES = 17_000

SCATTER_ITEM = re.compile(r"(\d+)-of-(\d+)")


def expected_seconds(positives: int, genes: int) -> float:
    """Expected CPU seconds to score one term with `positives` positives among `genes` genes."""
    scale = max(genes, 1) / COST_MODEL_GENES
    return scale * (SECONDS_BASE + SECONDS_PER_LOG_POSITIVE * math.log(max(positives, 1)))


def term_costs(positives: pd.Series, genes: int) -> pd.DataFrame:
    """The terms (index of `positives`, their positive counts) with their expected cost."""
    table = pd.DataFrame({"term": positives.index.astype(str), "positives": positives.to_numpy()})
    table["expected_seconds"] = [expected_seconds(int(n), genes) for n in table["positives"]]
    return table.sort_values("term", ignore_index=True)


def read_costs(path) -> pd.DataFrame:
    """A plan written by the workflow's plan_cotraining rule (term, positives, expected_seconds)."""
    try:
        return pd.read_csv(path, sep="\t", dtype={"term": str})
    except pd.errors.EmptyDataError:
        return pd.DataFrame({"term": [], "positives": [], "expected_seconds": []})


def assign_batches(costs: pd.DataFrame, n_batches: int) -> list[list[str]]:
    """Terms split into `n_batches` lists of about equal total expected cost.

    Longest-processing-time first: the most expensive remaining term goes to the batch with
    the least cost so far. Ties are broken by term ID and batch number, so the split depends
    only on the terms and their costs. Each batch lists its terms sorted.
    """
    if n_batches < 1:
        raise ValueError(f"the number of batches must be at least 1, not {n_batches}")
    order = costs.sort_values(["expected_seconds", "term"], ascending=[False, True])
    loads = [0.0] * n_batches
    batches: list[list[str]] = [[] for _ in range(n_batches)]
    for term, cost in zip(order["term"], order["expected_seconds"], strict=True):
        lightest = min(range(n_batches), key=lambda index: (loads[index], index))
        batches[lightest].append(str(term))
        loads[lightest] += float(cost)
    return [sorted(batch) for batch in batches]


def surplus_batches_warning(aspect: str, costs: pd.DataFrame, n_batches: int) -> str | None:
    """What to say when an aspect has fewer terms than batches, or None.

    Every batch is a job (a cluster submission, a Python start-up, the inputs read) whether or
    not the split gives it a term, so a `cotrain_batches` sized for a large proteome plans
    hundreds of idle jobs on a small one.
    """
    most_useful = max(len(costs), 1)  # one batch per term; an aspect without terms has one
    if n_batches <= most_useful:
        return None
    empty = sum(not batch for batch in assign_batches(costs, n_batches))
    return (
        f"aspect {aspect}: {counted(len(costs), 'term')}, {n_batches} co-training batches: "
        f"{counted(empty, 'batch', 'batches')} without a term (each a job that scores nothing); "
        f"lower cotrain_batches (config) or --set-scatter cotrain=N to at most {most_useful}"
    )


def counted(number: int, noun: str, plural: str | None = None) -> str:
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def parse_scatter_item(item: str) -> tuple[int, int]:
    """Snakemake's scatter item "2-of-8" as (index from 0, number of batches)."""
    match = SCATTER_ITEM.fullmatch(item)
    if not match:
        raise ValueError(f"not a scatter item of the form 'I-of-N': {item!r}")
    number, total = int(match[1]), int(match[2])
    if not 1 <= number <= total:
        raise ValueError(f"scatter item {item!r} is out of range")
    return number - 1, total


def batch_terms(costs: pd.DataFrame, item: str) -> list[str]:
    index, total = parse_scatter_item(item)
    return assign_batches(costs, total)[index]


def batch_seconds(costs: pd.DataFrame, item: str) -> float:
    """Expected CPU seconds of one batch."""
    terms = set(batch_terms(costs, item))
    return float(costs.loc[costs["term"].isin(terms), "expected_seconds"].sum())
