"""Steps of workflow/rules/cotrain.smk: plan an aspect's terms into batches, score each batch
by the per-term path (`terms.score_aspect`), gather the batches."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from gocotrain.export.formats import write_tsv
from gocotrain.inputs.annotations import Labels, resolved
from gocotrain.learning import batches
from gocotrain.learning.terms import (
    AspectScores,
    merge_batches,
    score_aspect,
    select_terms,
    view_genes,
)
from gocotrain.steps import read_json, write_json
from gocotrain.teaching import reference
from gocotrain.views import homology
from gocotrain.views.features import FeatureMatrix

log = logging.getLogger("gocotrain")


def plan_cotraining(
    aspect: str,
    labels: str,
    sequence: str,
    min_positives: int,
    terms: str,
    n_batches: int | None = None,
) -> None:
    """The aspect's modelled terms with their expected cost, which the batches split.

    `n_batches`, the batches the aspect is scattered into (cotrain_batches, or --set-scatter),
    only lets the plan warn when some of them will have no term; the plan does not depend on it.
    """
    table = resolved(Labels.from_tsv(labels).table)
    table = table[table["aspect"] == aspect]
    modelled, _ = select_terms(table, table["gene_id"].nunique(), min_positives)
    positives = table["go_id"].value_counts().reindex(modelled).astype(int)
    costs = batches.term_costs(positives, len(FeatureMatrix.from_npz(sequence).genes))
    log.info(
        "aspect %s: %d terms, %.0f CPU seconds expected",
        aspect,
        len(costs),
        costs["expected_seconds"].sum(),
    )
    if n_batches is not None and (
        warning := batches.surplus_batches_warning(aspect, costs, n_batches)
    ):
        log.warning(warning)
    write_tsv(costs.round({"expected_seconds": 3}), terms)


@dataclass(frozen=True)
class BatchFiles:
    """What a co-training batch reads (the aspect's planned terms, both views, the training
    labels, the homology hits) and writes (its scores and report; with `models`, the folder
    its terms' boosters are saved in)."""

    terms: str
    sequence: str
    expression: str
    labels: str
    hits: str
    scores: str
    report: str
    models: str | None = None


def cotrain_batch(
    aspect: str,
    scatteritem: str,
    files: BatchFiles,
    settings: dict,
    min_positives: int,
    seed: int,
    threads: int,
) -> None:
    """Score one batch (`scatteritem`: "I-of-N", Snakemake's scatter item) of the aspect's
    terms; `settings`: the config's ``cotraining``."""
    # Imported here, as the fitting in `terms`: the plan and gather jobs start without
    # scikit-learn and XGBoost.
    from gocotrain.learning.cotraining import from_settings

    if files.models:
        Path(files.models).mkdir(parents=True, exist_ok=True)
    terms = batches.batch_terms(batches.read_costs(files.terms), scatteritem)
    started = time.monotonic()
    sequence, expression = (
        FeatureMatrix.from_npz(files.sequence),
        FeatureMatrix.from_npz(files.expression),
    )
    labels = Labels.from_tsv(files.labels).table
    scores, report = score_aspect(
        aspect,
        sequence,
        expression,
        resolved(labels),
        homology.read_hits(files.hits),
        from_settings(settings, seed),
        min_positives,
        seed,
        n_jobs=threads,
        terms=terms,
        model_dir=files.models,
        **genes_to_score(labels, aspect, sequence, expression),
    )
    scores.to_npz(files.scores)
    # The time goes to the log only: the report is reproducible.
    log.info(
        "aspect %s batch %s: %d terms in %.1f s",
        aspect,
        scatteritem,
        len(terms),
        time.monotonic() - started,
    )
    write_json(report, files.report)


def genes_to_score(labels, aspect: str, sequence: FeatureMatrix, expression: FeatureMatrix):
    """`score_aspect`'s genes to score: every gene without labels of its own in the aspect
    (where a reference teaches, the genes it taught too)."""
    own = reference.own_labeled(labels, aspect)
    genes = set(view_genes(sequence, expression, set())) - own
    return {"score_genes": sorted(genes), "score_labeled": True}


def gather_cotraining(
    terms: str,
    batch_scores: list[str],
    batch_reports: list[str],
    scores: str,
    report: str,
) -> None:
    """One aspect's scores and report from its batches, as one job would have written them.

    The batches' boosters stay where they are: `save_model` gathers them into the model."""
    parts = [
        (AspectScores.from_npz(batch), read_json(batch_report))
        for batch, batch_report in zip(batch_scores, batch_reports, strict=True)
    ]
    merged, merged_report = merge_batches(parts, batches.read_costs(terms)["term"].tolist())
    merged.to_npz(scores)
    log.info(
        "aspect %s: %d terms from %d batches",
        merged_report["aspect"],
        len(merged.terms),
        len(parts),
    )
    write_json(merged_report, report)
