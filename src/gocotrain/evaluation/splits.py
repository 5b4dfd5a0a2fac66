"""Evaluation splits: gene-level cross-validation folds and CAFA time-split targets, and the
names of the splits, known before any job runs (Snakemake plans with them).

Kept free of heavy imports at module level: the Snakefile imports it while it parses.
The splits work on labels tables as `annotations.build_labels` makes them: one row per gene,
aspect and GO term (columns gene_id, aspect, go_id), propagated to the ancestors, roots left
out. A truth is a `dict[gene, set[term]]`, the form `metrics.evaluate` reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from gocotrain.export.targets import (
    CROSS_VALIDATION,
    LIMITED_KNOWLEDGE,
    NO_KNOWLEDGE,
)

if TYPE_CHECKING:
    import pandas as pd

    from gocotrain.inputs.ontology import Ontology

TIME_SPLIT = "time_split"
# A time split within one annotation file, at a date of its own (`gocotrain.evaluation.date_split`).
DATE_SPLIT = "date_split"
# The one split of each time split, by protocol.
TIME_SPLIT_NAMES = {TIME_SPLIT: "time", DATE_SPLIT: "date"}
TIME_SPLIT_NAME = TIME_SPLIT_NAMES[TIME_SPLIT]


def split_names(protocol: str, folds: int, folds_evaluated: int | None) -> list[str]:
    """fold0 … for cross-validation (the first `folds_evaluated` of `folds`), "time" for a
    time split, "date" for a date split, none when the protocol is "none"."""
    if protocol == CROSS_VALIDATION:
        return [f"fold{fold}" for fold in range(folds_evaluated or folds)]
    if protocol in TIME_SPLIT_NAMES:
        return [TIME_SPLIT_NAMES[protocol]]
    return []


PROTEIN_BINDING = "GO:0005515"
# Protein binding with its is_a ancestors below the molecular_function root (GO:0005488
# binding), for when no ontology is given: a propagated label set holds all of them.
PROTEIN_BINDING_CLOSURE = frozenset({PROTEIN_BINDING, "GO:0005488"})
MOLECULAR_FUNCTION = "F"


def labels_to_truth(labels: pd.DataFrame, aspect: str | None = None) -> dict[str, set[str]]:
    """Each gene's terms, from a labels table, optionally restricted to one aspect."""
    if aspect is not None:
        labels = labels[labels["aspect"] == aspect]
    return {gene: set(terms) for gene, terms in labels.groupby("gene_id")["go_id"]}


def cross_validation_folds(genes_labeled: Iterable[str], n_folds: int, seed: int) -> dict[str, int]:
    """Assign genes (not annotations) to `n_folds` folds of sizes differing by at most one.

    Splitting genes keeps all of a gene's terms on one side, so no test gene is partly known
    from training. The genes are sorted first, so the folds depend on the seed and the set
    of genes only, not on their order. Folds are numbered 0 … n_folds − 1.
    """
    from sklearn.model_selection import KFold  # here: the Snakefile imports this module

    genes = sorted(set(genes_labeled))
    if not 2 <= n_folds <= len(genes):
        raise ValueError(f"n_folds must be between 2 and the {len(genes)} genes, not {n_folds}")
    splitter = KFold(n_splits=n_folds, shuffle=True, random_state=seed)
    folds = {}
    for fold, (_, test) in enumerate(splitter.split(genes)):
        folds.update((genes[index], fold) for index in test)
    return folds


def least_annotated(
    labels: pd.DataFrame, share: float, ontology: Ontology | None = None
) -> set[tuple[str, str]]:
    """Per aspect, the labeled genes with the fewest labels there: (aspect, gene) pairs at or
    below the `share` quantile of the labels per gene in the aspect (ties at the cut
    included), counted among CAFA's targets only (molecular-function genes with protein
    binding alone left out: `without_protein_binding_only`).

    A run exports, per aspect, the genes without labels there, and a gene's first labels in an
    aspect are few and mostly broad (often from high-throughput studies). Random held-out
    genes are mostly well studied; these targets resemble the exported genes more, and the
    report and the export thresholds read them first (`targets.CLOSEST_TO_EXPORTED`). Counted
    on propagated labels: a gene's one specific term counts its ancestors too.
    """
    pairs = set()
    for aspect, in_aspect in labels.groupby("aspect"):
        informative = without_protein_binding_only(labels_to_truth(in_aspect), aspect, ontology)
        per_gene = in_aspect[in_aspect["gene_id"].isin(informative)].groupby("gene_id").size()
        if per_gene.empty:
            continue
        cut = per_gene.quantile(share, interpolation="lower")
        pairs |= {(aspect, gene) for gene in per_gene.index[per_gene <= cut]}
    return pairs


def without_protein_binding_only(
    truth: dict[str, set[str]], aspect: str, ontology: Ontology | None = None
) -> dict[str, set[str]]:
    """`truth` without the molecular-function genes whose terms say no more than protein
    binding, as CAFA leaves them out of its targets (see `time_split_targets`)."""
    if aspect != MOLECULAR_FUNCTION:
        return truth
    uninformative = protein_binding_terms(ontology)
    return {gene: terms for gene, terms in truth.items() if not terms <= uninformative}


def protein_binding_terms(ontology: Ontology | None) -> frozenset[str]:
    """Protein binding and its ancestors below the root: from `ontology` where given."""
    if ontology is None:
        return PROTEIN_BINDING_CLOSURE
    return frozenset(ontology.ancestors(PROTEIN_BINDING) - ontology.roots)


def time_split_targets(
    old_labels: pd.DataFrame,
    new_labels: pd.DataFrame,
    aspect: str,
    *,
    exclude_protein_binding_only: bool = True,
    ontology: Ontology | None = None,
) -> dict[str, dict[str, set[str]]]:
    """CAFA benchmark targets of one aspect between an old and a new labels table.

    * ``no_knowledge``: genes with no label in any aspect of the old table that have labels
      in `aspect` in the new one.
    * ``limited_knowledge``: genes labeled in other aspects only in the old table that have
      labels in `aspect` in the new one.

    Each maps genes to their truth, the new (propagated, root-free) terms in `aspect`. As in
    CAFA, a molecular-function target whose new terms say no more than protein binding
    (GO:0005515 and its ancestors) is left out unless `exclude_protein_binding_only` is False;
    such genes are listed under ``excluded_protein_binding_only``. The ancestors come from
    `ontology` when given, else from PROTEIN_BINDING_CLOSURE.
    """
    known_any = set(old_labels["gene_id"])
    known_in_aspect = set(old_labels.loc[old_labels["aspect"] == aspect, "gene_id"])
    new_truth = labels_to_truth(new_labels, aspect)
    uninformative = protein_binding_terms(ontology)
    targets: dict[str, dict[str, set[str]]] = {
        NO_KNOWLEDGE: {},
        LIMITED_KNOWLEDGE: {},
        "excluded_protein_binding_only": {},
    }
    for gene, terms in sorted(new_truth.items()):
        if gene in known_in_aspect:
            continue  # partial knowledge: not a CAFA no/limited-knowledge target
        if exclude_protein_binding_only and aspect == MOLECULAR_FUNCTION and terms <= uninformative:
            targets["excluded_protein_binding_only"][gene] = terms
        elif gene in known_any:
            targets[LIMITED_KNOWLEDGE][gene] = terms
        else:
            targets[NO_KNOWLEDGE][gene] = terms
    return targets
