import datetime
import logging
import re

import numpy as np
import pandas as pd
import pytest
from conftest import PREDICTION_COLUMNS

from gocotrain.export.formats import (
    gaf_relation,
    read_predictions_tsv,
    write_cafa,
    write_excel_summary,
    write_gaf,
    write_predictions_tsv,
    write_tsv,
)
from gocotrain.export.predictions import consistent_with_hierarchy, most_specific, predictions_table
from gocotrain.inputs.annotations import read_annotations
from gocotrain.learning.terms import AspectScores
from gocotrain.steps.export import choose_thresholds
from gocotrain.teaching.teacher import Finished

# muscle contraction (child) and muscle system process (parent), plus an unrelated term
TERMS = ["GO:0003012", "GO:0006936", "GO:0005515"]
# muscle system process > muscle contraction > striated / smooth muscle contraction (is_a)
PROCESS, CONTRACTION, STRIATED, SMOOTH = "GO:0003012", "GO:0006936", "GO:0006941", "GO:0006939"
PROTEASOME_CORE = "GO:0005839"  # under protein-containing complex (GO:0032991)
NUCLEUS = "GO:0005634"  # a component that is not a complex
SORT = {"by": ["gene_id", "aspect", "score", "go_id"], "ascending": [True, True, False, True]}


def hand_table(ontology, *rows: tuple[str, str, float]) -> pd.DataFrame:
    """A predictions table from (gene, term, score) rows, sorted as predictions_table sorts."""
    frame = pd.DataFrame(rows, columns=["gene_id", "go_id", "score"])
    frame["aspect"] = frame["go_id"].map(ontology.aspects)
    frame["go_name"] = frame["go_id"].map(ontology.names)
    frame["score_sequence"] = frame["score"]
    frame["score_expression"] = np.nan
    frame["symbol"], frame["protein_name"], frame["source"] = "", "", "homology transfer"
    return frame.sort_values(**SORT, ignore_index=True)[PREDICTION_COLUMNS]


def finished(scores: dict, transferred: dict | None = None, **per_aspect) -> dict:
    """Per aspect, `scores` finished with the `transferred` terms not modelled."""
    transferred = transferred or {}
    return {
        aspect: Finished(found, transferred.get(aspect, {}), **per_aspect)
        for aspect, found in scores.items()
    }


def kept_pairs(table: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(table["gene_id"], table["go_id"], strict=True))


@pytest.fixture
def table(demo_ontology):
    score = np.array([[0.2, 0.9, 0.0], [0.6, 0.1, 0.7]], dtype=np.float32)
    scores = {
        "P": AspectScores(
            genes=np.array(["A0A183", "P04217"]),
            terms=np.array(TERMS[:2]),
            score=score[:, :2],
            views={
                "sequence": score[:, :2] / 2,
                "expression": np.array([[np.nan, np.nan], [0.3, 0.2]], dtype=np.float32),
            },
        ),
        "F": AspectScores(
            genes=np.array(["P04217"]),
            terms=np.array(TERMS[2:]),
            score=score[1:, 2:],
            views={"sequence": score[1:, 2:], "expression": score[1:, 2:]},
        ),
    }
    return predictions_table(finished(scores), demo_ontology, min_score=0.05)


@pytest.fixture(scope="module")
def demo_table(demo, demo_ontology):
    """Predictions for demo genes over their annotated terms and ancestors, random scores."""
    annotations = read_annotations(demo / "annotations.gaf.gz").table
    annotations = annotations[annotations["go_id"].isin(demo_ontology.names)]
    genes = np.array(sorted(annotations["gene_id"].unique())[:120])
    rng = np.random.default_rng(7)
    roots = demo_ontology.roots
    scores = {}
    for aspect in "PFC":
        direct = annotations.loc[
            annotations["go_id"].map(demo_ontology.aspects) == aspect, "go_id"
        ].value_counts()
        terms = demo_ontology.propagate(direct.index[:40]) - roots - demo_ontology.obsolete
        terms = np.array(sorted(terms))
        score = (rng.random((len(genes), len(terms))) ** 3).astype(np.float32)
        expression = score.copy()
        expression[::3] = np.nan  # some genes without expression data
        scores[aspect] = AspectScores(
            genes=genes,
            terms=terms,
            score=score,
            views={"sequence": score, "expression": expression},
        )
    return predictions_table(finished(scores), demo_ontology, min_score=0.05)


