"""Steps of workflow/rules/evaluation.smk: every method trained and scored on the same splits.

* `evaluation_targets` splits the labeled genes: K cross-validation folds of genes, or a CAFA time
  split between an older and a newer labels table (no-knowledge and limited-knowledge
  targets). It writes one table of target genes and their truth per split.
* `evaluation_predict` trains one method (`methods`) on everything but a split's targets
  and writes its predictions for them in CAFA format (`gene term score`), so any other
  evaluator can read them too.
* `evaluation_score` gathers each method's predictions over the splits and scores them with
  `metrics` (CAFA metrics, checked against cafaeval): a metrics table, protein-centric
  precision-recall curves and term-centric AUPR per term.
"""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path

import pandas as pd

from gocotrain import homology, methods, prior_weights, reference, reuse, teaching, transfer
from gocotrain.annotations import Labels, resolved
from gocotrain.cotraining import from_settings
from gocotrain.features import FeatureMatrix
from gocotrain.methods import METHODS
from gocotrain.metrics import (
    SUMMARY_COLUMNS,
    evaluate,
    information_accretion,
    per_term,
    precision_recall_curve,
    read_predictions,
    view_signal,
)
from gocotrain.ontology import Ontology
from gocotrain.splits import (
    TIME_SPLIT,
    TIME_SPLIT_NAME,
    cross_validation_folds,
    labels_to_truth,
    least_annotated,
    split_names,
    time_split_targets,
)
from gocotrain.steps import write_json
from gocotrain.targets import (
    CROSS_VALIDATION,
    LEAST_ANNOTATED,
    LIMITED_KNOWLEDGE,
    NO_KNOWLEDGE,
    closest_to_exported,
)
from gocotrain.textio import atomic_write

log = logging.getLogger("gocotrain")

TARGET_COLUMNS = ["split", "targets", "aspect", "gene_id", "go_id"]
# The method whose scores the run exports.
PRODUCT_METHOD = "cotraining"


# ----------------------------------------------------------------------------------------
# Targets


def evaluation_targets(
    labels_tsv: str,
    targets_tsv: str,
    protocol: str,
    aspects: list[str],
    folds: int,
    folds_evaluated: int | None,
    seed: int,
    labels_new_tsv: str | None = None,
    ontology_json: str | None = None,
    *,
    least_annotated_share: float,
) -> pd.DataFrame:
    """Write the target genes of every evaluated split with their truth (TARGET_COLUMNS).

    Cross-validation: genes labeled in any of `aspects` go to `folds` seeded folds; a fold's
    targets in an aspect are its genes labeled there, their truth those labels, and
    ``targets`` is "cross_validation"; its genes among an aspect's `least_annotated_share`
    least annotated there (`splits.least_annotated`) are listed again as "least_annotated".
    Time split:
    the targets of `splits.time_split_targets` ("no_knowledge", "limited_knowledge"), their
    truth the newer labels.
    """
    labels = Labels.from_tsv(labels_tsv).table
    labels = labels[labels["aspect"].isin(aspects)]
    ontology = Ontology.from_json(ontology_json) if ontology_json else None
    if protocol == CROSS_VALIDATION:
        frames = _fold_targets(
            labels,
            ontology,
            split_names(protocol, folds, folds_evaluated),
            folds,
            seed,
            least_annotated(labels, least_annotated_share, ontology),
        )
    elif protocol == TIME_SPLIT:
        new_labels = Labels.from_tsv(labels_new_tsv).table
        frames = _time_split_targets(labels, new_labels, aspects, ontology)
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


def _fold_targets(labels, ontology, splits, folds, seed, sparse: set) -> list[pd.DataFrame]:
    """Each evaluated fold's targets: every gene of the fold ("cross_validation"), and again,
    per aspect, those of its genes in `sparse` (("least_annotated", (aspect, gene) pairs)."""
    fold_of = cross_validation_folds(labels["gene_id"], folds, seed)
    frames = []
    for split in splits:
        in_fold = labels["gene_id"].map(fold_of).eq(int(split.removeprefix("fold")))
        frame = labels.loc[in_fold, ["aspect", "gene_id", "go_id"]]
        frames.append(frame.assign(split=split, targets=CROSS_VALIDATION))
        pairs = pd.Series(list(zip(frame["aspect"], frame["gene_id"], strict=True)), frame.index)
        least = frame[pairs.isin(sparse)]
        frames.append(least.assign(split=split, targets=LEAST_ANNOTATED))
    return frames


