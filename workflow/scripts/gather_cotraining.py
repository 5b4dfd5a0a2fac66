import _package  # noqa: F401

from gocotrain.steps import run_rule
from gocotrain.steps.cotrain import gather_cotraining

run_rule(
    snakemake,
    gather_cotraining,
    terms_tsv=snakemake.input.terms,
    batch_scores=list(snakemake.input.scores),
    batch_reports=list(snakemake.input.reports),
    scores_npz=snakemake.output.scores,
    report_json=snakemake.output.report,
)
