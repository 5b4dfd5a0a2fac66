import _package  # noqa: F401

from gocotrain.steps import choose_thresholds, run_rule

run_rule(
    snakemake,
    choose_thresholds,
    aspects=snakemake.params.aspects,
    fallback=snakemake.params.fallback,
    thresholds_tsv=snakemake.output.thresholds,
    metrics_tsv=snakemake.input.get("metrics"),
)