def test_parent_never_below_child(demo_ontology):
    matrix = np.array([[0.2, 0.9], [0.6, 0.1]])
    fixed = consistent_with_hierarchy(matrix, TERMS[:2], demo_ontology)
    np.testing.assert_allclose(fixed, [[0.9, 0.9], [0.6, 0.1]])


def test_predictions_table_is_sorted_named_and_consistent(table):
    assert list(table.columns) == PREDICTION_COLUMNS
    first = table[table["gene_id"] == "A0A183"]
    assert first["score"].tolist() == [0.9, 0.9]  # parent raised to its child
    assert set(first["go_name"]) == {"muscle contraction", "muscle system process"}
    assert first["score_expression"].isna().all()  # this gene has no expression
    assert table.equals(
        table.sort_values(
            ["gene_id", "aspect", "score", "go_id"],
            ascending=[True, True, False, True],
            ignore_index=True,
        )
    )


def test_transferred_rare_terms_join_the_table_and_raise_their_modelled_ancestors(
    demo_ontology,
):
    score = np.array([[0.3, 0.2], [0.4, 0.6]], dtype=np.float32)
    scores = {
        "P": AspectScores(
            genes=np.array(["A", "B"]),
            terms=np.array([PROCESS, CONTRACTION]),
            score=score,
            views={"sequence": score / 2, "expression": score / 3},
        )
    }
    transferred = {
        "P": {
            "A": {STRIATED: 0.8, SMOOTH: 0.02},  # SMOOTH below min_score
            "B": {STRIATED: 0.1},
            "Z": {STRIATED: 0.9},  # not a gene of the aspect's scores
        }
    }
    table = predictions_table(finished(scores, transferred), demo_ontology, 0.05).set_index(
        ["gene_id", "go_id"]
    )
    assert set(table.index) == {
        ("A", PROCESS),
        ("A", CONTRACTION),
        ("A", STRIATED),
        ("B", PROCESS),
        ("B", CONTRACTION),
        ("B", STRIATED),
    }
    # A's striated muscle contraction (0.8) raises its modelled parent and grandparent.
    assert table.loc[("A", CONTRACTION), "score"] == pytest.approx(0.8)
    assert table.loc[("A", PROCESS), "score"] == pytest.approx(0.8)
    assert table.loc[("A", CONTRACTION), "score_sequence"] == pytest.approx(0.8)
    assert table.loc[("A", CONTRACTION), "score_expression"] == pytest.approx(0.2 / 3, abs=1e-4)
    # B's transferred 0.1 is below its modelled scores, which stay as they are.
    assert table.loc[("B", PROCESS), "score"] == pytest.approx(0.6)  # raised by its child
    assert table.loc[("B", CONTRACTION), "score"] == pytest.approx(0.6)
    transferred_row = table.loc[("A", STRIATED)]
    assert transferred_row["source"] == "homology transfer"
    assert set(table.drop(index=[("A", STRIATED), ("B", STRIATED)])["source"]) == {"two-view model"}
    assert transferred_row["score"] == transferred_row["score_sequence"] == pytest.approx(0.8)
    assert np.isnan(transferred_row["score_expression"])
    assert transferred_row["go_name"] == "striated muscle contraction"
    # Names join by gene; a gene without one gets empty cells.
    named = predictions_table(
        finished(scores, transferred), demo_ontology, 0.05, {"A": ("MYH7", "Myosin-7")}
    )
    assert set(zip(named["gene_id"], named["symbol"], named["protein_name"], strict=True)) == {
        ("A", "MYH7", "Myosin-7"),
        ("B", "", ""),
    }
    # Without transfers the table is the modelled terms' alone.
    alone = predictions_table(finished(scores), demo_ontology, 0.05)
    assert set(alone["go_id"]) == {PROCESS, CONTRACTION}
    assert alone.loc[alone["gene_id"] == "A", "score"].max() == pytest.approx(0.3)


