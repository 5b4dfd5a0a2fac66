"""The teacher: what turns the two-view models' scores into the scores a run exports.

The models score the terms they model. The teacher finishes those scores one way wherever
they are used — the export, the evaluation of every learned method, and a saved model
scoring new genes (`Teacher.finish`):

* **Homology transfer.** Each term a gene's labeled homologs carry gets the calibrated
  evidence of `transfer.transfer_evidence`. The terms too rare to model get that score
  (``homology.rare_terms: transfer``); the modelled terms a blend of model and transfer
  (``homology.blend``), the transfer's share chosen by the evaluation (`Lesson.blend_weight`).
* **A reference** (the new-organism mode): the homologs are the reference species' proteins
  beside the organism's own labeled genes; the calibration is fitted on held-out reference
  proteins; a gene the reference taught keeps its transfer (`reference.with_taught_scores`);
  and every score is mixed with the organism's own term frequencies by the weight that ranks
  its own labeled genes' terms best (`reference.own_prior`).

What the teacher fits — per aspect a `Lesson`: the transfer's calibration, its blend weight,
and the own term frequencies with their weight — is fitted once per run (rule
``fit_teacher``), saved with the model, and fitted again for each evaluation split without
the split's targets.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from gocotrain.inputs.annotations import OWN, Labels, resolved
from gocotrain.learning.terms import AspectScores
from gocotrain.teaching.frequencies import own_frequencies, with_prior
from gocotrain.teaching.reference import (
    as_predictions,
    own_prior,
    reference_transfer,
    with_taught_scores,
)
from gocotrain.teaching.transfer import (
    DEFAULT_BLEND_WEIGHT,
    Predictions,
    TransferCalibration,
    blends,
    calibrated_terms,
    transfer_terms,
    transfers_rare_terms,
    with_transfer,
)
from gocotrain.textio import atomic_write
from gocotrain.views import homology

# Where an exported score comes from (the `source` column). A score mixed with the
# organism's own term frequencies says so: "... and own term frequency".
SOURCE_MODEL = "two-view model"
SOURCE_BLEND = "two-view model and homology transfer"
SOURCE_TRANSFER = "homology transfer"
SOURCE_TAUGHT = "taught transfer"
SOURCE_FREQUENCY = "own term frequency"


@dataclass(frozen=True)
class TeacherSettings:
    """The settings that finish scores: the run's ``homology`` (``neighbours``, ``blend``,
    ``rare_terms``), ``min_positives`` and ``min_score`` (``export.min_score``), and with a
    reference its ``reference.label_precision`` (None without a reference)."""

    neighbours: int
    min_positives: int
    min_score: float
    blend: bool
    transfer_rare: bool
    label_precision: float | None = None

    @classmethod
    def of(cls, settings: dict) -> TeacherSettings:
        """From the run's settings: ``homology``, ``min_positives``, ``min_score`` and, where
        a reference teaches, ``label_precision``."""
        homology_settings = settings["homology"]
        return cls(
            neighbours=homology_settings["neighbours"],
            min_positives=settings["min_positives"],
            min_score=settings["min_score"],
            blend=blends(homology_settings),
            transfer_rare=transfers_rare_terms(homology_settings),
            label_precision=settings.get("label_precision"),
        )

    @property
    def transfers(self) -> bool:
        return self.blend or self.transfer_rare


@dataclass(frozen=True)
class Lesson:
    """What the teacher fitted for one aspect: the transfer's calibration (None where none
    could be fitted: the raw evidence scores), and the organism's own term frequencies with
    their weight and every weight tried, with what it was chosen by: average precision on the
    own labeled genes with a reference (`reference.own_prior`), else the evaluation's Fmax on
    held-out genes (`chosen_weights.read_prior_weights`); and the transfer's share of a
    blended score (`blend_weight`, `transfer.with_transfer`) with every share tried, chosen by
    the evaluation's Fmax on held-out genes like the exported ones (else the plain mean)."""

    calibration: TransferCalibration | None
    frequency: dict[str, float] = field(default_factory=dict)
    weight: float = 0.0
    weights_tried: list[dict] = field(default_factory=list)
    blend_weight: float = DEFAULT_BLEND_WEIGHT
    blend_weights_tried: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "calibration": self.calibration.to_dict() if self.calibration else None,
            "frequency": self.frequency,
            "weight": self.weight,
            "weights_tried": self.weights_tried,
            "blend_weight": self.blend_weight,
            "blend_weights_tried": self.blend_weights_tried,
        }

    @classmethod
    def from_dict(cls, entry: dict) -> Lesson:
        """A lesson as `to_dict` wrote it (a model saved before the blend weight: the mean)."""
        calibration = entry.get("calibration")
        return cls(
            TransferCalibration.from_dict(calibration) if calibration else None,
            entry.get("frequency", {}),
            entry.get("weight", 0.0),
            entry.get("weights_tried", []),
            entry.get("blend_weight", DEFAULT_BLEND_WEIGHT),
            entry.get("blend_weights_tried", []),
        )


