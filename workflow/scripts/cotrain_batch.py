import _package  # noqa: F401

from gocotrain.steps import run_rule
from gocotrain.steps.cotrain import cotrain_batch

run_rule(
    snakemake,
    cotrain_batch,
    aspect=snakemake.wildcards.aspect,
    batch=snakemake.wildcards.scatteritem,
    terms_tsv=snakemake.input.terms,
    sequence_npz=snakemake.input.sequence,
    expression_npz=snakemake.input.expression,
    labels_tsv=snakemake.input.labels,
    hits_tsv=snakemake.input.hits,
    scores_npz=snakemake.output.scores,
    report_json=snakemake.output.report,
    settings=snakemake.params.settings,
    min_positives=snakemake.params.min_positives,
    seed=snakemake.params.seed,
    threads=snakemake.threads,
    model_dir=snakemake.output.models,
)