def test_each_row_says_where_its_score_comes_from(demo_ontology):
    """A taught gene's modelled terms carry its transfer, no expression score, and say so; a
    term only the own frequencies give says that; the mix with them is named on the rest."""
    score = np.array([[0.3, 0.2], [0.4, 0.6]], dtype=np.float32)
    expression = np.array([[0.1, 0.1], [np.nan, np.nan]], dtype=np.float32)
    scores = AspectScores(
        genes=np.array(["A", "T"]),
        terms=np.array([PROCESS, CONTRACTION]),
        score=score,
        views={"sequence": score, "expression": expression},
    )
    done = Finished(
        scores,
        transferred={"A": {STRIATED: 0.1}},
        by_frequency={"A": {NUCLEUS: 0.2}, "T": {NUCLEUS: 0.2}},
        taught=frozenset({"T"}),
        blended=True,
        prior_weight=0.3,
    )
    table = predictions_table({"P": done}, demo_ontology, 0.05).set_index(["gene_id", "go_id"])
    source = table["source"].to_dict()
    assert source[("A", PROCESS)] == "two-view model, homology transfer and own term frequency"
    assert source[("A", STRIATED)] == "homology transfer and own term frequency"
    assert source[("T", CONTRACTION)] == "taught transfer and own term frequency"
    assert source[("A", NUCLEUS)] == source[("T", NUCLEUS)] == "own term frequency"
    assert np.isnan(table.loc[("A", NUCLEUS), "score_expression"])
    unmixed = predictions_table(
        {"P": Finished(scores, taught=frozenset({"T"}))}, demo_ontology, 0.05
    )
    assert set(unmixed["source"]) == {"two-view model", "taught transfer"}


def test_tsv_and_cafa(tmp_path, table):
    write_tsv(table, tmp_path / "p.tsv")
    again = pd.read_csv(tmp_path / "p.tsv", sep="\t")
    assert len(again) == len(table)
    write_cafa(table, tmp_path / "p.cafa.tsv")
    lines = (tmp_path / "p.cafa.tsv").read_text().splitlines()
    assert lines[0] == "A0A183\tGO:0003012\t0.900"
    for line in lines:
        _gene, term, score = line.split("\t")
        assert term.startswith("GO:") and 0 < float(score) <= 1


GAF_RELATIONS = {
    "P": {
        "involved_in",
        "acts_upstream_of",
        "acts_upstream_of_positive_effect",
        "acts_upstream_of_negative_effect",
        "acts_upstream_of_or_within",
        "acts_upstream_of_or_within_positive_effect",
        "acts_upstream_of_or_within_negative_effect",
    },
    "F": {"enables", "contributes_to"},
    "C": {"located_in", "part_of", "is_active_in", "colocalizes_with"},
}
EVIDENCE_CODES = {
    "EXP",
    "IDA",
    "IPI",
    "IMP",
    "IGI",
    "IEP",
    "HTP",
    "HDA",
    "HMP",
    "HGI",
    "HEP",
    "IBA",
    "IBD",
    "IKR",
    "IRD",
    "ISS",
    "ISO",
    "ISA",
    "ISM",
    "IGC",
    "RCA",
    "TAS",
    "NAS",
    "IC",
    "ND",
    "IEA",
}
GENE_PRODUCT_TYPES = {
    "protein",
    "protein_complex",
    "gene",
    "gene_product",
    "transcript",
    "RNA",
    "mRNA",
    "ncRNA",
    "rRNA",
    "tRNA",
    "snRNA",
    "snoRNA",
    "miRNA",
    "lncRNA",
}


def gaf_2_2_problems(columns: list[str], ontology) -> list[str]:
    """What a GAF 2.2 data line breaks, per GO's GAF 2.2 specification."""
    if len(columns) != 17:
        return [f"{len(columns)} columns"]
    problems = []
    db, gene, symbol, qualifier, term, reference, evidence = columns[:7]
    aspect, product_type, taxon, date, assigned_by = (columns[i] for i in (8, 11, 12, 13, 14))
    if not (db and gene and symbol and reference and assigned_by):
        problems.append("a required column is empty")
    relation = qualifier.removeprefix("NOT|")
    if relation not in GAF_RELATIONS.get(aspect, ()):
        problems.append(f"relation {qualifier} not allowed for aspect {aspect}")
    if not re.fullmatch(r"GO:\d{7}", term):
        problems.append(f"GO ID {term}")
    if evidence not in EVIDENCE_CODES:
        problems.append(f"evidence {evidence}")
    if aspect != ontology.aspects.get(term):
        problems.append(f"aspect {aspect} but {term} is {ontology.aspects.get(term)}")
    if product_type not in GENE_PRODUCT_TYPES:
        problems.append(f"gene product type {product_type}")
    if not re.fullmatch(r"taxon:\d+(\|taxon:\d+)?", taxon):
        problems.append(f"taxon {taxon}")
    try:
        valid_date = len(date) == 8 and datetime.datetime.strptime(date, "%Y%m%d")
    except ValueError:
        valid_date = False
    if not valid_date:
        problems.append(f"date {date}")
    return problems


