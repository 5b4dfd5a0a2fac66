import _package  # noqa: F401

from gocotrain.steps import run_rule
from gocotrain.steps.reference import reference_check_sample

run_rule(
    snakemake,
    reference_check_sample,
    sequences=snakemake.input.sequences,
    check_fasta=snakemake.output.check,
    check_proteins=snakemake.params.check_proteins,
)
