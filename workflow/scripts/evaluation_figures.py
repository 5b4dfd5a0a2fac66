import _package  # noqa: F401

from gocotrain.steps import run_rule
from gocotrain.steps.report import evaluation_figures

run_rule(
    snakemake,
    evaluation_figures,
    metrics_tsv=snakemake.input.metrics,
    curves_tsv=snakemake.input.curves,
    per_term_tsv=snakemake.input.per_term,
    outputs=dict(snakemake.output.items()),
)