@dataclass(frozen=True)
class Finished:
    """An aspect's finished scores and where each comes from: the modelled terms' `scores`,
    the other terms' homology transfer (`transferred`), the frequent terms only the
    organism's own term frequencies give (`by_frequency`), and the genes whose modelled
    terms carry the reference's taught transfer (`taught`)."""

    scores: AspectScores
    transferred: Predictions = field(default_factory=dict)
    by_frequency: Predictions = field(default_factory=dict)
    taught: frozenset[str] = frozenset()
    blended: bool = False
    prior_weight: float = 0.0

    def predictions(self, targets) -> Predictions:
        """The `targets`' scores of every term, as the evaluation reads them."""
        row_of = {gene: row for row, gene in enumerate(self.scores.genes.tolist())}
        terms = self.scores.terms.tolist()
        return {
            gene: dict(
                zip(terms, self.scores.score[row_of[gene]].astype(float).tolist(), strict=True)
            )
            | self.by_frequency.get(gene, {})
            | self.transferred.get(gene, {})
            for gene in sorted(set(targets))
        }

    def sources(self) -> tuple[str, str, str, str]:
        """The `source` of a modelled term's score, a taught gene's, a transferred term's and
        a term scored by the own frequency alone."""
        mixed = " and own term frequency" if self.prior_weight > 0 else ""
        model = SOURCE_BLEND if self.blended else SOURCE_MODEL
        if mixed and self.blended:
            model = "two-view model, homology transfer and own term frequency"
        else:
            model += mixed
        return model, SOURCE_TAUGHT + mixed, SOURCE_TRANSFER + mixed, SOURCE_FREQUENCY


