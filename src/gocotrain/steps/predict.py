"""Step of workflow/rules/predict.smk: score new genes with a saved model (`predict`) and
export them as a run would."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from gocotrain import __version__
from gocotrain.export import predict
from gocotrain.export.formats import write_exports
from gocotrain.export.models import MODEL_FILES
from gocotrain.export.predictions import predictions_table
from gocotrain.inputs.sequences import read_names
from gocotrain.steps import Exports, ExportSettings, read_json, write_json
from gocotrain.textio import readable

log = logging.getLogger("gocotrain")


@dataclass(frozen=True, kw_only=True)
class NewGenes:
    """The new genes: their proteins (`prepare_sequences`'s, with its report and the names
    their records give) and, where given, their expression, joined through `id_map` or by
    the gene IDs of the `sequences` file's headers."""

    proteins: str
    sequences_report: str
    names: str | None = None
    expression: str | None = None
    id_map: str | None = None
    sequences: str | None = None
    expression_kind: str


def predict_new_genes(
    model: str,
    genes: NewGenes,
    outputs: Exports,
    export: ExportSettings,
    threads: int,
    reference_databases: list[str] = (),
) -> None:
    """Score new genes with the saved `model` folder and export them as a run would; a model
    that learned from reference species searches them in `reference_databases`."""
    finished, saved = predict.score_new_genes(
        model,
        genes.proteins,
        genes.expression,
        genes.id_map,
        genes.expression_kind,
        threads,
        genes.sequences,
        reference_databases,
    )
    ontology = predict.ontology_of(saved)
    names = read_names(genes.names) if genes.names else None
    table = predictions_table(finished, ontology, export.min_score, names)
    identity = saved.meta["gaf"] | {
        "symbols": {gene: symbol for gene, (symbol, _) in (names or {}).items() if symbol}
    }
    stamp = saved.meta["release"]
    counts = write_exports(
        table,
        ontology,
        str(saved.path(MODEL_FILES["thresholds"])),
        stamp,
        outputs.as_dict(),
        identity,
        export.gaf_citation,
        export.top_terms,
    )
    summary = {
        "gocotrain_version": __version__,
        "model": str(Path(model).resolve()),
        "model_release": stamp,
        "model_versions": saved.meta["versions"],
        "inputs": {
            "sequences": read_json(genes.sequences_report),
            "expression": genes.expression,
            "id_map": genes.id_map,
        },
        "predictions": counts,
    }
    write_json(summary, outputs.summary_json)
    log.info("new genes: %s", readable(counts))
