import _package  # noqa: F401

from gocotrain.steps import run_rule
from gocotrain.steps.reference import reference_search

run_rule(
    snakemake,
    reference_search,
    proteins_fasta=snakemake.input.proteins,
    database=snakemake.input.database,
    hits_tsv=snakemake.output.hits,
    sensitivity=snakemake.params.sensitivity,
    threads=snakemake.threads,
)
