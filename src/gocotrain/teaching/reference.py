"""Annotated reference species: what a newly sequenced organism's genes learn from.

A new organism has its proteins and its expression, and few or no GO annotations of its own.
Other species' annotated proteins (UniProt Swiss-Prot with its GO annotations) are the
`reference`. Its proteins are training data only: they are never scored or exported, and no
per-term model is fitted on their rows (a quarter of a million rows for thousands of terms).
What they teach reaches the organism's genes in three ways:

* **The transfer.** Each gene's reference homologs (DIAMOND, `homology.search_against`) give
  every term they carry the evidence the rare terms get (`transfer.transfer_evidence`:
  bitscore share of the `neighbours` best homologs carrying it, times the best identity
  among them), calibrated on the reference itself (`reference_calibrations`): a sample of
  reference proteins (`check_proteins`) is searched against the whole reference, and
  isotonic regression maps the evidence of each term transferred to one of them (from
  homologs other than itself) to the share of those terms its own annotations hold.
* **The teacher's labels.** Where the calibrated transfer is right more often than not
  (`label_precision`), the gene takes the term as a label for the two-view models
  (`training_labels`): the sequence view's labels, which the expression view, blind to
  sequence, learns from in co-training and extends to genes with weak or no homologs. The
  user's own labels win for their genes (`resolved`). Labels so made obey the hierarchy:
  the evidence of a term never exceeds its ancestors' (the reference labels are propagated),
  and the calibration never decreases.
* **The blend.** The exported score of a term is the mean of its two-view model and its
  calibrated transfer (`homology.blend`), as for the organism's own labels; a gene the
  reference taught keeps its transfer (`with_taught_scores`).

Where the organism has labels of its own, they also say how often it carries each term, which
the reference cannot: human's experimental MF annotations are mostly `protein binding`, rare
among Swiss-Prot's. Scores are mixed with the organism's own term frequencies (CAFA's naive
score), by the weight that ranks its own labeled genes' terms best (`fit_prior_weight`;
mixed by `frequencies.with_prior`): a correction for the shift in term frequencies between
the reference and the organism, fitted on the organism, like DeepGOPlus' weight between its
DIAMOND score and its model, fitted on its validation proteins.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from gocotrain.errors import InputError
from gocotrain.inputs.annotations import (
    OWN,
    REFERENCE,
    Labels,
    build_labels,
    read_annotations,
    resolved,
)
from gocotrain.inputs.ontology import Ontology
from gocotrain.inputs.sequences import gene_id_from_header, read_fasta, write_fasta
from gocotrain.learning.terms import AspectScores
from gocotrain.teaching.frequencies import (
    MIN_PRIOR_GENES,
    PRIOR_WEIGHTS,
    own_frequencies,
)
from gocotrain.teaching.transfer import (
    Predictions,
    TransferCalibration,
    transfer_evidence,
    with_transfer,
)
from gocotrain.views.features import HOMOLOGY_VIEW

log = logging.getLogger(__name__)


def check_proteins(accessions: list[str], n_proteins: int) -> list[str]:
    """`n_proteins` reference proteins held out to calibrate the transfer, the same for every
    run of a reference whatever the seed: those whose accession's SHA-256 is smallest."""

    def digest(accession: str) -> bytes:
        return hashlib.sha256(accession.encode()).digest()

    return sorted(sorted(set(accessions), key=digest)[:n_proteins])


def write_check_proteins(sequences: str | Path, out_fasta: str | Path, n_proteins: int) -> int:
    """Write the check sample of a reference FASTA (IDs as accessions); how many written."""
    proteins = {}
    for header, sequence, _ in read_fasta(sequences):
        proteins.setdefault(gene_id_from_header(header), sequence)
    if not proteins:
        raise InputError(sequences, "no protein record found", "give the reference's protein FASTA")
    chosen = check_proteins(list(proteins), n_proteins)
    write_fasta({accession: proteins[accession] for accession in chosen}, out_fasta)
    return len(chosen)


