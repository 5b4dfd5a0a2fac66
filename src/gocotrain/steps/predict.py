"""Step of workflow/rules/predict.smk: score new genes with a saved model (`predict`) and
export them as a run would."""

from __future__ import annotations

import logging
from pathlib import Path

from gocotrain import __version__, predict
from gocotrain.export import write_exports
from gocotrain.models import MODEL_FILES
from gocotrain.predictions import predictions_table
from gocotrain.sequences import read_names
from gocotrain.steps import read_json, write_json
from gocotrain.textio import readable

log = logging.getLogger("gocotrain")


def predict_new_genes(
    model_dir: str,
    proteins_fasta: str,
    sequences_report_json: str,
    expression: str | None,
    id_map: str | None,
    expression_kind: str,
    outputs: dict[str, str],
    min_score: float,
    gaf_citation: dict,
    top_terms: int,
    threads: int,
    sequences: str | None = None,
    names_tsv: str | None = None,
    reference_databases: list[str] = (),
) -> None:
    """Score new genes with a saved model and export them as a run would."""
    finished, saved = predict.score_new_genes(
        model_dir,
        proteins_fasta,
        expression,
        id_map,
        expression_kind,
        threads,
        sequences,
        reference_databases,
    )
    ontology = predict.ontology_of(saved)
    names = read_names(names_tsv) if names_tsv else None
    table = predictions_table(finished, ontology, min_score, names)
    identity = saved.meta["gaf"] | {
        "symbols": {gene: symbol for gene, (symbol, _) in (names or {}).items() if symbol}
    }
    stamp = saved.meta["release"]
    counts = write_exports(
        table,
        ontology,
        str(saved.path(MODEL_FILES["thresholds"])),
        stamp,
        outputs,
        identity,
        gaf_citation,
        top_terms,
    )
    summary = {
        "gocotrain_version": __version__,
        "model": str(Path(model_dir).resolve()),
        "model_release": stamp,
        "model_versions": saved.meta["versions"],
        "inputs": {
            "sequences": read_json(sequences_report_json),
            "expression": expression,
            "id_map": id_map,
        },
        "predictions": counts,
    }
    write_json(summary, outputs["summary_json"])
    log.info("new genes: %s", readable(counts))
