"""Steps of workflow/rules/evaluation.smk: every method trained and scored on the same splits.

* `prepare_labels_before_date`: a date split's training labels (`gocotrain.evaluation.date_split`).
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
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pandas as pd

from gocotrain.evaluation import blend_weights, margins, method_names, prior_weights, reuse
from gocotrain.evaluation.date_split import DateSplit
from gocotrain.evaluation.method_names import METHODS
from gocotrain.evaluation.metrics import (
    SUMMARY_COLUMNS,
    evaluate,
    information_accretion,
    read_split_predictions,
    score,
    view_signal,
)
from gocotrain.evaluation.splits import (
    TIME_SPLIT_NAMES,
    cross_validation_folds,
    labels_to_truth,
    least_annotated,
    split_names,
    time_split_targets,
)
from gocotrain.export.targets import (
    CROSS_VALIDATION,
    LEAST_ANNOTATED,
    LIMITED_KNOWLEDGE,
    NO_KNOWLEDGE,
)
from gocotrain.inputs.annotations import Labels, read_annotations
from gocotrain.inputs.ontology import Ontology
from gocotrain.inputs.sequences import read_fasta
from gocotrain.steps import TeacherFiles, write_json
from gocotrain.teaching import reference, transfer
from gocotrain.teaching import teacher as teaching
from gocotrain.textio import atomic_write

log = logging.getLogger("gocotrain")

TARGET_COLUMNS = ["split", "targets", "aspect", "gene_id", "go_id"]


# ----------------------------------------------------------------------------------------
# Targets


def prepare_labels_before_date(
    annotations: str,
    ontology: str,
    proteins: str,
    labels: str,
    report: str,
    evidence_codes: list[str],
    aspects: list[str],
    date_split: DateSplit,
) -> None:
    """A date split's training labels: the annotations dated up to its date (`date_split`)."""
    genes = [gene for gene, _, _ in read_fasta(proteins)]
    read = Ontology.from_json(ontology)
    found = read_annotations(annotations)
    found = date_split.labels(found, read, genes, evidence_codes, aspects, annotations)
    found.to_tsv(labels)
    log.info("date split of %s: %s", annotations, found.report)
    write_json(found.report, report)


@dataclass(frozen=True)
class Splits:
    """How the labeled genes are split (config `evaluation`): the `protocol`, and for
    cross-validation its `folds`, how many of them are evaluated, the seed, and the share of
    an aspect's labeled genes whose least annotated are scored again (`least_annotated`)."""

    protocol: str
    folds: int
    folds_evaluated: int | None
    seed: int
    least_annotated_share: float


def evaluation_targets(
    labels: str,
    targets: str,
    aspects: list[str],
    splits: Splits,
    labels_new: str | None = None,
    ontology: str | None = None,
) -> pd.DataFrame:
    """Write the target genes of every evaluated split with their truth (TARGET_COLUMNS).

    Cross-validation: genes labeled in any of `aspects` go to `folds` seeded folds; a fold's
    targets in an aspect are its genes labeled there, their truth those labels, and
    ``targets`` is "cross_validation"; its genes among an aspect's `least_annotated_share`
    least annotated there (`splits.least_annotated`) are listed again as "least_annotated".
    Time split, and date split (`labels` those up to the date, `labels_new` all): the
    targets of `splits.time_split_targets` ("no_knowledge", "limited_knowledge"), their truth
    the newer labels.
    """
    table = Labels.from_tsv(labels).table
    table = table[table["aspect"].isin(aspects)]
    if splits.protocol == CROSS_VALIDATION:
        read = Ontology.from_json(ontology) if ontology else None
        sparse = least_annotated(table, splits.least_annotated_share, read)
        frames = _fold_targets(table, splits, sparse)
    elif splits.protocol in TIME_SPLIT_NAMES:
        name = TIME_SPLIT_NAMES[splits.protocol]
        frames = _time_split_targets(table, labels_new, ontology, aspects, name)
    else:
        raise ValueError(f"unknown protocol {splits.protocol!r}")
    found = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    found = found.reindex(columns=TARGET_COLUMNS)
    found = found.sort_values(TARGET_COLUMNS).reset_index(drop=True)
    with atomic_write(targets) as handle:
        found.to_csv(handle, sep="\t", index=False)
    for (split, kind, aspect), group in found.groupby(["split", "targets", "aspect"]):
        log.info("%s %s %s: %d target genes", split, kind, aspect, group["gene_id"].nunique())
    return found


