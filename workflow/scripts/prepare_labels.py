import _package  # noqa: F401

from gocotrain.steps import run_rule
from gocotrain.steps.inputs import prepare_labels

run_rule(
    snakemake,
    prepare_labels,
    annotations=snakemake.input.annotations,
    ontology_json=snakemake.input.ontology,
    proteins_fasta=snakemake.input.proteins,
    labels_tsv=snakemake.output.labels,
    report_json=snakemake.output.report,
    evidence_codes=snakemake.params.evidence_codes,
    aspects=snakemake.params.aspects,
)
