"""Evaluation code, never imported by the product: splits and targets, the baseline
methods, CAFA metrics, the own-frequency weights' choice, the what-changed report and the
report's pages and figures."""
