"""Saved models: the per-term boosters of a run, and what it takes to apply them safely.

This module is the only one that writes or reads a model folder.

A model folder holds, per aspect, each term's two view boosters in XGBoost's own UBJSON
format, and `model.json`: the release, the terms with their priors and decisions, the
feature definition (sequence columns, homology search, expression samples and projection),
the export thresholds, the seed and the versions. Beside them are the training proteins and
labels (the homology features of a new gene are read from its hits to labeled training
genes), the ontology and the expression projection.

New genes are scored only if their features are made the same way; `compatibility_problems`
names every difference instead of letting a model read features it was not trained on.
"""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from gocotrain import __version__
from gocotrain.errors import InputError
from gocotrain.inputs.releases import file_sha256
from gocotrain.textio import atomic_write
from gocotrain.views.coexpression import COEXPRESSION_FEATURES, profile_columns
from gocotrain.views.features import VIEWS, ExpressionProjection, FeatureMatrix
from gocotrain.views.homology import HOMOLOGY_FEATURES

if TYPE_CHECKING:
    import xgboost as xgb

    from gocotrain.learning.cotraining import CoTrainingClassifier

# XGBoost and scikit-learn are imported where a booster is written or read: the workflow's
# jobs that only read a model's description (plan, gather, export) start without them.

log = logging.getLogger("gocotrain")

MODEL_FORMAT = 1
# The files a model folder carries beside model.json and the per-aspect boosters.
MODEL_FILES = {
    "proteins": "proteins.fa",
    "labels": "labels.tsv",
    "ontology": "ontology.json",
    "projection": "expression_projection.npz",
    # The training genes' expression view: a new gene's co-expression neighbours are among them.
    "expression": "expression_features.npz",
    "thresholds": "thresholds.tsv",
    # What finishes the scores (`teaching.write_lessons`): transfer calibrations, own prior.
    "lessons": "teacher.json",
}
# Bumped whenever sequence_features() or the homology features change meaning.
SEQUENCE_FEATURES_VERSION = 1


def term_file_stem(term: str) -> str:
    """GO:0006936 → GO_0006936 (a colon is not portable in file names)."""
    return term.replace(":", "_")


def write_term_boosters(model, term: str, folder: str | Path) -> dict:
    """Write a fitted co-training model's boosters; return its entry for model.json."""
    import xgboost as xgb

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    entry = {"prior": float(model.prior_), "decision": model.decision_}
    for view, booster in zip(VIEWS, model.estimators_, strict=True):
        if booster is None:
            entry[view] = None
            continue
        if not isinstance(booster, xgb.Booster):
            raise TypeError("saved models need XGBoost view learners (the default)")
        name = f"{term_file_stem(term)}.{view}.ubj"
        booster.save_model(folder / name)
        entry[view] = name
    return entry


