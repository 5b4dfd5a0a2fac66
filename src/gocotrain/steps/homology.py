"""Step of workflow/rules/homology.smk: the all-against-all protein search."""

from __future__ import annotations

import logging
import time

from gocotrain import homology
from gocotrain.sequences import read_fasta
from gocotrain.steps import write_json
from gocotrain.textio import readable

log = logging.getLogger("gocotrain")


def homology_search(
    proteins_fasta: str, hits_tsv: str, report_json: str, settings: dict, threads: int
) -> None:
    proteins = {gene: protein for gene, protein, _ in read_fasta(proteins_fasta)}
    started = time.monotonic()
    hits = homology.search(
        settings["engine"],
        proteins_fasta,
        proteins,
        threads=threads,
        sensitivity=settings["diamond_sensitivity"],
    )
    homology.write_hits(hits, hits_tsv)
    with_hits = set(hits.loc[hits["query"] != hits["subject"], "query"])
    report = {
        "engine": settings["engine"],
        "proteins": len(proteins),
        "pairs": int((hits["query"] != hits["subject"]).sum()),
        "proteins_with_homologs": len(with_hits),
    }
    # The time goes to the log only: the report feeds summary.json, which is reproducible.
    log.info("homology search: %s; in %.1f s", readable(report), time.monotonic() - started)
    write_json(report, report_json)
