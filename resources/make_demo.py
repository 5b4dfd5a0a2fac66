"""Cut the demo data set in resources/demo/ from the human 2022 data set.

Usage: python resources/make_demo.py ../shared/data/human-2022 resources/demo

Takes a seeded random sample of proteins that have expression through the ID map, plus a
few without expression (to exercise the missing-view path), with every annotation line,
ID-map row and expression row that belongs to them, plus unmatched expression rows as real
matrices have. The ontology file is copied whole: propagation needs the complete GO.
"""

import gzip
import random
import shutil
import sys
from pathlib import Path

N_WITH_EXPRESSION = 900
N_WITHOUT_EXPRESSION = 60
N_UNMATCHED_EXPRESSION_ROWS = 150
SEED = 2022


def main(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    proteins, order = {}, []
    with gzip.open(source / "proteins.fa.gz", "rt") as handle:
        current = None
        for line in handle:
            if line.startswith(">"):
                current = line[1:].split()[0]
                order.append(current)
                proteins[current] = [line]
            else:
                proteins[current].append(line)
    with gzip.open(source / "expression.tsv.gz", "rt") as handle:
        expression_lines = handle.readlines()
    expression_ids = {
        line.split("\t", 1)[0].split(".")[0]: i for i, line in enumerate(expression_lines[1:], 1)
    }
    with gzip.open(source / "idmap.tsv.gz", "rt") as handle:
        id_map = [line.rstrip("\n").split("\t") for line in handle][1:]
    mapped = {}
    for accession, ensembl in id_map:
        if ensembl in expression_ids:
            mapped.setdefault(accession, []).append(ensembl)
    with_expression = sorted(accession for accession in order if accession in mapped)
    without_expression = sorted(accession for accession in order if accession not in mapped)
    chosen = set(rng.sample(with_expression, N_WITH_EXPRESSION))
    chosen |= set(rng.sample(without_expression, N_WITHOUT_EXPRESSION))

    with gzip.open(target / "proteins.fa.gz", "wt") as handle:
        for accession in order:
            if accession in chosen:
                handle.writelines(proteins[accession])
    with gzip.open(target / "idmap.tsv.gz", "wt") as handle:
        handle.write("uniprot_acc\tensembl_gene\n")
        for accession, ensembl in id_map:
            if accession in chosen:
                handle.write(f"{accession}\t{ensembl}\n")
    rows = {expression_ids[e] for a in chosen for e in mapped.get(a, [])}
    others = sorted(set(range(1, len(expression_lines))) - rows)
    rows |= set(rng.sample(others, N_UNMATCHED_EXPRESSION_ROWS))
    with gzip.open(target / "expression.tsv.gz", "wt") as handle:
        handle.write(expression_lines[0])
        handle.writelines(expression_lines[i] for i in sorted(rows))
    with (
        gzip.open(source / "goa_human_2022.gaf.gz", "rt") as handle,
        gzip.open(target / "annotations.gaf.gz", "wt") as out,
    ):
        for line in handle:
            if line.startswith("!") or line.split("\t")[1] in chosen:
                out.write(line)
    shutil.copyfile(source / "go-basic.obo.gz", target / "go-basic.obo.gz")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
