"""How much of a blended score is the homology transfer's, chosen on held-out genes like the
exported ones.

Where homology is set to blend (``homology.blend``), the finish scores a modelled term
``(1 - weight) * model + weight * transfer`` on genes with labeled homologs
(`transfer.with_transfer`). Which of the two estimators deserves more depends on the organism:
on little-studied human genes the calibrated transfer alone ranks biological-process terms
better than the two-view model, on others the model adds more. So the evaluation keeps each
split's two parts apart (`BlendParts`: the model's scores and the calibrated transfer, which
`evaluation_predict` writes beside its predictions), blends them again by each of
`BLEND_WEIGHTS` with the product's own `with_transfer`, and chooses as `prior_weights` chooses:
each half of the targets gets the weight chosen on the other half of those most like the
exported genes (the report's figures), and the export the weight chosen on all of them
(`Teacher.fit` reads it from prior_weights.tsv, rows ``mixed_in == transfer``). The own term
frequencies are then mixed into the blended scores (`prior_weights.with_own_frequencies`), in
the order the finish applies them.

This is evaluation code: the product reads the weight, and never imports it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gocotrain.evaluation import prior_weights
from gocotrain.evaluation.method_names import PRODUCT_METHOD
from gocotrain.evaluation.prior_weights import half_of
from gocotrain.evaluation.splits import labels_to_truth
from gocotrain.export.targets import closest_to_exported
from gocotrain.inputs.ontology import Ontology
from gocotrain.learning.terms import AspectScores
from gocotrain.teaching.chosen_weights import EXPORT_WEIGHT, MIXES_TRANSFER
from gocotrain.teaching.frequencies import MIN_PRIOR_GENES
from gocotrain.teaching.transfer import DEFAULT_BLEND_WEIGHT, Predictions, with_transfer
from gocotrain.textio import atomic_write

# The transfer's shares tried; 1.0 leaves the model out wherever a homolog speaks.
BLEND_WEIGHTS = tuple(np.round(np.linspace(0.2, 1.0, 9), 2).tolist())


@dataclass(frozen=True)
class BlendParts:
    """One aspect's parts of a learned method's finished scores for a split's targets: the
    two-view model's scores of the modelled terms (`model`, the combined score only) and the
    calibrated transfer of every term its homologs carry (`transferred`)."""

    model: AspectScores
    transferred: Predictions

    def blended(self, weight: float, min_score: float) -> Predictions:
        """The targets' finished scores at `weight` (`transfer.with_transfer`), the rare
        terms' transfer beside them, at or above `min_score` as the predictions are written."""
        combined, rare = with_transfer(self.model, self.transferred, True, weight)
        genes = self.model.genes.tolist()
        terms = self.model.terms.tolist()
        found: Predictions = {gene: {} for gene in genes}
        rows, columns = np.nonzero(combined.score >= min_score)
        values = combined.score[rows, columns].astype(float).tolist()
        for row, column, value in zip(rows.tolist(), columns.tolist(), values, strict=True):
            found[genes[row]][terms[column]] = value
        for gene, scores in rare.items():
            found.setdefault(gene, {}).update(
                {term: value for term, value in scores.items() if value >= min_score}
            )
        return found


def write_blend_parts(parts: Mapping[str, BlendParts], path: str) -> None:
    """Each aspect's parts in one compressed NumPy file (none: an empty file of its kind)."""
    arrays = {}
    for aspect, part in parts.items():
        rows = [
            (gene, term, value)
            for gene, scores in part.transferred.items()
            for term, value in scores.items()
        ]
        genes, terms, values = zip(*rows, strict=True) if rows else ((), (), ())
        arrays |= {
            f"{aspect}_genes": part.model.genes.astype(str),
            f"{aspect}_terms": part.model.terms.astype(str),
            f"{aspect}_model": part.model.score,
            f"{aspect}_transfer_genes": np.array(genes, dtype=str),
            f"{aspect}_transfer_terms": np.array(terms, dtype=str),
            f"{aspect}_transfer_scores": np.array(values, dtype=float),
        }
    with atomic_write(path, "wb") as handle:
        np.savez_compressed(handle, **arrays)


def read_blend_parts(path: str) -> dict[str, BlendParts]:
    with np.load(path, allow_pickle=False) as data:
        aspects = [name.removesuffix("_model") for name in data.files if name.endswith("_model")]
        parts = {}
        for aspect in aspects:
            transferred: Predictions = {}
            for gene, term, value in zip(
                data[f"{aspect}_transfer_genes"].tolist(),
                data[f"{aspect}_transfer_terms"].tolist(),
                data[f"{aspect}_transfer_scores"].tolist(),
                strict=True,
            ):
                transferred.setdefault(gene, {})[term] = value
            model = AspectScores(
                data[f"{aspect}_genes"], data[f"{aspect}_terms"], data[f"{aspect}_model"], {}
            )
            parts[aspect] = BlendParts(model, transferred)
    return parts


