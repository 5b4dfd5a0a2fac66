"""The evaluation's methods by name, in the order tables and figures show them.

Apart from the methods themselves (`methods`, built on scikit-learn) so that the jobs that
only score, choose thresholds or draw the report start without scikit-learn and XGBoost.
"""

from __future__ import annotations

BASELINES = ("naive", "multifunctionality", "blast", "homology")
# The learned methods (`methods.LEARNERS`, whose keys these are).
LEARNER_NAMES = (
    "sequence_only",
    "expression_only",
    "concatenated",
    "two_view_supervised",
    "self_training",
    "cotraining",
)
# The learned methods that, like the product, leave the terms too rare to model to homology
# transfer (expression_only reads no sequence, so it does not).
TRANSFERS_RARE_TERMS = frozenset(LEARNER_NAMES) - {"expression_only"}
# Every method the evaluation can compare, in the order tables and figures show them.
METHODS = (*BASELINES, *LEARNER_NAMES)
# The method whose scores the run exports.
PRODUCT_METHOD = "cotraining"
# The baselines every genome already has, which a prediction must beat to be worth reading.
GENOME_BASELINES = ("naive", "blast", "homology")


def in_method_order(methods) -> list[str]:
    """`methods` in METHODS' order, any other after them, sorted."""
    known = [method for method in METHODS if method in set(methods)]
    return known + sorted(set(methods) - set(known))
