import _package  # noqa: F401

from gocotrain.steps import run_rule
from gocotrain.steps.features import expression_features

run_rule(
    snakemake,
    expression_features,
    expression_npz=snakemake.input.expression,
    features_npz=snakemake.output.features,
    report_json=snakemake.output.report,
    projection_npz=snakemake.output.projection,
    n_components=snakemake.params.n_components,
    seed=snakemake.params.seed,
)
