import _package  # noqa: F401

from gocotrain.steps import run_rule
from gocotrain.steps.evaluation import evaluation_reference_check

run_rule(
    snakemake,
    evaluation_reference_check,
    check_hits_tsv=list(snakemake.input.check_hits),
    reference_labels_tsv=list(snakemake.input.reference_labels),
    calibrations_json=snakemake.input.calibrations,
    ontology_json=snakemake.input.ontology,
    metrics_tsv=snakemake.output.metrics,
    aspects=snakemake.params.aspects,
    neighbours=snakemake.params.neighbours,
)
