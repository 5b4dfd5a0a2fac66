import _package  # noqa: F401

from gocotrain.steps import run_rule
from gocotrain.steps.features import sequence_features

run_rule(
    snakemake,
    sequence_features,
    proteins_fasta=snakemake.input.proteins,
    features_npz=snakemake.output.features,
)
