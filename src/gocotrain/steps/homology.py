"""Step of workflow/rules/homology.smk: the all-against-all protein search."""

from __future__ import annotations

import logging
import time

from gocotrain.inputs.sequences import read_fasta
from gocotrain.steps import write_json
from gocotrain.textio import readable
from gocotrain.views import homology

log = logging.getLogger("gocotrain")


def homology_search(proteins: str, hits: str, report: str, settings: dict, threads: int) -> None:
    """`settings`: the config's homology ``engine`` and ``diamond_sensitivity``."""
    sequences = {gene: protein for gene, protein, _ in read_fasta(proteins)}
    started = time.monotonic()
    found = homology.search(
        settings["engine"],
        proteins,
        sequences,
        threads=threads,
        sensitivity=settings["diamond_sensitivity"],
    )
    homology.write_hits(found, hits)
    pairs = found["query"] != found["subject"]
    counts = {
        "engine": settings["engine"],
        "proteins": len(sequences),
        "pairs": int(pairs.sum()),
        "proteins_with_homologs": len(set(found.loc[pairs, "query"])),
    }
    # The time goes to the log only: the report feeds summary.json, which is reproducible.
    log.info("homology search: %s; in %.1f s", readable(counts), time.monotonic() - started)
    write_json(counts, report)