def _fold_targets(labels: pd.DataFrame, splits: Splits, sparse: set) -> list[pd.DataFrame]:
    """Each evaluated fold's targets: every gene of the fold ("cross_validation"), and again,
    per aspect, those of its genes in `sparse` ("least_annotated", (aspect, gene) pairs)."""
    fold_of = cross_validation_folds(labels["gene_id"], splits.folds, splits.seed)
    frames = []
    for split in split_names(splits.protocol, splits.folds, splits.folds_evaluated):
        in_fold = labels["gene_id"].map(fold_of).eq(int(split.removeprefix("fold")))
        frame = labels.loc[in_fold, ["aspect", "gene_id", "go_id"]]
        frames.append(frame.assign(split=split, targets=CROSS_VALIDATION))
        pairs = pd.Series(list(zip(frame["aspect"], frame["gene_id"], strict=True)), frame.index)
        frames.append(frame[pairs.isin(sparse)].assign(split=split, targets=LEAST_ANNOTATED))
    return frames


def _time_split_targets(
    labels: pd.DataFrame, labels_new: str, ontology: str | None, aspects: list[str], name: str
) -> list[pd.DataFrame]:
    new_labels = Labels.from_tsv(labels_new).table
    read = Ontology.from_json(ontology) if ontology else None
    frames = []
    for aspect in aspects:
        found = time_split_targets(labels, new_labels, aspect, ontology=read)
        for kind in (NO_KNOWLEDGE, LIMITED_KNOWLEDGE):
            rows = [
                (name, kind, aspect, gene, term)
                for gene, terms in found[kind].items()
                for term in sorted(terms)
            ]
            frames.append(pd.DataFrame(rows, columns=TARGET_COLUMNS))
    return frames


def read_targets(path: str | Path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)


# ----------------------------------------------------------------------------------------
# Predictions of one method for one split


@dataclass(frozen=True)
class MethodFiles:
    """What one method's predictions for one split read (the labels, the splits' targets,
    both views, the organism's homology hits) and write (the predictions; with `record`,
    which aspects were reused from the store; with `blend_parts`, `blend_weights.BlendParts`)."""

    labels: str
    targets: str
    sequence: str
    expression: str
    hits: str
    predictions: str
    record: str | None = None
    blend_parts: str | None = None


@dataclass(frozen=True)
class Training:
    """How the methods train: `settings` holds the config's ``cotraining``, ``homology``,
    ``min_positives`` and ``min_score`` (the methods read their settings where the product
    does) and the teacher's; with `store`, parts are reused from `reuse.PredictionStore`."""

    settings: dict
    seed: int
    threads: int
    store: str | None = None


def evaluation_predict(
    method: str,
    split: str,
    protocol: str,
    aspects: list[str],
    files: MethodFiles,
    training: Training,
    teacher: TeacherFiles | None = None,
) -> pd.DataFrame:
    """Train `method` without the split's targets and write its CAFA predictions for them.

    Cross-validation hides every label of a fold's genes, in all aspects; the time split
    trains on the older labels as they are. Scores below ``min_score`` are not written: the
    CAFA thresholds start at 0.01, so they cannot change Fmax, weighted Fmax or Smin.

    With `training.store`, each aspect's part is read from `reuse.PredictionStore` where an
    earlier run made it from the same inputs, and stored where not; `files.record` then says,
    per aspect, which it was.

    `teacher` names what the export's teacher reads: the learned methods' scores are finished
    as the product's, by a teacher fitted without the split's targets (`methods.predictor`). Without
    it, the organism's own hits and labels teach.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose from {METHODS}")
    labels = Labels.from_tsv(files.labels).table
    targets = read_targets(files.targets)
    targets = targets[targets["split"] == split]
    if protocol == CROSS_VALIDATION:
        labels = labels[~labels["gene_id"].isin(set(targets["gene_id"]))]
    parts = _stored_parts(method, files, training, teacher)
    rows, record, blend_parts = [], {}, {}
    for aspect in aspects:
        aspect_targets = sorted(set(targets.loc[targets["aspect"] == aspect, "gene_id"]))
        if not aspect_targets:
            continue
        kept, blend, record[aspect] = parts.make(labels, aspect, aspect_targets)
        if blend is not None:
            blend_parts[aspect] = blend
        how = "reused: same inputs as before" if record[aspect]["reused"] else "trained"
        log.info(
            "%s %s aspect %s: %d targets, %d predictions ≥ %g (%s)",
            *(method, split, aspect, len(aspect_targets), len(kept)),
            *(training.settings["min_score"], how),
        )
        rows.extend(kept)
    table = pd.DataFrame(rows, columns=["gene", "term", "score"])
    table = table.sort_values(["gene", "term"]).reset_index(drop=True)
    with atomic_write(files.predictions) as handle:
        table.to_csv(handle, sep="\t", index=False, header=False, float_format="%.6g")
    if files.record:
        write_json(record, files.record)
    if files.blend_parts:
        blend_weights.write_blend_parts(blend_parts, files.blend_parts)
    return table


def _stored_parts(method, files: MethodFiles, training: Training, teacher: TeacherFiles | None):
    """The method's parts, read from the store where it has them; without the rule's
    teacher files, the organism's own hits and labels teach."""
    teacher = teacher or TeacherFiles([files.hits], files.labels, [])
    inputs = _part_inputs(files, teacher)
    fitted = _load_teacher(training, teacher)
    from gocotrain.evaluation import methods  # scikit-learn, XGBoost: predicting jobs only

    build = partial(
        methods.predictor,
        method,
        training.settings,
        training.seed,
        training.threads,
        inputs,
        fitted,
    )
    return reuse.StoredParts(
        method, training.settings, training.seed, inputs, training.store, build
    )


