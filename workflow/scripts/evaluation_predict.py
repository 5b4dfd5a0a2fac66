import _package  # noqa: F401

from gocotrain.assessment import predict_split
from gocotrain.steps import run_rule

run_rule(
    snakemake,
    predict_split,
    method=snakemake.wildcards.method,
    split=snakemake.wildcards.split,
    protocol=snakemake.params.protocol,
    labels_tsv=snakemake.input.labels,
    targets_tsv=snakemake.input.targets,
    sequence_npz=snakemake.input.sequence,
    expression_npz=snakemake.input.expression,
    hits_tsv=snakemake.input.hits,
    predictions_tsv=snakemake.output.predictions,
    aspects=snakemake.params.aspects,
    settings=snakemake.params.settings,
    min_positives=snakemake.params.min_positives,
    homology_neighbours=snakemake.params.homology_neighbours,
    min_score=snakemake.params.min_score,
    seed=snakemake.params.seed,
    threads=snakemake.threads,
    rare_terms=snakemake.params.rare_terms,
    rare_term_neighbours=snakemake.params.rare_term_neighbours,
)
