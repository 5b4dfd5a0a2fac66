"""Evaluation predictions reused across runs and releases where their inputs are the same.

A new annotation release writes its results to a folder of its own, so Snakemake runs its
whole evaluation again. Much of that work can be the same as before: a method's predictions
for one split and aspect depend only on the aspect's training labels, the split's target
genes, the feature views, the homology hits, the settings, the seed and the code. Each such
part is stored under a digest of all of these (`PredictionStore`, in
results/cache/evaluation/<method>/); a later run whose part has the same digest reads it
instead of training again, and its log and record say which parts were reused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from gocotrain.models import versions
from gocotrain.releases import file_sha256
from gocotrain.textio import atomic_write

STORE = Path("results/cache/evaluation")
Rows = list[tuple[str, str, float]]


def code_digest() -> str:
    """The package's own source: a change to any of its modules may change predictions."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


class InputsDigest:
    """Digests of one evaluation job's parts: what they share is hashed once."""

    def __init__(self, method: str, settings: Mapping, seed: int, files: Mapping[str, str]):
        shared = {
            "method": method,
            "settings": settings,
            "seed": seed,
            "files": {name: file_sha256(path) for name, path in sorted(files.items())},
            "versions": versions(),
            "code": code_digest(),
        }
        self._shared = json.dumps(shared, sort_keys=True, default=str).encode()

    def of(self, aspect: str, labels: pd.DataFrame, targets: Iterable[str]) -> str:
        """The digest of one aspect's part: `labels` are the aspect's training labels."""
        digest = hashlib.sha256(self._shared)
        digest.update(aspect.encode() + b"\n")
        digest.update("\n".join(sorted(set(targets))).encode() + b"\n")
        pairs = labels[["gene_id", "go_id"]].drop_duplicates().sort_values(["gene_id", "go_id"])
        digest.update(pairs.to_csv(index=False, sep="\t").encode())
        return digest.hexdigest()


class PredictionStore:
    """One method's stored parts: `<digest>.tsv` files of gene, term, score rows."""

    def __init__(self, method: str, folder: str | Path = STORE):
        self.folder = Path(folder) / method

    def get(self, digest: str) -> Rows | None:
        path = self.folder / f"{digest}.tsv"
        if not path.is_file():
            return None
        table = pd.read_csv(path, sep="\t", dtype={"gene": str, "term": str})
        return list(table.itertuples(index=False, name=None))

    def put(self, digest: str, rows: Rows) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        table = pd.DataFrame(rows, columns=["gene", "term", "score"])
        # Full precision: a reused part must give the same file as a recomputed one.
        with atomic_write(self.folder / f"{digest}.tsv") as handle:
            table.to_csv(handle, sep="\t", index=False, float_format="%.17g")