def _load_teacher(training: Training, files: TeacherFiles) -> teaching.Teacher:
    return teaching.load_teacher(
        teaching.TeacherSettings.of(training.settings),
        files.teacher_hits,
        files.training_labels,
        files.reference_labels,
        files.reference_calibrations,
    )


def _part_inputs(files: MethodFiles, teacher: TeacherFiles) -> dict[str, str]:
    """The files a part is made from, by name, for its digest (`reuse.InputsDigest`)."""
    inputs = {"sequence": files.sequence, "expression": files.expression, "hits": files.hits}
    return inputs | reuse.teacher_inputs(teacher, files.labels)


# ----------------------------------------------------------------------------------------
# Scores


@dataclass(frozen=True)
class MethodPredictions:
    """Every method's predictions (and blend parts) files, in the order of the rule's
    `expand`: methods outer, splits inner."""

    predictions: list[str]
    methods: list[str]
    splits: list[str]
    blend_parts: list[str] | None = None

    def by_method(self, files: list[str] | None = None) -> dict[str, list[str]]:
        """Each method's files over the splits (`files`: the predictions)."""
        files = self.predictions if files is None else files
        n = len(self.splits)
        return {
            method: files[index * n : (index + 1) * n] for index, method in enumerate(self.methods)
        }


@dataclass(frozen=True)
class ScoreTables:
    """What `evaluation_score` writes: the metrics, the precision-recall curves, per-term
    AUPR, the truth in CAFA's format and (where given) each view's signal, the weights of
    the own term frequencies (`prior_weights`) and co-training's margins over the baselines
    with their intervals (`margins`)."""

    metrics: str
    curves: str
    per_term: str
    truth: str
    view_signal: str | None = None
    prior_weights: str | None = None
    margins: str | None = None


@dataclass(frozen=True)
class FinishChoices:
    """Whether the evaluation chooses the finish's weights (where own labels teach), and the
    lowest score predictions are written with (``export.min_score``)."""

    choose_prior_weights: bool = False
    min_score: float = 0.01


def evaluation_score(
    predictions: MethodPredictions,
    targets: str,
    labels: str,
    ontology: str,
    protocol: str,
    outputs: ScoreTables,
    labels_new: str | None = None,
    finish: FinishChoices | None = None,
) -> pd.DataFrame:
    """Score each method's predictions, gathered over the splits, per aspect and target kind,
    and (`outputs.view_signal`) whether each view carries signal (`metrics.view_signal`).

    With `finish.choose_prior_weights`, the methods the teacher finishes are finished as the
    export is, by weights chosen on held-out genes (`_finished_as_exported`); the weights, and
    those the export uses, go to `outputs.prior_weights` (empty without). Co-training's margin
    over each baseline, with its interval over the held-out genes, goes to `outputs.margins`
    (`margins.margins_table`).

    Information accretion comes from the whole annotation set of the protocol (all labels
    for cross-validation, the newer labels for the time split), not from the targets alone,
    so every target kind and split is weighted alike.
    """
    read = Ontology.from_json(ontology)
    found = read_targets(targets)
    training = Labels.from_tsv(labels).table
    annotation_set = Labels.from_tsv(labels_new).table if labels_new else training
    ia = information_accretion(labels_to_truth(annotation_set), read)
    truth = found[["gene_id", "go_id"]].drop_duplicates()
    with atomic_write(outputs.truth) as handle:
        truth.to_csv(handle, sep="\t", index=False, header=False)
    metrics, curves, terms, weights, compared = [], [], [], [], {}
    blend_parts = predictions.by_method(predictions.blend_parts or [])
    for method, paths in predictions.by_method().items():
        predicted, chosen = _finished_as_exported(
            method,
            read_split_predictions(paths),
            blend_parts.get(method, []),
            *(found, training, read, protocol, finish or FinishChoices()),
        )
        weights.extend(chosen)
        for kind, group in found.groupby("targets"):
            truth = labels_to_truth(group)
            keys = {"protocol": protocol, "targets": kind, "method": method}
            scored = score(truth, predicted, read, ia)
            metrics.append(scored.summary.assign(**keys))
            curves.append(scored.curves.assign(**keys))
            terms.append(scored.per_term.assign(**keys))
            if method in margins.COMPARED:
                compared[kind, method] = scored.proteins
            log.info("scored %s on %s targets", method, kind)
    table = pd.concat(metrics, ignore_index=True)[KEY_COLUMNS + SUMMARY_COLUMNS]
    curves, terms = (pd.concat(frames, ignore_index=True) for frames in (curves, terms))
    _write_scores(table, curves, terms, outputs)
    if outputs.margins:
        _write_margins(margins.margins_table(compared).assign(protocol=protocol), outputs.margins)
    if outputs.prior_weights:
        prior_weights.write_weights(weights, outputs.prior_weights)
    return table


