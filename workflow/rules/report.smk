# Figures and tables for `snakemake --report`: the run itself, each gene's top predictions,
# the method comparison, and what changed since an earlier release. Each result has labels:
# the report lists a category's results as a table of them.


rule run_figures:
    input:
        cotrain_reports=expand(in_release("cotrain/{aspect}.json"), aspect=ASPECTS),
        summary=rules.export_predictions.output.summary_json,
    output:
        learning_curves=report(
            in_release("report/learning_curves.png"),
            category="Co-training",
            caption="../report/learning_curves.rst",
            labels={
                "result": "Held-out learning curves per round",
                "format": "figure",
            },
        ),
        feature_importance=report(
            in_release("report/feature_importance.png"),
            category="Co-training",
            caption="../report/feature_importance.rst",
            labels={"result": "Features each view relies on", "format": "figure"},
        ),
        data_summary=report(
            in_release("report/data_summary.html"),
            category="Data",
            caption="../report/data_summary.rst",
            labels={"result": "Genes, views and labels of the run", "format": "table"},
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
        "../scripts/run_step.py"


rule top_predictions_page:
    input:
        most_specific=rules.export_predictions.output.most_specific,
        thresholds=rules.export_predictions.output.exported_thresholds,
    output:
        page=report(
            in_release("report/top_predictions.html"),
            category="Predictions",
            caption="../report/top_predictions.rst",
            labels={
                "result": "Top predictions per gene, searchable",
                "format": "table",
            },
        ),
    log:
        release_log("report/top_predictions_page.log"),
    conda:
        "../../envs/gocotrain.yaml"
    resources:
        mem_mb=memory_mb(1000, 20),
        runtime=runtime_minutes(5, 0.5),
    params:
        top_terms=config["export"]["summary_top_terms"],
    script:
        "../scripts/run_step.py"


rule evaluation_figures:
    input:
        metrics=rules.evaluation_score.output.metrics,
        curves=rules.evaluation_score.output.curves,
        per_term=rules.evaluation_score.output.per_term,
        margins=rules.evaluation_score.output.margins,
    output:
        metrics_table=report(
            in_release("report/metrics.html"),
            category="Method comparison",
            caption="../report/metrics_table.rst",
            labels={"result": "Metrics per method and aspect", "format": "table"},
        ),
        metrics_figure=report(
            in_release("report/metrics.png"),
            category="Method comparison",
            caption="../report/metrics_figure.rst",
            labels={"result": "Fmax, Smin and AUPR per method", "format": "figure"},
        ),
        precision_recall=report(
            in_release("report/precision_recall.png"),
            category="Method comparison",
            caption="../report/precision_recall.rst",
            labels={
                "result": "Precision–recall curves per method",
                "format": "figure",
            },
        ),
        per_term_figure=report(
            in_release("report/per_term_aupr.png"),
            category="Method comparison",
            caption="../report/per_term.rst",
            labels={
                "result": "Per-term AUPR, co-training against supervised",
                "format": "figure",
            },
        ),
    log:
        release_log("report/evaluation_figures.log"),
    conda:
        "../../envs/gocotrain.yaml"
    resources:
        mem_mb=memory_mb(1000, 10),
        runtime=runtime_minutes(5, 0.5),
    script:
        "../scripts/run_step.py"


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
                labels={
                    "result": f"What changed since release {config['previous_release']}",
                    "format": "page",
                },
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
            "../scripts/run_step.py"