@dataclass(frozen=True)
class Teacher:
    """What finishes the scores of a run's genes (`finish`) where the organism's own labels
    teach; `ReferenceTeacher` where reference species teach beside them. `Teacher.of` picks
    the one the settings call for: nothing else asks which it is.

    `hits` are the scored genes' hits to labeled genes (the organism's own, and with a
    reference the reference proteins); `labels` the organism's training labels, column
    ``source`` saying which are its own and which a reference taught; `reference_labels` the
    reference proteins' labels and `reference_calibrations` the transfer's calibration fitted
    on its held-out proteins, per aspect (both empty without a reference); `held_out` the
    genes whose own labels are not read (an evaluation split's targets); `lessons` what `fit`
    fitted per aspect.
    """

    settings: TeacherSettings
    hits: pd.DataFrame
    labels: pd.DataFrame
    reference_labels: pd.DataFrame = field(default_factory=lambda: _no_labels())
    reference_calibrations: dict[str, TransferCalibration | None] = field(default_factory=dict)
    lessons: dict[str, Lesson] = field(default_factory=dict)
    held_out: frozenset[str] = frozenset()

    @staticmethod
    def of(settings: TeacherSettings, hits: pd.DataFrame, labels: pd.DataFrame, **rest) -> Teacher:
        """The teacher the settings call for (a reference teaches where they give its
        ``label_precision``), the source of every label said (own where not)."""
        if "source" not in labels:
            labels = labels.assign(source=OWN)
        kind = Teacher if settings.label_precision is None else ReferenceTeacher
        return kind(settings, hits, labels, **rest)

    def own_labels(self) -> pd.DataFrame:
        """The organism's own labels (not the reference's teaching), without `held_out`'s."""
        labels = self.labels[self.labels["source"] == OWN].drop(columns="source")
        return labels[~labels["gene_id"].isin(self.held_out)].reset_index(drop=True)

    def transferred_labels(self) -> pd.DataFrame:
        """The labels homologs transfer: the reference proteins' and the organism's own."""
        if self.reference_labels.empty:
            return self.own_labels()
        return pd.concat([self.reference_labels, self.own_labels()], ignore_index=True)

    def model_labels(self, labels: pd.DataFrame, held_out) -> pd.DataFrame:
        """The labels the two-view models learn from when `held_out` are scored: the
        organism's own `labels` (an evaluation split's, which hold none of theirs)."""
        return labels

    def without(self, held_out) -> Teacher:
        """The teacher, not fitted, that never reads the `held_out` genes' own labels."""
        return replace(self, held_out=frozenset(held_out), lessons={})

    def fit(
        self, aspects: list[str], held_out=frozenset(), prior_weights: dict | None = None
    ) -> Teacher:
        """The teacher with a `Lesson` per aspect, fitted without `held_out`'s own labels.
        Its calibration is fitted on the organism's own labels; the transfer's blend weight
        and the own term frequencies' weight are those the evaluation chose on held-out genes
        like the exported ones (`prior_weights`: per aspect, its entry as
        `read_prior_weights` reads it; none: the plain mean, and frequencies not mixed)."""
        teacher = self.without(held_out)
        lessons = {
            aspect: teacher._lesson(aspect, (prior_weights or {}).get(aspect)) for aspect in aspects
        }
        return replace(teacher, lessons=lessons)

    def _lesson(self, aspect: str, chosen: dict | None) -> Lesson:
        calibration = self._own_calibration(aspect)
        chosen = chosen or {}
        weight = chosen.get("weight", 0.0)
        return Lesson(
            calibration,
            own_frequencies(self.own_labels(), aspect) if weight else {},
            weight,
            chosen.get("fmax_by_weight", []),
            chosen.get("blend_weight", DEFAULT_BLEND_WEIGHT),
            chosen.get("fmax_by_blend_weight", []),
        )

    def _own_calibration(self, aspect: str) -> TransferCalibration | None:
        if not self.settings.transfers:
            return None
        labels = self.own_labels()
        labels = labels[labels["aspect"] == aspect]
        terms = calibrated_terms(labels, self.settings.min_positives, self.settings.blend)
        return TransferCalibration.fit(self.hits, labels, terms, self.settings.neighbours)

    def transferred(self, scores: AspectScores, aspect: str, query_prefix: str = "") -> Predictions:
        """The calibrated transfer to `scores`' genes (called `query_prefix` + gene in `hits`:
        a saved model marks new genes so) of the rare terms and, with ``blend``, the modelled
        ones."""
        transferred = transfer_terms(
            self.hits,
            self.own_labels(),
            aspect,
            [query_prefix + gene for gene in scores.genes.tolist()],
            self.settings.min_positives if self.settings.transfer_rare else 0,
            self.settings.neighbours,
            self.lessons[aspect].calibration,
            blended_terms=scores.terms.tolist() if self.settings.blend else (),
        )
        return _without_prefix(transferred, query_prefix)

    def blend_parts(self, scores: AspectScores, aspect: str) -> Predictions | None:
        """What the evaluation blends again by each weight it tries (`transferred`; None
        where nothing is blended)."""
        return self.transferred(scores, aspect) if self.settings.blend else None

    def finish(
        self,
        scores: AspectScores,
        aspect: str,
        query_prefix: str = "",
        transferred: Predictions | None = None,
    ) -> Finished:
        """The aspect's finished scores of `scores`' genes, called `query_prefix` + gene in
        `hits` (a saved model marks new genes so); `transferred` where already worked out."""
        if not self.settings.transfers:
            return self.finish_without_transfer(scores, aspect)
        if transferred is None:
            transferred = self.transferred(scores, aspect, query_prefix)
        lesson, blend = self.lessons[aspect], self.settings.blend
        combined, rare = with_transfer(scores, transferred, blend, lesson.blend_weight)
        combined, rare, alone = with_prior(
            combined, rare, lesson.frequency, lesson.weight, self.settings.min_score
        )
        return Finished(combined, rare, alone, blended=blend, prior_weight=lesson.weight)

    def finish_without_transfer(self, scores: AspectScores, aspect: str) -> Finished:
        """The aspect's scores where nothing is transferred (no homology transfer set, or no
        homology search for these genes): the models' scores with the own term frequencies
        mixed in by the lesson's weight."""
        lesson = self.lessons[aspect]
        scores, _, alone = with_prior(
            scores, {}, lesson.frequency, lesson.weight, self.settings.min_score
        )
        return Finished(scores, by_frequency=alone, prior_weight=lesson.weight)

    def report(self, aspect: str) -> dict:
        """What the run summary says of the aspect's lesson: the own term frequencies'
        weight and the transfer's blend weight, each with every weight tried and the
        evaluation's Fmax (none where not chosen)."""
        lesson, said = self.lessons[aspect], {}
        if lesson.weights_tried:
            said = {"own_prior_weight": lesson.weight, "own_prior_by_weight": lesson.weights_tried}
        if lesson.blend_weights_tried:
            said |= {"blend_weight": lesson.blend_weight}
            said |= {"blend_by_weight": lesson.blend_weights_tried}
        return said