def test_gaf_is_valid_2_2_and_read_by_goatools(tmp_path, table, demo_ontology):
    from goatools.anno.gaf_reader import GafReader

    components = hand_table(
        demo_ontology, ("P04217", PROTEASOME_CORE, 0.8), ("P04217", NUCLEUS, 0.7)
    )
    table = pd.concat([table, components], ignore_index=True)
    path = tmp_path / "p.gaf"
    settings = {
        "db": "UniProtKB",
        "taxon": "taxon:9606",
        "symbols": {"P04217": "A1BG"},
        "reference": "PMID:12345678|DOI:10.1145/279943.279962",
        "assigned_by": "MyLab",
        "go_version": "releases/2022-07-01",
        "min_score": 0.5,
        "date": datetime.date(2026, 1, 2),
    }
    count = write_gaf(
        table,
        path,
        ontology=demo_ontology,
        header_extra={"annotation-sha256": "0123abcd", "thresholds": "P=0.5"},
        **settings,
    )
    lines = path.read_text().splitlines()
    assert lines[0] == "!gaf-version: 2.2"
    assert {"!annotation-sha256: 0123abcd", "!thresholds: P=0.5"} <= set(lines)
    body = [line.split("\t") for line in lines if not line.startswith("!")]
    allowed = ~table["go_id"].isin(["GO:0005515", "GO:0005488"])  # GORULE:0000005
    assert len(body) == count == int(((table["score"] >= 0.5) & allowed).sum())
    for columns in body:
        assert gaf_2_2_problems(columns, demo_ontology) == [], columns
        assert columns[6] == "IEA" and columns[13] == "20260102" and columns[14] == "MyLab"
        assert columns[5] == settings["reference"]
    relation = {row[4]: row[3] for row in body if row[1] == "P04217"}
    assert relation[PROTEASOME_CORE] == "part_of"  # a protein-containing complex
    assert relation[NUCLEUS] == "located_in"
    assert "GO:0005515" not in relation and relation[PROCESS] == "involved_in"
    assert ["UniProtKB", "P04217", "A1BG", "involved_in", PROCESS] in [row[:5] for row in body]
    records = GafReader(str(path)).get_associations()
    assert len(records) == count
    assert {record.GO_ID for record in records} == {row[4] for row in body}
    assert all(record.Evidence_Code == "IEA" for record in records)

    # Without the ontology every component keeps GO's default relation, as before.
    write_gaf(table, path, **settings)
    rows = [line.split("\t") for line in path.read_text().splitlines() if line[0] != "!"]
    assert {row[3] for row in rows if row[8] == "C"} == {"located_in"}


def test_gaf_relation_follows_go_rule_61(demo_ontology):
    assert gaf_relation("C", "GO:0000502", demo_ontology) == "part_of"  # proteasome complex
    # polysomal ribosome: part_of a complex, but not one itself (is_a ribosome)
    assert gaf_relation("C", "GO:0042788", demo_ontology) == "located_in"
    assert gaf_relation("F", "GO:0005515", demo_ontology) == "enables"


def test_gaf_names_the_gene_itself_for_self_binding_terms(tmp_path, demo_ontology):
    homodimer, dimer = "GO:0042803", "GO:0046983"  # protein homodimerization; its parent
    table = hand_table(demo_ontology, ("P35504", homodimer, 0.9), ("P35504", dimer, 0.9))
    path = tmp_path / "p.gaf"
    write_gaf(
        table,
        path,
        db="UniProtKB",
        taxon="taxon:9606",
        symbols={},
        reference="PMID:12345678",
        assigned_by="GOcotrain",
        go_version="test",
        min_score=0.5,
        ontology=demo_ontology,
    )
    rows = [line.split("\t") for line in path.read_text().splitlines() if line[0] != "!"]
    assert {row[4]: row[7] for row in rows} == {homodimer: "UniProtKB:P35504", dimer: ""}


def test_gaf_leaves_out_terms_go_keeps_from_annotation(tmp_path, table, demo_ontology):
    import dataclasses

    chosen = table[table["score"] >= 0.5]
    general = chosen["go_id"].value_counts().index[0]  # the term of most genes
    strict = dataclasses.replace(demo_ontology, not_for_annotation=frozenset({general}))
    settings = {
        "db": "UniProtKB",
        "taxon": "taxon:9606",
        "symbols": {},
        "reference": "PMID:12345678",
        "assigned_by": "GOcotrain",
        "go_version": "test",
        "min_score": 0.5,
    }
    kept = write_gaf(table, tmp_path / "all.gaf", ontology=demo_ontology, **settings)
    without = write_gaf(table, tmp_path / "strict.gaf", ontology=strict, **settings)
    assert without == kept - int((chosen["go_id"] == general).sum()) < kept
    assert f"\t{general}\t" not in (tmp_path / "strict.gaf").read_text()


