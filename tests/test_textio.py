"""Files that cannot be read as text say why, with the file and what to do."""

import bz2
import gzip
import os
import zipfile

import pytest

from gocotrain.errors import InputError
from gocotrain.inputs.releases import release_stamp
from gocotrain.textio import read_text, readable


def test_a_folder_is_not_called_missing(tmp_path):
    with pytest.raises(InputError, match="this is a folder, not a file"):
        read_text(tmp_path)


@pytest.mark.parametrize(
    ("name", "write", "problem", "fix"),
    [
        ("expression.xlsx", "zip", "an Excel workbook", "save the sheet as tab-separated text"),
        ("expression.tsv.bz2", "bz2", "bzip2-compressed", "bunzip2"),
    ],
)
def test_a_workbook_or_other_compression_is_named(tmp_path, name, write, problem, fix):
    path = tmp_path / name
    if write == "zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("xl/workbook.xml", "<workbook/>")
    else:
        path.write_bytes(bz2.compress(b"gene\ts1\ng1\t1\n"))
    with pytest.raises(InputError) as error:
        read_text(path)
    assert problem in str(error.value) and fix in str(error.value)
    assert "iconv" not in str(error.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_an_unreadable_file_says_so(tmp_path):
    path = tmp_path / "secret.tsv"
    path.write_text("gene\ts1\n")
    path.chmod(0)
    with pytest.raises(InputError, match="permission denied"):
        read_text(path)


def test_a_truncated_gzip_stops_the_release_stamp_with_its_name(tmp_path, demo):
    ontology = tmp_path / "go-basic.obo.gz"
    ontology.write_bytes(gzip.compress((demo / "go-basic.obo.gz").read_bytes())[:20])
    with pytest.raises(InputError, match="damaged or truncated") as error:
        release_stamp(None, ontology, demo / "annotations.gaf.gz")
    assert str(ontology) in str(error.value)


def test_a_report_reads_as_words_not_as_a_python_dict():
    report = {"genes_with_expression": 960, "examples": ["P1", "P2"], "share": 0.123456}
    report["not_matched"] = {"rows": 3}
    line = readable(report)
    assert line == "genes with expression 960; examples P1, P2; share 0.1235; not matched (rows 3)"
    assert "{" not in line and "'" not in line