@dataclass(frozen=True)
class ReferenceTeacher(Teacher):
    """The teacher where reference species teach (the new-organism mode): the homologs are
    the reference proteins beside the organism's own labeled genes, the calibration is the
    reference's (fitted on its held-out proteins), a gene the reference taught keeps its
    transfer, and the own term frequencies get the weight that ranks the organism's own
    labeled genes' terms best by average precision (`reference.own_prior`)."""

    def model_labels(self, labels: pd.DataFrame, held_out) -> pd.DataFrame:
        """The training labels with `held_out`'s own removed: they learn from the reference
        as genes without own labels do."""
        return resolved(self.labels, held_out=set(held_out))

    def _lesson(self, aspect: str, chosen: dict | None) -> Lesson:
        calibration = self.reference_calibrations[aspect]
        frequency, weight, tried = own_prior(
            self.own_labels(),
            self.hits,
            self.transferred_labels(),
            aspect,
            self.settings.neighbours,
            calibration,
        )
        return Lesson(calibration, frequency, weight, tried)

    def blend_parts(self, scores: AspectScores, aspect: str) -> None:
        """None: a reference's blend keeps the plain mean (its taught genes keep the transfer)."""

    def finish(self, scores: AspectScores, aspect: str, query_prefix: str = "") -> Finished:
        lesson, settings = self.lessons[aspect], self.settings
        queries = [query_prefix + gene for gene in scores.genes.tolist()]
        found = reference_transfer(
            self.hits,
            self.transferred_labels(),
            aspect,
            queries,
            settings.neighbours,
            lesson.calibration,
        )
        transferred = _without_prefix(as_predictions(found, queries), query_prefix)
        taught = frozenset(
            gene.removeprefix(query_prefix) for gene in self.taught_genes(aspect, queries)
        )
        combined, rare = with_taught_scores(scores, transferred, taught, settings.blend)
        finished, rare, alone = with_prior(
            combined,
            rare if settings.transfer_rare else {},
            lesson.frequency,
            lesson.weight,
            settings.min_score,
        )
        return Finished(finished, rare, alone, taught, settings.blend, lesson.weight)

    def taught_genes(self, aspect: str, genes: list[str]) -> set[str]:
        """The `genes` the reference taught in the aspect: those without own labels there
        whose transfer from the reference alone reaches ``label_precision`` for some term
        (as `reference.training_labels` taught them)."""
        own = self.own_labels()
        has_own = set(own.loc[own["aspect"] == aspect, "gene_id"])
        candidates = [gene for gene in genes if gene not in has_own]
        found = reference_transfer(
            self.hits,
            self.reference_labels,
            aspect,
            candidates,
            self.settings.neighbours,
            self.lessons[aspect].calibration,
        )
        return set(found.loc[found["score"] >= self.settings.label_precision, "gene_id"])

    def report(self, aspect: str) -> dict:
        """The own term frequencies' weight and each weight tried with its average precision
        on the organism's own labeled genes."""
        lesson = self.lessons[aspect]
        return {"own_prior_weight": lesson.weight, "own_prior_by_weight": lesson.weights_tried}


