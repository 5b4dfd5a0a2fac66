"""Cut the demo data set in resources/demo/ from the human 2022 data set.

Usage: python resources/make_demo.py ../shared/data/human-2022 resources/demo

and, for the new-organism demo (README, "Annotate a new organism"; needs DIAMOND):

    python resources/make_demo.py --reference ../shared/data/reference-swissprot-2014 \
        resources/demo

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
# The simulated earlier annotation release hides every annotation of this share of genes.
EARLIER_HIDDEN_SHARE = 0.15
N_NEW_GENES = 40


def read_source_proteins(source: Path) -> tuple[dict[str, list[str]], list[str]]:
    """Each protein's FASTA lines by accession, and the accessions in file order."""
    proteins, order = {}, []
    with gzip.open(source / "proteins.fa.gz", "rt") as handle:
        for line in handle:
            if line.startswith(">"):
                current = line[1:].split()[0]
                order.append(current)
                proteins[current] = [line]
            else:
                proteins[current].append(line)
    return proteins, order


def main(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    proteins, order = read_source_proteins(source)
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
    cut_release_and_new_genes(source, target)


def _read_demo(target: Path) -> tuple[list[str], list[str]]:
    with gzip.open(target / "proteins.fa.gz", "rt") as handle:
        chosen = [line[1:].split()[0] for line in handle if line.startswith(">")]
    with gzip.open(target / "annotations.gaf.gz", "rt") as handle:
        return chosen, handle.readlines()


def cut_release_and_new_genes(source: Path, target: Path) -> None:
    """An earlier annotation release and a few new genes, from the demo already cut.

    * annotations.earlier.gaf.gz: the demo GAF without any annotation of a seeded 15% of its
      genes, standing in for an older release (the source carries no annotation dates);
    * new_genes.fa.gz, new_genes.expression.tsv.gz, new_genes.idmap.tsv.gz: 40 human
      proteins outside the demo (30 with expression) and the same cells' expression of the
      demo genes plus theirs, for scoring new genes with a saved model.
    """
    rng = random.Random(SEED + 1)
    chosen, gaf = _read_demo(target)
    hidden = set(rng.sample(sorted(chosen), round(EARLIER_HIDDEN_SHARE * len(chosen))))
    with gzip.open(target / "annotations.earlier.gaf.gz", "wt") as out:
        for line in gaf:
            if line.startswith("!date-generated"):
                line = "!date-generated: 2022-03-01\n"
            if line.startswith("!") or line.split("\t")[1] not in hidden:
                out.write(line)
            if line.startswith("!gaf-version"):
                out.write("!comment: simulated earlier release of the GOcotrain demo\n")

    proteins, order = read_source_proteins(source)
    with gzip.open(source / "idmap.tsv.gz", "rt") as handle:
        id_map = [line.rstrip("\n").split("\t") for line in handle][1:]
    with gzip.open(source / "expression.tsv.gz", "rt") as handle:
        expression_lines = handle.readlines()
    row_of = {line.split("\t", 1)[0].split(".")[0]: line for line in expression_lines[1:]}
    ensembl_of = {}
    for accession, ensembl in id_map:
        if ensembl in row_of:
            ensembl_of.setdefault(accession, []).append(ensembl)
    outside = sorted(set(order) - set(chosen))
    with_expression = rng.sample([a for a in outside if a in ensembl_of], 30)
    without = rng.sample([a for a in outside if a not in ensembl_of], N_NEW_GENES - 30)
    new = set(with_expression) | set(without)
    with gzip.open(target / "new_genes.fa.gz", "wt") as handle:
        for accession in order:
            if accession in new:
                handle.writelines(proteins[accession])
    with gzip.open(target / "new_genes.idmap.tsv.gz", "wt") as handle:
        handle.write("uniprot_acc\tensembl_gene\n")
        for accession in sorted(with_expression):
            for ensembl in ensembl_of[accession]:
                handle.write(f"{accession}\t{ensembl}\n")
    with gzip.open(target / "expression.tsv.gz", "rt") as handle:
        demo_rows = handle.readlines()
    added = {row_of[e] for a in with_expression for e in ensembl_of[a]} - set(demo_rows)
    with gzip.open(target / "new_genes.expression.tsv.gz", "wt") as handle:
        handle.writelines(demo_rows)
        handle.writelines(sorted(added))


# The demo reference: each demo protein's best reference homologs, plus unrelated proteins.
REFERENCE_HITS_PER_PROTEIN = 5
N_REFERENCE_OTHERS = 1000


def cut_reference(source: Path, target: Path) -> None:
    """A small reference for the new-organism demo: the demo proteins' best homologs among
    the Swiss-Prot 2014 reference (DIAMOND), a seeded sample of other reference proteins, and
    every GO line of them, in the source's own formats."""
    from gocotrain.views.homology import run_diamond  # the product's DIAMOND call, installed

    proteins, order, sequence = {}, [], []
    with gzip.open(source / "reference.fa.gz", "rt") as handle:
        for line in handle:
            if line.startswith(">"):
                sequence = []
                accession = line[1:].split()[0]
                proteins[accession] = sequence
                order.append(accession)
            else:
                sequence.append(line)
    out = target / "reference"
    out.mkdir(exist_ok=True)
    hits = run_diamond(target / "proteins.fa.gz", source / "reference.fa.gz", out / "hits.tmp")
    best: dict[str, list[str]] = {}
    for line in hits.read_text().splitlines():
        query, subject = line.split("\t")[:2]
        best.setdefault(query, [])
        if subject not in best[query] and len(best[query]) < REFERENCE_HITS_PER_PROTEIN:
            best[query].append(subject)
    hits.unlink()
    chosen = {subject for subjects in best.values() for subject in subjects}
    rng = random.Random(SEED + 2)
    chosen |= set(rng.sample(sorted(set(order) - chosen), N_REFERENCE_OTHERS))
    with gzip.open(out / "reference.fa.gz", "wt") as handle:
        for accession in order:
            if accession in chosen:
                handle.write(f">{accession}\n" + "".join(proteins[accession]))
    with gzip.open(source / "reference_labels.tsv.gz", "rt") as lines:
        kept = [next(lines)] + [line for line in lines if line.split("\t", 1)[0] in chosen]
    with gzip.open(out / "reference_labels.tsv.gz", "wt") as handle:
        handle.writelines(kept)


if __name__ == "__main__":
    if sys.argv[1] == "--reference":
        cut_reference(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        main(Path(sys.argv[1]), Path(sys.argv[2]))
