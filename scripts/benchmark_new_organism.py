"""Human as a new organism: score finished runs of config/human-new-organism.yaml (no human
label; the non-human Swiss-Prot 2014 reference) against human's 2022 experimental
annotations, beside the naive and DIAMOND kNN baselines of the same reference, from the first
run's own reference search. Needs ../shared (benchmark only).

    python scripts/benchmark_new_organism.py RUN [OTHER_RUN ...] [--truth GAF] [--ontology OBO]
    python scripts/benchmark_new_organism.py --cut-own OWN.gaf.gz [--share 0.05] [--seed 0]
    python scripts/benchmark_new_organism.py --cut-reference EXCLUDE.txt.gz OUT

Yeast as a new organism (`config/yeast-new-organism.yaml`): cut the reference without
yeast's own entries, run, and score against yeast's GAF:

    python scripts/benchmark_new_organism.py --cut-reference \
        ../shared/data/yeast-2019/reference-exclude.txt.gz ../yeast-reference
    snakemake --cores 2 --configfile config/yeast-new-organism.yaml --directory ../yeast-new
    python scripts/benchmark_new_organism.py ../yeast-new \
        --truth ../shared/data/yeast-2019/annotations.gaf.gz \
        --reference-labels ../yeast-reference/reference_labels.tsv.gz

Each RUN is a working directory whose newest release holds predictions; every run is scored
on the same targets (the human proteins with an experimental 2022 annotation in the aspect),
with CAFA Fmax as `gocotrain evaluate` computes it (roots excluded, propagated), overall and
apart for the targets with and without a reference hit (e <= 1e-3). A target a method gives
no score counts as predicted nothing (full mode). Runs with own labels (goal 3) are scored
on the targets whose labels they did not read (`--exclude-own`); `--cut-own` writes their
own labels: the 2022 GAF lines of a seeded share of the human proteins with an experimental
annotation.
"""

from __future__ import annotations

import argparse
import gzip
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from gocotrain.evaluation import methods, metrics
from gocotrain.inputs.annotations import Labels, build_labels, read_annotations
from gocotrain.inputs.ontology import ASPECT_NAMES, read_obo
from gocotrain.inputs.sequences import gene_id_from_header, read_fasta
from gocotrain.steps.evaluation import NAIVE_TERMS
from gocotrain.teaching.transfer import homology_transfer
from gocotrain.views import homology

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
# The default evidence codes, from the schema (the one source of defaults).
EVIDENCE = yaml.safe_load(
    (Path(__file__).resolve().parents[1] / "workflow/schemas/config.schema.yaml").read_text()
)["properties"]["evidence_codes"]["default"]


def newest_release(run: Path) -> Path:
    found = sorted(
        (run / "results/releases").glob("*/predictions/predictions.cafa.tsv"),
        key=lambda path: path.stat().st_mtime,
    )
    if not found:
        sys.exit(f"{run}: no finished run (no results/releases/*/predictions/)")
    return found[-1].parents[1]


def truth_labels(gaf: Path, ontology, genes: list[str]) -> pd.DataFrame:
    return build_labels(read_annotations(gaf), ontology, genes, EVIDENCE, list("PFC"), gaf).table


def fmax(truth: dict, predictions: dict, ontology) -> float:
    scored = metrics.evaluate(truth, predictions, ontology)
    return round(float(scored.iloc[0]["fmax"]), 3) if len(scored) else float("nan")


def cut_own(truth_gaf: Path, ontology, out: Path, share: float, seed: int) -> None:
    """Write the truth GAF's lines of a seeded `share` of the proteins with an experimental
    annotation: the few own labels of goal 3's runs."""
    proteins = SHARED / "human-2022/proteins.fa.gz"
    genes = sorted({gene_id_from_header(header) for header, _, _ in read_fasta(proteins)})
    annotated = sorted(set(truth_labels(truth_gaf, ontology, genes)["gene_id"]))
    rng = np.random.default_rng(seed)
    kept = set(rng.choice(annotated, size=round(share * len(annotated)), replace=False))
    with gzip.open(truth_gaf, "rt") as source, gzip.open(out, "wt") as target:
        for line in source:
            if line.startswith("!") or line.split("\t")[1] in kept:
                target.write(line)
    print(f"{out}: the lines of {len(kept)} of {len(annotated)} annotated proteins")