def _no_labels() -> pd.DataFrame:
    return pd.DataFrame(columns=["gene_id", "aspect", "go_id"])


def _without_prefix(predictions: Predictions, prefix: str) -> Predictions:
    return {gene.removeprefix(prefix): terms for gene, terms in predictions.items()}


def write_lessons(teacher: Teacher, path: str | Path) -> None:
    """The teacher's settings and lessons as JSON (what a saved model finishes with)."""
    content = {
        "settings": teacher.settings.__dict__,
        "aspects": {aspect: lesson.to_dict() for aspect, lesson in teacher.lessons.items()},
    }
    with atomic_write(path) as handle:
        handle.write(json.dumps(content, indent=1, sort_keys=True) + "\n")


def read_lessons(path: str | Path) -> tuple[TeacherSettings, dict[str, Lesson]]:
    content = json.loads(Path(path).read_text())
    lessons = {aspect: Lesson.from_dict(entry) for aspect, entry in content["aspects"].items()}
    return TeacherSettings(**content["settings"]), lessons


# Reference proteins are named apart from the organism's genes inside the teacher, so that a
# gene whose ID is also a reference protein's (the same UniProt accession) keeps that homolog:
# only a gene's hit to itself is a self-hit (`transfer.kept_homologs`).
REFERENCE_PREFIX = "\x00reference:"


def as_reference(hits: pd.DataFrame, queries_too: bool = False) -> pd.DataFrame:
    """Hits against a reference with its proteins named apart (`REFERENCE_PREFIX`): the
    subjects, and the queries too for the reference's own held-out proteins."""
    hits = hits.assign(subject=REFERENCE_PREFIX + hits["subject"].astype(str))
    if queries_too:
        hits["query"] = REFERENCE_PREFIX + hits["query"].astype(str)
    return hits


def read_reference_hits(paths: list[str | Path], queries_too: bool = False) -> pd.DataFrame:
    """The hits against every reference as one table, reference proteins named apart."""
    hits = pd.concat([homology.read_hits(path) for path in paths])
    return homology.canonical_hits(as_reference(hits, queries_too))


def as_reference_labels(labels: pd.DataFrame) -> pd.DataFrame:
    """Reference proteins' labels with the proteins named apart (`REFERENCE_PREFIX`)."""
    return labels.assign(gene_id=REFERENCE_PREFIX + labels["gene_id"].astype(str))


def read_reference_labels(paths: list[str | Path]) -> pd.DataFrame:
    """Every reference's labels as one table, its proteins named apart."""
    return joined_reference_labels([Labels.from_tsv(path).table for path in paths])


def joined_reference_labels(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """Reference labels tables as one, the proteins named apart (`REFERENCE_PREFIX`)."""
    if not tables:
        return _no_labels()
    return as_reference_labels(
        pd.concat(tables, ignore_index=True).drop_duplicates(ignore_index=True)
    )


def read_calibrations(path: str | Path) -> dict[str, TransferCalibration | None]:
    """The reference's calibrations per aspect (`reference.reference_calibrations`, as
    rule ``prepare_training_labels`` wrote them)."""
    entries = json.loads(Path(path).read_text())
    return {
        aspect: TransferCalibration.from_dict(entry) if entry else None
        for aspect, entry in entries.items()
    }


def load_teacher(
    settings: TeacherSettings,
    hits_tsv: list[str],
    labels_tsv: str,
    reference_labels_tsv: list[str],
    reference_calibrations_json: str | None = None,
) -> Teacher:
    """A teacher, not yet fitted, from a run's files: the organism's hits (its own search,
    then each reference's), its training labels, the references' labels and calibrations."""
    hits = homology.read_hits(hits_tsv[0])
    if len(hits_tsv) > 1:
        hits = homology.canonical_hits(pd.concat([hits, read_reference_hits(hits_tsv[1:])]))
    calibrations = (
        read_calibrations(reference_calibrations_json) if reference_calibrations_json else {}
    )
    return Teacher.of(
        settings,
        hits,
        Labels.from_tsv(labels_tsv).table,
        reference_labels=read_reference_labels(reference_labels_tsv),
        reference_calibrations=calibrations,
    )