KEY_COLUMNS = ["protocol", "targets", "method"]


def _finished_as_exported(method, predicted, blend_parts, found, training, read, protocol, finish):
    """The method's predictions finished as the export's, by weights chosen on held-out genes
    (the transfer's blend, then the own term frequencies), with the weights' records."""
    if not finish.choose_prior_weights or method not in method_names.TRANSFERS_RARE_TERMS:
        return predicted, []
    predicted, blends = blend_weights.with_blend_weights(
        method, predicted, blend_parts, found, read, finish.min_score
    )
    predicted, mixes = prior_weights.with_own_frequencies(
        method, predicted, found, training, read, protocol
    )
    return predicted, blends + mixes


def _write_margins(found: pd.DataFrame, path: str) -> None:
    with atomic_write(path) as handle:
        found[["protocol", *margins.MARGIN_COLUMNS]].to_csv(
            handle, sep="\t", index=False, float_format="%.4g"
        )


def _write_scores(
    table: pd.DataFrame, curves: pd.DataFrame, terms: pd.DataFrame, outputs: ScoreTables
) -> None:
    for frame, path in (
        (table, outputs.metrics),
        (curves, outputs.curves),
        (terms, outputs.per_term),
    ):
        columns = KEY_COLUMNS + [column for column in frame.columns if column not in KEY_COLUMNS]
        with atomic_write(path) as handle:
            frame[columns].to_csv(handle, sep="\t", index=False, float_format="%.6g")
    if outputs.view_signal:
        signal = view_signal(table)
        log.info("each view's signal (Fmax on held-out genes):\n%s", signal.to_string(index=False))
        with atomic_write(outputs.view_signal) as handle:
            signal.to_csv(handle, sep="\t", index=False, float_format="%.4g")


# The naive baseline of the reference check scores each held-out protein with this many of
# the reference's most frequent terms per aspect: Fmax's threshold sits far above the rest.
NAIVE_TERMS = 300


def evaluation_reference_check(
    check_hits: list[str],
    reference_labels: list[str],
    calibrations: str,
    ontology: str,
    metrics: str,
    aspects: list[str],
    neighbours: int,
) -> None:
    """What a run without labels of its own can be told truly: how well its reference
    transfers terms to proteins of the reference held out from it (`reference.check_proteins`,
    searched against the rest), beside the naive and DIAMOND kNN baselines from the same
    reference. It checks the sequence view's teacher, not the expression view or the
    co-training of the organism's genes, which only the organism's own labels can check."""
    from gocotrain.evaluation import methods  # as in _stored_parts

    check = teaching.read_reference_hits(check_hits, queries_too=True)
    labels = teaching.read_reference_labels(reference_labels)
    fitted = teaching.read_calibrations(calibrations)
    read = Ontology.from_json(ontology)
    held_out = set(check["query"])
    rows = []
    for aspect in aspects:
        in_aspect = labels[labels["aspect"] == aspect]
        truth_of = in_aspect[in_aspect["gene_id"].isin(held_out)]
        truth = truth_of.groupby("gene_id")["go_id"].apply(set).to_dict()
        targets = sorted(truth)
        found = reference.reference_transfer(
            check, labels, aspect, targets, neighbours, fitted[aspect]
        )
        predictions = {
            "naive": methods.naive(labels, aspect, targets, top=NAIVE_TERMS),
            "diamond_knn": transfer.homology_transfer(check, labels, aspect, targets, k=neighbours),
            "reference_transfer": reference.as_predictions(found, targets),
        }
        for method, predicted in predictions.items():
            scored = evaluate(truth, predicted, read).assign(method=method)
            rows.append(scored.assign(targets="held-out reference proteins"))
    table = pd.concat(rows, ignore_index=True)
    log.info("reference check:\n%s", table[["aspect", "method", "fmax"]].to_string(index=False))
    with atomic_write(metrics) as handle:
        table.to_csv(handle, sep="\t", index=False, float_format="%.4g")
