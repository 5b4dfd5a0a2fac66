"""Steps of workflow/rules/inputs.smk: read and check every input, once."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from gocotrain.annotations import Labels, build_labels, read_annotations
from gocotrain.expression import join_expression, normalise, read_expression, require_coverage
from gocotrain.features import FeatureMatrix
from gocotrain.ontology import Ontology, read_obo, require_gene_ontology
from gocotrain.sequences import read_fasta, read_sequences, write_fasta, write_names
from gocotrain.steps import write_json
from gocotrain.textio import readable

log = logging.getLogger("gocotrain")


def sequence_genes(proteins_fasta: str | Path) -> list[str]:
    return [gene for gene, _, _ in read_fasta(proteins_fasta)]


def stamp_release(stamp: dict, stamp_json: str) -> None:
    write_json(stamp, stamp_json)


def prepare_ontology(obo: str, ontology_json: str, report_json: str) -> None:
    ontology = read_obo(obo)
    require_gene_ontology(ontology, obo)
    ontology.to_json(ontology_json)
    report = {
        "go_version": ontology.data_version,
        "go_terms": len(ontology.names) - len(ontology.obsolete),
        "go_terms_obsolete": len(ontology.obsolete),
        "go_edges_across_namespaces_dropped": ontology.edges_across_namespaces,
    }
    log.info("ontology %s: %s", obo, readable(report))
    write_json(report, report_json)


def prepare_sequences(
    sequences: str,
    proteins_fasta: str,
    report_json: str,
    sequence_type: str,
    genetic_code: int,
    genbank_id_qualifiers: list[str],
    names_tsv: str | None = None,
) -> None:
    """The proteins, keyed by gene ID, and (`names_tsv`) the symbols and protein names their
    records give."""
    found = read_sequences(sequences, sequence_type, genetic_code, tuple(genbank_id_qualifiers))
    write_fasta(found.proteins, proteins_fasta)
    if names_tsv:
        write_names(found.names, names_tsv)
    report = found.report()
    log.info("sequences %s: %s", sequences, readable(report))
    write_json(report, report_json)


def prepare_expression(
    expression: str,
    id_map: str | None,
    proteins_fasta: str,
    expression_npz: str,
    report_json: str,
    expression_kind: str,
    sequences: str | None = None,
    min_share: float = 0.0,
) -> None:
    """The expression profile of each sequence gene, joined through `id_map`, or without one
    by the sequence IDs or the gene IDs of the `sequences` file's headers; stops when fewer
    than `min_share` of the sequence genes get one (`require_coverage`)."""
    frame = read_expression(expression, expression_kind)
    log_expression, report = normalise(frame, expression_kind, expression)
    report["expression_genes_read"] = len(frame)
    report["expression_samples_read"] = frame.shape[1]
    genes = sequence_genes(proteins_fasta)
    joined, join_report = join_expression(log_expression, genes, expression, id_map, sequences)
    report.update(join_report)
    require_coverage(report, genes, min_share, id_map or expression)
    FeatureMatrix.from_frame(joined).to_npz(expression_npz)
    log.info("expression %s: %s", expression, readable(report))
    write_json(report, report_json)


def prepare_labels(
    annotations: str,
    ontology_json: str,
    proteins_fasta: str,
    labels_tsv: str,
    report_json: str,
    evidence_codes: list[str],
    aspects: list[str],
) -> None:
    if not annotations:  # a new organism without labels of its own learns from a reference
        empty = pd.DataFrame(columns=["gene_id", "aspect", "go_id"])
        Labels(empty, {}).to_tsv(labels_tsv)
        identity = {"db": None, "taxon": None, "symbols": {}, "names": {}}
        report = {"annotation_genes_not_in_sequences": 0, "gaf_identity": identity}
        report |= {f"labeled_genes_{aspect}": 0 for aspect in aspects}
        log.info("no annotations of the organism's own: its labels come from the reference")
        write_json(report, report_json)
        return
    ontology = Ontology.from_json(ontology_json)
    genes = sequence_genes(proteins_fasta)
    raw = read_annotations(annotations)
    labels = build_labels(raw, ontology, genes, evidence_codes, aspects, annotations)
    labels.to_tsv(labels_tsv)
    report = labels.report | {"gaf_identity": raw.gaf_identity(genes)}
    log.info(
        "labels from %s: %s",
        annotations,
        {key: value for key, value in labels.report.items() if "examples" not in key},
    )
    write_json(report, report_json)
