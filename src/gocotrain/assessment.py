"""The workflow's evaluation: every method trained and scored on the same splits.

Three steps, one per rule:

* `make_targets` splits the labeled genes: K cross-validation folds of genes, or a CAFA time
  split between an older and a newer labels table (no-knowledge and limited-knowledge
  targets). It writes one table of target genes and their truth per split.
* `predict_split` trains one method on everything but a split's targets and writes its
  predictions for them in CAFA format (`gene term score`), so any other evaluator can read
  them too.
* `score_methods` gathers each method's predictions over the splits and scores them with
  `evaluation` (CAFA metrics, checked against cafaeval): a metrics table, protein-centric
  precision-recall curves and term-centric AUPR per term.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
from sklearn.semi_supervised import SelfTrainingClassifier

from gocotrain import baselines, homology
from gocotrain.annotations import Labels
from gocotrain.evaluation import (
    SUMMARY_COLUMNS,
    evaluate,
    information_accretion,
    per_term,
    precision_recall_curve,
)
from gocotrain.features import FeatureMatrix
from gocotrain.ontology import Ontology
from gocotrain.protocols import cross_validation_folds, labels_to_truth, time_split_targets
from gocotrain.splits import CROSS_VALIDATION, TIME_SPLIT, TIME_SPLIT_NAME, split_names
from gocotrain.steps import make_model
from gocotrain.textio import atomic_write

log = logging.getLogger("gocotrain")

METHODS = (
    "naive",
    "homology",
    "sequence_only",
    "expression_only",
    "concatenated",
    "two_view_supervised",
    "self_training",
    "cotraining",
)
# The learned methods that, like the product, leave the terms too rare to model to homology
# transfer (expression_only reads no sequence, so it does not).
TRANSFERS_RARE_TERMS = frozenset(
    {"sequence_only", "concatenated", "two_view_supervised", "self_training", "cotraining"}
)
TARGET_COLUMNS = ["split", "targets", "aspect", "gene_id", "go_id"]


# ----------------------------------------------------------------------------------------
# Targets


def make_targets(
    labels_tsv: str,
    targets_tsv: str,
    protocol: str,
    aspects: list[str],
    folds: int,
    folds_evaluated: int | None,
    seed: int,
    labels_new_tsv: str | None = None,
    ontology_json: str | None = None,
) -> pd.DataFrame:
    """Write the target genes of every evaluated split with their truth (TARGET_COLUMNS).

    Cross-validation: genes labeled in any of `aspects` go to `folds` seeded folds; a fold's
    targets in an aspect are its genes labeled there, their truth those labels, and
    ``targets`` is "cross_validation". Time split: the targets of `protocols.time_split_targets`
    ("no_knowledge", "limited_knowledge"), their truth the newer labels.
    """
    labels = Labels.from_tsv(labels_tsv).table
    labels = labels[labels["aspect"].isin(aspects)]
    frames = []
    if protocol == CROSS_VALIDATION:
        fold_of = cross_validation_folds(labels["gene_id"], folds, seed)
        for split in split_names(protocol, folds, folds_evaluated):
            in_fold = labels["gene_id"].map(fold_of).eq(int(split.removeprefix("fold")))
            frame = labels.loc[in_fold, ["aspect", "gene_id", "go_id"]].copy()
            frame.insert(0, "targets", CROSS_VALIDATION)
            frame.insert(0, "split", split)
            frames.append(frame)
    elif protocol == TIME_SPLIT:
        new_labels = Labels.from_tsv(labels_new_tsv).table
        ontology = Ontology.from_json(ontology_json) if ontology_json else None
        for aspect in aspects:
            found = time_split_targets(labels, new_labels, aspect, ontology=ontology)
            for kind in ("no_knowledge", "limited_knowledge"):
                rows = [
                    (TIME_SPLIT_NAME, kind, aspect, gene, term)
                    for gene, terms in found[kind].items()
                    for term in sorted(terms)
                ]
                frames.append(pd.DataFrame(rows, columns=TARGET_COLUMNS))
    else:
        raise ValueError(f"unknown protocol {protocol!r}")
    targets = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    targets = targets.reindex(columns=TARGET_COLUMNS)
    targets = targets.sort_values(TARGET_COLUMNS).reset_index(drop=True)
    with atomic_write(targets_tsv) as handle:
        targets.to_csv(handle, sep="\t", index=False)
    for (split, kind, aspect), group in targets.groupby(["split", "targets", "aspect"]):
        log.info("%s %s %s: %d target genes", split, kind, aspect, group["gene_id"].nunique())
    return targets


def read_targets(path: str | Path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)


# ----------------------------------------------------------------------------------------
# Predictions of one method for one split


def predict_split(
    method: str,
    split: str,
    protocol: str,
    labels_tsv: str,
    targets_tsv: str,
    sequence_npz: str,
    expression_npz: str,
    hits_tsv: str,
    predictions_tsv: str,
    aspects: list[str],
    settings: dict,
    min_positives: int,
    homology_neighbours: int,
    min_score: float,
    seed: int,
    threads: int,
    rare_terms: str = "none",
    rare_term_neighbours: int = 10,
) -> pd.DataFrame:
    """Train `method` without the split's targets and write its CAFA predictions for them.

    Cross-validation hides every label of a fold's genes, in all aspects; the time split
    trains on the older labels as they are. Scores below `min_score` are not written: the
    CAFA thresholds start at 0.01, so they cannot change Fmax, weighted Fmax or Smin.
    With `rare_terms` "transfer", the learned methods that read the sequence view score the
    terms too rare to model by homology transfer, as the product's export does.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose from {METHODS}")
    labels = Labels.from_tsv(labels_tsv).table
    targets = read_targets(targets_tsv)
    targets = targets[targets["split"] == split]
    if protocol == CROSS_VALIDATION:
        labels = labels[~labels["gene_id"].isin(set(targets["gene_id"]))]
    hits = homology.read_hits(hits_tsv)
    learned = baselines.LEARNED_METHODS.get(method)
    if learned is not None:
        sequence = FeatureMatrix.from_npz(sequence_npz)
        expression = FeatureMatrix.from_npz(expression_npz)
        # Every learner uses the view estimator of the co-training settings, so the methods
        # differ by what they do with the views and the unlabeled genes, not by the trees.
        view_estimator = make_model(settings, seed).estimator
        if method == "cotraining":
            model = make_model(settings, seed)
        elif method == "self_training":
            # As many self-labelling rounds as co-training has, not scikit-learn's 10.
            model = SelfTrainingClassifier(estimator=view_estimator, max_iter=settings["rounds"])
        else:
            model = view_estimator
    rows = []
    for aspect in aspects:
        aspect_targets = sorted(set(targets.loc[targets["aspect"] == aspect, "gene_id"]))
        if not aspect_targets:
            continue
        if method == "naive":
            predicted = baselines.naive(labels, aspect, aspect_targets)
        elif method == "homology":
            predicted = baselines.homology_transfer(
                hits, labels, aspect, aspect_targets, k=homology_neighbours, rule="knn"
            )
        else:
            extra = {"combine": settings["combine"]} if method == "two_view_supervised" else {}
            predicted = learned(
                sequence,
                expression,
                labels,
                aspect,
                aspect_targets,
                model,
                min_positives=min_positives,
                seed=seed,
                n_jobs=threads,
                hits=hits,
                **extra,
            )
            if rare_terms == "transfer" and method in TRANSFERS_RARE_TERMS:
                transferred = baselines.transfer_rare_terms(
                    hits, labels, aspect, aspect_targets, min_positives, rare_term_neighbours
                )
                for gene, scores in transferred.items():
                    predicted[gene] = predicted.get(gene, {}) | scores
        kept = [
            (gene, term, score)
            for gene, scores in predicted.items()
            for term, score in scores.items()
            if score >= min_score
        ]
        log.info(
            "%s %s aspect %s: %d targets, %d predictions ≥ %g",
            method,
            split,
            aspect,
            len(aspect_targets),
            len(kept),
            min_score,
        )
        rows.extend(kept)
    table = pd.DataFrame(rows, columns=["gene", "term", "score"])
    table = table.sort_values(["gene", "term"]).reset_index(drop=True)
    with atomic_write(predictions_tsv) as handle:
        table.to_csv(handle, sep="\t", index=False, header=False, float_format="%.6g")
    return table


