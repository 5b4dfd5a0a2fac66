"""CAFA evaluation: agreement with cafaeval, hand-computed answers, the command line.

cafaeval scores the roots unless given `no_orphans=True`; gocotrain never scores them, so
every comparison runs cafaeval with `no_orphans=True`. cafaeval needs an IA file for the
weighted metrics: it gets the IA gocotrain estimates, written out, so both weight alike.
"""

import io
import math
import subprocess
import sys
from importlib.resources import files
from importlib.util import find_spec

import numpy as np
import pandas as pd
import pytest
from conftest import EVIDENCE_CODES, ROOT, write
from sklearn.metrics import average_precision_score, roc_auc_score

from gocotrain.cli import main
from gocotrain.errors import InputError
from gocotrain.evaluation.metrics import (
    MIN_POSITIVES,
    _aupr_auroc,
    evaluate,
    information_accretion,
    precision_recall_curve,
    read_information_accretion,
    read_predictions,
    read_truth,
)
from gocotrain.inputs.annotations import read_annotations
from gocotrain.inputs.ontology import read_obo
from gocotrain.textio import read_text

needs_cafaeval = pytest.mark.skipif(find_spec("cafaeval") is None, reason="cafaeval not installed")
TOLERANCE = 1e-9  # observed differences are float rounding, ~1e-15
# Per-threshold columns of cafaeval's table and ours.
CURVE_COLUMNS = {
    "cov": "coverage",
    "pr": "precision",
    "rc": "recall",
    "f": "f",
    "pr_w": "wprecision",
    "rc_w": "wrecall",
    "f_w": "wf",
    "ru_w": "ru",
    "mi_w": "mi",
    "s_w": "s",
}


def write_ia(ia: dict[str, float], path):
    path.write_text("".join(f"{term}\t{value!r}\n" for term, value in ia.items()))
    return str(path)


def run_cafaeval(obo, prediction_dir, truth, ia_file):
    """cafaeval's per-threshold table, with its columns `filename`, `ns` and `tau`."""
    from cafaeval.evaluation import cafa_eval

    table, _ = cafa_eval(
        str(obo), str(prediction_dir), str(truth), ia=ia_file, no_orphans=True, n_cpu=1
    )
    return table.reset_index()


def assert_agrees(ours, curves, theirs):
    """Compare our summary and curves with cafaeval's table for one prediction file.

    cafaeval's evaluation_best_s picks the row by unweighted S; Smin is the minimum of s_w.
    """
    assert set(ours["aspect"]) == set(theirs["ns"])
    differences = {}
    for namespace, table in theirs.groupby("ns"):
        row = ours.set_index("aspect").loc[namespace]
        best_f = table.loc[table["f"].idxmax()]
        best_wf = table.loc[table["f_w"].idxmax()]
        least_s = table.loc[table["s_w"].idxmin()]
        pairs = {
            "fmax": (row["fmax"], best_f["f"]),
            "threshold": (row["threshold"], best_f["tau"]),
            "coverage": (row["coverage"], best_f["cov"]),
            "wfmax": (row["wfmax"], best_wf["f_w"]),
            "wthreshold": (row["wthreshold"], best_wf["tau"]),
            "smin": (row["smin"], least_s["s_w"]),
            "sthreshold": (row["sthreshold"], least_s["tau"]),
        }
        # cafaeval drops the thresholds where no protein has a prediction.
        # Both grids are np.arange(0.01, 1, 0.01), so the thresholds match exactly.
        curve = curves[curves["aspect"] == namespace].set_index("threshold").loc[table["tau"]]
        for theirs_column, ours_column in CURVE_COLUMNS.items():
            pairs[f"curve {ours_column}"] = (curve[ours_column].to_numpy(), table[theirs_column])
        for metric, (mine, reference) in pairs.items():
            difference = np.max(np.abs(np.asarray(mine) - np.asarray(reference)))
            differences[metric] = max(differences.get(metric, 0.0), difference)
    assert all(difference < TOLERANCE for difference in differences.values()), differences
    return differences


# --- cafaeval's own example: a 20-term disorder-function ontology, 5 predictors ---------------

CAFAEVAL_EXAMPLE = files("cafaeval") / "data" / "example" if find_spec("cafaeval") else None


