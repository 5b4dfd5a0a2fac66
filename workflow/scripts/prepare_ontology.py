import _package  # noqa: F401

from gocotrain.steps import run_rule
from gocotrain.steps.inputs import prepare_ontology

run_rule(
    snakemake,
    prepare_ontology,
    obo=snakemake.input.obo,
    ontology_json=snakemake.output.ontology,
    report_json=snakemake.output.report,
)
