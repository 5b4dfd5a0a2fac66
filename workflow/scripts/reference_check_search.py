import _package  # noqa: F401

from gocotrain.steps import run_rule
from gocotrain.steps.reference import reference_check_search

run_rule(
    snakemake,
    reference_check_search,
    check_fasta=snakemake.input.check,
    database=snakemake.input.database,
    check_hits_tsv=snakemake.output.check_hits,
    sensitivity=snakemake.params.sensitivity,
    threads=snakemake.threads,
)
