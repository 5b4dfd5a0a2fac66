import _package  # noqa: F401

from gocotrain.steps import run_rule
from gocotrain.steps.report import run_figures

run_rule(
    snakemake,
    run_figures,
    cotrain_reports=dict(
        zip(snakemake.params.aspects, snakemake.input.cotrain_reports, strict=True)
    ),
    summary_json=snakemake.input.summary,
    outputs=dict(snakemake.output.items()),
)
