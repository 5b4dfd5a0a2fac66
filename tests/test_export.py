import datetime

import numpy as np
import pandas as pd
import pytest
from conftest import PREDICTION_COLUMNS

from gocotrain.export import (
    consistent_with_hierarchy,
    predictions_table,
    write_cafa,
    write_gaf,
    write_tsv,
)
from gocotrain.scoring import AspectScores

# muscle contraction (child) and muscle system process (parent), plus an unrelated term
TERMS = ["GO:0003012", "GO:0006936", "GO:0005515"]


@pytest.fixture
def table(demo_ontology):
    score = np.array([[0.2, 0.9, 0.0], [0.6, 0.1, 0.7]], dtype=np.float32)
    scores = {
        "P": AspectScores(
            genes=np.array(["A0A183", "P04217"]),
            terms=np.array(TERMS[:2]),
            score=score[:, :2],
            score_sequence=score[:, :2] / 2,
            score_expression=np.array([[np.nan, np.nan], [0.3, 0.2]], dtype=np.float32),
        ),
        "F": AspectScores(
            genes=np.array(["P04217"]),
            terms=np.array(TERMS[2:]),
            score=score[1:, 2:],
            score_sequence=score[1:, 2:],
            score_expression=score[1:, 2:],
        ),
    }
    return predictions_table(scores, demo_ontology, min_score=0.05)


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


def test_gaf_is_valid_2_2_and_read_by_goatools(tmp_path, table):
    from goatools.anno.gaf_reader import GafReader

    path = tmp_path / "p.gaf"
    count = write_gaf(
        table,
        path,
        db="UniProtKB",
        taxon="taxon:9606",
        symbols={"P04217": "A1BG"},
        reference="GO_REF:0000000",
        go_version="releases/2022-07-01",
        min_score=0.5,
        date=datetime.date(2026, 1, 2),
    )
    lines = path.read_text().splitlines()
    assert lines[0] == "!gaf-version: 2.2"
    body = [line.split("\t") for line in lines if not line.startswith("!")]
    assert len(body) == count == int((table["score"] >= 0.5).sum())
    for columns in body:
        assert len(columns) == 17
        relation = {"P": "involved_in", "F": "enables", "C": "located_in"}[columns[8]]
        assert columns[3] == relation and columns[6] == "IEA"
        assert columns[13] == "20260102" and columns[14] == "GOcotrain"
    assert ["UniProtKB", "P04217", "A1BG", "enables", "GO:0005515"] in [row[:5] for row in body]
    records = GafReader(str(path)).get_associations()
    assert len(records) == count
    assert {record.GO_ID for record in records} == {row[4] for row in body}
    assert all(record.Evidence_Code == "IEA" for record in records)
