"""Steps of workflow/rules/reference.smk: a reference species' search database, the search
of the organism's proteins against it, its labels, and the labels the two-view models learn
from (`gocotrain.teaching.reference`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from gocotrain.errors import InputError
from gocotrain.inputs.annotations import Labels, check_annotations, read_annotations
from gocotrain.inputs.ontology import Ontology
from gocotrain.inputs.sequences import gene_id_from_header, read_fasta
from gocotrain.steps import write_json
from gocotrain.teaching import reference
from gocotrain.teaching import teacher as teaching
from gocotrain.textio import readable
from gocotrain.views import homology

log = logging.getLogger("gocotrain")


def check_reference(
    sequences: str, annotations: str, report: str, evidence_codes: list[str]
) -> None:
    """Before the reference's database is built: its annotations name its proteins and keep
    lines of its evidence codes (`annotations.check_annotations`)."""
    proteins = sorted({gene_id_from_header(name) for name, _, _ in read_fasta(sequences)})
    if not proteins:
        raise InputError(sequences, "no protein record found", "give the reference's protein FASTA")
    found = check_annotations(read_annotations(annotations), proteins, evidence_codes, annotations)
    found = {key: value for key, value in found.items() if "examples" not in key}
    found["reference_proteins"] = len(proteins)
    log.info("reference %s with %s: %s", sequences, annotations, readable(found))
    write_json(found, report)


def reference_database(
    sequences: str, database: str, report: str, engine: str, threads: int
) -> None:
    """The reference's search database for `engine`, built once per reference file."""
    homology.make_database(engine, sequences, database, threads)
    log.info("reference %s: %s database built", sequences, engine)
    write_json({"sequences": sequences, "engine": engine}, report)


def reference_check_sample(sequences: str, check: str, check_proteins: int) -> None:
    """The sample of the reference's proteins held out to check and calibrate the transfer
    (`reference.check_proteins`)."""
    n_check = reference.write_check_proteins(sequences, check, check_proteins)
    log.info("reference %s: %d proteins held out to check it", sequences, n_check)


def reference_search(
    proteins: str, database: str, hits: str, engine: str, sensitivity: str, threads: int
) -> None:
    """The organism's proteins against the reference."""
    _search(engine, proteins, database, hits, sensitivity, threads)


def reference_check_search(
    check: str, database: str, check_hits: str, engine: str, sensitivity: str, threads: int
) -> None:
    """The held-out reference proteins against the whole reference (their self-hits never
    count: `transfer.kept_homologs`)."""
    _search(engine, check, database, check_hits, sensitivity, threads)


def _search(
    engine: str, query_fasta: str, database: str, out: str, sensitivity: str, threads: int
) -> None:
    hits = homology.search_database(engine, query_fasta, database, threads, sensitivity)
    homology.write_hits(hits, out)
    log.info(
        "%s against the reference (%s): %d hits of %d proteins",
        query_fasta,
        engine,
        len(hits),
        hits["query"].nunique(),
    )


def prepare_reference_labels(
    annotations: str,
    ontology: str,
    hits: str,
    check_hits: str,
    labels: str,
    report: str,
    evidence_codes: list[str],
    aspects: list[str],
) -> None:
    """The labels of the reference proteins a run reads: the homologs of the organism's
    genes, and the held-out proteins with theirs."""
    found, check = homology.read_hits(hits), homology.read_hits(check_hits)
    proteins = sorted(set(found["subject"]) | set(check["query"]) | set(check["subject"]))
    table = reference.reference_labels(
        annotations, Ontology.from_json(ontology), proteins, evidence_codes, aspects
    )
    table.to_tsv(labels)
    counts = {key: value for key, value in table.report.items() if "examples" not in key}
    log.info("reference labels from %s: %s", annotations, readable(counts))
    write_json(counts, report)


@dataclass(frozen=True)
class ReferenceFiles:
    """Each reference's files, in the config's order: the organism's proteins searched
    against it, its held-out proteins searched against the rest, and its labels."""

    hits: list[str]
    check_hits: list[str]
    reference_labels: list[str]


def prepare_training_labels(
    own: str,
    references: ReferenceFiles,
    labels: str,
    calibrations: str,
    report: str,
    aspects: list[str],
    neighbours: int,
    label_precision: float,
) -> None:
    """The labels the two-view models learn from (`reference.training_labels`), and the
    reference transfer's calibration per aspect, which the export reuses."""
    hits = teaching.read_reference_hits(references.hits)
    check = teaching.read_reference_hits(references.check_hits, queries_too=True)
    ref_labels = teaching.read_reference_labels(references.reference_labels)
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
    fitted = reference.reference_calibrations(check, ref_labels, aspects, neighbours)
    genes = sorted(set(hits["query"]))
    transfers = {
        aspect: reference.reference_transfer(
            hits, ref_labels, aspect, genes, neighbours, fitted[aspect]
        )
        for aspect in aspects
    }
    table = reference.training_labels(Labels.from_tsv(own).table, transfers, label_precision)
    Labels(table, {}).to_tsv(labels)
    write_json({aspect: c.to_dict() if c else None for aspect, c in fitted.items()}, calibrations)
    counts = reference.labels_report(table, aspects) | {
        "genes_with_reference_hits": len(genes),
        "genes_also_reference_proteins": len(also),
        "label_precision": label_precision,
    }
    log.info("training labels: %s", readable(counts))
    write_json(counts, report)
