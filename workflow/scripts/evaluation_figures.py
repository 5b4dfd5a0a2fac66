import _package  # noqa: F401

from gocotrain.figures import render_evaluation_report
from gocotrain.steps import run_rule

run_rule(
    snakemake,
    render_evaluation_report,
    metrics_tsv=snakemake.input.metrics,
    curves_tsv=snakemake.input.curves,
    per_term_tsv=snakemake.input.per_term,
    outputs=dict(snakemake.output.items()),
)
