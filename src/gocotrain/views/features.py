"""The two views of a gene: features from its protein sequence and from its expression.

Sequence features are computed for the whole proteome at once with NumPy (bincount over
an integer-encoded concatenation) using Biopython's own property tables, because per-protein
ProtParam objects are slow on a whole proteome; tests check the values against ProtParam.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from Bio.Data import IUPACData
from Bio.SeqUtils import IsoelectricPoint, ProtParamData

from gocotrain.textio import atomic_write

AMINO_ACIDS = "ACDEFGHIKLMNPQRSTVWY"
OTHER = len(AMINO_ACIDS)  # code for B, Z, J, U, O, X
HELIX, TURN, SHEET = "EMALK", "NPGSD", "VIYFWLT"  # ProtParam's secondary_structure_fraction
WATER = 18.0153
# The views of a gene, in the order the two-view models take them; each view's score is
# exported as column ``score_<view>`` (`AspectScores.views`).
VIEWS = ("sequence", "expression")
# The view homology belongs to: a transferred score is shown as that view's score, the others
# as none.
HOMOLOGY_VIEW = "sequence"


@dataclass
class FeatureMatrix:
    """A gene × feature matrix with its row and column names, saved as .npz."""

    genes: np.ndarray
    columns: np.ndarray
    values: np.ndarray

    def to_npz(self, path: str | Path) -> None:
        # np.savez appends .npz unless the name already ends with it; write through a handle.
        with atomic_write(path, "wb") as handle:
            np.savez_compressed(handle, genes=self.genes, columns=self.columns, values=self.values)

    @classmethod
    def from_npz(cls, path: str | Path) -> FeatureMatrix:
        with np.load(path, allow_pickle=False) as data:
            return cls(data["genes"], data["columns"], data["values"])

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.values, index=self.genes, columns=self.columns)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> FeatureMatrix:
        return cls(
            np.asarray(frame.index, dtype=str),
            np.asarray(frame.columns, dtype=str),
            frame.to_numpy(dtype=np.float32),
        )


def _encode(proteins: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate proteins as codes 0..20 and return (codes, per-residue protein index)."""
    lookup = np.full(256, OTHER, dtype=np.int64)
    for code, letter in enumerate(AMINO_ACIDS):
        lookup[ord(letter)] = code
    joined = np.frombuffer("".join(proteins).encode("ascii"), dtype=np.uint8)
    lengths = np.array([len(protein) for protein in proteins])
    return lookup[joined], np.repeat(np.arange(len(proteins)), lengths)


def _residue_table(values: dict[str, float], default: float) -> np.ndarray:
    return np.array([values.get(letter, default) for letter in AMINO_ACIDS] + [default])


def _charge(counts: np.ndarray, nterm_pk: np.ndarray, cterm_pk: np.ndarray, ph):
    """Net charge at pH for every protein, as Bio.SeqUtils.IsoelectricPoint computes it."""
    ph = np.asarray(ph, dtype=float)
    positive = 1.0 / (10 ** (ph - nterm_pk) + 1.0)
    negative = -1.0 / (10 ** (cterm_pk - ph) + 1.0)
    for letter, pk in IsoelectricPoint.positive_pKs.items():
        if letter != "Nterm":
            positive = positive + counts[:, AMINO_ACIDS.index(letter)] / (10 ** (ph - pk) + 1)
    for letter, pk in IsoelectricPoint.negative_pKs.items():
        if letter != "Cterm":
            negative = negative - counts[:, AMINO_ACIDS.index(letter)] / (10 ** (pk - ph) + 1)
    return positive + negative


def _isoelectric_point(counts, nterm_pk, cterm_pk) -> np.ndarray:
    """Bisection for all proteins at once, over Biopython's interval and tolerance."""
    low = np.full(len(counts), 4.05)
    high = np.full(len(counts), 12.0)
    ph = np.full(len(counts), 7.775)
    for _ in range(40):  # (12 - 4.05) / 2**17 < 1e-4, Biopython's stopping width
        charge = _charge(counts, nterm_pk, cterm_pk, ph)
        active = high - low > 0.0001
        low = np.where(active & (charge > 0), ph, low)
        high = np.where(active & (charge <= 0), ph, high)
        ph = np.where(active, (low + high) / 2, ph)
    return ph