def _time_split_targets(labels, new_labels, aspects, ontology) -> list[pd.DataFrame]:
    frames = []
    for aspect in aspects:
        found = time_split_targets(labels, new_labels, aspect, ontology=ontology)
        for kind in (NO_KNOWLEDGE, LIMITED_KNOWLEDGE):
            rows = [
                (TIME_SPLIT_NAME, kind, aspect, gene, term)
                for gene, terms in found[kind].items()
                for term in sorted(terms)
            ]
            frames.append(pd.DataFrame(rows, columns=TARGET_COLUMNS))
    return frames


def read_targets(path: str | Path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)


# ----------------------------------------------------------------------------------------
# Predictions of one method for one split


def evaluation_predict(
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
    seed: int,
    threads: int,
    store_dir: str | None = None,
    record_json: str | None = None,
    teacher_files: dict | None = None,
) -> pd.DataFrame:
    """Train `method` without the split's targets and write its CAFA predictions for them.

    `settings` holds the config's ``cotraining``, ``homology``, ``min_positives`` and
    ``min_score``: the methods read their settings where the product does.
    Cross-validation hides every label of a fold's genes, in all aspects; the time split
    trains on the older labels as they are. Scores below ``min_score`` are not written: the
    CAFA thresholds start at 0.01, so they cannot change Fmax, weighted Fmax or Smin.

    With `store_dir`, each aspect's part is read from `reuse.PredictionStore` where an earlier
    run made it from the same inputs, and stored where not; `record_json` then says, per
    aspect, which it was.

    `teacher_files` (``hits``: the organism's own search, then each reference's;
    ``labels``: the training labels; ``reference_labels``; ``reference_calibrations``) are
    what the export's teacher reads: the learned methods' scores are finished as the
    product's, by a teacher fitted without the split's targets (`_method`).
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose from {METHODS}")
    labels = Labels.from_tsv(labels_tsv).table
    targets = read_targets(targets_tsv)
    targets = targets[targets["split"] == split]
    if protocol == CROSS_VALIDATION:
        labels = labels[~labels["gene_id"].isin(set(targets["gene_id"]))]
    inputs = {"sequence": sequence_npz, "expression": expression_npz, "hits": hits_tsv}
    # Without the rule's teacher files, the organism's own hits and labels teach.
    teacher_files = teacher_files or {"hits": [hits_tsv], "labels": labels_tsv}
    teacher = teaching.load_teacher(
        teaching.TeacherSettings.of(settings),
        teacher_files["hits"],
        teacher_files["labels"],
        teacher_files.get("reference_labels", []),
        teacher_files.get("reference_calibrations"),
    )
    inputs |= teacher_digest_files(teacher_files, labels_tsv)
    parts = _Parts(method, settings, seed, threads, inputs, store_dir, teacher)
    rows, record = [], {}
    for aspect in aspects:
        aspect_targets = sorted(set(targets.loc[targets["aspect"] == aspect, "gene_id"]))
        if not aspect_targets:
            continue
        kept, record[aspect] = parts.make(labels, aspect, aspect_targets)
        log.info(
            "%s %s aspect %s: %d targets, %d predictions ≥ %g (%s)",
            method,
            split,
            aspect,
            len(aspect_targets),
            len(kept),
            settings["min_score"],
            "reused: an earlier run had the same inputs" if record[aspect]["reused"] else "trained",
        )
        rows.extend(kept)
    table = pd.DataFrame(rows, columns=["gene", "term", "score"])
    table = table.sort_values(["gene", "term"]).reset_index(drop=True)
    with atomic_write(predictions_tsv) as handle:
        table.to_csv(handle, sep="\t", index=False, header=False, float_format="%.6g")
    if record_json:
        write_json(record, record_json)
    return table


class _Parts:
    """One method's predictions for one aspect's targets at a time, each read from the
    store where an earlier run made it from the same inputs (`reuse`); the method itself is
    built only when a part has to be trained."""

    def __init__(
        self, method, settings, seed, threads, inputs: dict, store_dir: str | None, teacher=None
    ):
        self.method, self.settings, self.seed, self.threads = method, settings, seed, threads
        self.inputs, self.teacher = inputs, teacher
        self.digests = reuse.InputsDigest(method, settings, seed, inputs) if store_dir else None
        self.store = reuse.PredictionStore(method, store_dir) if store_dir else None
        self._predict = None

    def make(self, labels, aspect: str, targets: list[str]) -> tuple[list, dict]:
        """The part's (gene, term, score) rows at or above min_score, and its record."""
        digest = None
        if self.digests:
            training = transfer.training_labels(labels, aspect, targets)
            digest = self.digests.of(aspect, training, targets)
            stored = self.store.get(digest)
            if stored is not None:
                return stored, {"digest": digest, "reused": True}
        if self._predict is None:
            self._predict = _method(
                self.method,
                self.settings,
                self.seed,
                self.threads,
                self.inputs["hits"],
                self.inputs["sequence"],
                self.inputs["expression"],
                self.teacher,
            )
        rows = [
            (gene, term, score)
            for gene, scores in self._predict(labels, aspect, targets).items()
            for term, score in scores.items()
            if score >= self.settings["min_score"]
        ]
        if self.store:
            self.store.put(digest, rows)
        return rows, {"digest": digest, "reused": False}


