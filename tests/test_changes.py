"""The "what changed" report: earlier predictions scored against a new annotation release."""

import json
import math

import numpy as np
import pandas as pd
import pytest
from conftest import EVIDENCE_CODES

from gocotrain.errors import InputError
from gocotrain.evaluation.changes import (
    OUTPUT_FILES,
    normalise_labels,
    terms_changed,
    what_changed,
    write_change_report,
)
from gocotrain.evaluation.changes_scoring import (
    CONFIRMED_COLUMNS,
    NEWLY_LABELED_COLUMNS,
    score_at_threshold,
)
from gocotrain.inputs.annotations import build_labels, read_annotations
from gocotrain.inputs.ontology import Ontology

# --- A tiny ontology in two releases, with answers worked out by hand ---------------------------

BP, MF, CC = "GO:0008150", "GO:0003674", "GO:0005575"
P1, P2, P3, P4, P5 = (f"GO:100000{n}" for n in range(1, 6))
F1, F2 = "GO:2000001", "GO:2000002"
C1, C2, C3 = "GO:3000001", "GO:3000002", "GO:3000003"

#  P: BP ─ P1 ─ P2     F: MF ─ F1     C: CC ─ C1 ─ C2
#      ├─ P3 ─ P4*         └─ F2†         └─ C3‡
#      └─ P5§
#  * new in the new release; † obsolete in the new release, replaced by F1;
#  ‡ merged into C2 in the new release (an alt_id of C2); § removed in the new release.
PREVIOUS_TERMS = {
    BP: ("P", ()),
    P1: ("P", (BP,)),
    P2: ("P", (P1,)),
    P3: ("P", (BP,)),
    P5: ("P", (BP,)),
    MF: ("F", ()),
    F1: ("F", (MF,)),
    F2: ("F", (MF,)),
    CC: ("C", ()),
    C1: ("C", (CC,)),
    C2: ("C", (C1,)),
    C3: ("C", (CC,)),
}


def ontology(terms, obsolete=(), replaced_by=None, alt_ids=None, version="") -> Ontology:
    return Ontology(
        names={term: f"name of {term}" for term in terms},
        aspects={term: aspect for term, (aspect, _) in terms.items()},
        obsolete=set(obsolete),
        replaced_by=dict(replaced_by or {}),
        alt_ids=dict(alt_ids or {}),
        parents={term: parents for term, (_, parents) in terms.items()},
        data_version=version,
    )


def new_terms():
    terms = {term: value for term, value in PREVIOUS_TERMS.items() if term not in (C3, P5)}
    terms[P4] = ("P", (P3,))
    terms[F2] = ("F", ())  # obsolete terms lose their parents
    return terms


@pytest.fixture
def previous_ontology():
    return ontology(PREVIOUS_TERMS, version="releases/old")


@pytest.fixture
def new_ontology():
    return ontology(
        new_terms(),
        obsolete={F2},
        replaced_by={F2: F1},
        alt_ids={C3: C2},
        version="releases/new",
    )


def labels(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["gene_id", "aspect", "go_id"])


PREVIOUS_LABELS = labels(
    [
        ("g1", "P", P1),
        ("g1", "P", P2),
        ("g2", "F", F1),
        ("g4", "C", C1),
    ]
)
NEW_LABELS = labels(
    [
        ("g1", "P", P1),
        ("g1", "P", P2),
        ("g1", "F", F1),  # g1: newly labeled in F, limited knowledge
        ("g2", "F", F1),
        ("g2", "P", P4),  # g2: newly labeled in P, limited knowledge; not propagated (P3)
        ("g3", "P", P1),  # g3: newly labeled in P and C, no knowledge
        ("g3", "C", C3),  # an alt_id of C2 now: truth {C1, C2}
        ("g4", "C", C1),
        ("g4", "C", C2),  # g4 was labeled in C already
        ("g5", "P", P1),
        ("g5", "P", P2),  # g5: newly labeled in P, no knowledge
    ]
)
PREDICTIONS = pd.DataFrame(
    [
        ("g1", "P", P1, 0.9),  # g1 was labeled in P already: ignored
        ("g1", "F", F2, 0.9),  # obsolete now: not scored
        ("g1", "F", F1, 0.2),  # right, below the F threshold 0.3
        ("g2", "P", P3, 0.7),  # right
        ("g2", "P", P1, 0.605),  # wrong
        ("g2", "P", P2, 0.5),  # wrong, exactly at the P threshold: predicted
        ("g3", "P", P1, 0.9),  # right
        ("g3", "P", P2, 0.45),  # wrong, below the threshold
        ("g3", "C", C3, 0.7),  # merged into C2: right, and C1 by propagation
        ("g4", "C", C2, 0.9),  # g4 was labeled in C already: ignored
        ("g5", "P", P3, 0.8),  # wrong
        ("g5", "P", P5, 0.3),  # removed from the ontology
    ],
    columns=["gene_id", "aspect", "go_id", "score"],
).assign(go_name=lambda table: "name of " + table["go_id"])
THRESHOLDS = {"P": 0.5, "F": 0.3}  # C takes the default, 0.5


