# Figures and tables for `snakemake --report`: the run itself, the method comparison, and what
# changed since an earlier release.


rule run_figures:
    input:
        cotrain_reports=expand(in_release("cotrain/{aspect}.json"), aspect=ASPECTS),
        summary=rules.export_predictions.output.summary_json,
    output:
        learning_curves=report(
            in_release("report/learning_curves.png"),
            category="Co-training",
            caption="../report/learning_curves.rst",
        ),
        feature_importance=report(
            in_release("report/feature_importance.png"),
            category="Co-training",
            caption="../report/feature_importance.rst",
        ),
        data_summary=report(
            in_release("report/data_summary.html"),
            category="Data",
            caption="../report/data_summary.rst",
        ),
    log:
        release_log("report/run_figures.log"),
    conda:
        "../../envs/gocotrain.yaml"
    resources:
        mem_mb=memory_mb(1000, 10),
        runtime=runtime_minutes(5, 0.5),
    params:
        aspects=ASPECTS,
    script:
        "../scripts/run_figures.py"


rule evaluation_figures:
    input:
        metrics=rules.evaluation_score.output.metrics,
        curves=rules.evaluation_score.output.curves,
        per_term=rules.evaluation_score.output.per_term,
    output:
        metrics_table=report(
            in_release("report/metrics.html"),
            category="Method comparison",
            caption="../report/metrics_table.rst",
        ),
        metrics_figure=report(
            in_release("report/metrics.png"),
            category="Method comparison",
            caption="../report/metrics_figure.rst",
        ),
        precision_recall=report(
            in_release("report/precision_recall.png"),
            category="Method comparison",
            caption="../report/precision_recall.rst",
        ),
        per_term=report(
            in_release("report/per_term_aupr.png"),
            category="Method comparison",
            caption="../report/per_term.rst",
        ),
    log:
        release_log("report/evaluation_figures.log"),
    conda:
        "../../envs/gocotrain.yaml"
    resources:
        mem_mb=memory_mb(1000, 10),
        runtime=runtime_minutes(5, 0.5),
    script:
        "../scripts/evaluation_figures.py"


# What changed since an earlier release (config `previous_release`).
if CHANGES_DIR:

    rule report_changes:
        input:
            **{
                f"previous_{key}": f"results/releases/{config['previous_release']}/{name}"
                for key, name in zip(
                    ("predictions", "thresholds", "labels", "ontology"),
                    PREVIOUS_RELEASE_FILES,
                )
            },
            labels=rules.prepare_labels.output.labels,
            ontology=rules.prepare_ontology.output.ontology,
            stamp=rules.stamp_release.output.stamp,
        output:
            summary=f"{CHANGES_DIR}/summary.json",
            confirmed=f"{CHANGES_DIR}/confirmed.tsv",
            newly_labeled=f"{CHANGES_DIR}/newly_labeled.tsv",
            terms_changed=f"{CHANGES_DIR}/terms_changed.tsv",
            obsolete_predictions=f"{CHANGES_DIR}/obsolete_predictions.tsv",
            html=report(
                f"{CHANGES_DIR}/report.html",
                category="What changed",
                caption="../report/changes.rst",
            ),
        log:
            release_log("report_changes.log"),
        conda:
            "../../envs/gocotrain.yaml"
        resources:
            mem_mb=memory_mb(1000, 20),
            runtime=runtime_minutes(5, 0.5),
        params:
            aspects=ASPECTS,
        script:
            "../scripts/report_changes.py"
