import _package  # noqa: F401

from gocotrain.steps import run_rule
from gocotrain.steps.reference import reference_database

run_rule(
    snakemake,
    reference_database,
    sequences=snakemake.input.sequences,
    database=snakemake.output.database,
    report_json=snakemake.output.report,
    threads=snakemake.threads,
)
