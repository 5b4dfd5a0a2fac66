import _package  # noqa: F401

from gocotrain.steps import run_rule
from gocotrain.steps.reference import prepare_training_labels

run_rule(
    snakemake,
    prepare_training_labels,
    own_labels_tsv=snakemake.input.own,
    hits_tsv=list(snakemake.input.hits),
    check_hits_tsv=list(snakemake.input.check_hits),
    reference_labels_tsv=list(snakemake.input.reference_labels),
    labels_tsv=snakemake.output.labels,
    calibrations_json=snakemake.output.calibrations,
    report_json=snakemake.output.report,
    aspects=snakemake.params.aspects,
    neighbours=snakemake.params.neighbours,
    label_precision=snakemake.params.label_precision,
)
