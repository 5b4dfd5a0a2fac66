import _package  # noqa: F401

from gocotrain.steps import run_rule
from gocotrain.steps.report import top_predictions_page

run_rule(
    snakemake,
    top_predictions_page,
    most_specific_tsv=snakemake.input.most_specific,
    thresholds_tsv=snakemake.input.thresholds,
    top_terms=snakemake.params.top_terms,
    page_html=snakemake.output.page,
)
