import _package  # noqa: F401

from gocotrain.steps import run_rule
from gocotrain.steps.export import choose_thresholds

run_rule(
    snakemake,
    choose_thresholds,
    aspects=snakemake.params.aspects,
    export_threshold=snakemake.params.export_threshold,
    thresholds_tsv=snakemake.output.thresholds,
    metrics_tsv=snakemake.input.get("metrics"),
)
