import _package  # noqa: F401

from gocotrain.steps import run_rule
from gocotrain.steps.evaluation import evaluation_predict

run_rule(
    snakemake,
    evaluation_predict,
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
    seed=snakemake.params.seed,
    threads=snakemake.threads,
    store_dir=snakemake.params.store,
    record_json=snakemake.output.record,
    teacher_files={
        "hits": list(snakemake.input.teacher_hits),
        "labels": snakemake.input.training_labels,
        "reference_labels": list(snakemake.input.reference_labels),
        "reference_calibrations": snakemake.input.reference_calibrations or None,
    },
)