def test_most_specific_keeps_the_leaf_of_a_chain(demo_ontology):
    chain = hand_table(
        demo_ontology, ("G1", PROCESS, 0.9), ("G1", CONTRACTION, 0.8), ("G1", STRIATED, 0.7)
    )
    kept = most_specific(chain, demo_ontology, {"P": 0.5})
    assert kept_pairs(kept) == {("G1", STRIATED)}
    assert list(kept.columns) == PREDICTION_COLUMNS


def test_most_specific_keeps_both_siblings(demo_ontology):
    siblings = hand_table(
        demo_ontology, ("G1", CONTRACTION, 0.9), ("G1", STRIATED, 0.7), ("G1", SMOOTH, 0.6)
    )
    kept = most_specific(siblings, demo_ontology, {"P": 0.5})
    assert kept["go_id"].tolist() == [STRIATED, SMOOTH]  # sorted by score, descending


def test_most_specific_child_below_threshold_does_not_hide_its_parent(demo_ontology):
    rows = hand_table(
        demo_ontology, ("G1", PROCESS, 0.9), ("G1", CONTRACTION, 0.6), ("G1", STRIATED, 0.4)
    )
    assert kept_pairs(most_specific(rows, demo_ontology, {"P": 0.5})) == {("G1", CONTRACTION)}
    assert most_specific(rows, demo_ontology, {"F": 0.1}).empty  # no threshold for P


def test_most_specific_is_per_gene(demo_ontology):
    rows = hand_table(
        demo_ontology,
        ("G1", PROCESS, 0.9),
        ("G2", PROCESS, 0.9),
        ("G2", CONTRACTION, 0.8),
        ("G3", CONTRACTION, 0.3),
    )
    kept = most_specific(rows, demo_ontology, {"P": 0.5})
    assert kept_pairs(kept) == {("G1", PROCESS), ("G2", CONTRACTION)}


def test_most_specific_on_demo_predictions(demo_table, demo_ontology):
    thresholds = {"P": 0.5, "F": 0.4, "C": 0.6}
    kept = most_specific(demo_table, demo_ontology, thresholds)
    assert 0 < len(kept) < len(demo_table)
    assert kept.equals(kept.sort_values(**SORT, ignore_index=True))
    # every kept row is an input row, unchanged
    assert len(kept.merge(demo_table, how="inner")) == len(kept)
    above = demo_table[demo_table["score"] >= demo_table["aspect"].map(thresholds)]
    for gene, rows in above.groupby("gene_id"):
        chosen = set(kept.loc[kept["gene_id"] == gene, "go_id"])
        hidden = {
            ancestor
            for term in chosen
            for ancestor in demo_ontology.ancestors(term)
            if ancestor != term
        }
        assert not chosen & hidden  # no kept term is an ancestor of another
        assert set(rows["go_id"]) == chosen | (hidden & set(rows["go_id"]))  # nothing lost


def test_predictions_tsv_round_trip(tmp_path, table):
    header = {
        "go-version": "releases/2022-07-01",
        "annotation-sha256": "0123abcd",
        "gocotrain": "0.1.0",
        "thresholds": "P=0.5 F=0.4 C=0.6",
    }
    path = tmp_path / "predictions.tsv"
    write_predictions_tsv(table, path, header)
    assert path.read_text().startswith("# go-version: releases/2022-07-01\n")
    again, read_header = read_predictions_tsv(path)
    assert read_header == header
    pd.testing.assert_frame_equal(again, table, check_dtype=False)
    assert again["gene_id"].map(type).eq(str).all() and again["go_id"].map(type).eq(str).all()
    plain = pd.read_csv(path, sep="\t", comment="#")
    assert list(plain.columns) == PREDICTION_COLUMNS and len(plain) == len(table)
    with pytest.raises(ValueError, match="line break"):
        write_predictions_tsv(table, path, {"note": "two\nlines"})