def reference_labels(
    annotations: str | Path,
    ontology: Ontology,
    proteins: list[str],
    evidence_codes: list[str],
    aspects: list[str],
) -> Labels:
    """The reference proteins' propagated labels, for the `proteins` a run reads (the user's
    genes' homologs and the check sample): the rest of the reference costs nothing."""
    return build_labels(
        read_annotations(annotations),
        ontology,
        proteins,
        evidence_codes,
        aspects,
        annotations,
        max_unmatched_share=None,  # the run reads a few of the reference's proteins
    )


def reference_calibrations(
    check_hits: pd.DataFrame, labels: pd.DataFrame, aspects: list[str], k: int | None
) -> dict[str, TransferCalibration | None]:
    """Per aspect, the calibration of the transfer on the held-out reference proteins (the
    queries of `check_hits`, searched against the whole reference; self-hits never count)."""
    calibrations = {}
    for aspect in aspects:
        in_aspect = labels[labels["aspect"] == aspect]
        calibrations[aspect] = TransferCalibration.fit(
            check_hits, in_aspect, set(in_aspect["go_id"].unique()), k
        )
    return calibrations


def reference_transfer(
    hits: pd.DataFrame,
    labels: pd.DataFrame,
    aspect: str,
    genes: list[str],
    k: int | None,
    calibration: TransferCalibration | None,
) -> pd.DataFrame:
    """Every term the genes' reference homologs carry, with its calibrated transfer score.

    Columns: gene_id, go_id, score (only scores above 0)."""
    found = transfer_evidence(hits, labels[labels["aspect"] == aspect], genes, k)
    scores = found["evidence"].to_numpy()
    if calibration is not None:
        scores = calibration(scores)
    table = pd.DataFrame({"gene_id": found["query"], "go_id": found["go_id"], "score": scores})
    return table[table["score"] > 0].reset_index(drop=True)


def as_predictions(transfer: pd.DataFrame, genes: list[str]) -> Predictions:
    """`reference_transfer`'s table as CAFA-style predictions of the genes."""
    predictions: Predictions = {gene: {} for gene in genes}
    for gene, term, score in zip(
        transfer["gene_id"], transfer["go_id"], transfer["score"], strict=True
    ):
        predictions[gene][term] = float(score)
    return predictions


def training_labels(
    own: pd.DataFrame, transfers: dict[str, pd.DataFrame], label_precision: float
) -> pd.DataFrame:
    """The user's own labels and, for every gene with reference homologs, the terms its
    calibrated reference transfer gives at least `label_precision`; column ``source`` says
    which (``own`` or ``reference``). `resolved` picks what a fit learns from."""
    parts = [own[["gene_id", "aspect", "go_id"]].assign(source=OWN)]
    for aspect, transfer in transfers.items():
        taught = transfer[transfer["score"] >= label_precision]
        parts.append(taught[["gene_id", "go_id"]].assign(aspect=aspect, source=REFERENCE))
    table = pd.concat(parts, ignore_index=True)[["gene_id", "aspect", "go_id", "source"]]
    return table.sort_values(["aspect", "gene_id", "go_id", "source"], ignore_index=True)


def with_taught_scores(
    scores: AspectScores, transferred: Predictions, taught_genes: set[str], blend: bool
) -> tuple[AspectScores, Predictions]:
    """`transfer.with_transfer`, except that the genes the reference taught keep their
    calibrated transfer for the modelled terms too, as their score and their homology view's
    score (`features.HOMOLOGY_VIEW`; the other views' scores are none).

    Their two-view model was fitted on their own taught labels, which are that transfer over
    `label_precision`: its score of them repeats the teacher (in-sample), and averaging the
    two counts the transfer twice. For the other genes (the unlabeled pool: weak or no
    homologs) the model is an estimate of its own, and the blend averages two estimators as
    it does for an organism's own labels.
    """
    combined, rare = with_transfer(scores, transferred, blend)
    rows = np.flatnonzero(np.isin(scores.genes, list(taught_genes)))
    if not len(rows):
        return combined, rare
    column = {term: index for index, term in enumerate(scores.terms.tolist())}
    score = combined.score.copy()
    score[rows] = 0.0
    for row in rows:
        for term, value in transferred.get(str(scores.genes[row]), {}).items():
            if term in column:
                score[row, column[term]] = value
    views = {view: matrix.copy() for view, matrix in combined.views.items()}
    for view, matrix in views.items():
        matrix[rows] = score[rows] if view == HOMOLOGY_VIEW else np.nan
    return replace(combined, score=score, views=views), rare


