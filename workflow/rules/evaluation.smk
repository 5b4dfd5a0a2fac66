# Every method trained and scored on the same held-out genes (config `evaluation`).


rule prepare_labels_new:
    input:
        annotations=config["annotations_new"] or [],
        ontology=rules.prepare_ontology.output.ontology,
        proteins=rules.prepare_sequences.output.proteins,
    output:
        labels=in_release("labels/labels_new.tsv"),
        report=in_release("labels/report_new.json"),
    log:
        release_log("prepare_labels_new.log"),
    conda:
        "../../envs/gocotrain.yaml"
    resources:
        mem_mb=memory_mb(1000, 50),
        runtime=runtime_minutes(5, 0.5),
    params:
        evidence_codes=config["evidence_codes"],
        aspects=ASPECTS,
    script:
        "../scripts/run_step.py"


# A date split's training labels: the annotations dated up to its date (evaluation.split_date).
rule prepare_labels_before_date:
    input:
        annotations=config["annotations"] or [],
        ontology=rules.prepare_ontology.output.ontology,
        proteins=rules.prepare_sequences.output.proteins,
    output:
        labels=in_release("labels/before_date.tsv"),
        report=in_release("labels/report_before_date.json"),
    log:
        release_log("prepare_labels_before_date.log"),
    conda:
        "../../envs/gocotrain.yaml"
    resources:
        mem_mb=memory_mb(1000, 100),
        runtime=runtime_minutes(5, 1),
    params:
        evidence_codes=config["evidence_codes"],
        aspects=ASPECTS,
        split_date=EVALUATION["split_date"],
        date_split_share=EVALUATION["date_split_share"],
    script:
        "../scripts/run_step.py"


# With a reference, a date split's training labels are taught as the export's are.
rule prepare_training_labels_before_date:
    input:
        own=rules.prepare_labels_before_date.output.labels,
        hits=expand(rules.reference_search.output.hits, reference=REFERENCES),
        check_hits=expand(
            rules.reference_check_search.output.check_hits, reference=REFERENCES
        ),
        reference_labels=expand(
            rules.prepare_reference_labels.output.labels, reference=REFERENCES
        ),
    output:
        labels=in_release("labels/training_before_date.tsv"),
        calibrations=in_release("labels/reference_calibrations_before_date.json"),
        report=in_release("labels/training_before_date_report.json"),
    log:
        release_log("prepare_training_labels_before_date.log"),
    conda:
        "../../envs/gocotrain.yaml"
    resources:
        mem_mb=memory_mb(2000, 100),
        runtime=runtime_minutes(10, 1),
    params:
        aspects=ASPECTS,
        neighbours=config["homology"]["neighbours"],
        label_precision=config["reference"]["label_precision"],
    script:
        "../scripts/run_step.py"


rule evaluation_targets:
    input:
        unpack(evaluation_label_inputs),
    output:
        targets=f"{EVALUATION_DIR}/targets.tsv",
    log:
        release_log("evaluation/targets.log"),
    conda:
        "../../envs/gocotrain.yaml"
    resources:
        mem_mb=memory_mb(1000, 20),
        runtime=runtime_minutes(5, 0.5),
    params:
        protocol=EVALUATION["protocol"],
        aspects=ASPECTS,
        folds=EVALUATION["folds"],
        folds_evaluated=EVALUATION["folds_evaluated"],
        seed=config["seed"],
        least_annotated_share=EVALUATION["least_annotated_share"],
    script:
        "../scripts/run_step.py"


