import _package  # noqa: F401

from gocotrain.figures import render_run_report
from gocotrain.steps import run_rule

run_rule(
    snakemake,
    render_run_report,
    cotrain_reports=dict(
        zip(snakemake.params.aspects, snakemake.input.cotrain_reports, strict=True)
    ),
    summary_json=snakemake.input.summary,
    outputs=dict(snakemake.output.items()),
)
