"""Property-based tests: parsers round-trip, labels are closed upward, exported scores never
put a child above its parent, and the order of the input does not change the output."""

import random

import numpy as np
import pandas as pd
from conftest import FAST_COTRAINING
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gocotrain.export.predictions import consistent_with_hierarchy
from gocotrain.inputs.annotations import build_labels, read_annotations
from gocotrain.inputs.expression import read_expression
from gocotrain.inputs.sequences import read_sequences, write_fasta
from gocotrain.steps.cotrain import (
    BatchFiles,
    cotrain_batch,
    gather_cotraining,
    plan_cotraining,
)
from gocotrain.views.features import FeatureMatrix, sequence_features

FAST = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
gene_ids = st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,11}", fullmatch=True)
proteins = st.text(alphabet="ACDEFGHIKLMNPQRSTVWYXU", min_size=1, max_size=300)


@FAST
@given(st.dictionaries(gene_ids, proteins, min_size=1, max_size=20))
def test_fasta_round_trip(tmp_path, records):
    path = tmp_path / "p.fa"
    write_fasta(records, path)
    assert read_sequences(path, sequence_type="protein").proteins == records


@FAST
@given(
    st.lists(gene_ids, min_size=1, max_size=15, unique=True),
    st.integers(min_value=1, max_value=6),
    st.data(),
)
def test_expression_round_trip(tmp_path, genes, n_samples, data):
    values = np.array(
        data.draw(
            st.lists(
                st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False),
                min_size=len(genes) * n_samples,
                max_size=len(genes) * n_samples,
            )
        )
    ).reshape(len(genes), n_samples)
    frame = pd.DataFrame(values, index=genes, columns=[f"s{i}" for i in range(n_samples)])
    frame.index.name = "gene_id"
    frame.to_csv(tmp_path / "e.tsv", sep="\t", float_format="%.17g")
    read = read_expression(tmp_path / "e.tsv")
    pd.testing.assert_frame_equal(read, frame.sort_index(), check_names=False)


def go_terms(ontology, aspect):
    return sorted(
        t for t, a in ontology.aspects.items() if a == aspect and t not in ontology.obsolete
    )


@FAST
@given(st.data())
def test_labels_are_closed_upward_and_order_free(tmp_path, demo_ontology, data):
    terms = data.draw(
        st.lists(
            st.sampled_from(
                go_terms(demo_ontology, "P")[:3000] + go_terms(demo_ontology, "C")[:500]
            ),
            min_size=1,
            max_size=25,
        )
    )
    genes = [f"G{i}" for i in range(len(terms))]
    rows = [f"{gene}\t{term}" for gene, term in zip(genes, terms, strict=True)]
    shuffled = rows[:]
    random.Random(data.draw(st.integers())).shuffle(shuffled)
    tables = []
    for name, lines in (("a.tsv", rows), ("b.tsv", shuffled)):
        (tmp_path / name).write_text("\n".join(lines) + "\n")
        labels = build_labels(
            read_annotations(tmp_path / name), demo_ontology, genes, [], ["P", "F", "C"]
        ).table
        tables.append(labels)
    pd.testing.assert_frame_equal(tables[0], tables[1])
    for (_gene, _aspect), group in tables[0].groupby(["gene_id", "aspect"]):
        closed = demo_ontology.propagate(group["go_id"]) - demo_ontology.roots
        assert closed == set(group["go_id"])


@FAST
@given(st.data())
def test_exported_scores_never_put_a_child_above_its_parent(demo_ontology, data):
    leaf_terms = data.draw(
        st.lists(st.sampled_from(go_terms(demo_ontology, "P")[:5000]), min_size=1, max_size=8)
    )
    terms = sorted(demo_ontology.propagate(leaf_terms) - demo_ontology.roots)
    matrix = np.array(
        data.draw(
            st.lists(
                st.floats(0, 1, allow_nan=False),
                min_size=3 * len(terms),
                max_size=3 * len(terms),
            )
        )
    ).reshape(3, len(terms))
    fixed = consistent_with_hierarchy(matrix, terms, demo_ontology)
    column = {term: index for index, term in enumerate(terms)}
    assert (fixed >= matrix).all()
    for term in terms:
        for ancestor in demo_ontology.ancestors(term) & set(terms):
            assert (fixed[:, column[ancestor]] >= fixed[:, column[term]]).all()


@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.randoms(use_true_random=False))
def test_reordered_inputs_give_identical_scores(tmp_path, demo_proteins, rng):
    genes = sorted(demo_proteins)[:150]
    sequence = sequence_features({gene: demo_proteins[gene] for gene in genes})
    expression = FeatureMatrix(
        sequence.genes,
        np.array(["e1", "e2"]),
        np.random.default_rng(0).random((150, 2)).astype(np.float32),
    )
    labels = pd.DataFrame(
        {
            "gene_id": genes[:90] + genes[:30],
            "aspect": "P",
            "go_id": ["GO:0003008"] * 90 + ["GO:0006936"] * 30,
        }
    )
    labels = labels.assign(go_id=np.where(np.arange(120) % 3 == 0, "GO:0032501", labels["go_id"]))
    pairs = np.random.default_rng(1).integers(0, 150, size=(400, 2))
    hits = pd.DataFrame(
        {
            "query": [genes[i] for i in pairs[:, 0]],
            "subject": [genes[j] for j in pairs[:, 1]],
            "pident": np.random.default_rng(2).uniform(30, 100, 400),
            "bitscore": np.random.default_rng(3).uniform(50, 500, 400).round(1),
            "evalue": 1e-10,
        }
    ).drop_duplicates(["query", "subject"])
    results = []
    for run, order in enumerate((list(range(150)), rng.sample(range(150), 150))):
        folder = tmp_path / f"run{run}"
        folder.mkdir(exist_ok=True)
        FeatureMatrix(sequence.genes[order], sequence.columns, sequence.values[order]).to_npz(
            folder / "s.npz"
        )
        FeatureMatrix(expression.genes[order], expression.columns, expression.values[order]).to_npz(
            folder / "e.npz"
        )
        labels.sample(frac=1, random_state=run).to_csv(folder / "l.tsv", sep="\t", index=False)
        hits.sample(frac=1, random_state=run).to_csv(folder / "h.tsv", sep="\t", index=False)
        # One batch in the first run, two in the second: neither the order of the inputs nor
        # the split into batches may change a score.
        n_batches = run + 1
        plan_cotraining("P", str(folder / "l.tsv"), str(folder / "s.npz"), 5, str(folder / "t.tsv"))
        for batch in range(1, n_batches + 1):
            files = BatchFiles(
                *(str(folder / name) for name in ("t.tsv", "s.npz", "e.npz", "l.tsv", "h.tsv")),
                scores=str(folder / f"b{batch}.npz"),
                report=str(folder / f"b{batch}.json"),
            )
            cotrain_batch("P", f"{batch}-of-{n_batches}", files, FAST_COTRAINING, 5, 7, 2)
        gather_cotraining(
            str(folder / "t.tsv"),
            [str(folder / f"b{batch}.npz") for batch in range(1, n_batches + 1)],
            [str(folder / f"b{batch}.json") for batch in range(1, n_batches + 1)],
            str(folder / "scores.npz"),
            str(folder / "r.json"),
        )
        with np.load(folder / "scores.npz") as saved:
            results.append({name: saved[name] for name in saved.files})
    for name in results[0]:
        np.testing.assert_array_equal(results[0][name], results[1][name])