def chosen(tried: list[dict], genes: int) -> float:
    """The weight closest to the plain mean whose Fmax is within `FMAX_TOLERANCE` of the
    best; the plain mean on fewer than `MIN_PRIOR_GENES` genes to choose on."""
    return prior_weights.chosen(tried, genes, default=DEFAULT_BLEND_WEIGHT)


def _blended(parts: list[dict[str, BlendParts]], aspect: str, weight, min_score) -> Predictions:
    found: Predictions = {}
    for split in parts:
        if aspect in split:
            found |= split[aspect].blended(weight, min_score)
    return found


def _tried(parts, aspect, truths: list[dict], ontology, min_score) -> list[list[dict]]:
    """Each weight's Fmax on each of the `truths`, one list of weights per truth."""
    tried: list[list[dict]] = [[] for _ in truths]
    for weight in BLEND_WEIGHTS:
        found = _blended(parts, aspect, weight, min_score)
        for record, truth in zip(tried, truths, strict=True):
            if truth:
                fmax = prior_weights.fmax_of(truth, found, ontology)
                record.append({"weight": weight, "fmax": fmax})
    return tried


def with_blend_weights(
    method: str,
    predicted: dict[str, dict[str, float]],
    parts_paths: list[str],
    targets: pd.DataFrame,
    ontology: Ontology,
    min_score: float,
) -> tuple[dict[str, dict[str, float]], list[dict]]:
    """`predicted` (over the splits, as written) with each aspect's modelled terms blended
    again from the splits' parts (`parts_paths`): each half of the targets by the weight
    chosen on the other half of those most like the exported genes; for co-training, also the
    weight the export uses, chosen on all of them where each half had enough genes. Returns
    the predictions and the weights' records (as `prior_weights.write_weights` writes them).
    Without parts (nothing blended), `predicted` as it is."""
    parts = [read_blend_parts(path) for path in parts_paths]
    records: list[dict] = []
    for aspect, in_aspect in targets.groupby("aspect"):
        if not any(aspect in split for split in parts):
            continue
        genes = in_aspect.groupby("targets")["gene_id"].nunique().to_dict()
        headline = in_aspect[in_aspect["targets"] == closest_to_exported(genes, genes)]
        chosen_on = labels_to_truth(headline)
        halves = [{g: t for g, t in chosen_on.items() if half_of(g) == half} for half in (0, 1)]
        tried = _tried(parts, aspect, [*halves, chosen_on], ontology, min_score)
        keys = {"method": method, "aspect": aspect, "mixed_in": MIXES_TRANSFER}
        weights = [chosen(tried[1 - half], len(halves[1 - half])) for half in (0, 1)]
        scored = set(in_aspect["gene_id"])
        # One blend per weight chosen, held one at a time (a proteome's is large).
        for weight in sorted(set(weights)):
            found = _blended(parts, aspect, weight, min_score)
            in_halves = {g for g in scored if weights[half_of(g)] == weight}
            _replace_aspect(predicted, found, in_halves, aspect, ontology)
        for half, weight in enumerate(weights):
            records.append(
                keys
                | {"half": str(half), "genes_scored": sum(half_of(g) == half for g in scored)}
                | {"genes_chosen_on": len(halves[1 - half]), "weight": weight}
                | {"fmax_by_weight": tried[1 - half]}
            )
        if method == PRODUCT_METHOD:
            enough = all(len(half) >= MIN_PRIOR_GENES for half in halves)
            weight = chosen(tried[2], len(chosen_on)) if enough else DEFAULT_BLEND_WEIGHT
            records.append(
                keys
                | {"half": EXPORT_WEIGHT, "genes_scored": 0, "genes_chosen_on": len(chosen_on)}
                | {"weight": weight, "fmax_by_weight": tried[2]}
            )
    return predicted, records


def _replace_aspect(predicted, found: Predictions, genes, aspect: str, ontology: Ontology):
    """The `genes`' predictions in `aspect` replaced by `found`'s, those of the other aspects
    kept; only genes whose split kept blend parts (all, as written) are blended again."""
    for gene in (gene for gene in genes if gene in found):
        other_aspects = {
            term: value
            for term, value in predicted.get(gene, {}).items()
            if ontology.aspects.get(term) != aspect
        }
        predicted[gene] = other_aspects | found[gene]
