import shutil

import numpy as np
import pandas as pd
import pytest
from conftest import EVIDENCE_CODES
from sklearn.metrics import average_precision_score
from xgboost import XGBClassifier

from gocotrain.errors import InputError
from gocotrain.evaluation.method_names import LEARNER_NAMES
from gocotrain.evaluation.methods import LEARNERS, as_predictions, learned, naive
from gocotrain.evaluation.metrics import evaluate
from gocotrain.evaluation.splits import cross_validation_folds, labels_to_truth
from gocotrain.inputs.annotations import build_labels, read_annotations
from gocotrain.inputs.sequences import write_fasta
from gocotrain.learning.cotraining import CoTrainingClassifier
from gocotrain.teaching.transfer import homology_transfer
from gocotrain.views.features import FeatureMatrix
from gocotrain.views.homology import MissingToolError, read_diamond_hits, run_diamond

needs_diamond = pytest.mark.skipif(
    shutil.which("diamond") is None,
    reason="DIAMOND not installed (apt-get install diamond-aligner)",
)


def labels_table(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["gene_id", "aspect", "go_id"])


# ---------------------------------------------------------------------------------------
# Naive


def test_naive_scores_each_term_by_its_frequency_among_training_genes():
    labels = labels_table(
        [
            ("A", "F", "T1"),
            ("A", "F", "T2"),
            ("B", "F", "T1"),
            ("C", "F", "T1"),
            ("C", "F", "T3"),
            ("D", "F", "T9"),  # a target's own label: never counted
            ("D", "F", "T1"),
            ("E", "P", "T5"),  # another aspect
        ]
    )
    expected = {"T1": 1.0, "T2": 1 / 3, "T3": 1 / 3}
    assert naive(labels, "F", ["D", "X"]) == {"D": expected, "X": expected}
    # Against a large reference, only the most frequent terms (the frequencies unchanged).
    assert naive(labels, "F", ["D"], top=1) == {"D": {"T1": 1.0}}


def test_missing_diamond_binary_says_how_to_install_it(tmp_path):
    fasta = tmp_path / "q.fa"
    fasta.write_text(">q\nMKV\n")
    with pytest.raises(MissingToolError, match="apt-get install diamond-aligner") as error:
        run_diamond(fasta, fasta, tmp_path / "hits.tsv", executable="no-such-diamond-binary")
    assert isinstance(error.value, InputError)
    assert not (tmp_path / "hits.tsv").exists()


def test_diamond_hits_get_gene_ids(tmp_path):
    path = tmp_path / "hits.tsv"
    path.write_text("sp|P12345|NAME_HUMAN\tQ99999\t88.5\t321\t1e-50\n")
    hits = read_diamond_hits(path)
    assert hits.to_dict("records") == [
        {"query": "P12345", "subject": "Q99999", "pident": 88.5, "bitscore": 321.0, "evalue": 1e-50}
    ]
    path.write_text("")
    assert list(read_diamond_hits(path).columns) == list(hits.columns)


def mutated(protein: str, every: int = 8) -> str:
    """Every `every`-th residue swapped for another amino acid: a close homolog."""
    swap = str.maketrans("ACDEFGHIKLMNPQRSTVWY", "CDEFGHIKLMNPQRSTVWYA")
    return "".join(
        residue.translate(swap) if index % every == 0 else residue
        for index, residue in enumerate(protein)
    )


@needs_diamond
def test_diamond_finds_the_protein_and_its_homolog_and_transfer_skips_the_self_hit(
    demo_proteins, tmp_path
):
    # Two demo proteins of 300-450 residues with no homolog among the demo proteins.
    gene, unrelated = "O15165", "O15315"
    query = {gene: demo_proteins[gene]}
    database = {
        **query,
        "mutant": mutated(demo_proteins[gene]),
        unrelated: demo_proteins[unrelated],
    }
    write_fasta(query, tmp_path / "query.fa")
    write_fasta(database, tmp_path / "db.fa")
    out = run_diamond(tmp_path / "query.fa", tmp_path / "db.fa", tmp_path / "out" / "hits.tsv")
    hits = read_diamond_hits(out)
    assert list(hits["query"].unique()) == [gene]
    assert set(hits["subject"]) == {gene, "mutant"}
    best = hits.loc[hits["bitscore"].idxmax()]
    assert best["subject"] == gene and best["pident"] == 100
    assert hits.set_index("subject").loc["mutant", "pident"] < 95
    labels = labels_table([(gene, "F", "self"), ("mutant", "F", "homolog"), (unrelated, "F", "x")])
    assert homology_transfer(hits, labels, "F", [gene]) == {gene: {"homolog": 1.0}}