def _method(
    method,
    settings,
    seed,
    threads,
    hits_tsv,
    sequence_npz,
    expression_npz,
    teacher: teaching.Teacher,
):
    """`method` as one function (training labels, aspect, targets) -> predictions.

    The learned methods' scores are finished by `teacher` (the product's, fitted without the
    targets' labels: `teaching.Teacher.fit`), as the product finishes them; where a reference
    teaches, they learn from the `resolved` training labels as the product does, and the
    homology baselines transfer from the reference's labeled homologs beside the organism's.
    `naive` stays the frequencies of the organism's own training labels.
    """
    hits = homology.read_hits(hits_tsv)
    neighbours = settings["homology"]["neighbours"]
    if method == "naive":
        return methods.naive
    if method == "multifunctionality":
        return partial(methods.multifunctionality, FeatureMatrix.from_npz(expression_npz))
    if method in ("blast", "homology"):
        # blast: CAFA's BLAST baseline, the highest identity carrying the term
        k, rule = (neighbours, "knn") if method == "homology" else (None, "max_identity")
        return lambda labels, aspect, targets: transfer.homology_transfer(
            teacher.hits,
            teacher.without(targets).transferred_labels(),
            aspect,
            targets,
            k,
            rule,
        )
    sequence = FeatureMatrix.from_npz(sequence_npz)
    expression = FeatureMatrix.from_npz(expression_npz)
    model = from_settings(settings["cotraining"], seed)
    finishes = method in methods.TRANSFERS_RARE_TERMS

    def predict(labels, aspect, targets):
        fitted = teacher.fit([aspect], frozenset(targets))
        if fitted.has_reference:
            # The targets learn from the reference as genes without own labels do.
            labels = resolved(fitted.labels, held_out=set(targets))
        scores = methods.learned(
            method,
            model,
            sequence,
            expression,
            labels,
            aspect,
            targets,
            min_positives=settings["min_positives"],
            seed=seed,
            n_jobs=threads,
            hits=hits,
        )
        if not finishes:
            return methods.as_predictions(scores, targets)
        return fitted.finish(scores, aspect).predictions(targets)

    return predict


def teacher_digest_files(teacher_files: dict, labels_tsv: str) -> dict[str, str]:
    """The teacher's files as named files, for the digest of a part. Its labels, where they
    are the evaluation's own (`labels_tsv`), are digested per aspect already: a new release
    of one aspect's labels trains only that aspect again."""
    files = {}
    if teacher_files["labels"] != labels_tsv:
        files["training_labels"] = teacher_files["labels"]
    if teacher_files.get("reference_calibrations"):
        files["calibrations"] = teacher_files["reference_calibrations"]
    for name in ("hits", "reference_labels"):
        for number, path in enumerate(teacher_files.get(name, [])):
            files[f"teacher_{name}_{number}"] = path
    return files


# ----------------------------------------------------------------------------------------
# Scores


def _read_predictions(paths: list[str]) -> dict[str, dict[str, float]]:
    """One method's predictions over the splits (each gene is a target of one split)."""
    predictions: dict[str, dict[str, float]] = {}
    for path in paths:
        for gene, scores in read_predictions(path).items():
            predictions.setdefault(gene, {}).update(scores)
    return predictions


