import _package  # noqa: F401

from gocotrain.steps import run_rule
from gocotrain.steps.report import report_changes

run_rule(
    snakemake,
    report_changes,
    previous={
        key: snakemake.input[f"previous_{key}"]
        for key in ("predictions", "thresholds", "labels", "ontology")
    },
    labels_tsv=snakemake.input.labels,
    ontology_json=snakemake.input.ontology,
    stamp_json=snakemake.input.stamp,
    aspects=snakemake.params.aspects,
    outputs=dict(snakemake.output.items()),
)
