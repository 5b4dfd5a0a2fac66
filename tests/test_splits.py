import random
from collections import Counter

import pandas as pd
import pytest

from gocotrain.evaluation.splits import (
    PROTEIN_BINDING,
    PROTEIN_BINDING_CLOSURE,
    cross_validation_folds,
    labels_to_truth,
    least_annotated,
    time_split_targets,
    without_protein_binding_only,
)
from gocotrain.export.targets import closest_to_exported

GENES = [f"G{index:03d}" for index in range(103)]


def labels_table(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["gene_id", "aspect", "go_id"])


def test_every_gene_is_in_one_fold_of_balanced_size():
    folds = cross_validation_folds(GENES + GENES[:10], n_folds=5, seed=0)  # repeats count once
    assert sorted(folds) == GENES
    assert set(folds.values()) == set(range(5))
    sizes = Counter(folds.values()).values()
    assert max(sizes) - min(sizes) <= 1


def test_folds_depend_on_the_seed_not_on_the_input_order():
    folds = cross_validation_folds(GENES, n_folds=4, seed=7)
    shuffled = random.Random(1).sample(GENES, len(GENES))
    assert cross_validation_folds(shuffled, n_folds=4, seed=7) == folds
    assert cross_validation_folds(GENES, n_folds=4, seed=8) != folds


@pytest.mark.parametrize("n_folds", [1, 104])
def test_impossible_fold_counts_are_refused(n_folds):
    with pytest.raises(ValueError, match="n_folds"):
        cross_validation_folds(GENES, n_folds=n_folds, seed=0)


CATALYTIC = ["GO:0003824", "GO:0016787"]  # catalytic activity, hydrolase activity
BINDING_ONLY = sorted(PROTEIN_BINDING_CLOSURE)  # protein binding as a propagated label set

OLD = labels_table(
    [
        ("partial", "F", "GO:0003824"),  # already labeled in F: no CAFA target here
        ("limited", "P", "GO:0009987"),
        ("limited_binding", "C", "GO:0005737"),
    ]
)
NEW = labels_table(
    [
        *[("partial", "F", term) for term in CATALYTIC],
        ("limited", "P", "GO:0009987"),
        *[("limited", "F", term) for term in CATALYTIC],
        *[("limited_binding", "F", term) for term in BINDING_ONLY],
        *[("novel", "F", term) for term in CATALYTIC],
        *[("novel_binding", "F", term) for term in BINDING_ONLY],
        *[("novel_binding_and_more", "F", term) for term in BINDING_ONLY + CATALYTIC[:1]],
        ("novel_process", "P", "GO:0006915"),
        ("partial", "P", "GO:0006915"),
    ]
)


def test_time_split_targets_follow_cafa_definitions():
    targets = time_split_targets(OLD, NEW, "F")
    assert targets["no_knowledge"] == {
        "novel": set(CATALYTIC),
        "novel_binding_and_more": {*BINDING_ONLY, CATALYTIC[0]},
    }
    assert targets["limited_knowledge"] == {"limited": set(CATALYTIC)}
    assert targets["excluded_protein_binding_only"] == {
        "limited_binding": set(BINDING_ONLY),
        "novel_binding": set(BINDING_ONLY),
    }


def test_protein_binding_only_targets_are_kept_on_request_and_outside_f():
    targets = time_split_targets(OLD, NEW, "F", exclude_protein_binding_only=False)
    assert set(targets["no_knowledge"]) == {"novel", "novel_binding", "novel_binding_and_more"}
    assert set(targets["limited_knowledge"]) == {"limited", "limited_binding"}
    assert targets["excluded_protein_binding_only"] == {}
    process = time_split_targets(OLD, NEW, "P")
    # "limited" had P labels already; "partial", labeled in F only, is limited knowledge in P.
    assert process["no_knowledge"] == {"novel_process": {"GO:0006915"}}
    assert process["limited_knowledge"] == {"partial": {"GO:0006915"}}


def test_protein_binding_closure_matches_the_ontology(demo_ontology):
    closure = demo_ontology.ancestors(PROTEIN_BINDING) - demo_ontology.roots
    assert closure == PROTEIN_BINDING_CLOSURE
    assert time_split_targets(OLD, NEW, "F", ontology=demo_ontology) == time_split_targets(
        OLD, NEW, "F"
    )


def test_labels_to_truth_groups_terms_per_gene():
    assert labels_to_truth(NEW, "P") == {
        "limited": {"GO:0009987"},
        "novel_process": {"GO:0006915"},
        "partial": {"GO:0006915"},
    }


def test_least_annotated_genes_are_those_with_fewest_labels_in_each_aspect():
    rows = [("one", "P", "GO:1"), ("tied", "P", "GO:2"), ("two", "P", "GO:1"), ("two", "P", "GO:3")]
    rows += [(f"many{index}", "P", f"GO:{term}") for index in range(5) for term in range(4)]
    # In C, "many0" has one label: the least annotated there, whatever it has in P.
    rows += [("many0", "C", "GO:5"), ("two", "C", "GO:5"), ("two", "C", "GO:6")]
    rows += [("one", "C", "GO:5"), ("one", "C", "GO:6"), ("one", "C", "GO:7")]
    # F: protein binding alone does not count, as in CAFA's targets.
    rows += [("binder", "F", term) for term in sorted(PROTEIN_BINDING_CLOSURE)]
    rows += [("enzyme", "F", "GO:0003824")]
    labels = labels_table(rows)
    # 8 genes in P: the lowest quarter holds two, and a tie at the cut counts in.
    least = least_annotated(labels, 0.25)
    assert {gene for aspect, gene in least if aspect == "P"} == {"one", "tied"}
    assert {gene for aspect, gene in least if aspect == "C"} == {"many0"}
    assert {gene for aspect, gene in least if aspect == "F"} == {"enzyme"}
    in_p = {gene for aspect, gene in least_annotated(labels, 0.3) if aspect == "P"}
    assert in_p == {"one", "tied", "two"}
    assert least_annotated(labels.iloc[:0], 0.25) == set()


def test_protein_binding_alone_leaves_molecular_function_targets_only():
    truth = {"binder": set(PROTEIN_BINDING_CLOSURE), "enzyme": {"GO:0003824"}}
    assert without_protein_binding_only(truth, "F") == {"enzyme": {"GO:0003824"}}
    assert without_protein_binding_only(truth, "C") == truth


def test_the_headline_targets_are_those_most_like_the_exported_genes():
    assert closest_to_exported(["cross_validation", "least_annotated"]) == "least_annotated"
    assert closest_to_exported(["limited_knowledge", "no_knowledge"]) == "no_knowledge"
    assert closest_to_exported(["cross_validation"]) == "cross_validation"
    assert closest_to_exported([]) is None
    # Too few least annotated genes to lead: the random fold's figures do.
    few = {"least_annotated": 7, "cross_validation": 300}
    assert closest_to_exported(few, few) == "cross_validation"
