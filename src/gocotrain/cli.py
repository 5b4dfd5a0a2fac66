"""Command-line entry point: `gocotrain evaluate` scores CAFA prediction files."""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from gocotrain import __version__
from gocotrain.errors import InputError
from gocotrain.evaluation.metrics import (
    MIN_POSITIVES,
    evaluate,
    information_accretion,
    read_information_accretion,
    read_predictions,
    read_truth,
)
from gocotrain.inputs.ontology import read_obo


def _evaluate(args: argparse.Namespace) -> int:
    ontology = read_obo(args.obo)
    truth = read_truth(args.truth)
    # Estimated once, not once per prediction file.
    ia = (
        information_accretion(truth, ontology)
        if args.ia is None
        else read_information_accretion(args.ia)
    )
    tables = []
    for path in args.predictions:
        predictions = read_predictions(path)
        if predictions and truth.keys().isdisjoint(predictions):
            print(
                f"warning: {path}: none of its {len(predictions)} genes is in {args.truth}; "
                "check that both use the same gene IDs",
                file=sys.stderr,
            )
        table = evaluate(truth, predictions, ontology, ia)
        if table.empty:
            raise InputError(
                args.truth,
                f"no gene has a current, non-root term of {args.obo}",
                "check that the truth file and the ontology use the same term IDs",
            )
        table.insert(0, "prediction", path)
        tables.append(table)
    # Written only once every file has been read, so an input error leaves no partial table.
    pd.concat(tables).to_csv(sys.stdout, sep="\t", index=False, float_format="%.4f", na_rep="")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gocotrain",
        description="GOcotrain: predict and evaluate GO terms.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="""\
The prediction workflow runs with Snakemake from the GOcotrain folder:
  bash scripts/demo.sh                            the demo (resources/demo)
  .venv/bin/snakemake --cores 8 --configfile my-genome.yaml
                                                  your genome: sequences, annotations,
                                                  ontology, expression (config/README.md)
  .venv/bin/snakemake --cores 8 --configfile config/demo-new-organism.yaml
                                                  a new organism, taught by a reference
                                                  species (needs DIAMOND)
  .venv/bin/snakemake predict --cores 2 --configfile score.yaml
                                                  new genes scored by a saved model
  .venv/bin/snakemake --workflow-profile profiles/slurm --configfile my-genome.yaml
                                                  the same on a SLURM cluster
Results: results/releases/<release>/predictions/ (TSV, CAFA, GAF, Excel) and report/.
""",
    )
    parser.add_argument("--version", action="version", version=f"gocotrain {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    evaluation = commands.add_parser(
        "evaluate",
        help="score CAFA prediction files against known annotations",
        description=(
            "Score CAFA prediction files (`gene term score`) against benchmark annotations "
            "(`gene term`) the way CAFA does: Fmax, weighted Fmax and Smin per ontology "
            f"namespace, and term-centric AUPR/AUROC (macro over terms with >= {MIN_POSITIVES} "
            "positives, and micro). Both sides are propagated over is_a/part_of; roots are not "
            "scored. Writes a TSV to standard output."
        ),
    )
    evaluation.add_argument("--obo", required=True, metavar="FILE", help="ontology, OBO format")
    evaluation.add_argument(
        "--truth", required=True, metavar="FILE", help="benchmark annotations: `gene term` lines"
    )
    evaluation.add_argument(
        "--ia",
        metavar="FILE",
        help="information accretion: `term value` lines, no header "
        "(default: estimated from the propagated truth)",
    )
    evaluation.add_argument(
        "predictions", nargs="+", metavar="PRED", help="prediction files, CAFA format"
    )
    evaluation.set_defaults(run=_evaluate)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status (1 for an input error)."""
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except InputError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