def gather_boosters(batch_folders: list[str], folder: str | Path) -> None:
    """Move the boosters the co-training batches of one aspect wrote into one folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for batch_folder in batch_folders:
        for path in sorted(Path(batch_folder).iterdir()):
            shutil.copyfile(path, folder / path.name)


def write_model_folder(
    stamp: dict,
    cotrain_reports: dict[str, str],
    files: dict[str, str],
    sequence_npz: str,
    expression_npz: str,
    gaf_identity: dict,
    settings: dict,
    out_dir: str,
) -> None:
    """model.json and copies of what applying the boosters needs, in the model folder.

    `files` maps MODEL_FILES keys to this run's files; the boosters are already in
    `<out_dir>/<aspect>/` (`gather_boosters`). `settings["reference"]` lists the reference
    species a run learned from (their files are recorded, `reference_record`: new genes are
    searched against them as the run's genes were).
    """
    out = Path(out_dir)
    settings = dict(settings)
    engine = settings["homology"]["engine"]
    references = [reference_record(entry, engine) for entry in settings.pop("reference", [])]
    aspects = _saved_aspects(cotrain_reports)
    meta = {
        "format": MODEL_FORMAT,
        "release": stamp,
        "versions": versions(),
        "seed": settings["seed"],
        "min_positives": settings["min_positives"],
        "combine": settings["cotraining"]["combine"],
        "settings": settings,
        "gaf": {"db": gaf_identity["db"], "taxon": gaf_identity["taxon"]},
        "feature_definition": _run_feature_definition(
            settings, sequence_npz, expression_npz, files["projection"]
        ),
        "files": MODEL_FILES,
        "aspects": aspects,
        "references": references,
    }
    for key, name in MODEL_FILES.items():
        with open(files[key], "rb") as source, atomic_write(out / name, "wb") as target:
            shutil.copyfileobj(source, target)
    # model.json last: its presence says the folder is complete.
    with atomic_write(out / "model.json") as handle:
        handle.write(json.dumps(meta, indent=1, sort_keys=True) + "\n")
    log.info(
        "model saved in %s: %s terms",
        out,
        {aspect: len(entry["terms"]) for aspect, entry in aspects.items()},
    )


def _saved_aspects(cotrain_reports: dict[str, str]) -> dict[str, dict]:
    """Per aspect, from its co-training report: each term's model entry, and the labeled
    genes."""
    aspects = {}
    for aspect, path in cotrain_reports.items():
        report = json.loads(Path(path).read_text())
        aspects[aspect] = {
            "terms": {entry["term"]: entry["model"] for entry in report["terms"]},
            "labeled_genes": report["labeled_genes"],
        }
    return aspects


def _run_feature_definition(
    settings: dict, sequence_npz: str, expression_npz: str, projection_npz: str
) -> dict:
    """The run's `feature_definition`, read from its feature matrices and projection."""
    homology_features = HOMOLOGY_FEATURES if settings["homology"]["engine"] != "none" else []
    return feature_definition(
        FeatureMatrix.from_npz(sequence_npz).columns.tolist(),
        settings["homology"],
        list(homology_features),
        settings["expression_kind"],
        ExpressionProjection.from_npz(projection_npz).samples.tolist(),
        FeatureMatrix.from_npz(expression_npz).columns.tolist(),
    )


def reference_record(entry: dict, engine: str) -> dict:
    """A reference species as a saved model records it: its files (absolute paths), their
    checksums, its database key, the engine that searched it (new genes are searched with
    the same) and evidence codes."""
    return {
        "key": entry["key"],
        "engine": engine,
        "sequences": str(Path(entry["sequences"]).resolve()),
        "annotations": str(Path(entry["annotations"]).resolve()),
        "annotations_sha256": file_sha256(entry["annotations"]),
        "evidence_codes": list(entry["evidence_codes"]),
    }


def read_meta(model_dir: str | Path) -> dict:
    """A model folder's model.json (`SavedModel.load` checks it before a model is applied)."""
    return json.loads((Path(model_dir) / "model.json").read_text())


def references_of(model_dir: str | Path) -> list[dict]:
    """The reference species a saved model learned from (`reference_record`); none for a
    model of the organism's own labels or one saved before models recorded them."""
    path = Path(model_dir) / "model.json"
    return read_meta(model_dir).get("references", []) if path.is_file() else []


def model_release(model_dir: str | Path) -> str:
    """The release label a saved model was trained on."""
    return read_meta(model_dir)["release"]["release"]


def versions() -> dict:
    import sklearn
    import xgboost as xgb

    return {
        "gocotrain": __version__,
        "xgboost": xgb.__version__,
        "scikit-learn": sklearn.__version__,
    }


@dataclass
class SavedModel:
    folder: Path
    meta: dict

    @classmethod
    def load(cls, folder: str | Path) -> SavedModel:
        folder = Path(folder)
        path = folder / "model.json"
        if not path.is_file():
            raise InputError(
                folder,
                "not a saved model folder (no model.json)",
                "give the model folder of an earlier run: results/releases/<release>/model",
            )
        try:
            meta = json.loads(path.read_text())
        except json.JSONDecodeError as error:
            raise InputError(
                path, f"not valid JSON ({error})", "copy the model folder again"
            ) from None
        if meta.get("format") != MODEL_FORMAT:
            raise InputError(
                path,
                f"model format {meta.get('format')!r}, this GOcotrain reads format {MODEL_FORMAT}",
                f"use the GOcotrain version that saved it ({meta.get('versions', {})}) or "
                "retrain with this one",
            )
        return cls(folder, meta)

    def path(self, name: str) -> Path:
        return self.folder / name

    def boosters(self, aspect: str, term: str) -> list[xgb.Booster | None]:
        import xgboost as xgb

        entry = self.meta["aspects"][aspect]["terms"][term]
        boosters = []
        for view in VIEWS:
            if entry[view] is None:
                boosters.append(None)
                continue
            booster = xgb.Booster()
            booster.load_model(self.folder / aspect / entry[view])
            boosters.append(booster)
        return boosters

    def term_model(self, aspect: str, term: str) -> CoTrainingClassifier:
        """The term's fitted model as it was saved: its boosters, prior and combining rule."""
        from gocotrain.learning.cotraining import CoTrainingClassifier

        model = CoTrainingClassifier(combine=self.meta["combine"])
        model.estimators_ = self.boosters(aspect, term)
        model.prior_ = self.meta["aspects"][aspect]["terms"][term]["prior"]
        model.classes_ = np.array([0, 1])
        model.decision_ = self.meta["aspects"][aspect]["terms"][term]["decision"]
        return model


def feature_definition(
    sequence_columns: list[str],
    homology_settings: dict,
    homology_features: list[str],
    expression_kind: str,
    expression_samples: list[str],
    expression_columns: list[str],
) -> dict:
    """Everything a model's inputs depend on; a new gene's features must match it."""
    return {
        "sequence": {
            "version": SEQUENCE_FEATURES_VERSION,
            "columns": list(sequence_columns),
        },
        "homology": {
            "engine": homology_settings["engine"],
            "diamond_sensitivity": homology_settings["diamond_sensitivity"],
            "features": list(homology_features),
        },
        "expression": {
            "kind": expression_kind,
            "samples": list(expression_samples),
            "columns": list(expression_columns),
            "coexpression_features": (
                list(COEXPRESSION_FEATURES) if profile_columns(expression_columns).any() else []
            ),
        },
    }


def compatibility_problems(
    saved: dict,
    sequence_columns: list[str],
    homology_features: list[str],
    expression_kind: str | None,
    expression_samples: list[str] | None,
) -> list[str]:
    """How the features GOcotrain makes now differ from those a model was trained on."""
    problems = []
    sequence = saved["sequence"]
    if sequence["version"] != SEQUENCE_FEATURES_VERSION:
        problems.append(
            f"sequence features version {sequence['version']} in the model, "
            f"{SEQUENCE_FEATURES_VERSION} in this GOcotrain"
        )
    if sequence["columns"] != list(sequence_columns):
        missing = [name for name in sequence["columns"] if name not in sequence_columns]
        extra = [name for name in sequence_columns if name not in sequence["columns"]]
        problems.append(
            "sequence feature columns differ"
            + (f"; the model's {missing[:5]} are not made now" if missing else "")
            + (f"; {extra[:5]} are new" if extra else "")
            + ("" if missing or extra else "; same names in another order")
        )
    if saved["homology"]["features"] != list(homology_features):
        problems.append(
            f"homology features {saved['homology']['features']} in the model, "
            f"{list(homology_features)} now"
        )
    expression = saved["expression"]
    if expression_samples is not None:
        if expression_kind != expression["kind"]:
            problems.append(
                f"expression_kind {expression['kind']!r} in the model, {expression_kind!r} "
                "now; give expression of the same kind"
            )
        missing = [name for name in expression["samples"] if name not in expression_samples]
        if missing:
            problems.append(
                f"{len(missing)} of the model's {len(expression['samples'])} expression "
                f"samples are not in the new expression file, e.g. {', '.join(missing[:5])}"
            )
    return problems