rule evaluation_predict:
    input:
        **teacher_inputs(evaluation=True),
        labels=EVALUATION_LABELS,
        targets=rules.evaluation_targets.output.targets,
        sequence=rules.sequence_features.output.features,
        expression=rules.expression_features.output.features,
        hits=rules.homology_search.output.hits,
    output:
        predictions=f"{EVALUATION_DIR}/predictions/{{method}}/{{split}}.tsv",
        # Per aspect: trained, or reused from EVALUATION_STORE (same inputs as before).
        record=f"{EVALUATION_DIR}/predictions/{{method}}/{{split}}.json",
        # The model's scores and the transfer apart, which evaluation_score blends again by
        # each weight it tries (empty for a method that blends nothing).
        blend_parts=f"{EVALUATION_DIR}/predictions/{{method}}/{{split}}.blend.npz",
    log:
        release_log(f"evaluation/{EVALUATION['protocol']}/{{method}}/{{split}}.log"),
    benchmark:
        f"benchmarks/releases/{RELEASE}/evaluation/{EVALUATION['protocol']}/{{method}}/{{split}}.tsv"
    wildcard_constraints:
        method="|".join(EVALUATION["methods"]),
        split="|".join(EVALUATION_SPLITS) or "none",
    conda:
        "../../envs/gocotrain.yaml"
    threads: config["threads"]
    resources:
        mem_mb=memory_mb(1000, 30),
        runtime=runtime_minutes(15, 2),
    params:
        protocol=EVALUATION["protocol"],
        aspects=ASPECTS,
        settings={"cotraining": config["cotraining"], **TEACHER_SETTINGS},
        seed=config["seed"],
        store=EVALUATION_STORE,
    script:
        "../scripts/run_step.py"


rule evaluation_score:
    input:
        unpack(evaluation_label_inputs),
        predictions=expand(
            f"{EVALUATION_DIR}/predictions/{{method}}/{{split}}.tsv",
            method=EVALUATION["methods"],
            split=EVALUATION_SPLITS,
        ),
        blend_parts=expand(
            f"{EVALUATION_DIR}/predictions/{{method}}/{{split}}.blend.npz",
            method=EVALUATION["methods"],
            split=EVALUATION_SPLITS,
        ),
        targets=rules.evaluation_targets.output.targets,
    output:
        metrics=report(
            f"{EVALUATION_DIR}/metrics.tsv",
            category="Method comparison",
            caption="../report/metrics_tsv.rst",
            labels={
                "result": "Metrics per method and aspect, every column",
                "format": "TSV",
            },
        ),
        curves=f"{EVALUATION_DIR}/precision_recall.tsv",
        per_term=f"{EVALUATION_DIR}/per_term.tsv",
        truth=f"{EVALUATION_DIR}/truth.tsv",
        view_signal=f"{EVALUATION_DIR}/view_signal.tsv",
        prior_weights=f"{EVALUATION_DIR}/prior_weights.tsv",
        margins=f"{EVALUATION_DIR}/margins.tsv",
    log:
        release_log("evaluation/score.log"),
    benchmark:
        f"benchmarks/releases/{RELEASE}/evaluation/score.tsv"
    conda:
        "../../envs/gocotrain.yaml"
    resources:
        mem_mb=memory_mb(2000, 50),
        runtime=runtime_minutes(10, 0.5),
    params:
        protocol=EVALUATION["protocol"],
        methods=EVALUATION["methods"],
        splits=EVALUATION_SPLITS,
        # With a reference, the teacher mixed the own term frequencies in already.
        choose_prior_weights=TEACHING.chooses_prior_weights,
        min_score=TEACHER_SETTINGS["min_score"],
    script:
        "../scripts/run_step.py"


rule evaluation_reference_check:
    input:
        check_hits=expand(
            rules.reference_check_search.output.check_hits, reference=REFERENCES
        ),
        reference_labels=expand(
            rules.prepare_reference_labels.output.labels, reference=REFERENCES
        ),
        calibrations=rules.prepare_training_labels.output.calibrations,
        ontology=rules.prepare_ontology.output.ontology,
    output:
        metrics=report(
            in_release("evaluation/reference_check.tsv"),
            category="Method comparison",
            caption="../report/reference_check.rst",
            labels={
                "result": "Reference check: held-out reference proteins",
                "format": "TSV",
            },
        ),
    log:
        release_log("evaluation/reference_check.log"),
    conda:
        "../../envs/gocotrain.yaml"
    resources:
        mem_mb=memory_mb(2000, 50),
        runtime=runtime_minutes(10, 1),
    params:
        aspects=ASPECTS,
        neighbours=config["homology"]["neighbours"],
    script:
        "../scripts/run_step.py"
