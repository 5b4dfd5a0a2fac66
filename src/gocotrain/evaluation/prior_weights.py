"""How much of the organism's own term frequencies a finished score gets, chosen on held-out
genes like the exported ones.

Per-term models rank a gene's terms by probabilities that are not comparable across terms:
a little-studied gene, whose truth is mostly broad terms (``cytoplasm``, ``protein
binding``), gets its specific terms ranked above them. Mixing each score with the term's
frequency among the organism's labeled genes, ``(1 - weight) * score + weight * frequency``
(`frequencies.with_prior`, as the new-organism mode mixes), puts the broad terms back in front.

The weight is the smallest of `frequencies.PRIOR_WEIGHTS` whose protein-centric Fmax is within
`FMAX_TOLERANCE` of the best on the evaluation's held-out genes most like the exported ones
(`targets.closest_to_exported`). Fmax, not average precision over all gene–term pairs: pooled
pairs reward ranking genes against each other, where the frequencies help far more than
within a gene, and chose weights that cost Fmax on yeast.

* `cross_fitted` mixes a method's held-out predictions for the report: each half of the
  targets (a hash of the gene ID) with the weight chosen on the other half, so no figure is
  of a weight chosen on the genes it scores.
* `choose`, on all of them, picks the weight the run's export and saved model use
  (`teaching.Teacher.fit` reads it from the file `write_weights` writes).
* `with_own_frequencies` does both for one method's predictions of an evaluation, per aspect
  and split (rule ``evaluation_score``).

This is evaluation code: the product reads the weights it writes, as it reads the export
thresholds, and never imports it.
"""

from __future__ import annotations

import logging
import zlib
from collections.abc import Mapping

import pandas as pd

from gocotrain.evaluation.method_names import PRODUCT_METHOD
from gocotrain.evaluation.metrics import precision_recall_curve
from gocotrain.evaluation.splits import TIME_SPLIT_NAMES, labels_to_truth
from gocotrain.export.targets import closest_to_exported
from gocotrain.inputs.ontology import Ontology
from gocotrain.teaching.chosen_weights import (
    EXPORT_WEIGHT,
    MIXES_OWN_FREQUENCY,
    MIXES_TRANSFER,
)
from gocotrain.teaching.frequencies import MIN_PRIOR_GENES, PRIOR_WEIGHTS, own_frequencies
from gocotrain.teaching.transfer import Predictions
from gocotrain.textio import atomic_write

log = logging.getLogger("gocotrain")

# Fmax differences this small are within what a few hundred held-out genes can resolve: a
# weight must gain more than this over a smaller one to be chosen (less mixing is the default).
FMAX_TOLERANCE = 0.005
WEIGHT_COLUMNS = [
    "method",
    "aspect",
    "mixed_in",
    "half",
    "genes_scored",
    "genes_chosen_on",
    "weight",
    "fmax_by_weight",
]


def mixed(
    predictions: Mapping[str, Mapping[str, float]],
    genes,
    frequency: dict[str, float],
    weight: float,
    aspect_of: Mapping[str, str],
    aspect: str,
) -> Predictions:
    """The `genes`' predictions in `aspect` mixed with the frequencies by `weight` (terms of
    other aspects left out)."""
    out = {}
    for gene in genes:
        scores = {
            term: score
            for term, score in predictions.get(gene, {}).items()
            if aspect_of.get(term) == aspect
        }
        if weight == 0.0:
            out[gene] = scores
            continue
        out[gene] = {
            term: (1.0 - weight) * scores.get(term, 0.0) + weight * frequency.get(term, 0.0)
            for term in set(scores) | set(frequency)
        }
    return out


# One split's genes to score or choose on, with their truth in one aspect, and the term
# frequencies of the labels that split trains on.
Part = tuple[dict[str, set[str]], dict[str, float]]


def fmax_by_weight(
    parts: list[Part],
    predictions: Mapping[str, Mapping[str, float]],
    ontology: Ontology,
    aspect: str,
) -> list[dict]:
    """Fmax on the `parts`' truth (one aspect) of the predictions mixed, each part with its
    split's frequencies, by each of `PRIOR_WEIGHTS`."""
    truth = {gene: terms for genes, _ in parts for gene, terms in genes.items()}
    tried = []
    for weight in PRIOR_WEIGHTS:
        scores = {}
        for genes, frequency in parts:
            scores |= mixed(predictions, genes, frequency, weight, ontology.aspects, aspect)
        tried.append({"weight": weight, "fmax": fmax_of(truth, scores, ontology)})
    return tried


def fmax_of(truth: dict[str, set[str]], predictions, ontology: Ontology) -> float:
    """The protein-centric Fmax of the `truth` genes' predictions, to the 4 digits a weight is
    chosen by."""
    scored = {gene: predictions.get(gene, {}) for gene in truth}
    curve = precision_recall_curve(truth, scored, ontology)
    return round(float(curve["f"].max()), 4) if not curve.empty else 0.0


