import json

import pytest
from conftest import write

from gocotrain.errors import InputError
from gocotrain.inputs.ontology import Ontology, read_obo, require_gene_ontology

HEADER = "format-version: 1.2\ndata-version: test\n\n"


def term(go_id, name, namespace="biological_process", *lines):
    body = "\n".join(lines)
    return f"[Term]\nid: {go_id}\nname: {name}\nnamespace: {namespace}\n{body}\n\n"


def test_real_go_release(demo_ontology):
    go = demo_ontology
    assert go.data_version == "releases/2022-07-01"
    assert go.roots == {"GO:0008150", "GO:0003674", "GO:0005575"}
    assert go.aspects["GO:0006936"] == "P" and go.aspects["GO:0005515"] == "F"
    assert go.names["GO:0006936"] == "muscle contraction"
    # muscle contraction is_a muscle system process is_a system process ... process
    assert go.ancestors("GO:0006936") == {
        "GO:0006936",
        "GO:0003012",
        "GO:0003008",
        "GO:0032501",
        "GO:0008150",
    }
    assert go.resolve("GO:0019952") == ("GO:0000003", "alt_id")
    assert go.resolve("GO:0000005") == (None, "obsolete")
    assert go.resolve("GO:9999999") == (None, "unknown")


def test_part_of_propagates_but_regulates_does_not(tmp_path):
    path = write(
        tmp_path / "mini.obo",
        HEADER
        + term("GO:0000001", "root")
        + term("GO:0000002", "whole", "biological_process", "is_a: GO:0000001")
        + term(
            "GO:0000003",
            "piece",
            "biological_process",
            "is_a: GO:0000001",
            "relationship: part_of GO:0000002",
        )
        + term(
            "GO:0000004",
            "regulator",
            "biological_process",
            "is_a: GO:0000001",
            "relationship: regulates GO:0000002",
        ),
    )
    go = read_obo(path)
    assert go.ancestors("GO:0000003") == {"GO:0000001", "GO:0000002", "GO:0000003"}
    assert go.ancestors("GO:0000004") == {"GO:0000001", "GO:0000004"}


def test_cycle_is_an_input_error(tmp_path):
    path = write(
        tmp_path / "cycle.obo",
        HEADER
        + term("GO:0000001", "a", "biological_process", "is_a: GO:0000002")
        + term("GO:0000002", "b", "biological_process", "is_a: GO:0000001"),
    )
    with pytest.raises(InputError, match="cycle"):
        read_obo(path)


def test_dangling_parent_is_an_input_error(tmp_path):
    path = write(
        tmp_path / "dangling.obo",
        HEADER + term("GO:0000001", "a", "biological_process", "is_a: GO:0000777"),
    )
    with pytest.raises(InputError, match="GO:0000777") as raised:
        read_obo(path)
    assert "GO:0000001" in str(raised.value)


def test_not_obo(tmp_path):
    with pytest.raises(InputError, match="not an OBO"):
        read_obo(write(tmp_path / "x.obo", "hello\n"))


def test_json_round_trip(tmp_path, demo_ontology):
    path = tmp_path / "go.json"
    demo_ontology.to_json(path)
    again = Ontology.from_json(path)
    assert again.names == demo_ontology.names
    assert again.parents == demo_ontology.parents
    assert again.ancestors("GO:0006936") == demo_ontology.ancestors("GO:0006936")
    assert again.protein_complexes == demo_ontology.protein_complexes
    # An ontology saved before the complexes were kept says it has none recorded.
    payload = json.loads(path.read_text())
    del payload["protein_complexes"], payload["not_for_annotation"]
    path.write_text(json.dumps(payload))
    older = Ontology.from_json(path)
    assert older.protein_complexes is None and older.not_for_annotation == set()


def test_protein_complexes_are_subclasses_of_it_over_is_a_only(demo_ontology):
    complexes = demo_ontology.protein_complexes
    assert {"GO:0032991", "GO:0000502"} <= complexes  # proteasome complex is_a ...
    # polysomal ribosome is part_of polysome (a complex) but is_a ribosome (not one)
    assert "GO:0032991" in demo_ontology.ancestors("GO:0042788")
    assert "GO:0042788" not in complexes


def test_an_ontology_other_than_go_is_named_as_such(tmp_path):
    path = write(
        tmp_path / "so.obo",
        HEADER + term("SO:0000704", "gene", "sequence") + term("SO:0000234", "mRNA", "sequence"),
    )
    ontology = read_obo(path)  # `gocotrain evaluate` may score any ontology
    with pytest.raises(InputError, match="this is not the Gene Ontology") as error:
        require_gene_ontology(ontology, path)
    assert str(path) in str(error.value)


def test_is_a_edges_across_namespaces_are_counted_when_left_out(tmp_path):
    path = write(
        tmp_path / "cross.obo",
        HEADER
        + term("GO:0008150", "biological_process")
        + term("GO:0003674", "molecular_function", "molecular_function")
        + term("GO:0000001", "child", "biological_process", "is_a: GO:0008150")
        + term("GO:0000002", "crossing", "molecular_function", "is_a: GO:0008150"),
    )
    ontology = read_obo(path)
    assert ontology.edges_across_namespaces == 1
    assert ontology.parents["GO:0000002"] == () and ontology.parents["GO:0000001"] == (
        "GO:0008150",
    )


def test_terms_go_keeps_from_annotation_are_read_and_saved(tmp_path):
    path = write(
        tmp_path / "subsets.obo",
        HEADER
        + term("GO:0008150", "biological_process", "biological_process", "subset: goslim_generic")
        + term(
            "GO:0009987",
            "cellular process",
            "biological_process",
            "is_a: GO:0008150",
            "subset: gocheck_do_not_annotate",
            "subset: goslim_pir",
        )
        + term("GO:0006936", "muscle contraction", "biological_process", "is_a: GO:0009987"),
    )
    ontology = read_obo(path)
    assert ontology.not_for_annotation == {"GO:0009987"}
    ontology.to_json(tmp_path / "o.json")
    assert Ontology.from_json(tmp_path / "o.json").not_for_annotation == {"GO:0009987"}