def own_labeled(labels: pd.DataFrame, aspect: str) -> set[str]:
    """The genes with labels of their own in the aspect (of `source` own, or every labeled
    gene of a table without sources)."""
    in_aspect = labels[labels["aspect"] == aspect]
    if "source" in in_aspect:
        in_aspect = in_aspect[in_aspect["source"] == OWN]
    return set(in_aspect["gene_id"])


def labels_report(table: pd.DataFrame, aspects: list[str]) -> dict:
    """Per aspect, genes and labels by source: what the run summary shows of the teacher."""
    report = {}
    for aspect in aspects:
        in_aspect = table[table["aspect"] == aspect]
        used = resolved(in_aspect)
        for source in (OWN, REFERENCE):
            part = used[used["source"] == source]
            report[f"{source}_labeled_genes_{aspect}"] = int(part["gene_id"].nunique())
            report[f"{source}_labels_{aspect}"] = len(part)
    return report


def fit_prior_weight(
    truth: dict[str, set[str]],
    transferred: Predictions,
    frequency: dict[str, float],
) -> tuple[float, list[dict]]:
    """The weight of the organism's term frequencies in its scores: of `PRIOR_WEIGHTS`, the
    one whose mix of the reference transfer and the frequencies ranks the own labeled genes'
    terms best (`truth`, propagated: average precision over every gene-term pair either
    scores or holds; the smallest weight on a tie), and every weight's average precision.

    The transfer of an own labeled gene never reads its own labels (`transfer_evidence`
    skips the gene itself), and its own labels count once among hundreds in the frequencies.
    Both are consistent with the hierarchy (propagated labels), so their mix is too.
    """
    if len(truth) < MIN_PRIOR_GENES:
        return 0.0, []
    genes = sorted(truth)
    pairs = [
        (gene, term)
        for gene in genes
        for term in sorted(set(frequency) | set(transferred.get(gene, {})) | truth[gene])
    ]
    y = np.array([term in truth[gene] for gene, term in pairs])
    transfer = np.array([transferred.get(gene, {}).get(term, 0.0) for gene, term in pairs])
    prior = np.array([frequency.get(term, 0.0) for _, term in pairs])
    from sklearn.metrics import average_precision_score  # only where a weight is chosen

    tried = []
    for weight in PRIOR_WEIGHTS:
        score = (1.0 - weight) * transfer + weight * prior
        tried.append({"weight": weight, "aupr": round(float(average_precision_score(y, score)), 4)})
    best = max(tried, key=lambda entry: (entry["aupr"], -entry["weight"]))
    return best["weight"], tried


def own_prior(
    own: pd.DataFrame,
    hits: pd.DataFrame,
    labels: pd.DataFrame,
    aspect: str,
    k: int | None,
    calibration: TransferCalibration | None,
) -> tuple[dict[str, float], float, list[dict]]:
    """The organism's own term frequencies in the aspect, their weight (`fit_prior_weight`)
    and every weight's average precision; none and weight 0 without enough own labels."""
    in_aspect = own[own["aspect"] == aspect]
    truth = in_aspect.groupby("gene_id")["go_id"].apply(set).to_dict()
    if len(truth) < MIN_PRIOR_GENES:
        return {}, 0.0, []
    frequency = own_frequencies(own, aspect)
    found = reference_transfer(hits, labels, aspect, sorted(truth), k, calibration)
    weight, tried = fit_prior_weight(truth, as_predictions(found, sorted(truth)), frequency)
    return frequency, weight, tried