@needs_cafaeval
def test_agrees_with_cafaeval_on_its_example(tmp_path):
    obo = CAFAEVAL_EXAMPLE / "IDPO_disorder_function.obo"
    truth_file = CAFAEVAL_EXAMPLE / "ground_truth.tsv"
    ontology = read_obo(obo)
    truth = read_truth(truth_file)
    ia = information_accretion(truth, ontology)
    theirs = run_cafaeval(
        obo, CAFAEVAL_EXAMPLE / "predictions", truth_file, write_ia(ia, tmp_path / "ia.tsv")
    )
    names = sorted(set(theirs["filename"]))
    assert names == [f"pred_{number}.tsv" for number in range(1, 6)]
    for name in names:
        predictions = read_predictions(CAFAEVAL_EXAMPLE / "predictions" / name)
        assert_agrees(
            evaluate(truth, predictions, ontology, ia),
            precision_recall_curve(truth, predictions, ontology, ia),
            theirs[theirs["filename"] == name],
        )


# --- Real GO: demo experimental annotations as truth, two seeded predictors -------------------


def go_excerpt(obo_text: str, keep: set[str]) -> str:
    """The OBO header and the [Term] stanzas of `keep`, verbatim.

    cafaeval builds dense term × term matrices per namespace (30k² for the full GO); on the
    ancestor closure of the terms in play its answers are the same and come in seconds.
    """
    header, *stanzas = obo_text.split("\n[")
    kept = [
        stanza
        for stanza in stanzas
        if stanza.startswith("Term]\nid: ") and stanza.split("\n", 2)[1][4:] in keep
    ]
    return header + "".join("\n[" + stanza for stanza in kept)


@pytest.fixture(scope="module")
def go_case(tmp_path_factory, demo, demo_ontology):
    """Truth, two prediction files, IA and a GO excerpt, written to disk for both evaluators."""
    go = demo_ontology
    rng = np.random.default_rng(20220701)
    folder = tmp_path_factory.mktemp("go_case")
    table = read_annotations(demo / "annotations.gaf.gz").table
    table = table[~table["negated"] & ~table["go_id"].isin(go.roots)]
    experimental_genes = table.loc[table["evidence"].isin(EVIDENCE_CODES), "gene_id"]
    genes = rng.choice(sorted(set(experimental_genes)), 300, replace=False)
    chosen = table[table["gene_id"].isin(genes)]
    experimental = chosen["evidence"].isin(EVIDENCE_CODES)
    alt_id_of = {primary: alt for alt, primary in sorted(go.alt_ids.items())}
    obsolete = sorted(go.obsolete)[:3]

    truth_lines = []
    for gene, term in chosen.loc[experimental, ["gene_id", "go_id"]].itertuples(index=False):
        # Some truth written as alt_ids, which both evaluators map to the primary ID.
        written = alt_id_of[term] if term in alt_id_of and rng.random() < 0.5 else term
        truth_lines.append(f"{gene}\t{written}\n")
    truth_lines += [f"{genes[0]}\t{obsolete[0]}\n", f"{genes[1]}\tGO:9999999\n"]
    truth_file = write(folder / "truth.tsv", "".join(truth_lines))

    pool = sorted(set(table["go_id"]))
    noisy = []
    for gene, terms in chosen[experimental].groupby("gene_id")["go_id"]:
        for term in sorted(set(terms)):
            if rng.random() < 0.8:
                noisy.append((gene, term, rng.uniform(0.3, 1)))
        for term in rng.choice(pool, rng.poisson(4)):
            noisy.append((gene, alt_id_of.get(term, term), rng.uniform(0, 0.8)))
        noisy.append((gene, obsolete[1], 0.9))
    noisy += [("NOT_IN_TRUTH", pool[0], 0.9), (genes[2], pool[1], 0.0)]
    predictions = folder / "predictions"
    predictions.mkdir()
    # Two decimals, so many scores sit on the threshold grid.
    write(predictions / "noisy.tsv", "".join(f"{g}\t{t}\t{s:.2f}\n" for g, t, s in noisy))

    evidence_score = {"IBA": 0.8, "ISS": 0.6, "IEA": 0.5}
    electronic = chosen[~experimental]
    scores = electronic["evidence"].map(evidence_score).fillna(0.4) + rng.uniform(
        -0.15, 0.15, len(electronic)
    )
    write(
        predictions / "electronic.tsv",
        "".join(
            f"{gene}\t{term}\t{score:.3f}\n"
            for gene, term, score in zip(
                electronic["gene_id"], electronic["go_id"], scores, strict=True
            )
        ),
    )

    truth = read_truth(truth_file)
    ia = information_accretion(truth, go)
    in_play = {line.split()[1] for line in truth_lines} | {term for _, term, _ in noisy}
    in_play |= set(electronic["go_id"])
    keep = go.propagate(filter(None, (go.resolve(term)[0] for term in in_play)))
    obo = write(folder / "go-excerpt.obo", go_excerpt(read_text(demo / "go-basic.obo.gz"), keep))
    return {
        "folder": folder,
        "obo": obo,
        "truth_file": truth_file,
        "truth": truth,
        "predictions": predictions,
        "ia": ia,
        "ia_file": write_ia(ia, folder / "ia.tsv"),
    }


