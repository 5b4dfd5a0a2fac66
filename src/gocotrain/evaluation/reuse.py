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
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import pandas as pd

from gocotrain.evaluation.blend_weights import BlendParts, read_blend_parts, write_blend_parts
from gocotrain.export.models import versions
from gocotrain.inputs.releases import file_sha256
from gocotrain.teaching.transfer import training_labels
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
    """One method's stored parts: `<digest>.tsv` files of gene, term, score rows, and beside
    them `<digest>.blend.npz` where the part has `BlendParts`."""

    def __init__(self, method: str, folder: str | Path = STORE):
        self.folder = Path(folder) / method

    def get(self, digest: str) -> tuple[Rows, BlendParts | None] | None:
        path = self.folder / f"{digest}.tsv"
        if not path.is_file():
            return None
        table = pd.read_csv(path, sep="\t", dtype={"gene": str, "term": str})
        blend = self.folder / f"{digest}.blend.npz"
        parts = read_blend_parts(blend).get(PART) if blend.is_file() else None
        return list(table.itertuples(index=False, name=None)), parts

    def put(self, digest: str, rows: Rows, parts: BlendParts | None = None) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if parts is not None:
            # First, so that a part's rows are there only with its blend parts.
            write_blend_parts({PART: parts}, self.folder / f"{digest}.blend.npz")
        table = pd.DataFrame(rows, columns=["gene", "term", "score"])
        # Full precision: a reused part must give the same file as a recomputed one.
        with atomic_write(self.folder / f"{digest}.tsv") as handle:
            table.to_csv(handle, sep="\t", index=False, float_format="%.17g")


# The name of a stored part's one aspect in its blend file (the digest holds the aspect).
PART = "part"


class StoredParts:
    """One method's predictions for one aspect's targets at a time, each read from the
    store (`store_dir`, none: never stored) where an earlier run made it from the same
    inputs; the method itself is built (`build`: a function of no arguments that returns
    one of training labels, aspect and targets) only when a part has to be trained."""

    def __init__(self, method, settings, seed, inputs: dict, store_dir, build: Callable):
        self.settings, self.build, self._predict = settings, build, None
        self.digests = InputsDigest(method, settings, seed, inputs) if store_dir else None
        self.store = PredictionStore(method, store_dir) if store_dir else None

    def make(self, labels, aspect: str, targets: list[str]) -> tuple[list, BlendParts | None, dict]:
        """The part's (gene, term, score) rows at or above min_score, its `BlendParts` (None
        where nothing is blended by a weight), and its record."""
        digest = None
        if self.digests:
            training = training_labels(labels, aspect, targets)
            digest = self.digests.of(aspect, training, targets)
            stored = self.store.get(digest)
            if stored is not None:
                return *stored, {"digest": digest, "reused": True}
        if self._predict is None:
            self._predict = self.build()
        predictions, parts = self._predict(labels, aspect, targets)
        rows = [
            (gene, term, score)
            for gene, scores in predictions.items()
            for term, score in scores.items()
            if score >= self.settings["min_score"]
        ]
        if self.store:
            self.store.put(digest, rows, parts)
        return rows, parts, {"digest": digest, "reused": False}


def teacher_inputs(teacher, labels: str) -> dict[str, str]:
    """The teacher's files (`steps.TeacherFiles`) as named files, for the digest of a part.
    Its labels, where they are the evaluation's own (`labels`), are digested per aspect
    already: a new release of one aspect's labels trains only that aspect again."""
    files = {}
    if teacher.training_labels != labels:
        files["training_labels"] = teacher.training_labels
    if teacher.reference_calibrations:
        files["calibrations"] = teacher.reference_calibrations
    for name, paths in (
        ("hits", teacher.teacher_hits),
        ("reference_labels", teacher.reference_labels),
    ):
        for number, path in enumerate(paths):
            files[f"teacher_{name}_{number}"] = path
    return files
