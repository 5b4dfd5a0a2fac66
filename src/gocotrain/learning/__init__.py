"""Co-training and the per-term path: the estimator (`cotraining`, its view learners and
sampling), one term's model (`term_model`), an aspect's terms (`terms`) and their batches
(`batches`)."""