@pytest.fixture
def report(previous_ontology, new_ontology):
    return what_changed(
        PREDICTIONS, THRESHOLDS, PREVIOUS_LABELS, NEW_LABELS, previous_ontology, new_ontology
    )


def test_newly_labeled_genes_by_hand(report):
    assert report.aspects == ["P", "F", "C"]
    assert report.thresholds == {"P": 0.5, "F": 0.3, "C": 0.5}
    table = report.newly_labeled
    assert list(table.columns) == NEWLY_LABELED_COLUMNS
    genes = {aspect: set(group["gene_id"]) for aspect, group in table.groupby("aspect")}
    assert genes == {"P": {"g2", "g3", "g5"}, "F": {"g1"}, "C": {"g3"}}
    rows = {
        (gene, term): (score, predicted, kind)
        for gene, term, score, predicted, kind in table[
            ["gene_id", "go_id", "predicted_score", "was_predicted", "targets"]
        ].itertuples(index=False)
    }
    # g2's new P4 is propagated to P3; g3's C3 is C2 now, propagated to C1; roots left out.
    assert set(rows) == {
        ("g2", P3),
        ("g2", P4),
        ("g3", P1),
        ("g5", P1),
        ("g5", P2),
        ("g1", F1),
        ("g3", C1),
        ("g3", C2),
    }
    assert rows["g2", P3] == (0.7, True, "limited_knowledge")
    assert math.isnan(rows["g2", P4][0]) and rows["g2", P4][1] is False  # a new term
    assert rows["g1", F1] == (0.2, False, "limited_knowledge")  # below the F threshold
    assert rows["g3", C2] == (0.7, True, "no_knowledge")  # scored as C3, its alt_id now
    assert math.isnan(rows["g3", C1][0])
    assert rows["g5", P1][2] == "no_knowledge"
    aspects = report.summary["aspects"]
    assert aspects["P"]["newly_labeled_genes"] == 3
    assert aspects["P"]["no_knowledge_genes"] == 2 and aspects["P"]["limited_knowledge_genes"] == 1
    assert aspects["P"]["newly_labeled_genes_with_predictions"] == 3
    assert aspects["F"]["newly_labeled_genes_with_predictions"] == 1
    assert aspects["F"]["newly_labeled_genes_predicted_at_threshold"] == 0  # F2 is obsolete
    assert aspects["C"]["newly_labeled_genes"] == 1


def test_confirmed_predictions_by_hand(report):
    confirmed = report.confirmed
    assert list(confirmed.columns) == CONFIRMED_COLUMNS
    found = set(zip(confirmed["gene_id"], confirmed["aspect"], confirmed["go_id"], strict=True))
    assert found == {("g2", "P", P3), ("g3", "P", P1), ("g3", "C", C3)}
    aspects = report.summary["aspects"]
    assert aspects["P"]["predictions_at_threshold_for_newly_labeled_genes"] == 5
    assert aspects["P"]["confirmed_predictions"] == 2
    assert aspects["F"]["confirmed_predictions"] == 0
    assert aspects["C"]["confirmed_predictions"] == 1
    assert report.summary["totals"]["confirmed_predictions"] == 3


