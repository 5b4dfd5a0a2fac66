"""Steps of workflow/rules/features.smk: the sequence view and the expression view."""

from __future__ import annotations

import logging

from gocotrain.inputs.sequences import read_fasta
from gocotrain.steps import write_json
from gocotrain.textio import readable
from gocotrain.views.features import FeatureMatrix
from gocotrain.views.features import expression_features as expression_view
from gocotrain.views.features import sequence_features as sequence_view

log = logging.getLogger("gocotrain")


def sequence_features(proteins: str, features: str) -> None:
    found = sequence_view({gene: sequence for gene, sequence, _ in read_fasta(proteins)})
    found.to_npz(features)
    log.info("sequence view: %d genes × %d features", *found.values.shape)


def expression_features(
    expression: str,
    features: str,
    report: str,
    n_components: int,
    seed: int,
    projection: str | None = None,
) -> None:
    log_expression = FeatureMatrix.from_npz(expression).to_frame()
    found, counts, fitted = expression_view(log_expression, n_components, seed)
    found.to_npz(features)
    if projection:
        fitted.to_npz(projection)
    counts["expression_view_features"] = int(found.values.shape[1])
    log.info("expression view: %d genes × %d features; %s", *found.values.shape, readable(counts))
    write_json(counts, report)
