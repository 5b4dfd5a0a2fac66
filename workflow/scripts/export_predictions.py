import _package  # noqa: F401

from gocotrain.steps import run_rule
from gocotrain.steps.export import export_predictions

aspects = snakemake.params.aspects
outputs = dict(snakemake.output.items())
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
    | (
        {"training_labels": snakemake.input.training_report}
        if snakemake.input.training_report
        else {}
    )
    | {
        f"cotrain_{aspect}": path
        for aspect, path in zip(aspects, snakemake.input.cotrain_reports, strict=True)
    },
    stamp_json=snakemake.input.stamp,
    thresholds_tsv=snakemake.input.thresholds,
    outputs=outputs,
    min_score=snakemake.params.min_score,
    gaf_db=snakemake.params.gaf_db,
    taxon=snakemake.params.taxon,
    gaf_citation={
        "reference": snakemake.params.gaf_reference,
        "assigned_by": snakemake.params.gaf_assigned_by,
    },
    top_terms=snakemake.params.top_terms,
    settings=snakemake.params.settings,
    teacher_files={
        "hits": list(snakemake.input.teacher_hits),
        "labels": snakemake.input.training_labels,
        "reference_labels": list(snakemake.input.reference_labels),
        "lessons": snakemake.input.lessons,
    },
    names_tsv=snakemake.input.names,
    view_signal_tsv=snakemake.input.get("view_signal"),
)
