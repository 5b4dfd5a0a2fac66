import _package  # noqa: F401

from gocotrain.steps import run_rule
from gocotrain.steps.cotrain import plan_cotraining

run_rule(
    snakemake,
    plan_cotraining,
    aspect=snakemake.wildcards.aspect,
    labels_tsv=snakemake.input.labels,
    sequence_npz=snakemake.input.sequence,
    min_positives=snakemake.params.min_positives,
    terms_tsv=snakemake.output.terms,
    n_batches=snakemake.params.batches,
)