@needs_cafaeval
def test_agrees_with_cafaeval_on_go(go_case, demo_ontology):
    theirs = run_cafaeval(
        go_case["obo"], go_case["predictions"], go_case["truth_file"], go_case["ia_file"]
    )
    assert sorted(set(theirs["filename"])) == ["electronic.tsv", "noisy.tsv"]
    assert set(theirs["ns"]) == {"biological_process", "molecular_function", "cellular_component"}
    for name in ("electronic.tsv", "noisy.tsv"):
        predictions = read_predictions(go_case["predictions"] / name)
        args = (go_case["truth"], predictions, demo_ontology, go_case["ia"])
        ours = evaluate(*args)
        assert_agrees(ours, precision_recall_curve(*args), theirs[theirs["filename"] == name])
        assert ours["fmax"].between(0.2, 1).all()


@needs_cafaeval
def test_term_centric_matches_sklearn_on_cafaevals_dense_matrices(go_case, demo_ontology):
    """AUPR/AUROC against sklearn on cafaeval's own propagated, dense matrices."""
    from cafaeval.parser import gt_parser, obo_parser, pred_parser

    ontologies = obo_parser(str(go_case["obo"]), ("is_a", "part_of"), None, False)
    truths = gt_parser(str(go_case["truth_file"]), ontologies)
    predictions = pred_parser(str(go_case["predictions"] / "noisy.tsv"), ontologies, truths, "max")
    ours = evaluate(
        go_case["truth"],
        read_predictions(go_case["predictions"] / "noisy.tsv"),
        demo_ontology,
        go_case["ia"],
    ).set_index("aspect")
    for namespace, truth in truths.items():
        scored = ontologies[namespace].toi  # the non-root terms
        labels = truth.matrix[:, scored]
        scores = predictions[namespace].matrix[:, scored]
        in_play = labels.any(axis=0) | (scores > 0).any(axis=0)
        labels, scores = labels[:, in_play], scores[:, in_play]
        positives = labels.sum(axis=0)
        eligible = np.flatnonzero((positives >= MIN_POSITIVES) & (positives < len(labels)))
        row = ours.loc[namespace]
        assert row["n_proteins"] == len(labels) and row["n_terms"] == labels.shape[1]
        assert row["n_terms_macro"] == len(eligible) > 0
        expected = {
            "aupr_macro": np.mean(
                [average_precision_score(labels[:, t], scores[:, t]) for t in eligible]
            ),
            "auroc_macro": np.mean([roc_auc_score(labels[:, t], scores[:, t]) for t in eligible]),
            "aupr_micro": average_precision_score(labels.ravel(), scores.ravel()),
            "auroc_micro": roc_auc_score(labels.ravel(), scores.ravel()),
        }
        for metric, value in expected.items():
            assert row[metric] == pytest.approx(value, abs=TOLERANCE), (namespace, metric)


