import _package  # noqa: F401

from gocotrain.steps import run_rule
from gocotrain.steps.reference import prepare_reference_labels

run_rule(
    snakemake,
    prepare_reference_labels,
    annotations=snakemake.input.annotations,
    ontology_json=snakemake.input.ontology,
    hits_tsv=snakemake.input.hits,
    check_hits_tsv=snakemake.input.check_hits,
    labels_tsv=snakemake.output.labels,
    report_json=snakemake.output.report,
    evidence_codes=snakemake.params.evidence_codes,
    aspects=snakemake.params.aspects,
)
