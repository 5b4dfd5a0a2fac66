"""The weights the evaluation chose for the export's finish, as the teacher reads them from
evaluation/<protocol>/prior_weights.tsv (which `evaluation.prior_weights.write_weights`
writes): the product reads them, as it reads the export thresholds, without importing the
evaluation."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

# The rows of evaluation/<protocol>/prior_weights.tsv that hold the export's weights, and
# what each row's weight mixes in (column ``mixed_in``; files without it: own frequencies).
EXPORT_WEIGHT = "export"
MIXES_OWN_FREQUENCY = "own_frequency"
MIXES_TRANSFER = "transfer"


def read_prior_weights(path: str | Path | None) -> dict[str, dict]:
    """The weights the evaluation chose for the export, per aspect (rows ``half == export``
    of evaluation/<protocol>/prior_weights.tsv): the own term frequencies' ``weight`` and the
    transfer's ``blend_weight``, each with every weight's Fmax on the held-out genes chosen
    on (``fmax_by_weight``, ``fmax_by_blend_weight``)."""
    if not path:
        return {}
    table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    if "mixed_in" not in table:
        table["mixed_in"] = MIXES_OWN_FREQUENCY
    chosen: dict[str, dict] = {}
    for _, row in table[table["half"] == EXPORT_WEIGHT].iterrows():
        tried = [entry.split(":") for entry in row["fmax_by_weight"].split()]
        tried = [{"weight": float(weight), "fmax": float(fmax)} for weight, fmax in tried]
        weight, by_weight = (
            ("blend_weight", "fmax_by_blend_weight")
            if row["mixed_in"] == MIXES_TRANSFER
            else ("weight", "fmax_by_weight")
        )
        chosen.setdefault(row["aspect"], {}).update(
            {weight: float(row["weight"]), by_weight: tried}
        )
    return chosen