def test_precision_recall_and_fmax_by_hand(report):
    p = report.summary["aspects"]["P"]
    # At 0.5: g2 predicts {P3, P1, P2} of truth {P3, P4}: P 1/3, R 1/2; g3 {P1} of {P1}: 1, 1;
    # g5 {P3} of {P1, P2}: 0, 0. The score of exactly 0.5 counts.
    assert p["precision"] == round(4 / 9, 4) and p["recall"] == 0.5
    assert p["f"] == round(8 / 17, 4) and p["coverage"] == 1
    # Above 0.605 g2 predicts {P3} only: P (1 + 1 + 0) / 3, R 1/2, F 4/7, the best.
    assert p["fmax"] == round(4 / 7, 4) and p["fmax_threshold"] == 0.61
    assert p["fmax_precision"] == round(2 / 3, 4) and p["fmax_recall"] == 0.5
    # P has both kinds of targets: no knowledge g3, g5; limited knowledge g2.
    kinds = p["by_target_kind"]
    assert kinds["no_knowledge"]["genes"] == 2 and kinds["limited_knowledge"]["genes"] == 1
    assert kinds["no_knowledge"]["precision"] == 0.5 and kinds["no_knowledge"]["recall"] == 0.5
    assert kinds["limited_knowledge"]["precision"] == round(1 / 3, 4)
    assert kinds["limited_knowledge"]["recall"] == 0.5
    # F: the one prediction at 0.3 is obsolete now, so no gene is covered: precision
    # undefined, recall 0; F1 at 0.2 would have been right, so Fmax is 1 at low thresholds.
    f = report.summary["aspects"]["F"]
    assert f["precision"] is None and f["recall"] == 0 and f["coverage"] == 0
    assert f["fmax"] == 1 and f["fmax_threshold"] == 0.01
    assert f["by_target_kind"] is None  # limited knowledge only
    # C: C3, now C2, propagates to C1: the whole truth.
    c = report.summary["aspects"]["C"]
    assert c["precision"] == 1 and c["recall"] == 1 and c["fmax"] == 1
    metrics = report.metrics.set_index(["aspect", "targets"])
    assert metrics.loc[("P", "all"), "precision"] == pytest.approx(4 / 9)
    assert metrics.loc[("P", "no_knowledge"), "n_genes"] == 2
    assert ("F", "no_knowledge") not in metrics.index


def test_terms_changed_and_obsolete_predictions(report, previous_ontology, new_ontology):
    changed = report.terms_changed.set_index("go_id")
    assert changed["change"].to_dict() == {
        P4: "added",
        F2: "obsolete",
        C3: "merged",
        P5: "removed",
    }
    assert changed.loc[F2, "replaced_by"] == F1
    assert changed.loc[F2, "replaced_by_name"] == f"name of {F1}"
    assert changed.loc[C3, "replaced_by"] == C2 and changed.loc[P4, "aspect"] == "P"
    assert terms_changed(previous_ontology, previous_ontology).empty
    obsolete = report.obsolete_predictions.set_index(["gene_id", "go_id"])
    assert obsolete["status"].to_dict() == {
        ("g5", P5): "removed",
        ("g1", F2): "obsolete",
        ("g3", C3): "merged",
    }
    assert obsolete.loc[("g1", F2), "replaced_by"] == F1
    assert obsolete.loc[("g1", F2), "score"] == 0.9
    aspects = report.summary["aspects"]
    assert aspects["P"]["predictions_of_obsolete_or_removed_terms"] == 1
    assert aspects["F"]["predictions_of_obsolete_or_removed_terms"] == 1
    assert aspects["C"]["predictions_of_merged_terms"] == 1
    totals = report.summary["totals"]
    assert totals["predictions_of_obsolete_or_removed_terms"] == 2
    assert totals["predictions_of_merged_terms"] == 1
    assert totals["terms_added"] == 1 and totals["terms_obsolete"] == 1
    assert totals["newly_labeled_genes"] == 5 and totals["previous_predictions"] == 12


def test_summary_is_plain_json(report):
    text = json.dumps(report.summary, allow_nan=False)
    assert json.loads(text) == report.summary
    assert report.summary["previous_ontology_version"] == "releases/old"
    assert report.summary["new_ontology_version"] == "releases/new"


