"""Names of the evaluation splits, known before any job runs (Snakemake plans with them).

Kept free of heavy imports: the Snakefile imports it while it parses.
"""

CROSS_VALIDATION, TIME_SPLIT = "cross_validation", "time_split"
TIME_SPLIT_NAME = "time"


def split_names(protocol: str, folds: int, folds_evaluated: int | None) -> list[str]:
    """fold0 … for cross-validation (the first `folds_evaluated` of `folds`), "time" for a
    time split, none when the protocol is "none"."""
    if protocol == CROSS_VALIDATION:
        return [f"fold{fold}" for fold in range(folds_evaluated or folds)]
    if protocol == TIME_SPLIT:
        return [TIME_SPLIT_NAME]
    return []
