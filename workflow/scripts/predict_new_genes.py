import _package  # noqa: F401

from gocotrain.steps import run_rule
from gocotrain.steps.predict import predict_new_genes

outputs = dict(snakemake.output.items())
run_rule(
    snakemake,
    predict_new_genes,
    model_dir=snakemake.params.model,
    proteins_fasta=snakemake.input.proteins,
    sequences_report_json=snakemake.input.sequences_report,
    expression=snakemake.input.get("expression"),
    id_map=snakemake.input.get("id_map"),
    sequences=snakemake.input.get("sequences"),
    names_tsv=snakemake.input.names,
    expression_kind=snakemake.params.expression_kind,
    outputs=outputs,
    min_score=snakemake.params.min_score,
    gaf_citation={
        "reference": snakemake.params.gaf_reference,
        "assigned_by": snakemake.params.gaf_assigned_by,
    },
    top_terms=snakemake.params.top_terms,
    threads=snakemake.threads,
    reference_databases=list(snakemake.input.reference_databases),
)