# ---------------------------------------------------------------------------------------
# Learned per-term methods on a synthetic two-view problem

SIGNAL, NOISE, UNIVERSAL, RARE = "GO:0000001", "GO:0000002", "GO:0000003", "GO:0000004"
N_GENES, N_LABELED = 400, 300
TARGETS = [f"g{index:03d}" for index in range(200, 300)]  # labeled genes whose labels we hide


@pytest.fixture(scope="module")
def problem():
    """Genes g000-g399: 300 labeled in F, 100 not; both views shifted for SIGNAL genes."""
    rng = np.random.default_rng(0)
    genes = np.array([f"g{index:03d}" for index in range(N_GENES)])
    signal = rng.random(N_GENES) < 0.3
    noise = rng.random(N_GENES) < 0.25
    sequence = rng.normal(size=(N_GENES, 4)) + 2.0 * signal[:, None] * [1, 0, 0, 0]
    expression = rng.normal(size=(N_GENES, 3)) + 2.0 * signal[:, None] * [1, 0, 0]
    has_expression = rng.random(N_GENES) < 0.8  # a fifth of the genes lack this view
    rows = []
    for index in range(N_LABELED):
        gene = genes[index]
        rows.append((gene, "F", UNIVERSAL))  # no negatives: not modelled
        rows += [(gene, "F", SIGNAL)] * bool(signal[index])
        rows += [(gene, "F", NOISE)] * bool(noise[index])
    rows += [(genes[index], "F", RARE) for index in range(5)]  # too few positives
    rows += [(genes[index], "P", "GO:0000009") for index in range(N_LABELED, N_GENES)]
    return {
        "sequence": FeatureMatrix(genes, np.array(list("abcd")), sequence.astype(np.float32)),
        "expression": FeatureMatrix(
            genes[has_expression], np.array(list("xyz")), expression[has_expression]
        ),
        "labels": labels_table(rows),
        "signal": dict(zip(genes, signal, strict=True)),
        "has_expression": dict(zip(genes, has_expression, strict=True)),
    }


def few_trees() -> XGBClassifier:
    return XGBClassifier(
        n_estimators=10, max_depth=2, learning_rate=0.3, max_bin=16, n_jobs=1, verbosity=0
    )


def few_rounds(**extra) -> CoTrainingClassifier:
    """The co-training model every learned method is made from, small enough for tests."""
    return CoTrainingClassifier(
        few_trees(), rounds=2, pool_size=20, max_negatives_per_round=5, **extra
    )


def predict(name, problem, labels=None, sequence=None, expression=None, model=None, **options):
    scores = learned(
        name,
        few_rounds() if model is None else model,
        problem["sequence"] if sequence is None else sequence,
        problem["expression"] if expression is None else expression,
        problem["labels"] if labels is None else labels,
        "F",
        TARGETS,
        min_positives=10,
        seed=3,
        **options,
    )
    return as_predictions(scores, TARGETS)


@pytest.mark.parametrize("name", sorted(LEARNERS))
def test_learned_method_scores_targets_without_their_labels_and_finds_the_signal(name, problem):
    predictions = predict(name, problem)
    assert sorted(predictions) == TARGETS
    for scores in predictions.values():
        assert sorted(scores) == [SIGNAL, NOISE]
        assert all(0 <= score <= 1 for score in scores.values())

    labels = problem["labels"]
    is_target = labels["gene_id"].isin(TARGETS)
    assert predict(name, problem, labels=labels[~is_target]) == predictions
    shuffled = labels.copy()
    rng = np.random.default_rng(1)
    shuffled.loc[is_target, "gene_id"] = rng.permutation(shuffled.loc[is_target, "gene_id"])
    assert predict(name, problem, labels=shuffled) == predictions

    truth = np.array([problem["signal"][gene] for gene in TARGETS])
    scores = np.array([predictions[gene][SIGNAL] for gene in TARGETS])
    assert average_precision_score(truth, scores) > truth.mean() + 0.2


@pytest.mark.parametrize("name", ["sequence_only", "cotraining"])
def test_learned_method_does_not_depend_on_the_gene_order(name, problem):
    sequence = problem["sequence"]
    reversed_view = FeatureMatrix(sequence.genes[::-1], sequence.columns, sequence.values[::-1])
    assert predict(name, problem, sequence=reversed_view) == predict(name, problem)


