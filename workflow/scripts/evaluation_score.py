import _package  # noqa: F401

from gocotrain.steps import run_rule
from gocotrain.steps.evaluation import evaluation_score

# Inputs come in the order of expand(): methods outer, splits inner.
paths = list(snakemake.input.predictions)
n_splits = len(snakemake.params.splits)
predictions = {
    method: paths[index * n_splits : (index + 1) * n_splits]
    for index, method in enumerate(snakemake.params.methods)
}
run_rule(
    snakemake,
    evaluation_score,
    predictions=predictions,
    targets_tsv=snakemake.input.targets,
    labels_tsv=snakemake.input.labels,
    ontology_json=snakemake.input.ontology,
    metrics_tsv=snakemake.output.metrics,
    curves_tsv=snakemake.output.curves,
    per_term_tsv=snakemake.output.per_term,
    truth_tsv=snakemake.output.truth,
    protocol=snakemake.params.protocol,
    labels_new_tsv=snakemake.input.get("labels_new"),
    view_signal_tsv=snakemake.output.view_signal,
    prior_weights_tsv=snakemake.output.prior_weights,
    choose_prior_weights=snakemake.params.choose_prior_weights,
)