def chosen(
    tried: list[dict], genes: int, at_least: int = MIN_PRIOR_GENES, default: float = 0.0
) -> float:
    """The weight closest to `default` (the smallest for 0: less mixing) whose Fmax is within
    `FMAX_TOLERANCE` of the best; `default` on fewer than `at_least` genes to choose on."""
    if genes < at_least or not tried:
        return default
    best = max(entry["fmax"] for entry in tried)
    near = [entry["weight"] for entry in tried if entry["fmax"] >= best - FMAX_TOLERANCE]
    return min(near, key=lambda weight: (abs(weight - default), weight))


def choose(
    parts: list[Part], predictions, ontology: Ontology, aspect: str, at_least=MIN_PRIOR_GENES
) -> dict:
    """The weight chosen on the `parts` (0 on fewer than `at_least` genes), with every
    weight's Fmax."""
    genes = sum(len(truth) for truth, _ in parts)
    tried = fmax_by_weight(parts, predictions, ontology, aspect) if genes else []
    weight = chosen(tried, genes, at_least)
    return {"genes_chosen_on": genes, "weight": weight, "fmax_by_weight": tried}


def half_of(gene: str) -> int:
    """A gene's half of the targets: a hash of its ID, the same in every run."""
    return zlib.crc32(gene.encode()) % 2


def cross_fitted(
    predictions: Mapping[str, Mapping[str, float]],
    scored: list[Part],
    chosen_on: list[Part],
    ontology: Ontology,
    aspect: str,
) -> tuple[Predictions, list[dict]]:
    """The `scored` genes' predictions in `aspect`, each half mixed with the weight chosen on
    the other half of `chosen_on` (the targets most like the exported genes), and a record
    of each half's choice."""
    out, record = {}, []
    for half in (0, 1):
        fit = [
            ({gene: terms for gene, terms in truth.items() if half_of(gene) != half}, frequency)
            for truth, frequency in chosen_on
        ]
        choice = choose(fit, predictions, ontology, aspect)
        genes = 0
        for truth, frequency in scored:
            in_half = [gene for gene in truth if half_of(gene) == half]
            genes += len(in_half)
            out |= mixed(
                predictions, in_half, frequency, choice["weight"], ontology.aspects, aspect
            )
        record.append({"half": str(half), "genes_scored": genes} | choice)
    return out, record


def with_own_frequencies(method, predicted, targets, labels, ontology, protocol):
    """`predicted` mixed with each split's own term frequencies per aspect, each half of the
    targets by the weight chosen on the other half of those most like the exported genes
    (the aspect's `targets.closest_to_exported` kind, as the export thresholds take it); for
    co-training, also the weight the export uses, chosen on all of them, and only where each
    half had enough genes to choose on too (else the figures would be of unmixed scores and
    the export's of mixed ones). Returns the mixed predictions and the weights' records."""
    out, records = {}, []
    for aspect, in_aspect in targets.groupby("aspect"):
        genes = in_aspect.groupby("targets")["gene_id"].nunique().to_dict()
        headline = closest_to_exported(genes, genes)
        scored, chosen_on = [], []
        for split, group in in_aspect.groupby("split"):
            held_out = set(targets.loc[targets["split"] == split, "gene_id"])
            # A time split trains on the older labels as they are (its targets have none in
            # the aspect); cross-validation hides its fold's.
            training = (
                labels
                if protocol in TIME_SPLIT_NAMES
                else labels[~labels["gene_id"].isin(held_out)]
            )
            frequency = own_frequencies(training, aspect)
            scored.append((labels_to_truth(group), frequency))
            chosen_on.append((labels_to_truth(group[group["targets"] == headline]), frequency))
        part, record = cross_fitted(predicted, scored, chosen_on, ontology, aspect)
        for gene, scores in part.items():
            out.setdefault(gene, {}).update(scores)
        if method == PRODUCT_METHOD:
            halves = all(entry["genes_chosen_on"] >= MIN_PRIOR_GENES for entry in record)
            at_least = MIN_PRIOR_GENES if halves else float("inf")
            export = choose(chosen_on, predicted, ontology, aspect, at_least)
            record.append({"half": EXPORT_WEIGHT, "genes_scored": 0} | export)
        keys = {"method": method, "aspect": aspect, "mixed_in": MIXES_OWN_FREQUENCY}
        records.extend(keys | entry for entry in record)
    return out, records


def write_weights(records: list[dict], path: str) -> None:
    table = pd.DataFrame(records, columns=WEIGHT_COLUMNS)
    table["fmax_by_weight"] = table["fmax_by_weight"].map(
        lambda tried: " ".join(f"{entry['weight']}:{entry['fmax']}" for entry in tried)
    )
    for _, row in table[table["half"] == EXPORT_WEIGHT].iterrows():
        what = (
            "blends the homology transfer in"
            if row["mixed_in"] == MIXES_TRANSFER
            else "mixes own term frequencies in"
        )
        log.info(
            "aspect %s: the export %s by %s (chosen on %d genes; Fmax by weight %s)",
            row["aspect"],
            what,
            row["weight"],
            row["genes_chosen_on"],
            row["fmax_by_weight"],
        )
    with atomic_write(path) as handle:
        table.to_csv(handle, sep="\t", index=False)