def test_report_files(report, tmp_path):
    paths = write_change_report(report, tmp_path / "changes")
    assert {path.name for path in paths.values()} == set(OUTPUT_FILES.values())
    assert sorted(path.name for path in (tmp_path / "changes").iterdir()) == sorted(
        OUTPUT_FILES.values()
    )  # no temporary files left
    summary = json.loads(paths["summary"].read_text())
    assert summary["aspects"]["F"]["precision"] is None
    assert summary["aspects"]["P"]["precision"] == 0.4444
    confirmed = pd.read_csv(paths["confirmed"], sep="\t")
    assert len(confirmed) == 3 and list(confirmed.columns) == CONFIRMED_COLUMNS
    newly = pd.read_csv(paths["newly_labeled"], sep="\t")
    assert len(newly) == 8 and newly["predicted_score"].isna().sum() == 4
    assert len(pd.read_csv(paths["terms_changed"], sep="\t")) == 4
    assert len(pd.read_csv(paths["obsolete_predictions"], sep="\t")) == 3
    page = paths["html"].read_text()
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<script" not in page and "http" not in page  # self-contained
    for label in ("P (biological process)", "F (molecular function)", "C (cellular component)"):
        assert label in page
    assert "precision is undefined" in page  # F: nothing predicted at the threshold


def test_explicit_paths(report, tmp_path):
    explicit = {key: tmp_path / "elsewhere" / f"my_{name}" for key, name in OUTPUT_FILES.items()}
    paths = write_change_report(report, **explicit)
    assert paths == explicit
    assert all(path.exists() for path in explicit.values())
    with pytest.raises(ValueError, match="out_dir"):
        write_change_report(report, summary=tmp_path / "s.json")


def test_default_threshold_applies_to_missing_aspects(previous_ontology, new_ontology):
    report = what_changed(
        PREDICTIONS,
        THRESHOLDS,
        PREVIOUS_LABELS,
        NEW_LABELS,
        previous_ontology,
        new_ontology,
        default_threshold=0.8,
    )
    c = report.summary["aspects"]["C"]
    assert c["threshold"] == 0.8 and c["confirmed_predictions"] == 0
    assert c["precision"] is None and c["recall"] == 0 and c["fmax"] == 1
    assert report.summary["aspects"]["P"]["threshold"] == 0.5


def test_no_newly_labeled_genes(previous_ontology, new_ontology, tmp_path):
    report = what_changed(
        PREDICTIONS, THRESHOLDS, NEW_LABELS, NEW_LABELS, previous_ontology, new_ontology
    )
    assert report.newly_labeled.empty and report.confirmed.empty
    for values in report.summary["aspects"].values():
        assert values["newly_labeled_genes"] == 0 and values["confirmed_predictions"] == 0
        assert values["precision"] is None and values["recall"] is None
        assert values["fmax"] is None
    paths = write_change_report(report, tmp_path)
    summary = json.loads(paths["summary"].read_text())
    assert summary["aspects"]["P"]["recall"] is None
    page = paths["html"].read_text()
    assert page.count("no newly labeled genes") == 3
    assert list(pd.read_csv(paths["newly_labeled"], sep="\t").columns) == NEWLY_LABELED_COLUMNS


@pytest.mark.parametrize(
    "predictions",
    [pd.DataFrame(), PREDICTIONS.iloc[:0], None],
    ids=["no columns", "no rows", "None"],
)
def test_empty_previous_predictions(predictions, previous_ontology, new_ontology, tmp_path):
    report = what_changed(
        predictions, {}, PREVIOUS_LABELS, NEW_LABELS, previous_ontology, new_ontology
    )
    assert report.confirmed.empty and report.obsolete_predictions.empty
    assert len(report.newly_labeled) == 8 and not report.newly_labeled["was_predicted"].any()
    p = report.summary["aspects"]["P"]
    assert p["newly_labeled_genes"] == 3 and p["newly_labeled_genes_with_predictions"] == 0
    assert p["precision"] is None and p["recall"] == 0 and p["fmax"] == 0
    assert report.summary["totals"]["previous_predictions"] == 0
    write_change_report(report, tmp_path)
    assert json.loads((tmp_path / "summary.json").read_text())["aspects"]["C"]["fmax"] == 0


