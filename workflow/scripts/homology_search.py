import _package  # noqa: F401

from gocotrain.steps import run_rule
from gocotrain.steps.homology import homology_search

run_rule(
    snakemake,
    homology_search,
    proteins_fasta=snakemake.input.proteins,
    hits_tsv=snakemake.output.hits,
    report_json=snakemake.output.report,
    settings=snakemake.params.settings,
    threads=snakemake.threads,
)