def evaluation_score(
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
    view_signal_tsv: str | None = None,
    prior_weights_tsv: str | None = None,
    choose_prior_weights: bool = False,
) -> pd.DataFrame:
    """Score each method's predictions, gathered over the splits, per aspect and target kind,
    and (`view_signal_tsv`) whether each view carries signal (`metrics.view_signal`).

    With `choose_prior_weights`, the scores of the methods the teacher finishes are mixed
    with the own term frequencies as the export mixes them, by weights chosen on held-out
    genes (`prior_weights.cross_fitted`); the table of weights, and the one the export uses,
    is written to `prior_weights_tsv` (empty without).

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
    metrics, curves, terms, weights = [], [], [], []
    labels = Labels.from_tsv(labels_tsv).table
    for method, paths in predictions.items():
        predicted = _read_predictions(paths)
        if choose_prior_weights and method in methods.TRANSFERS_RARE_TERMS:
            predicted, chosen = _with_own_frequencies(
                method, predicted, targets, labels, ontology, protocol
            )
            weights.extend(chosen)
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
    if prior_weights_tsv:
        _write_weights(weights, prior_weights_tsv)
    if view_signal_tsv:
        signal = view_signal(table)
        log.info("each view's signal (Fmax on held-out genes):\n%s", signal.to_string(index=False))
        with atomic_write(view_signal_tsv) as handle:
            signal.to_csv(handle, sep="\t", index=False, float_format="%.4g")
    return table


def _with_own_frequencies(method, predicted, targets, labels, ontology, protocol):
    """`predicted` mixed with each split's own term frequencies per aspect, each half of the
    targets by the weight chosen on the other half of those most like the exported genes
    (`prior_weights.cross_fitted`); for co-training, also the weight the export uses, chosen
    on all of them. Returns the mixed predictions and the weights' records."""
    headline = closest_to_exported(targets["targets"])
    mixed, records = {}, []
    for aspect, in_aspect in targets.groupby("aspect"):
        scored, chosen_on = [], []
        for split, group in in_aspect.groupby("split"):
            held_out = set(targets.loc[targets["split"] == split, "gene_id"])
            training = (
                labels if protocol == TIME_SPLIT else labels[~labels["gene_id"].isin(held_out)]
            )
            frequency = reference.own_frequencies(training, aspect)
            scored.append((labels_to_truth(group), frequency))
            chosen_on.append((labels_to_truth(group[group["targets"] == headline]), frequency))
        part, record = prior_weights.cross_fitted(predicted, scored, chosen_on, ontology, aspect)
        for gene, scores in part.items():
            mixed.setdefault(gene, {}).update(scores)
        if method == PRODUCT_METHOD:
            export = prior_weights.choose(chosen_on, predicted, ontology, aspect)
            record.append({"half": prior_weights.EXPORT, "genes_scored": 0} | export)
        records.extend({"method": method, "aspect": aspect} | entry for entry in record)
    return mixed, records


def _write_weights(records: list[dict], path: str) -> None:
    table = pd.DataFrame(records, columns=prior_weights.WEIGHT_COLUMNS)
    table["fmax_by_weight"] = table["fmax_by_weight"].map(
        lambda tried: " ".join(f"{entry['weight']}:{entry['fmax']}" for entry in tried)
    )
    for _, row in table[table["half"] == prior_weights.EXPORT].iterrows():
        log.info(
            "aspect %s: the export mixes own term frequencies by %s (chosen on %d genes; Fmax by "
            "weight %s)",
            row["aspect"],
            row["weight"],
            row["genes_chosen_on"],
            row["fmax_by_weight"],
        )
    with atomic_write(path) as handle:
        table.to_csv(handle, sep="\t", index=False)


# The naive baseline of the reference check scores each held-out protein with this many of
# the reference's most frequent terms per aspect: Fmax's threshold sits far above the rest.
NAIVE_TERMS = 300


def evaluation_reference_check(
    check_hits_tsv: list[str],
    reference_labels_tsv: list[str],
    calibrations_json: str,
    ontology_json: str,
    metrics_tsv: str,
    aspects: list[str],
    neighbours: int,
) -> None:
    """What a run without labels of its own can be told truly: how well its reference
    transfers terms to proteins of the reference held out from it (`reference.check_proteins`,
    searched against the rest), beside the naive and DIAMOND kNN baselines from the same
    reference. It checks the sequence view's teacher, not the expression view or the
    co-training of the organism's genes, which only the organism's own labels can check."""
    check = teaching.read_reference_hits(check_hits_tsv, queries_too=True)
    labels = teaching.read_reference_labels(reference_labels_tsv)
    calibrations = teaching.read_calibrations(calibrations_json)
    ontology = Ontology.from_json(ontology_json)
    held_out = set(check["query"])
    rows = []
    for aspect in aspects:
        in_aspect = labels[labels["aspect"] == aspect]
        truth_of = in_aspect[in_aspect["gene_id"].isin(held_out)]
        truth = truth_of.groupby("gene_id")["go_id"].apply(set).to_dict()
        targets = sorted(truth)
        found = reference.reference_transfer(
            check, labels, aspect, targets, neighbours, calibrations[aspect]
        )
        predictions = {
            "naive": methods.naive(labels, aspect, targets, top=NAIVE_TERMS),
            "diamond_knn": transfer.homology_transfer(check, labels, aspect, targets, k=neighbours),
            "reference_transfer": reference.as_predictions(found, targets),
        }
        for method, predicted in predictions.items():
            scored = evaluate(truth, predicted, ontology).assign(method=method)
            rows.append(scored.assign(targets="held-out reference proteins"))
    table = pd.concat(rows, ignore_index=True)
    log.info("reference check:\n%s", table[["aspect", "method", "fmax"]].to_string(index=False))
    with atomic_write(metrics_tsv) as handle:
        table.to_csv(handle, sep="\t", index=False, float_format="%.4g")
