import _package  # noqa: F401

from gocotrain.steps import run_rule
from gocotrain.steps.export import fit_teacher

run_rule(
    snakemake,
    fit_teacher,
    hits_tsv=list(snakemake.input.teacher_hits),
    labels_tsv=snakemake.input.training_labels,
    reference_labels_tsv=list(snakemake.input.reference_labels),
    reference_calibrations_json=snakemake.input.reference_calibrations or None,
    lessons_json=snakemake.output.lessons,
    settings=snakemake.params.settings,
    aspects=snakemake.params.aspects,
    prior_weights_tsv=snakemake.input.prior_weights or None,
)