@pytest.mark.parametrize("seed", range(40))
def test_term_centric_curves_are_sklearns_with_ties_and_weights(seed):
    """The AUPR and AUROC computed in metrics (sklearn's input checks were too slow to call
    per term) equal sklearn's, on scores with many ties and samples weighted as the
    unscored pairs are."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 300))
    labels = rng.random(n) < rng.uniform(0.05, 0.6)
    labels[:2] = [True, False]
    scores = np.round(rng.random(n), int(rng.integers(0, 3)))  # 0-2 decimals: ties
    weights = np.where(rng.random(n) < 0.1, rng.integers(1, 5000, n), 1).astype(float)
    aupr, auroc = _aupr_auroc(labels, scores, weights)
    assert aupr == pytest.approx(average_precision_score(labels, scores, sample_weight=weights))
    assert auroc == pytest.approx(roc_auc_score(labels, scores, sample_weight=weights))


# --- A tiny ontology with answers worked out by hand -------------------------------------------

TINY_OBO = "format-version: 1.2\nontology: tiny\n\n" + "".join(
    f"[Term]\nid: {term}\nname: {term}\nnamespace: {namespace}\n{extra}\n"
    for term, namespace, extra in [
        ("T:R", "process", ""),
        ("T:A", "process", "is_a: T:R\n"),
        ("T:B", "process", "is_a: T:R\n"),
        ("T:C", "process", "alt_id: T:X\nis_a: T:A\n"),
        ("T:D", "process", "is_a: T:A\nis_a: T:B\n"),
        ("T:E", "process", "is_a: T:R\nrelationship: part_of T:C\n"),
        ("T:O", "process", "is_obsolete: true\n"),
        ("T:M", "function", ""),
        ("T:N", "function", "is_a: T:M\n"),
    ]
)
#      R            process: root R; C has alt_id X; E is part_of C; O is obsolete
#    /   \          function: root M with child N
#   A     B
#  / \   /
# C   D
# |
# E
TINY_TRUTH = {"g1": {"T:X"}, "g2": {"T:D"}, "g3": {"T:E"}, "g4": {"T:B"}, "g5": {"T:N"}}
# Propagated, without roots: g1 {A, C}, g2 {A, B, D}, g3 {A, C, E}, g4 {B}.
TINY_PREDICTIONS = {
    "g1": {"T:C": 0.8},  # A and C at 0.8: right
    "g2": {"T:B": 0.6, "T:D": 0.3},  # B 0.6, A and D 0.3: right
    "g3": {"T:B": 0.9, "T:O": 1.0},  # B 0.9: wrong; the obsolete term is dropped
    "g4": {"T:A": 0.2},  # wrong
}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    return read_obo(write(tmp_path_factory.mktemp("tiny") / "tiny.obo", TINY_OBO))


def test_information_accretion_by_hand(tiny):
    ia = information_accretion(TINY_TRUTH, tiny)
    # P(A|R) = 3/4, P(B|R) = 2/4, P(C|A) = 2/3, P(D|A,B) = 1/1, P(E|C) = 1/2; roots 0.
    expected = {"T:R": 0, "T:A": math.log2(4 / 3), "T:B": 1, "T:C": math.log2(3 / 2)}
    expected |= {"T:D": 0, "T:E": 1, "T:M": 0, "T:N": 0}
    assert ia == pytest.approx(expected)


def test_perfect_prediction(tiny):
    perfect = {gene: dict.fromkeys(terms, 1.0) for gene, terms in TINY_TRUTH.items()}
    result = evaluate(TINY_TRUTH, perfect, tiny).set_index("aspect")
    process = result.loc["process"]
    assert process["fmax"] == 1 and process["wfmax"] == 1 and process["smin"] == 0
    assert process["coverage"] == 1 and process["threshold"] == pytest.approx(0.01)
    assert process["aupr_micro"] == 1 and process["auroc_micro"] == 1
    # N is certain given M (IA 0), so weighted Fmax is undefined there; Smin is still 0.
    assert result.loc["function", "fmax"] == 1 and result.loc["function", "smin"] == 0
    assert math.isnan(result.loc["function", "wfmax"])


def test_known_case_by_hand(tiny):
    result = evaluate(TINY_TRUTH, TINY_PREDICTIONS, tiny).set_index("aspect")
    process = result.loc["process"]
    assert process["n_proteins"] == 4 and process["n_terms"] == 5
    # τ ≤ 0.2: P = (1 + 1 + 0 + 0) / 4, R = (1 + 1 + 0 + 0) / 4, F = 1/2.
    # 0.2 < τ ≤ 0.3: g4 drops out: P = 2/3, R = 1/2, F = 4/7; higher τ lose recall.
    assert process["fmax"] == pytest.approx(4 / 7)
    assert process["threshold"] == pytest.approx(0.21)
    assert process["coverage"] == 0.75
    assert process["wfmax"] == pytest.approx(4 / 7)
    # At 0.21: ru = (IA(A) + IA(C) + IA(E) + IA(B)) / 4 = (2 + 1) / 4, mi = IA(B) / 4.
    assert process["smin"] == pytest.approx(math.sqrt(0.75**2 + 0.25**2))
    # 4 proteins × 5 terms = 20 pairs, 13 of them without a score.
    # g1 A, C; g2 B, A, D; wrong: g3 B, g4 A; unscored positives: g3 A, C, E, g4 B.
    labels = [1] * 5 + [0] * 2 + [1] * 4 + [0] * 9
    scores = [0.8, 0.8, 0.6, 0.3, 0.3, 0.9, 0.2] + [0] * 13
    assert process["aupr_micro"] == pytest.approx(average_precision_score(labels, scores))
    assert process["auroc_micro"] == pytest.approx(roc_auc_score(labels, scores))
    assert process["n_terms_macro"] == 0 and math.isnan(process["aupr_macro"])
    # No prediction in `function`: Fmax 0 and no threshold.
    function = result.loc["function"]
    assert function["fmax"] == 0 and function["coverage"] == 0
    assert math.isnan(function["threshold"]) and math.isnan(function["smin"])


def test_root_only_truth_is_not_a_benchmark_protein(tiny):
    truth = TINY_TRUTH | {"g6": {"T:R"}}
    result = evaluate(truth, TINY_PREDICTIONS | {"g6": {"T:A": 0.9}}, tiny)
    assert result.set_index("aspect").loc["process", "fmax"] == pytest.approx(4 / 7)
    # ... but it is an annotated protein when estimating IA: P(A|R) = 3/5.
    assert information_accretion(truth, tiny)["T:A"] == pytest.approx(math.log2(5 / 3))


def test_thresholds_are_cafaevals_grid(tiny):
    """np.arange(0.01, 1, 0.01) puts 0.06 a hair above 0.06: a score of 0.06 counts at 0.05 only."""
    curve = precision_recall_curve({"g": {"T:A"}}, {"g": {"T:A": 0.06}}, tiny)
    covered = curve.loc[curve["n_covered"] > 0, "threshold"]
    assert covered.round(2).tolist() == [0.01, 0.02, 0.03, 0.04, 0.05]


def test_given_ia_is_used(tiny, tmp_path):
    path = write(tmp_path / "ia.tsv", "T:A\t2\nT:B\t1\nT:C\t0\nT:D\tinf\nT:E\t0\n")
    ia = read_information_accretion(path)
    assert ia["T:D"] == 0
    process = evaluate(TINY_TRUTH, TINY_PREDICTIONS, tiny, ia).set_index("aspect").loc["process"]
    # At 0.21: ru = (IA(A) + IA(B)) / 4 = 3/4, mi = IA(B) / 4 = 1/4, as before.
    assert process["smin"] == pytest.approx(math.sqrt(0.75**2 + 0.25**2))


# --- Reading files ---------------------------------------------------------------------------


def test_read_predictions_cafa_formats(tmp_path):
    path = write(
        tmp_path / "team_1_9606.txt",
        "AUTHOR team\nMODEL 1\nKEYWORDS sequence alignment.\n"
        "P1\tGO:0000001\t0.50\nP1 GO:0000001 0.70\n\nP2\tGO:0000002\t1\nEND\n",
    )
    assert read_predictions(path) == {"P1": {"GO:0000001": 0.7}, "P2": {"GO:0000002": 1.0}}


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("P1\tGO:0000001\t1.5", "not a number between 0 and 1"),
        ("P1\tGO:0000001\tnan", "not a number between 0 and 1"),
        ("P1\tGO:0000001\thigh", "not a number between 0 and 1"),
        ("P1\tGO:0000001", "found 2 columns"),
    ],
)
def test_read_predictions_errors_name_file_and_line(tmp_path, line, problem):
    path = write(tmp_path / "pred.tsv", f"P0\tGO:0000001\t0.1\n{line}\n")
    with pytest.raises(InputError, match=problem) as error:
        read_predictions(path)
    assert error.value.line == 2 and str(path) in str(error.value)


def test_read_truth(tmp_path):
    path = write(tmp_path / "truth.tsv", "\ufeffP1\tGO:1\tP\r\nP1 GO:2\r\nP2\tGO:1\r\n", True)
    assert read_truth(path) == {"P1": {"GO:1", "GO:2"}, "P2": {"GO:1"}}
    with pytest.raises(InputError, match="one column"):
        read_truth(write(tmp_path / "bad.tsv", "P1\tGO:1\nP2\n"))


# --- The command line ------------------------------------------------------------------------


def test_cli_evaluate(tmp_path, capsys):
    obo = write(tmp_path / "tiny.obo", TINY_OBO)
    truth = write(
        tmp_path / "truth.tsv", "".join(f"{g}\t{t}\n" for g, ts in TINY_TRUTH.items() for t in ts)
    )
    prediction = write(
        tmp_path / "pred.tsv",
        "".join(f"{g}\t{t}\t{s}\n" for g, ts in TINY_PREDICTIONS.items() for t, s in ts.items()),
    )
    assert main(["evaluate", "--obo", str(obo), "--truth", str(truth), str(prediction)]) == 0
    output = capsys.readouterr().out
    table = pd.read_csv(io.StringIO(output), sep="\t")
    assert {"prediction", "aspect", "fmax", "threshold", "coverage", "wfmax", "smin"} <= set(table)
    assert {"aupr_macro", "auroc_macro", "aupr_micro", "auroc_micro"} <= set(table)
    assert set(table["aspect"]) == {"process", "function"}
    assert (table["prediction"] == str(prediction)).all()
    process = table.set_index("aspect").loc["process"]
    assert process["fmax"] == pytest.approx(4 / 7, abs=1e-4)


def test_cli_go_namespaces_and_module_entry(go_case):
    """`python -m gocotrain.cli` on real GO names the aspects by namespace."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gocotrain.cli",
            "evaluate",
            "--obo",
            str(go_case["obo"]),
            "--truth",
            str(go_case["truth_file"]),
            "--ia",
            go_case["ia_file"],
            str(go_case["predictions"] / "noisy.tsv"),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header.split("\t")[:2] == ["prediction", "aspect"]
    namespaces = {row.split("\t")[1] for row in rows}
    assert namespaces == {"biological_process", "molecular_function", "cellular_component"}


