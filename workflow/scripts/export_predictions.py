import _package  # noqa: F401

from gocotrain.steps import export_predictions, run_rule

aspects = snakemake.params.aspects
run_rule(
    snakemake,
    export_predictions,
    scores_npz=dict(zip(aspects, snakemake.input.scores, strict=True)),
    ontology_json=snakemake.input.ontology,
    reports={
        "ontology": snakemake.input.ontology_report,
        "sequences": snakemake.input.sequences_report,
        "expression": snakemake.input.expression_report,
        "expression_features": snakemake.input.expression_features_report,
        "labels": snakemake.input.labels_report,
        "homology": snakemake.input.homology_report,
    }
    | {
        f"cotrain_{aspect}": path
        for aspect, path in zip(aspects, snakemake.input.cotrain_reports, strict=True)
    },
    predictions_tsv=snakemake.output.predictions,
    cafa_tsv=snakemake.output.cafa,
    gaf=snakemake.output.gaf,
    summary_json=snakemake.output.summary_json,
    summary_tsv=snakemake.output.summary_tsv,
    min_score=snakemake.params.min_score,
    gaf_min_score=snakemake.params.gaf_min_score,
    gaf_db=snakemake.params.gaf_db,
    taxon=snakemake.params.taxon,
    gaf_reference=snakemake.params.gaf_reference,
    settings=snakemake.params.settings,
)
