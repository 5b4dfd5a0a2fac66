import _package  # noqa: F401

from gocotrain.steps import run_rule
from gocotrain.steps.inputs import prepare_sequences

run_rule(
    snakemake,
    prepare_sequences,
    sequences=snakemake.input.sequences,
    proteins_fasta=snakemake.output.proteins,
    report_json=snakemake.output.report,
    sequence_type=snakemake.params.sequence_type,
    genetic_code=snakemake.params.genetic_code,
    genbank_id_qualifiers=snakemake.params.genbank_id_qualifiers,
    names_tsv=snakemake.output.names,
)
