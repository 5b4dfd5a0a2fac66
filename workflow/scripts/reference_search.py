import _package  # noqa: F401

from gocotrain.steps import run_rule
from gocotrain.steps.reference import reference_search

run_rule(
    snakemake,
    reference_search,
    proteins_fasta=snakemake.input.proteins,
    database=snakemake.input.database,
    check_fasta=snakemake.input.check,
    hits_tsv=snakemake.output.hits,
    check_hits_tsv=snakemake.output.check_hits,
    sensitivity=snakemake.params.sensitivity,
    threads=snakemake.threads,
)