def test_alt_ids_and_unpropagated_new_labels_are_normalised(new_ontology):
    table = normalise_labels(labels([("g", "C", C3), ("g", "P", P4), ("g", "F", F2)]), new_ontology)
    assert set(zip(table["aspect"], table["go_id"], strict=True)) == {
        ("C", C1),
        ("C", C2),
        ("P", P3),
        ("P", P4),
    }  # obsolete F2 dropped, roots left out
    # The labels of build_labels, as results/labels/labels.tsv holds them, come back unchanged.
    assert normalise_labels(table, new_ontology).equals(table)
    assert normalise_labels(labels([]), new_ontology).empty
    # Every term obsolete or unknown: the ontology is not the labels' (annotations.py).
    with pytest.raises(InputError, match="name GO IDs the ontology lacks or made obsolete"):
        normalise_labels(labels([("g", "F", F2), ("g", "C", "GO:9999999")]), new_ontology)


def test_threshold_off_the_grid_is_exact(new_ontology):
    truth = {"g": {P1, P2}}
    predictions = {"g": {P1: 0.333, P2: 0.3329}}
    values = score_at_threshold(truth, predictions, new_ontology, 0.333)
    assert values["precision"] == 1 and values["recall"] == 0.5
    assert math.isnan(score_at_threshold({}, predictions, new_ontology, 0.5)["recall"])


def test_bad_inputs_are_refused(previous_ontology, new_ontology):
    with pytest.raises(ValueError, match="threshold"):
        what_changed(
            PREDICTIONS, {"P": 1.5}, PREVIOUS_LABELS, NEW_LABELS, previous_ontology, new_ontology
        )
    with pytest.raises(ValueError, match="score"):
        what_changed(
            PREDICTIONS.drop(columns="score"),
            {},
            PREVIOUS_LABELS,
            NEW_LABELS,
            previous_ontology,
            new_ontology,
        )


# --- The demo data: an older release made by hiding labels ---------------------------------------


