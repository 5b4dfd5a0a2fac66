import _package  # noqa: F401

from gocotrain.steps import run_rule
from gocotrain.steps.evaluation import evaluation_targets

run_rule(
    snakemake,
    evaluation_targets,
    labels_tsv=snakemake.input.labels,
    targets_tsv=snakemake.output.targets,
    protocol=snakemake.params.protocol,
    aspects=snakemake.params.aspects,
    folds=snakemake.params.folds,
    folds_evaluated=snakemake.params.folds_evaluated,
    seed=snakemake.params.seed,
    least_annotated_share=snakemake.params.least_annotated_share,
    labels_new_tsv=snakemake.input.get("labels_new"),
    ontology_json=snakemake.input.ontology,
)