def test_cli_malformed_prediction_exits_1(tmp_path, capsys):
    obo = write(tmp_path / "tiny.obo", TINY_OBO)
    truth = write(tmp_path / "truth.tsv", "g1\tT:C\n")
    good = write(tmp_path / "good.tsv", "g1\tT:C\t0.5\n")
    bad = write(tmp_path / "bad.tsv", "g1\tT:C\t0.5\ng1\tT:A\t0,7\n")
    status = main(["evaluate", "--obo", str(obo), "--truth", str(truth), str(good), str(bad)])
    captured = capsys.readouterr()
    assert status == 1
    assert f"{bad}, line 2" in captured.err and "Traceback" not in captured.err
    assert captured.out == ""  # nothing half-written


def test_cli_version_and_help_say_how_the_workflow_runs(capsys):
    from gocotrain import __version__

    with pytest.raises(SystemExit) as exit_status:
        main(["--version"])
    assert exit_status.value.code == 0
    assert capsys.readouterr().out.strip() == f"gocotrain {__version__}"
    with pytest.raises(SystemExit):
        main(["--help"])
    help_text = capsys.readouterr().out
    assert "evaluate" in help_text and "snakemake --cores" in help_text


def test_help_lists_every_mode_with_its_command(capsys):
    """`gocotrain --help` says how to run each mode, not only `evaluate`."""
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    for command in (
        "bash scripts/demo.sh",
        "--configfile config/demo-new-organism.yaml",
        "snakemake predict --cores 2 --configfile score.yaml",
        "--workflow-profile profiles/slurm",
        "evaluate",
    ):
        assert command in text, command
