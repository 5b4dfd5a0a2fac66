"""Release labels and stamps: what a release folder stands for, and refusing to mix two."""

import gzip
import json

import pytest
from conftest import DEMO, write

from gocotrain import __version__
from gocotrain.inputs import releases

OBO = DEMO / "go-basic.obo.gz"
GAF = DEMO / "annotations.gaf.gz"
EARLIER_GAF = DEMO / "annotations.earlier.gaf.gz"


def test_versions_are_read_from_the_headers_of_gzipped_and_plain_files(tmp_path):
    assert releases.obo_data_version(OBO) == "releases/2022-07-01"
    assert releases.gaf_date(GAF) == "2022-09-12"
    plain = write(tmp_path / "go.obo", "format-version: 1.2\n\n[Term]\nid: GO:1\n")
    assert releases.obo_data_version(plain) is None
    table = write(tmp_path / "table.tsv", "P12345\tGO:0005515\n")
    assert releases.gaf_date(table) is None
    # A data-version that appears only inside a stanza is not the header's.
    late = write(tmp_path / "late.obo", "format-version: 1.2\n[Term]\ndata-version: x\n")
    assert releases.obo_data_version(late) is None


def test_automatic_label_names_go_and_the_annotations_checksum():
    label = releases.automatic_label(releases.release_stamp(None, OBO, GAF))
    assert label == f"go-2022-07-01_ann-{releases.file_sha256(GAF)[:8]}"
    assert releases.RELEASE_PATTERN.match(label)
    assert releases.automatic_label(releases.release_stamp(None, OBO, EARLIER_GAF)) != label


def test_stamp_records_files_checksums_and_versions():
    stamp = releases.release_stamp("2022-09", OBO, GAF)
    assert stamp["release"] == "2022-09"
    assert stamp["go_version"] == "releases/2022-07-01"
    assert stamp["annotations_file"] == "annotations.gaf.gz"
    assert stamp["annotations_date"] == "2022-09-12"
    assert stamp["gocotrain_version"] == __version__
    with gzip.open(GAF, "rb") as handle:
        assert len(handle.read()) > 0  # the checksum is of the file as given, gzipped
    assert stamp["annotations_sha256"] == releases.file_sha256(GAF)
    header = releases.header_lines(stamp, extra="x")
    assert list(header)[:4] == ["gocotrain-version", "release", "go-version", "annotations"]
    assert header["annotations"].endswith(stamp["annotations_sha256"])
    assert header["extra"] == "x"


def test_one_label_cannot_hold_two_annotation_releases():
    first = releases.release_stamp("2022-09", OBO, GAF)
    assert releases.stamp_conflict(first, first) is None
    # Another tool version is the same release (its results are recomputed in place).
    assert releases.stamp_conflict(first | {"gocotrain_version": "9"}, first) is None
    other = releases.release_stamp("2022-09", OBO, EARLIER_GAF)
    message = releases.stamp_conflict(first, other)
    assert message.startswith("release '2022-09' already holds results made from other inputs")
    assert "annotations_sha256" in message and "config `release`" in message


@pytest.mark.parametrize("label", ["2022-09", "go-2022-07-01_ann-942ac46e", "v2.1"])
def test_labels_are_safe_folder_names(label):
    assert releases.RELEASE_PATTERN.match(label)


@pytest.mark.parametrize("label", ["../x", "a/b", "", ".hidden", "a b"])
def test_unsafe_labels_are_rejected(label):
    assert not releases.RELEASE_PATTERN.match(label)


def test_checksums_needed_at_every_start_are_hashed_once_per_file_version(tmp_path):
    import os

    from gocotrain.inputs.releases import file_sha256, known_sha256

    data, cache = tmp_path / "reference.fa", tmp_path / "cache" / "checksums.json"
    data.write_text(">P1\nMKV\n")
    first = known_sha256(data, cache)
    assert first == file_sha256(data) and cache.is_file()
    # An entry for this file version is read, not computed: a forged one shows it.
    entries = json.loads(cache.read_text())
    cache.write_text(json.dumps(dict.fromkeys(entries, "forged")))
    assert known_sha256(data, cache) == "forged"
    # Another content (and modification time) is hashed anew.
    data.write_text(">P1\nMKVL\n")
    os.utime(data, ns=(1, 1))
    assert known_sha256(data, cache) == file_sha256(data) != first
    # A damaged cache is rebuilt rather than stopping the run.
    cache.write_text("{not json")
    assert known_sha256(data, cache) == file_sha256(data)