def test_excel_summary_lists_top_specific_terms(tmp_path, demo_table, demo_ontology):
    from openpyxl import load_workbook

    thresholds, top_n = {"P": 0.5, "F": 0.4, "C": 0.6}, 3
    path = tmp_path / "summary.xlsx"
    header = {"go-version": "releases/2022-07-01", "gocotrain": "0.1.0"}
    count = write_excel_summary(
        demo_table, path, thresholds, top_n=top_n, header=header, ontology=demo_ontology
    )
    sheets = pd.read_excel(path, sheet_name=None, dtype={"gene_id": str})
    assert set(sheets) == {"genes", "terms", "about"}
    genes = sheets["genes"]
    specific = most_specific(demo_table, demo_ontology, thresholds)
    # Sheet "terms": the same predictions, one per row, with numbers to sort and filter by.
    terms = sheets["terms"]
    assert len(terms) == len(specific) and terms["score"].dtype == float
    assert (
        terms["score"].tolist()
        == specific.sort_values(
            ["gene_id", "aspect", "score", "go_id"], ascending=[True, True, False, True]
        )["score"].tolist()
    )
    assert count == len(genes) == specific["gene_id"].nunique()
    assert genes["gene_id"].tolist() == sorted(specific["gene_id"].unique())
    titles = {"P": "biological process", "F": "molecular function", "C": "cellular component"}
    cell_pattern = re.compile(r"^(GO:\d{7}) (.+) \((\d\.\d\d)\)$")
    for aspect, title in titles.items():
        column, number = f"{title} (top {top_n})", f"number of {title} terms"
        assert column in genes and number in genes
        for gene, cell, n_terms in zip(
            genes["gene_id"], genes[column].fillna(""), genes[number], strict=True
        ):
            expected = specific[(specific["gene_id"] == gene) & (specific["aspect"] == aspect)]
            assert n_terms == len(expected)
            entries = [cell_pattern.match(entry).groups() for entry in cell.split("; ") if cell]
            assert len(entries) == min(top_n, len(expected))
            scores = [score for _, _, score in entries]
            assert scores == sorted(scores, reverse=True)
            assert scores == [f"{score:.2f}" for score in expected["score"][:top_n]]
            for term, name, _ in entries:
                assert name == demo_ontology.names[term] and term in set(expected["go_id"])
    about = dict(zip(sheets["about"]["item"], sheets["about"]["value"], strict=True))
    assert about["go-version"] == "releases/2022-07-01"
    assert float(about["threshold, biological process"]) == 0.5
    assert "score" in about["scores"]
    workbook = load_workbook(path)
    assert workbook["genes"].freeze_panes == "A2"
    from openpyxl.utils import get_column_letter

    terms_column = get_column_letter(
        list(genes.columns).index(f"biological process (top {top_n})") + 1
    )
    assert workbook["genes"].column_dimensions[terms_column].width > 20
    assert not list(tmp_path.glob(".*.part"))  # written through a temporary file


def test_excel_summary_without_kept_predictions(tmp_path, table, demo_ontology):
    path = tmp_path / "empty.xlsx"
    assert write_excel_summary(table, path, {"P": 0.99}, ontology=demo_ontology) == 0
    assert pd.read_excel(path, sheet_name="genes").columns.tolist() == ["gene_id"]


def test_choose_thresholds_logs_a_readable_line_per_aspect(tmp_path, caplog):
    metrics = tmp_path / "metrics.tsv"
    pd.DataFrame(
        {
            "method": ["cotraining", "cotraining"],
            "protocol": ["cross_validation", "cross_validation"],
            "targets": ["cross_validation", "cross_validation"],
            "aspect": ["biological_process", "molecular_function"],
            "threshold": [0.11, None],
            "precision": [0.3521, None],
            "recall": [0.41, None],
            "fmax": [0.38, None],
            "n_proteins": [120, 0],
        }
    ).to_csv(metrics, sep="\t", index=False)
    with caplog.at_level(logging.INFO, logger="gocotrain"):
        choose_thresholds(["P", "F"], "fmax", str(tmp_path / "fmax.tsv"), str(metrics))
        choose_thresholds(["C"], 0.3, str(tmp_path / "fixed.tsv"))
    lines = [record.getMessage() for record in caplog.records]
    assert lines == [
        "aspect P: export threshold 0.11 (expected precision 0.35; "
        "co-training Fmax on 120 held-out genes (cross_validation))",
        "aspect F: export threshold 0.5 (Fmax not measured)",
        "aspect C: export threshold 0.3 (fixed)",
    ]
    assert not any("[" in line for line in lines)
