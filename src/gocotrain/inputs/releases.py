"""Which releases of GO and of the annotations a run was made from.

Results that depend on the labels (labels, co-training, models, predictions, evaluation) go
under `results/releases/<label>/`, so a new release never overwrites the previous one. The
label is the config's `release`, or one derived from the GO `data-version` and a checksum of
the annotation file. A stamp (`release.json`) in that folder records what the label stands
for, and a run that would put other data under an existing label is stopped.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from pathlib import Path

from gocotrain import __version__
from gocotrain.textio import GZIP_ERRORS, atomic_write, check_readable, damaged_gzip, is_gzipped

RELEASE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
# What a stamp must agree on for two runs to share a release folder.
STAMP_IDENTITY = ("go_version", "ontology_sha256", "annotations_sha256")


def file_sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# Checksums that every Snakemake start needs (the release stamp, the reference databases'
# folders; dry runs too), kept by file, size and modification time in the working directory:
# a reference proteome is hashed once, not at every start. A changed file has a new entry.
CHECKSUMS = Path(".snakemake") / "gocotrain" / "checksums.json"


def known_sha256(path: str | Path, cache: Path = CHECKSUMS) -> str:
    """`file_sha256` of `path`, from `cache` where the file is unchanged since it was hashed."""
    stat = Path(path).stat()
    key = f"{Path(path).resolve()}\t{stat.st_size}\t{stat.st_mtime_ns}"
    try:
        known = json.loads(cache.read_text())
    except (OSError, ValueError):
        known = {}
    if key not in known:
        known[key] = file_sha256(path)
        cache.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(cache) as handle:
            handle.write(json.dumps(known, indent=0, sort_keys=True) + "\n")
    return known[key]


def _head(path: str | Path, n_lines: int = 200) -> list[str]:
    """The first lines only: the Snakefile reads headers on every start, files may be large."""
    path = check_readable(path)
    opener = gzip.open if is_gzipped(path) else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", errors="replace") as handle:
            return [line for _, line in zip(range(n_lines), handle, strict=False)]
    except GZIP_ERRORS as error:
        raise damaged_gzip(path, error) from None


def _header_value(path: str | Path, key: str, comment: str = "") -> str | None:
    """A `key: value` line from a file's header (OBO stanza-free head, GAF `!` lines)."""
    for line in _head(path):
        line = line.strip()
        if comment:
            if not line.startswith(comment):
                if line:
                    break  # past the header
                continue
            line = line[len(comment) :].strip()
        elif line.startswith("["):
            break  # OBO: the first stanza ends the header
        name, _, value = line.partition(":")
        if name.strip() == key:
            return value.strip()
    return None


def obo_data_version(path: str | Path) -> str | None:
    """GO's `data-version` (e.g. releases/2022-07-01), None when the OBO has none."""
    return _header_value(path, "data-version")


def gaf_date(path: str | Path) -> str | None:
    """The GAF's `!date-generated`, None for a plain table or a GAF without it."""
    return _header_value(path, "date-generated", comment="!")


def release_stamp(
    label: str | None,
    ontology: str | Path,
    annotations: str | Path | None,
    reference_annotations: list[str] | None = None,
) -> dict:
    """What a release label stands for: the files, their checksums and GO's version.

    A new organism may have no annotations of its own (`annotations` None); its references'
    annotation files (`reference_annotations`) are then part of what the release stands for.
    """
    stamp = {
        "release": label,
        "go_version": obo_data_version(ontology) or "",
        "ontology_file": Path(ontology).name,
        "ontology_sha256": known_sha256(ontology),
        "annotations_file": Path(annotations).name if annotations else "",
        "annotations_date": (gaf_date(annotations) or "") if annotations else "",
        "annotations_sha256": known_sha256(annotations) if annotations else "",
        "gocotrain_version": __version__,
    }
    if reference_annotations:
        stamp["reference_annotations_sha256"] = [
            known_sha256(path) for path in reference_annotations
        ]
    return stamp


def automatic_label(stamp: dict) -> str:
    """`go-<GO date>_ann-<8 hex of the annotations' checksum>`, e.g. go-2022-07-01_ann-3fa2b1c9
    (`_ref-<8 hex>` of the first reference's annotations for a run without own ones)."""
    version = stamp["go_version"] or "unversioned"
    go_part = re.sub(r"[^A-Za-z0-9.-]+", "-", version.removeprefix("releases/")).strip("-")
    if not stamp["annotations_sha256"]:
        return f"go-{go_part}_ref-{stamp['reference_annotations_sha256'][0][:8]}"
    return f"go-{go_part}_ann-{stamp['annotations_sha256'][:8]}"


def stamp_conflict(existing: dict, current: dict) -> str | None:
    """Why a folder stamped `existing` cannot take results of `current`, or None."""
    differences = [
        f"{key} {existing.get(key)!r} there, {current[key]!r} now"
        for key in (*STAMP_IDENTITY, "reference_annotations_sha256")
        if existing.get(key) != current.get(key)
    ]
    if not differences:
        return None
    return (
        f"release {current['release']!r} already holds results made from other inputs ("
        + "; ".join(differences)
        + "). Give this release its own label (config `release`, e.g. --config "
        "release=2024-06), or delete that release's folder to replace it"
    )


def header_lines(stamp: dict, **extra: str) -> dict[str, str]:
    """The stamp as the ordered `key: value` items written atop exported files."""
    items = {
        "gocotrain-version": stamp["gocotrain_version"],
        "release": stamp["release"],
        "go-version": stamp["go_version"],
        "annotations": (
            f"{stamp['annotations_file']} sha256:{stamp['annotations_sha256']}"
            if stamp["annotations_sha256"]
            else "none of the organism's own (learned from the reference)"
        ),
    }
    for number, checksum in enumerate(stamp.get("reference_annotations_sha256", []), start=1):
        items[f"reference-annotations-{number}"] = f"sha256:{checksum}"
    if stamp.get("annotations_date"):
        items["annotations-date"] = stamp["annotations_date"]
    return items | extra


def reference_key(sequences: str | Path) -> str:
    """The folder name of a reference's search database: its sequences' checksum, so a
    changed file gets a new database and an unchanged one is reused by every later run."""
    return known_sha256(sequences)[:16]
