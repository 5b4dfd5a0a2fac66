"""Steps of workflow/rules/features.smk: the sequence view and the expression view."""

from __future__ import annotations

import logging

from gocotrain import features
from gocotrain.features import FeatureMatrix
from gocotrain.sequences import read_fasta
from gocotrain.steps import write_json
from gocotrain.textio import readable

log = logging.getLogger("gocotrain")


def sequence_features(proteins_fasta: str, features_npz: str) -> None:
    proteins = {gene: sequence for gene, sequence, _ in read_fasta(proteins_fasta)}
    found = features.sequence_features(proteins)
    found.to_npz(features_npz)
    log.info("sequence view: %d genes × %d features", *found.values.shape)


def expression_features(
    expression_npz: str,
    features_npz: str,
    report_json: str,
    n_components: int,
    seed: int,
    projection_npz: str | None = None,
) -> None:
    log_expression = FeatureMatrix.from_npz(expression_npz).to_frame()
    found, report, projection = features.expression_features(log_expression, n_components, seed)
    found.to_npz(features_npz)
    if projection_npz:
        projection.to_npz(projection_npz)
    report["expression_view_features"] = int(found.values.shape[1])
    log.info("expression view: %d genes × %d features; %s", *found.values.shape, readable(report))
    write_json(report, report_json)
