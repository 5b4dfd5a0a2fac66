import _package  # noqa: F401

from gocotrain.steps import run_rule
from gocotrain.steps.reference import check_reference

run_rule(
    snakemake,
    check_reference,
    sequences=snakemake.input.sequences,
    annotations=snakemake.input.annotations,
    report_json=snakemake.output.report,
    evidence_codes=snakemake.params.evidence_codes,
)
