import random
from collections import Counter

import pandas as pd
import pytest

from gocotrain.splits import (
    PROTEIN_BINDING,
    PROTEIN_BINDING_CLOSURE,
    cross_validation_folds,
    labels_to_truth,
    time_split_targets,
)

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
