"""Reading text inputs that may be gzipped, carry a UTF-8 BOM or Windows line endings."""

from __future__ import annotations

import gzip
import io
import os
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from gocotrain.errors import InputError

GZIP_MAGIC = b"\x1f\x8b"
# mkstemp makes files private (0600); results should get the usual permissions instead.
_UMASK = os.umask(0)
os.umask(_UMASK)


def is_gzipped(path: str | Path) -> bool:
    """Tell gzip by its magic bytes, not by the file name: users rename files."""
    with open(path, "rb") as handle:
        return handle.read(2) == GZIP_MAGIC


# Files that are not text, by their first bytes, and what to do with each.
NOT_TEXT = {
    b"PK\x03\x04": (
        "a ZIP archive or an Excel workbook (.xlsx), not text",
        "save the sheet as tab-separated text (.tsv) or CSV, or unzip the archive",
    ),
    b"BZh": ("bzip2-compressed", "decompress it (bunzip2), or compress it with gzip instead"),
    b"\xfd7zXZ": ("xz-compressed", "decompress it (unxz), or compress it with gzip instead"),
}


def check_readable(path: str | Path) -> Path:
    """`path` as a Path, or an InputError saying why it cannot be read as a file."""
    path = Path(path)
    if path.is_dir():
        raise InputError(path, "this is a folder, not a file", "give the file inside it")
    if not path.exists():
        raise InputError(
            path, "the file does not exist", "check the path (in the config or the command)"
        )
    if not os.access(path, os.R_OK):
        raise InputError(
            path, "the file cannot be read (permission denied)", "make it readable: chmod a+r"
        )
    return path


# What reading a damaged or cut-off gzip file raises.
GZIP_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error)


def damaged_gzip(path: str | Path, error: Exception) -> InputError:
    return InputError(
        path,
        f"the gzip stream is damaged or truncated ({error})",
        "download or compress the file again; `gzip -t FILE` checks it",
    )


def _raw_bytes(path: Path) -> bytes:
    try:
        raw = gzip.decompress(path.read_bytes()) if is_gzipped(path) else path.read_bytes()
    except GZIP_ERRORS as error:
        raise damaged_gzip(path, error) from None
    for magic, (problem, fix) in NOT_TEXT.items():
        if raw.startswith(magic):
            raise InputError(path, f"this is {problem}", fix)
    return raw


def read_text(path: str | Path) -> str:
    """Return the whole file as text, with BOM removed and line endings normalised to \\n."""
    path = check_readable(path)
    raw = _raw_bytes(path)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise InputError(
            path,
            f"the file is not UTF-8 text (byte {error.start})",
            "convert it to UTF-8 text, e.g. with `iconv -t UTF-8`",
            line=line,
        ) from None
    # Universal newlines: \r\n and lone \r become \n, as Python's text mode does.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def iter_lines(path: str | Path) -> Iterator[tuple[int, str]]:
    """Yield (1-based line number, line without newline) for each line of the file."""
    for number, line in enumerate(io.StringIO(read_text(path)), start=1):
        yield number, line.rstrip("\n")


@contextmanager
def atomic_write(path: str | Path, mode: str = "w") -> Iterator[IO]:
    """Write through a temporary file beside `path` and rename it into place when complete.

    A run killed mid-write then leaves no file at `path` that looks finished; the rename is
    atomic on POSIX file systems.
    """
    path = Path(path)
    descriptor, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".part"
    )
    try:
        with os.fdopen(descriptor, mode) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o666 & ~_UMASK)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def readable(report: dict) -> str:
    """A report as a progress line reads: ``genes with expression 960; samples 271`` rather
    than a Python dict; nested reports in parentheses, lists comma-separated."""

    def value(item) -> str:
        if isinstance(item, dict):
            return f"({readable(item)})" if item else "none"
        if isinstance(item, list | tuple):
            return ", ".join(map(str, item)) if item else "none"
        if isinstance(item, float):
            return f"{item:.4g}"
        return str(item)

    return "; ".join(f"{str(key).replace('_', ' ')} {value(item)}" for key, item in report.items())
