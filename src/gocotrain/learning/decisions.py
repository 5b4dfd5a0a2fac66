"""What a term's model chose on its held-out genes: co-training, or the same two views
trained on the labels alone (`CoTrainingClassifier`'s ``decision_``).

Apart from the estimator so that reading a run's reports and scores never imports
scikit-learn or XGBoost: a workflow job that only plans, gathers or exports starts in a
fraction of the time.
"""

COTRAINING = "cotraining"
SUPERVISED = "supervised"