def cut_reference(exclude: Path, out: Path) -> None:
    """Write the reference without the accessions in `exclude` (one per line): yeast playing
    a new organism must not find its own Swiss-Prot entries there."""
    with gzip.open(exclude, "rt") as handle:
        left_out = {line.strip() for line in handle if line.strip()}
    out.mkdir(parents=True, exist_ok=True)
    source = SHARED / "reference-swissprot-2014"
    kept = 0
    with gzip.open(out / "reference.fa.gz", "wt") as target:
        for header, protein, _ in read_fasta(source / "reference.fa.gz"):
            if gene_id_from_header(header) not in left_out:
                target.write(f">{header}\n{protein}\n")
                kept += 1
    with (
        gzip.open(source / "reference_labels.tsv.gz", "rt") as handle,
        gzip.open(out / "reference_labels.tsv.gz", "wt") as target,
    ):
        for number, line in enumerate(handle):
            if number == 0 or line.split("\t", 1)[0] not in left_out:
                target.write(line)
    print(f"{out}: {kept} reference proteins, {len(left_out)} accessions left out")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("runs", nargs="*", type=Path)
    parser.add_argument("--truth", type=Path, default=SHARED / "human-2022/goa_human_2022.gaf.gz")
    parser.add_argument("--ontology", type=Path, default=SHARED / "human-2022/go-basic.obo.gz")
    parser.add_argument(
        "--reference-labels",
        type=Path,
        default=SHARED / "reference-swissprot-2014/reference_labels.tsv.gz",
    )
    parser.add_argument("--exclude-own", action="store_true", help="skip targets a run read")
    parser.add_argument("--cut-own", type=Path, help="write own labels to this GAF and stop")
    parser.add_argument("--share", type=float, default=0.05, help="of --cut-own")
    parser.add_argument("--seed", type=int, default=0, help="of --cut-own")
    parser.add_argument(
        "--cut-reference",
        nargs=2,
        type=Path,
        metavar=("EXCLUDE", "OUT"),
        help="write the reference without the accessions in EXCLUDE to OUT/ and stop",
    )
    args = parser.parse_args()
    if args.cut_reference:
        cut_reference(*args.cut_reference)
        return
    ontology = read_obo(args.ontology)
    if args.cut_own:
        cut_own(args.truth, ontology, args.cut_own, args.share, args.seed)
        return
    if not args.runs:
        parser.error("give at least one RUN (or --cut-own)")
    first = args.runs[0]
    hits_paths = sorted((first / "results/reference").glob("*/hits.tsv"))
    hits = homology.canonical_hits(pd.concat([homology.read_hits(path) for path in hits_paths]))
    genes = sorted(set(pd.read_csv(first / "results/sequences/names.tsv", sep="\t")["gene_id"]))
    truth = truth_labels(args.truth, ontology, genes)
    reference_all = read_annotations(args.reference_labels)
    reference_genes = sorted(set(reference_all.table["gene_id"]))
    reference = build_labels(
        reference_all, ontology, reference_genes, EVIDENCE, list("PFC"), args.reference_labels
    ).table
    with_hit = set(hits["query"])
    runs = {run: newest_release(run) for run in args.runs}
    predictions = {
        run: metrics.read_predictions(release / "predictions/predictions.cafa.tsv")
        for run, release in runs.items()
    }
    excluded = set()
    for release in runs.values():
        own = Labels.from_tsv(release / "labels/labels.tsv").table
        excluded |= set(own["gene_id"]) if args.exclude_own else set()
    rows = []
    for aspect in "PFC":
        in_aspect = truth[(truth["aspect"] == aspect) & ~truth["gene_id"].isin(excluded)]
        targets = sorted(set(in_aspect["gene_id"]))
        compared = {
            "naive": methods.naive(reference, aspect, targets, top=NAIVE_TERMS),
            "diamond_knn": homology_transfer(hits, reference, aspect, targets, k=10),
        }
        for run in args.runs:
            compared[f"gocotrain:{run.name}"] = {
                gene: predictions[run].get(gene, {}) for gene in targets
            }
        for subset, genes_in in (
            ("all", targets),
            ("with hit", [gene for gene in targets if gene in with_hit]),
            ("no hit", [gene for gene in targets if gene not in with_hit]),
        ):
            truth_of = in_aspect[in_aspect["gene_id"].isin(set(genes_in))]
            truth_sets = truth_of.groupby("gene_id")["go_id"].apply(set).to_dict()
            for method, predicted in compared.items():
                kept = {gene: predicted.get(gene, {}) for gene in genes_in}
                rows.append(
                    {
                        "aspect": ASPECT_NAMES[aspect],
                        "targets": subset,
                        "n": len(genes_in),
                        "method": method,
                        "fmax": fmax(truth_sets, kept, ontology) if genes_in else float("nan"),
                    }
                )
                print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    print(
        table.pivot_table(index=["targets", "method"], columns="aspect", values="fmax").to_string()
    )


if __name__ == "__main__":
    main()
