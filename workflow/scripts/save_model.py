import _package  # noqa: F401

from gocotrain.models import MODEL_FILES
from gocotrain.steps import run_rule
from gocotrain.steps.export import save_model

aspects = snakemake.params.aspects
run_rule(
    snakemake,
    save_model,
    stamp_json=snakemake.input.stamp,
    cotrain_reports=dict(zip(aspects, snakemake.input.cotrain_reports, strict=True)),
    files={key: snakemake.input[key] for key in MODEL_FILES},
    features_npz={"sequence": snakemake.input.sequence, "expression": snakemake.input.expression},
    labels_report_json=snakemake.input.labels_report,
    gaf_identity={"gaf_db": snakemake.params.gaf_db, "taxon": snakemake.params.taxon},
    settings=snakemake.params.settings | {"reference": snakemake.params.references},
    booster_dirs=list(snakemake.input.boosters),
    model_dir=snakemake.output.model,
)