# ----------------------------------------------------------------------------------------
# Scores


def _read_predictions(paths: list[str]) -> dict[str, dict[str, float]]:
    predictions: dict[str, dict[str, float]] = {}
    for path in paths:
        table = pd.read_csv(
            path, sep="\t", header=None, names=["gene", "term", "score"], dtype={"gene": str}
        )
        for gene, group in table.groupby("gene", sort=False):
            predictions.setdefault(gene, {}).update(
                zip(group["term"], group["score"].astype(float), strict=True)
            )
    return predictions


def score_methods(
    predictions: dict[str, list[str]],
    targets_tsv: str,
    labels_tsv: str,
    ontology_json: str,
    metrics_tsv: str,
    curves_tsv: str,
    per_term_tsv: str,
    truth_tsv: str,
    protocol: str,
    labels_new_tsv: str | None = None,
) -> pd.DataFrame:
    """Score each method's predictions, gathered over the splits, per aspect and target kind.

    Information accretion comes from the whole annotation set of the protocol (all labels
    for cross-validation, the newer labels for the time split), not from the targets alone,
    so every target kind and split is weighted alike.
    """
    ontology = Ontology.from_json(ontology_json)
    targets = read_targets(targets_tsv)
    annotation_set = Labels.from_tsv(labels_new_tsv if labels_new_tsv else labels_tsv).table
    ia = information_accretion(labels_to_truth(annotation_set), ontology)
    with atomic_write(truth_tsv) as handle:
        targets[["gene_id", "go_id"]].drop_duplicates().to_csv(
            handle, sep="\t", index=False, header=False
        )
    metrics, curves, terms = [], [], []
    for method, paths in predictions.items():
        predicted = _read_predictions(paths)
        for kind, group in targets.groupby("targets"):
            truth = labels_to_truth(group)
            keys = {"protocol": protocol, "targets": kind, "method": method}
            metrics.append(evaluate(truth, predicted, ontology, ia).assign(**keys))
            curves.append(precision_recall_curve(truth, predicted, ontology, ia).assign(**keys))
            terms.append(per_term(truth, predicted, ontology).assign(**keys))
            log.info("scored %s on %s targets", method, kind)
    key_columns = ["protocol", "targets", "method"]
    table = pd.concat(metrics, ignore_index=True)[key_columns + SUMMARY_COLUMNS]
    outputs = (
        (table, metrics_tsv),
        (pd.concat(curves, ignore_index=True), curves_tsv),
        (pd.concat(terms, ignore_index=True), per_term_tsv),
    )
    for frame, path in outputs:
        columns = key_columns + [column for column in frame.columns if column not in key_columns]
        with atomic_write(path) as handle:
            frame[columns].to_csv(handle, sep="\t", index=False, float_format="%.6g")
    return table