def sequence_features(proteins: dict[str, str]) -> FeatureMatrix:
    """Composition, length and physicochemical properties of each protein.

    No dipeptide composition: its 400 columns made a term's fit several times slower and,
    next to the homology features, did not raise held-out average precision on human GO
    terms (scripts/benchmark_term_cost.py; README, "Measured"). The dipeptides still give the
    instability index.
    """
    genes = list(proteins)
    sequences = [proteins[gene] for gene in genes]
    codes, owner = _encode(sequences)
    n_genes, n_letters = len(genes), OTHER + 1
    lengths = np.array([len(sequence) for sequence in sequences], dtype=float)
    counts = np.bincount(owner * n_letters + codes, minlength=n_genes * n_letters)
    counts = counts.reshape(n_genes, n_letters).astype(float)
    composition = counts / lengths[:, None]
    properties = {
        "log10_length": np.log10(lengths),
        "molecular_weight_kda": _molecular_weight(counts, lengths) / 1000,
        **_charge_properties(sequences, counts[:, :OTHER], lengths),
        "gravy": composition @ _residue_table(ProtParamData.kd, 0.0),
        "instability_index": _instability_index(codes, owner, lengths),
        **_fraction_properties(composition, counts[:, :OTHER], lengths),
    }
    columns = [f"aac_{letter}" for letter in AMINO_ACIDS] + list(properties)
    values = np.column_stack(
        [
            composition[:, :OTHER],
            *properties.values(),
        ]
    )
    return FeatureMatrix(np.array(genes, dtype=str), np.array(columns), values.astype(np.float32))