def test_targets_without_the_view_get_the_term_prior(problem):
    predictions = predict("expression_only", problem)
    training = problem["labels"].query("aspect == 'F' and gene_id not in @TARGETS")
    prior = (training["go_id"] == SIGNAL).sum() / training["gene_id"].nunique()
    missing = [gene for gene in TARGETS if not problem["has_expression"][gene]]
    assert missing
    assert [predictions[gene][SIGNAL] for gene in missing] == pytest.approx([prior] * len(missing))
    # The sequence view covers every gene, so no target falls back to the prior there.
    by_sequence = predict("sequence_only", problem)
    assert all(by_sequence[gene][SIGNAL] != pytest.approx(prior) for gene in missing)


def test_cotraining_without_rounds_is_the_two_view_supervised_ablation(problem):
    no_rounds = few_rounds().set_params(rounds=0)
    supervised = predict("two_view_supervised", problem)
    assert predict("cotraining", problem, model=no_rounds) == supervised
    always = few_rounds(validation_fraction=0)  # co-trains every term, without the check
    assert predict("cotraining", problem, model=always) != supervised


# ---------------------------------------------------------------------------------------
# End to end on the demo data: 2-fold cross-validation of the baselines in one aspect


@pytest.fixture(scope="module")
def demo_labels(demo, demo_ontology, demo_proteins):
    raw = read_annotations(demo / "annotations.gaf.gz")
    return build_labels(raw, demo_ontology, list(demo_proteins), EVIDENCE_CODES, ["F"])


def hierarchy_violations(predictions, ontology) -> int:
    """Scored terms whose ancestor (root excepted) scores lower or not at all."""
    roots = ontology.roots
    return sum(
        scores.get(ancestor, 0.0) < score
        for scores in predictions.values()
        for term, score in scores.items()
        for ancestor in ontology.ancestors(term) - roots
    )


@needs_diamond
def test_baselines_cross_validated_on_demo_data(demo, demo_ontology, demo_labels, tmp_path):
    labels = demo_labels.table
    folds = cross_validation_folds(labels["gene_id"].unique(), n_folds=2, seed=0)
    in_fold = labels["gene_id"].map(folds).eq(0)
    train, truth = labels[~in_fold], labels_to_truth(labels[in_fold], "F")
    targets = sorted(truth)
    assert targets and not set(targets) & set(train["gene_id"])
    proteins = demo / "proteins.fa.gz"
    hits = read_diamond_hits(run_diamond(proteins, proteins, tmp_path / "hits.tsv", threads=2))
    methods = {
        "naive": naive(train, "F", targets),
        "homology": homology_transfer(hits, train, "F", targets),
    }
    for name, predictions in methods.items():
        assert hierarchy_violations(predictions, demo_ontology) == 0, name
        summary = evaluate(truth, predictions, demo_ontology).set_index("aspect")
        assert summary.loc["molecular_function", "fmax"] > 0, name
        assert summary.loc["molecular_function", "n_proteins"] == len(targets)


@pytest.mark.parametrize("name", ["sequence_only", "cotraining"])
def test_homology_hits_reach_the_sequence_view_of_learned_methods(name, problem):
    """Views without signal, but signal genes are homologs of each other: only the hits
    can tell them apart, and they are read from the training labels only."""
    rng = np.random.default_rng(1)
    genes = problem["sequence"].genes
    signal_genes = [gene for gene in genes if problem["signal"][gene]]
    hits = pd.DataFrame(
        [
            (query, subject, 90.0, float(rng.uniform(50, 100)))
            for query in signal_genes
            for subject in rng.choice(signal_genes, 8, replace=False)
            if query != subject
        ],
        columns=["query", "subject", "pident", "bitscore"],
    )
    noise = FeatureMatrix(genes, np.array(list("abcd")), rng.normal(size=(len(genes), 4)))
    truth = np.array([problem["signal"][gene] for gene in TARGETS])

    expression = FeatureMatrix(
        problem["expression"].genes,
        problem["expression"].columns,
        rng.normal(size=problem["expression"].values.shape).astype(np.float32),
    )

    def aupr(**extra) -> float:
        predictions = predict(name, problem, sequence=noise, expression=expression, **extra)
        return average_precision_score(truth, [predictions[gene][SIGNAL] for gene in TARGETS])

    assert aupr(hits=hits) > 0.9
    assert aupr() < 0.6


def test_the_learned_methods_are_the_ones_named():
    """The names the report and the scoring read without building a model are the learners'."""
    assert tuple(LEARNERS) == LEARNER_NAMES
