"""Steps of workflow/rules/cotrain.smk: plan an aspect's terms into batches, score each batch
by the per-term path (`terms.score_aspect`), gather the batches."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from gocotrain import batches, homology, reference
from gocotrain.annotations import Labels, resolved
from gocotrain.cotraining import from_settings
from gocotrain.export import write_tsv
from gocotrain.features import FeatureMatrix
from gocotrain.steps import read_json, write_json
from gocotrain.terms import AspectScores, merge_batches, score_aspect, select_terms, view_genes

log = logging.getLogger("gocotrain")


def plan_cotraining(
    aspect: str,
    labels_tsv: str,
    sequence_npz: str,
    min_positives: int,
    terms_tsv: str,
    n_batches: int | None = None,
) -> None:
    """The aspect's modelled terms with their expected cost, which the batches split.

    `n_batches`, the batches the aspect is scattered into (cotrain_batches, or --set-scatter),
    only lets the plan warn when some of them will have no term; the plan does not depend on it.
    """
    labels = resolved(Labels.from_tsv(labels_tsv).table)
    labels = labels[labels["aspect"] == aspect]
    terms, _ = select_terms(labels, labels["gene_id"].nunique(), min_positives)
    positives = labels["go_id"].value_counts().reindex(terms).astype(int)
    costs = batches.term_costs(positives, len(FeatureMatrix.from_npz(sequence_npz).genes))
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
    write_tsv(costs.round({"expected_seconds": 3}), terms_tsv)


def cotrain_batch(
    aspect: str,
    batch: str,
    terms_tsv: str,
    sequence_npz: str,
    expression_npz: str,
    labels_tsv: str,
    hits_tsv: str,
    scores_npz: str,
    report_json: str,
    settings: dict,
    min_positives: int,
    seed: int,
    threads: int,
    model_dir: str | None = None,
) -> None:
    """Score one batch ("I-of-N", Snakemake's scatter item) of the aspect's terms.

    With `model_dir`, the terms' boosters are saved there too.
    """
    if model_dir:
        Path(model_dir).mkdir(parents=True, exist_ok=True)
    terms = batches.batch_terms(batches.read_costs(terms_tsv), batch)
    started = time.monotonic()
    sequence, expression = (
        FeatureMatrix.from_npz(sequence_npz),
        FeatureMatrix.from_npz(expression_npz),
    )
    labels = Labels.from_tsv(labels_tsv).table
    scores, report = score_aspect(
        aspect,
        sequence,
        expression,
        resolved(labels),
        homology.read_hits(hits_tsv),
        from_settings(settings, seed),
        min_positives,
        seed,
        n_jobs=threads,
        terms=terms,
        model_dir=model_dir,
        **genes_to_score(labels, aspect, sequence, expression),
    )
    scores.to_npz(scores_npz)
    # The time goes to the log only: the report is reproducible.
    log.info(
        "aspect %s batch %s: %d terms in %.1f s",
        aspect,
        batch,
        len(terms),
        time.monotonic() - started,
    )
    write_json(report, report_json)


def genes_to_score(labels, aspect: str, sequence: FeatureMatrix, expression: FeatureMatrix):
    """`score_aspect`'s genes to score: those unlabeled in the aspect, or where a reference
    teaches (labels with sources), every gene without labels of its own there."""
    if "source" not in labels:
        return {}
    own = reference.own_labeled(labels, aspect)
    genes = set(view_genes(sequence, expression, set())) - own
    return {"score_genes": sorted(genes), "score_labeled": True}


def gather_cotraining(
    terms_tsv: str,
    batch_scores: list[str],
    batch_reports: list[str],
    scores_npz: str,
    report_json: str,
) -> None:
    """One aspect's scores and report from its batches, as one job would have written them.

    The batches' boosters stay where they are: `save_model` gathers them into the model."""
    parts = [
        (AspectScores.from_npz(scores), read_json(report))
        for scores, report in zip(batch_scores, batch_reports, strict=True)
    ]
    scores, report = merge_batches(parts, batches.read_costs(terms_tsv)["term"].tolist())
    scores.to_npz(scores_npz)
    log.info("aspect %s: %d terms from %d batches", report["aspect"], len(scores.terms), len(parts))
    write_json(report, report_json)