def _molecular_weight(counts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Each protein's average molecular weight in Da, as ProtParam's."""
    weights = _residue_table(IUPACData.protein_weights, 110.0)
    return counts @ weights - (lengths - 1) * WATER


def _instability_index(codes: np.ndarray, owner: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Guruprasad's instability index of each protein, from its dipeptide counts."""
    n_genes, n_letters = len(lengths), OTHER + 1
    same_protein = owner[1:] == owner[:-1]
    pair_codes = codes[:-1][same_protein] * n_letters + codes[1:][same_protein]
    pair_owner = owner[:-1][same_protein]
    pairs = (
        np.bincount(pair_owner * n_letters**2 + pair_codes, minlength=n_genes * n_letters**2)
        .reshape(n_genes, n_letters, n_letters)[:, :OTHER, :OTHER]
        .astype(float)
    )
    diwv = np.array([[ProtParamData.DIWV[a][b] for b in AMINO_ACIDS] for a in AMINO_ACIDS])
    return 10.0 / lengths * np.einsum("gab,ab->g", pairs, diwv)


def _charge_properties(
    sequences: list[str], standard_counts: np.ndarray, lengths: np.ndarray
) -> dict[str, np.ndarray]:
    """The isoelectric point and the net charge at pH 7 per residue of each protein, with
    the pK of its own terminal residues."""
    nterm_pk = np.array(
        [
            IsoelectricPoint.pKnterminal.get(sequence[0], IsoelectricPoint.positive_pKs["Nterm"])
            for sequence in sequences
        ]
    )
    cterm_pk = np.array(
        [
            IsoelectricPoint.pKcterminal.get(sequence[-1], IsoelectricPoint.negative_pKs["Cterm"])
            for sequence in sequences
        ]
    )
    return {
        "isoelectric_point": _isoelectric_point(standard_counts, nterm_pk, cterm_pk),
        "charge_ph7_per_residue": _charge(standard_counts, nterm_pk, cterm_pk, 7.0) / lengths,
    }


def _fraction_properties(
    composition: np.ndarray, standard_counts: np.ndarray, lengths: np.ndarray
) -> dict[str, np.ndarray]:
    """Aromaticity, ProtParam's secondary structure fractions, the extinction coefficient
    per residue and the share of non-standard residues."""

    def fraction(letters: str) -> np.ndarray:
        return composition[:, [AMINO_ACIDS.index(letter) for letter in letters]].sum(axis=1)

    column = AMINO_ACIDS.index
    extinction = standard_counts[:, column("W")] * 5500 + standard_counts[:, column("Y")] * 1490
    return {
        "aromaticity": fraction("FWY"),
        "helix_fraction": fraction(HELIX),
        "turn_fraction": fraction(TURN),
        "sheet_fraction": fraction(SHEET),
        "extinction_per_residue": extinction / lengths,
        "unknown_residue_fraction": composition[:, OTHER],
    }


@dataclass
class ExpressionProjection:
    """How expression features were made, so that new genes can be put in the same space.

    `samples` are the samples used (constant ones dropped), `mean` and `components` the
    PCA's centre and axes over the standardised profiles (empty when no PCA was made).
    """

    samples: np.ndarray
    mean: np.ndarray
    components: np.ndarray

    def to_npz(self, path: str | Path) -> None:
        with atomic_write(path, "wb") as handle:
            np.savez_compressed(
                handle, samples=self.samples, mean=self.mean, components=self.components
            )

    @classmethod
    def from_npz(cls, path: str | Path) -> ExpressionProjection:
        with np.load(path, allow_pickle=False) as data:
            return cls(data["samples"], data["mean"], data["components"])


def _standardised_profiles(values: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per gene over its measured samples: mean, SD, fraction expressed and the z-scored
    profile (zeros when flat). A missing value is the gene's mean: 0 in the profile, so it
    adds nothing to a correlation with another gene."""
    measured = ~np.isnan(values)
    filled = np.where(measured, values, 0.0)
    n_measured = np.maximum(measured.sum(axis=1), 1)
    mean = filled.sum(axis=1) / n_measured
    deviation = np.where(measured, values - mean[:, None], 0.0)
    sd = np.sqrt((deviation**2).sum(axis=1) / n_measured)
    expressed = (filled > 0).sum(axis=1) / n_measured
    flat = sd <= 1e-8
    profiles = np.zeros_like(values)
    profiles[~flat] = deviation[~flat] / sd[~flat, None]
    return mean, sd, expressed, flat, profiles


def _expression_frame(index, mean, sd, expressed, profiles, names) -> FeatureMatrix:
    summary = np.column_stack([mean, sd, expressed])
    frame = pd.DataFrame(
        np.column_stack([summary, profiles]),
        index=index,
        columns=["expr_mean", "expr_sd", "expr_fraction_expressed", *names],
    )
    return FeatureMatrix.from_frame(frame)


def expression_features(
    log_expression: pd.DataFrame, n_components: int = 50, seed: int = 0
) -> tuple[FeatureMatrix, dict, ExpressionProjection]:
    """Summaries and (optionally PCA-reduced) standardised profiles of log expression.

    Samples with no variance across genes carry no information and are dropped; genes with
    no variance across samples keep their summaries and get an all-zero profile. The
    projection returned applies the same transformation to other genes (`project_expression`).
    """
    values = log_expression.to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        sample_sd = np.nanstd(values, axis=0) if len(values) else np.zeros(values.shape[1])
    informative = np.nan_to_num(sample_sd) > 1e-8
    report = {
        "expression_samples_used": int(informative.sum()),
        "expression_samples_constant_dropped": int((~informative).sum()),
    }
    values = values[:, informative]
    samples = np.asarray(log_expression.columns[informative], dtype=str)
    mean, sd, expressed, flat, profiles = _standardised_profiles(values)
    report["expression_genes_constant"] = int(flat.sum())
    projection = ExpressionProjection(samples, np.zeros(0), np.zeros((0, len(samples))))
    if values.shape[1] > n_components > 0 and len(values) > n_components:
        # Imported here: scikit-learn takes about a second to import, which every small job
        # that reads a FeatureMatrix would pay.
        from sklearn.decomposition import PCA

        pca = PCA(n_components=n_components, svd_solver="randomized", random_state=seed)
        pca.fit(profiles)
        projection = ExpressionProjection(samples, pca.mean_, pca.components_)
        # Project rather than fit_transform: randomized SVD's U·S is not exactly X·Vᵀ, and
        # genes projected later (saved models) must land where the fitted genes did.
        profiles = (profiles - pca.mean_) @ pca.components_.T
        names = [f"expr_pc{index + 1}" for index in range(n_components)]
        report["expression_pca_components"] = n_components
        report["expression_pca_variance_explained"] = round(
            float(pca.explained_variance_ratio_.sum()), 4
        )
    else:
        names = [f"expr_sample_{name}" for name in samples]
        report["expression_pca_components"] = 0
    features = _expression_frame(log_expression.index, mean, sd, expressed, profiles, names)
    return features, report, projection


def project_expression(
    log_expression: pd.DataFrame, projection: ExpressionProjection
) -> FeatureMatrix:
    """Expression features of other genes in the space of a saved projection.

    `log_expression` must hold the projection's samples (others are ignored); the caller
    checks that and names the missing ones.
    """
    values = log_expression.loc[:, list(projection.samples)].to_numpy(dtype=float)
    mean, sd, expressed, _, profiles = _standardised_profiles(values)
    if len(projection.components):
        profiles = (profiles - projection.mean) @ projection.components.T
        names = [f"expr_pc{index + 1}" for index in range(len(projection.components))]
    else:
        names = [f"expr_sample_{name}" for name in projection.samples]
    return _expression_frame(log_expression.index, mean, sd, expressed, profiles, names)
