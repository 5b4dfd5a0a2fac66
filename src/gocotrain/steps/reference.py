"""Steps of workflow/rules/reference.smk: a reference species' search database, the search
of the organism's proteins against it, its labels, and the labels the two-view models learn
from (`gocotrain.reference`)."""

from __future__ import annotations

import logging

from gocotrain import homology, reference, teaching
from gocotrain.annotations import Labels, check_annotations, read_annotations
from gocotrain.errors import InputError
from gocotrain.ontology import Ontology
from gocotrain.sequences import gene_id_from_header, read_fasta
from gocotrain.steps import write_json
from gocotrain.textio import readable

log = logging.getLogger("gocotrain")


def check_reference(
    sequences: str, annotations: str, report_json: str, evidence_codes: list[str]
) -> None:
    """Before the reference's database is built: its annotations name its proteins and keep
    lines of its evidence codes (`annotations.check_annotations`)."""
    proteins = sorted({gene_id_from_header(name) for name, _, _ in read_fasta(sequences)})
    if not proteins:
        raise InputError(sequences, "no protein record found", "give the reference's protein FASTA")
    report = check_annotations(read_annotations(annotations), proteins, evidence_codes, annotations)
    report = {key: value for key, value in report.items() if "examples" not in key}
    report["reference_proteins"] = len(proteins)
    log.info("reference %s with %s: %s", sequences, annotations, readable(report))
    write_json(report, report_json)


def reference_database(sequences: str, database: str, report_json: str, threads: int) -> None:
    """The reference's DIAMOND database, built once per reference file."""
    homology.make_diamond_database(sequences, database, threads)
    log.info("reference %s: database built", sequences)
    write_json({"sequences": sequences}, report_json)


def reference_check_sample(sequences: str, check_fasta: str, check_proteins: int) -> None:
    """The sample of the reference's proteins held out to check and calibrate the transfer
    (`reference.check_proteins`)."""
    n_check = reference.write_check_proteins(sequences, check_fasta, check_proteins)
    log.info("reference %s: %d proteins held out to check it", sequences, n_check)


def reference_search(
    proteins_fasta: str, database: str, hits_tsv: str, sensitivity: str, threads: int
) -> None:
    """The organism's proteins against the reference."""
    _search(proteins_fasta, database, hits_tsv, sensitivity, threads)


def reference_check_search(
    check_fasta: str, database: str, check_hits_tsv: str, sensitivity: str, threads: int
) -> None:
    """The held-out reference proteins against the whole reference (their self-hits never
    count: `transfer.kept_homologs`)."""
    _search(check_fasta, database, check_hits_tsv, sensitivity, threads)


def _search(query_fasta: str, database: str, out: str, sensitivity: str, threads: int) -> None:
    hits = homology.search_against("diamond", query_fasta, {}, database, {}, threads, sensitivity)
    homology.write_hits(hits, out)
    log.info(
        "%s against the reference: %d hits of %d proteins",
        query_fasta,
        len(hits),
        hits["query"].nunique(),
    )


def prepare_reference_labels(
    annotations: str,
    ontology_json: str,
    hits_tsv: str,
    check_hits_tsv: str,
    labels_tsv: str,
    report_json: str,
    evidence_codes: list[str],
    aspects: list[str],
) -> None:
    """The labels of the reference proteins a run reads: the homologs of the organism's
    genes, and the held-out proteins with theirs."""
    hits, check = homology.read_hits(hits_tsv), homology.read_hits(check_hits_tsv)
    proteins = sorted(set(hits["subject"]) | set(check["query"]) | set(check["subject"]))
    labels = reference.reference_labels(
        annotations, Ontology.from_json(ontology_json), proteins, evidence_codes, aspects
    )
    labels.to_tsv(labels_tsv)
    report = {key: value for key, value in labels.report.items() if "examples" not in key}
    log.info("reference labels from %s: %s", annotations, readable(report))
    write_json(report, report_json)


def prepare_training_labels(
    own_labels_tsv: str,
    hits_tsv: list[str],
    check_hits_tsv: list[str],
    reference_labels_tsv: list[str],
    labels_tsv: str,
    calibrations_json: str,
    report_json: str,
    aspects: list[str],
    neighbours: int,
    label_precision: float,
) -> None:
    """The labels the two-view models learn from (`reference.training_labels`), and the
    reference transfer's calibration per aspect, which the export reuses."""
    hits = teaching.read_reference_hits(hits_tsv)
    check = teaching.read_reference_hits(check_hits_tsv, queries_too=True)
    ref_labels = teaching.read_reference_labels(reference_labels_tsv)
    also = set(hits["query"]) & {
        name.removeprefix(teaching.REFERENCE_PREFIX) for name in hits["subject"]
    }
    if also:
        log.warning(
            "%d of the organism's genes are also reference proteins (same ID, e.g. %s): "
            "their reference annotations teach them through that homolog; leave them out of "
            "the reference to measure how the rest would teach them",
            len(also),
            ", ".join(sorted(also)[:3]),
        )
    calibrations = reference.reference_calibrations(check, ref_labels, aspects, neighbours)
    genes = sorted(set(hits["query"]))
    transfers = {
        aspect: reference.reference_transfer(
            hits, ref_labels, aspect, genes, neighbours, calibrations[aspect]
        )
        for aspect in aspects
    }
    own = Labels.from_tsv(own_labels_tsv).table
    table = reference.training_labels(own, transfers, label_precision)
    Labels(table, {}).to_tsv(labels_tsv)
    write_json(
        {aspect: c.to_dict() if c else None for aspect, c in calibrations.items()},
        calibrations_json,
    )
    report = reference.labels_report(table, aspects) | {
        "genes_with_reference_hits": len(genes),
        "genes_also_reference_proteins": len(also),
        "label_precision": label_precision,
    }
    log.info("training labels: %s", readable(report))
    write_json(report, report_json)
