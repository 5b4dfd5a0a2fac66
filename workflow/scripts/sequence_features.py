import _package  # noqa: F401

from gocotrain.steps import compute_sequence_features, run_rule

run_rule(
    snakemake,
    compute_sequence_features,
    proteins_fasta=snakemake.input.proteins,
    features_npz=snakemake.output.features,
)
