"""Steps of workflow/rules/inputs.smk: read and check every input, once."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from gocotrain.inputs.annotations import Labels, build_labels, read_annotations
from gocotrain.inputs.expression import (
    join_expression,
    normalise,
    read_expression,
    require_coverage,
)
from gocotrain.inputs.ontology import Ontology, read_obo, require_gene_ontology
from gocotrain.inputs.sequences import read_fasta, read_sequences, write_fasta, write_names
from gocotrain.steps import write_json
from gocotrain.textio import readable
from gocotrain.views.features import FeatureMatrix

log = logging.getLogger("gocotrain")


def sequence_genes(proteins_fasta: str | Path) -> list[str]:
    return [gene for gene, _, _ in read_fasta(proteins_fasta)]


def stamp_release(release: dict, stamp: str) -> None:
    """The release's stamp (`release`: its label and the checksums of its inputs)."""
    write_json(release, stamp)


def prepare_ontology(obo: str, ontology: str, report: str) -> None:
    read = read_obo(obo)
    require_gene_ontology(read, obo)
    read.to_json(ontology)
    found = {
        "go_version": read.data_version,
        "go_terms": len(read.names) - len(read.obsolete),
        "go_terms_obsolete": len(read.obsolete),
        "go_edges_across_namespaces_dropped": read.edges_across_namespaces,
    }
    log.info("ontology %s: %s", obo, readable(found))
    write_json(found, report)


def prepare_sequences(
    sequences: str,
    proteins: str,
    report: str,
    sequence_type: str,
    genetic_code: int,
    genbank_id_qualifiers: list[str],
    names: str | None = None,
) -> None:
    """The proteins, keyed by gene ID, and (`names`) the symbols and protein names their
    records give."""
    found = read_sequences(sequences, sequence_type, genetic_code, tuple(genbank_id_qualifiers))
    write_fasta(found.proteins, proteins)
    if names:
        write_names(found.names, names)
    log.info("sequences %s: %s", sequences, readable(found.report()))
    write_json(found.report(), report)


def prepare_expression(
    expression: str,
    proteins: str,
    log_expression: str,
    report: str,
    expression_kind: str,
    id_map: str | None = None,
    sequences: str | None = None,
    min_share: float = 0.0,
) -> None:
    """The expression profile of each sequence gene, joined through `id_map`, or without one
    by the sequence IDs or the gene IDs of the `sequences` file's headers; stops when fewer
    than `min_share` of the sequence genes get one (`require_coverage`)."""
    frame = read_expression(expression, expression_kind)
    normalised, found = normalise(frame, expression_kind, expression)
    found["expression_genes_read"] = len(frame)
    found["expression_samples_read"] = frame.shape[1]
    genes = sequence_genes(proteins)
    joined, join_report = join_expression(normalised, genes, expression, id_map, sequences)
    found.update(join_report)
    require_coverage(found, genes, min_share, id_map or expression)
    FeatureMatrix.from_frame(joined).to_npz(log_expression)
    log.info("expression %s: %s", expression, readable(found))
    write_json(found, report)


def prepare_labels(
    annotations: str | None,
    ontology: str,
    proteins: str,
    labels: str,
    report: str,
    evidence_codes: list[str],
    aspects: list[str],
) -> None:
    """The organism's labels from its `annotations` (none: a reference teaches it)."""
    if not annotations:
        _no_labels(labels, report, aspects)
        return
    found = read_annotations(annotations)
    genes = sequence_genes(proteins)
    table = build_labels(
        found, Ontology.from_json(ontology), genes, evidence_codes, aspects, annotations
    )
    table.to_tsv(labels)
    log.info(
        "labels from %s: %s",
        annotations,
        {key: value for key, value in table.report.items() if "examples" not in key},
    )
    write_json(table.report | {"gaf_identity": found.gaf_identity(genes)}, report)


def _no_labels(labels: str, report: str, aspects: list[str]) -> None:
    """A new organism without labels of its own learns from a reference: empty labels."""
    empty = pd.DataFrame(columns=["gene_id", "aspect", "go_id"])
    Labels(empty, {}).to_tsv(labels)
    identity = {"db": None, "taxon": None, "symbols": {}, "names": {}}
    found = {"annotation_genes_not_in_sequences": 0, "gaf_identity": identity}
    found |= {f"labeled_genes_{aspect}": 0 for aspect in aspects}
    log.info("no annotations of the organism's own: its labels come from the reference")
    write_json(found, report)
