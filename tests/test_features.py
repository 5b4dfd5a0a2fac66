import numpy as np
import pandas as pd
import pytest
from Bio.SeqUtils.ProtParam import ProteinAnalysis

from gocotrain.views.features import (
    AMINO_ACIDS,
    ExpressionProjection,
    FeatureMatrix,
    expression_features,
    project_expression,
    sequence_features,
)


@pytest.fixture(scope="module")
def sequence_view(demo_proteins):
    return sequence_features(demo_proteins).to_frame()


def test_shape_and_compositions(sequence_view, demo_proteins):
    assert list(sequence_view.index) == list(demo_proteins)
    assert sequence_view.shape[1] == 20 + 12  # no dipeptide composition (see its docstring)
    aac = sequence_view[[f"aac_{a}" for a in AMINO_ACIDS]].sum(axis=1)
    unknown = sequence_view["unknown_residue_fraction"]
    np.testing.assert_allclose(aac + unknown, 1, atol=1e-5)
    protein = demo_proteins[sequence_view.index[0]]
    assert sequence_view.iloc[0]["aac_M"] == pytest.approx(protein.count("M") / len(protein))


def test_physicochemical_values_agree_with_protparam(sequence_view, demo_proteins):
    checked = 0
    for gene, protein in list(demo_proteins.items())[:100]:
        if set(protein) - set(AMINO_ACIDS):
            continue
        analysis, row = ProteinAnalysis(protein), sequence_view.loc[gene]
        assert row["molecular_weight_kda"] == pytest.approx(
            analysis.molecular_weight() / 1000, rel=1e-5
        )
        assert row["isoelectric_point"] == pytest.approx(analysis.isoelectric_point(), abs=1e-3)
        assert row["gravy"] == pytest.approx(analysis.gravy(), abs=1e-4)
        assert row["instability_index"] == pytest.approx(analysis.instability_index(), rel=1e-4)
        assert row["aromaticity"] == pytest.approx(analysis.aromaticity(), abs=1e-5)
        assert row["charge_ph7_per_residue"] == pytest.approx(
            analysis.charge_at_pH(7.0) / len(protein), abs=1e-5
        )
        checked += 1
    assert checked > 50


def test_expression_view_pca_and_flat_genes():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.gamma(1.0, 2.0, size=(200, 80)), index=[f"g{i}" for i in range(200)])
    frame.iloc[0] = 0.0  # never expressed
    frame[5] = 1.0  # a constant sample carries nothing
    features, report, _ = expression_features(frame, n_components=10, seed=1)
    view = features.to_frame()
    assert view.shape == (200, 3 + 10)
    assert report["expression_samples_constant_dropped"] == 1
    assert report["expression_genes_constant"] == 1
    assert view.loc["g0", "expr_fraction_expressed"] == 0
    again, _, _ = expression_features(frame, n_components=10, seed=1)
    np.testing.assert_array_equal(again.values, features.values)


@pytest.mark.parametrize("n_components", [10, 0])
def test_projection_puts_other_genes_in_the_same_space(tmp_path, n_components):
    """Genes projected later get the features they would have got in the fit itself."""
    rng = np.random.default_rng(2)
    frame = pd.DataFrame(
        rng.gamma(1.0, 2.0, size=(120, 30)),
        index=[f"g{i}" for i in range(120)],
        columns=[f"s{j}" for j in range(30)],
    )
    frame["s3"] = 1.0  # constant: dropped in the fit, ignored in the projection
    features, _, projection = expression_features(frame, n_components=n_components, seed=0)
    projection.to_npz(tmp_path / "projection.npz")
    saved = ExpressionProjection.from_npz(tmp_path / "projection.npz")
    assert "s3" not in saved.samples.tolist()
    # Other genes, their columns shuffled and one extra sample: order and extras do not matter.
    later = frame.iloc[:7].assign(extra=5.0)[["extra", *frame.columns[::-1]]]
    projected = project_expression(later, saved)
    assert projected.columns.tolist() == features.columns.tolist()
    np.testing.assert_allclose(projected.values, features.values[:7], rtol=1e-4, atol=1e-4)


def test_few_samples_keep_profiles_without_pca():
    frame = pd.DataFrame([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]], index=["a", "b"])
    features, report, _ = expression_features(frame, n_components=50)
    assert report["expression_pca_components"] == 0
    assert report["expression_samples_constant_dropped"] == 1  # the middle sample is flat
    assert features.values.shape == (2, 3 + 2)


def test_npz_round_trip(tmp_path, demo_proteins):
    features = sequence_features(dict(list(demo_proteins.items())[:10]))
    features.to_npz(tmp_path / "f.npz")
    again = FeatureMatrix.from_npz(tmp_path / "f.npz")
    np.testing.assert_array_equal(again.values, features.values)
    assert list(again.genes) == list(features.genes)
