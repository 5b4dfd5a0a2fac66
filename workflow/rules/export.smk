# Predictions consistent with the GO hierarchy: TSV (all and most specific), CAFA, GAF 2.2 and
# an Excel summary, at per-aspect thresholds chosen on held-out genes; the saved model.


localrules:
    choose_thresholds,


rule choose_thresholds:
    input:
        unpack(threshold_inputs),
    output:
        # Copied into predictions/ by export_predictions: a run that stops before the
        # exports leaves no predictions/ file behind.
        thresholds=in_release("thresholds/thresholds.tsv"),
    log:
        release_log("choose_thresholds.log"),
    conda:
        "../../envs/gocotrain.yaml"
    params:
        aspects=ASPECTS,
        export_threshold=config["export"]["threshold"],
    script:
        "../scripts/run_step.py"


rule fit_teacher:
    input:
        **teacher_inputs(),
        # The evaluation's choice of the own term frequencies' weight (with a reference, the
        # teacher chooses it on the own labeled genes).
        prior_weights=(
            f"{EVALUATION_DIR}/prior_weights.tsv"
            if measured_thresholds() and TEACHING.chooses_prior_weights
            else []
        ),
    output:
        lessons=in_release("teacher.json"),
    log:
        release_log("fit_teacher.log"),
    conda:
        "../../envs/gocotrain.yaml"
    resources:
        mem_mb=memory_mb(1000, 20),
        runtime=runtime_minutes(5, 0.5),
    params:
        aspects=ASPECTS,
        settings=TEACHER_SETTINGS,
    script:
        "../scripts/run_step.py"


rule export_predictions:
    input:
        unpack(evaluation_summary_inputs),
        **teacher_inputs(),
        lessons=rules.fit_teacher.output.lessons,
        training_report=TEACHING.training_report,
        scores=expand(in_release("cotrain/{aspect}.npz"), aspect=ASPECTS),
        cotrain_reports=expand(in_release("cotrain/{aspect}.json"), aspect=ASPECTS),
        stamp=rules.stamp_release.output.stamp,
        thresholds=rules.choose_thresholds.output.thresholds,
        ontology=rules.prepare_ontology.output.ontology,
        ontology_report=rules.prepare_ontology.output.report,
        sequences_report=rules.prepare_sequences.output.report,
        expression_report=rules.prepare_expression.output.report,
        expression_features_report=rules.expression_features.output.report,
        labels_report=rules.prepare_labels.output.report,
        homology_report=rules.homology_search.output.report,
        names=rules.prepare_sequences.output.names,
    output:
        **gaf_output(PREDICTIONS_DIR),
        predictions=f"{PREDICTIONS_DIR}/predictions.tsv",
        most_specific=f"{PREDICTIONS_DIR}/predictions.most_specific.tsv",
        cafa=f"{PREDICTIONS_DIR}/predictions.cafa.tsv",
        excel=f"{PREDICTIONS_DIR}/predictions.summary.xlsx",
        summary_json=f"{PREDICTIONS_DIR}/summary.json",
        summary_tsv=f"{PREDICTIONS_DIR}/summary.tsv",
        exported_thresholds=f"{PREDICTIONS_DIR}/thresholds.tsv",
    log:
        release_log("export_predictions.log"),
    conda:
        "../../envs/gocotrain.yaml"
    resources:
        mem_mb=memory_mb(1000, 20),
        runtime=runtime_minutes(5, 0.5),
    params:
        aspects=ASPECTS,
        min_score=config["export"]["min_score"],
        gaf_db=config["export"]["gaf"]["db"],
        taxon=config["export"]["gaf"]["taxon"],
        gaf_reference=config["export"]["gaf"]["citation"],
        gaf_assigned_by=config["export"]["gaf"]["assigned_by"],
        top_terms=config["export"]["summary_top_terms"],
        settings=MODEL_SETTINGS,
    script:
        "../scripts/run_step.py"


rule save_model:
    input:
        stamp=rules.stamp_release.output.stamp,
        cotrain_reports=expand(in_release("cotrain/{aspect}.json"), aspect=ASPECTS),
        boosters=booster_folders,
        proteins=rules.prepare_sequences.output.proteins,
        labels=TEACHING.training_labels,
        labels_report=rules.prepare_labels.output.report,
        ontology=rules.prepare_ontology.output.ontology,
        projection=rules.expression_features.output.projection,
        sequence=rules.sequence_features.output.features,
        expression=rules.expression_features.output.features,
        thresholds=rules.choose_thresholds.output.thresholds,
        lessons=rules.fit_teacher.output.lessons,
    output:
        # The whole folder: a failed job leaves no model folder that looks saved.
        model=directory(in_release("model")),
    log:
        release_log("save_model.log"),
    conda:
        "../../envs/gocotrain.yaml"
    resources:
        mem_mb=memory_mb(1000, 10),
        runtime=runtime_minutes(5, 0.5),
    params:
        aspects=ASPECTS,
        gaf_db=config["export"]["gaf"]["db"],
        taxon=config["export"]["gaf"]["taxon"],
        settings=MODEL_SETTINGS,
        references=[{"key": key, **entry} for key, entry in REFERENCES.items()],
    script:
        "../scripts/run_step.py"