@pytest.fixture(scope="module")
def demo_case(demo, demo_ontology, demo_proteins):
    labels_table = build_labels(
        read_annotations(demo / "annotations.gaf.gz"),
        demo_ontology,
        sorted(demo_proteins),
        EVIDENCE_CODES,
        ["P", "F", "C"],
    ).table
    rng = np.random.default_rng(2024)
    genes = sorted(set(labels_table["gene_id"]))
    chosen = rng.permutation(genes)
    dropped = set(chosen[: len(genes) // 5])  # unlabeled in every aspect before
    dropped_in_p = set(chosen[len(genes) // 5 : len(genes) // 5 + len(genes) // 10])
    hidden = labels_table["gene_id"].isin(dropped) | (
        labels_table["gene_id"].isin(dropped_in_p) & (labels_table["aspect"] == "P")
    )
    old = labels_table[~hidden].reset_index(drop=True)

    # Predictions: the whole new truth of half the hidden genes at 0.9, a few wrong terms at
    # 0.8, predictions for genes labeled before (ignored), and one obsolete term.
    predicted_genes = set(rng.permutation(sorted(dropped | dropped_in_p))[: len(dropped) // 2])
    terms_of = {
        aspect: sorted(set(group["go_id"])) for aspect, group in labels_table.groupby("aspect")
    }
    rows = []
    for (gene, aspect), group in labels_table.groupby(["gene_id", "aspect"]):
        truth = set(group["go_id"])
        if gene in predicted_genes:
            rows += [(gene, aspect, term, 0.9) for term in sorted(truth)]
            wrong = [term for term in rng.choice(terms_of[aspect], 5) if term not in truth]
            rows += [(gene, aspect, term, 0.8) for term in wrong[:3]]
        elif gene not in (dropped | dropped_in_p) and rng.random() < 0.1:
            rows += [(gene, aspect, term, 0.95) for term in sorted(truth)]
    obsolete = sorted(demo_ontology.obsolete)[0]
    some_gene = sorted(predicted_genes)[0]
    rows.append((some_gene, demo_ontology.aspects[obsolete], obsolete, 0.99))
    predictions = pd.DataFrame(rows, columns=["gene_id", "aspect", "go_id", "score"])
    predictions["go_name"] = predictions["go_id"].map(demo_ontology.names)
    report = what_changed(
        predictions, {"P": 0.5, "F": 0.85}, old, labels_table, demo_ontology, demo_ontology
    )
    return {
        "report": report,
        "labels": labels_table,
        "dropped": dropped,
        "dropped_in_p": dropped_in_p,
        "predicted_genes": predicted_genes,
        "obsolete": obsolete,
    }


def test_demo_newly_labeled_genes_are_the_hidden_ones(demo_case):
    report, labels_table = demo_case["report"], demo_case["labels"]
    assert report.aspects == ["P", "F", "C"]
    for aspect in report.aspects:
        labeled = set(labels_table.loc[labels_table["aspect"] == aspect, "gene_id"])
        hidden = demo_case["dropped"] | (demo_case["dropped_in_p"] if aspect == "P" else set())
        newly = set(report.newly_labeled.loc[report.newly_labeled["aspect"] == aspect, "gene_id"])
        assert newly == hidden & labeled
        values = report.summary["aspects"][aspect]
        assert values["newly_labeled_genes"] == len(newly) > 0
        kinds = values["no_knowledge_genes"] + values["limited_knowledge_genes"]
        assert kinds + values["protein_binding_only_genes"] == len(newly)
        # The new terms of a newly labeled gene are its labels, unchanged (already normalised).
        expected = labels_table[
            (labels_table["aspect"] == aspect) & labels_table["gene_id"].isin(newly)
        ]
        in_aspect = report.newly_labeled[report.newly_labeled["aspect"] == aspect]
        assert len(in_aspect) == len(expected)
    # Only P has limited-knowledge targets (labels hidden in P only): the split is there.
    assert report.summary["aspects"]["P"]["by_target_kind"] is not None
    assert report.summary["aspects"]["C"]["by_target_kind"] is None


def test_demo_invariants(demo_case, tmp_path):
    report = demo_case["report"]
    predicted_genes = demo_case["predicted_genes"]
    for aspect in report.aspects:
        values = report.summary["aspects"][aspect]
        assert values["confirmed_predictions"] > 0
        assert (
            values["confirmed_predictions"]
            <= values["predictions_at_threshold_for_newly_labeled_genes"]
        )
        for key in ("precision", "recall", "f", "coverage", "fmax"):
            assert 0 <= values[key] <= 1, (aspect, key)
        # The exported thresholds lie on the grid of Fmax: F there is no better than Fmax.
        assert values["fmax"] >= values["f"] - 1e-4
        # Every new term of a predicted gene was predicted at 0.9: recall 1 for those genes,
        # 0 for the others.
        newly = report.newly_labeled[report.newly_labeled["aspect"] == aspect]
        genes = set(newly["gene_id"])
        assert values["recall"] == round(len(genes & predicted_genes) / len(genes), 4)
        assert newly.loc[newly["gene_id"].isin(predicted_genes), "was_predicted"].all()
        assert not newly.loc[~newly["gene_id"].isin(predicted_genes), "was_predicted"].any()
        confirmed = report.confirmed[report.confirmed["aspect"] == aspect]
        assert set(confirmed["gene_id"]) <= genes & predicted_genes
        assert (confirmed["score"] == 0.9).all()  # the wrong terms at 0.8 are never confirmed
    # At 0.85 in F the wrong terms are not predicted: every prediction is right.
    assert report.summary["aspects"]["F"]["precision"] == 1
    assert report.summary["aspects"]["P"]["precision"] < 1
    assert report.terms_changed.empty  # the same ontology twice
    obsolete = report.obsolete_predictions
    assert obsolete["go_id"].tolist() == [demo_case["obsolete"]]
    assert obsolete["status"].tolist() == ["obsolete"]

    paths = write_change_report(report, tmp_path)
    assert all(path.stat().st_size > 0 for path in paths.values())
    summary = json.loads(paths["summary"].read_text())
    assert set(summary["aspects"]) == {"P", "F", "C"}
    assert len(pd.read_csv(paths["newly_labeled"], sep="\t")) == len(report.newly_labeled)
    page = paths["html"].read_text()
    for label in ("P (biological process)", "F (molecular function)", "C (cellular component)"):
        assert page.count(label) >= 2  # in the summary table and the section of the aspect
