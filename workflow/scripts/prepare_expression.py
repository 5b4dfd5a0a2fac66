import _package  # noqa: F401

from gocotrain.steps import run_rule
from gocotrain.steps.inputs import prepare_expression

run_rule(
    snakemake,
    prepare_expression,
    expression=snakemake.input.expression,
    id_map=snakemake.input.get("id_map"),
    proteins_fasta=snakemake.input.proteins,
    expression_npz=snakemake.output.expression,
    report_json=snakemake.output.report,
    expression_kind=snakemake.params.expression_kind,
    sequences=snakemake.input.sequences,
    min_share=snakemake.params.min_share,
)
