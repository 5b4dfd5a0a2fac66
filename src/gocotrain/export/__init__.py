"""What a run exports: the predictions table (`predictions`), its files (`formats`), the
export thresholds (`targets`), the saved model (`models`) and scoring new genes with it
(`predict`)."""
