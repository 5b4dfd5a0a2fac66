# Predictions consistent with the GO hierarchy, in TSV, CAFA and GAF 2.2, and the run summary.


rule export_predictions:
    input:
        scores=expand("results/cotrain/{aspect}.npz", aspect=ASPECTS),
        cotrain_reports=expand("results/cotrain/{aspect}.json", aspect=ASPECTS),
        ontology=rules.prepare_ontology.output.ontology,
        ontology_report=rules.prepare_ontology.output.report,
        sequences_report=rules.prepare_sequences.output.report,
        expression_report=rules.prepare_expression.output.report,
        expression_features_report=rules.expression_features.output.report,
        labels_report=rules.prepare_labels.output.report,
        homology_report=rules.homology_search.output.report,
    output:
        predictions="results/predictions/predictions.tsv",
        cafa="results/predictions/predictions.cafa.tsv",
        gaf="results/predictions/predictions.gaf",
        summary_json="results/predictions/summary.json",
        summary_tsv="results/predictions/summary.tsv",
    log:
        "logs/export_predictions.log",
    conda:
        "../../envs/gocotrain.yaml"
    resources:
        mem_mb=memory_mb(1000, 20),
        runtime=runtime_minutes(5, 0.5),
    params:
        aspects=ASPECTS,
        min_score=config["min_score"],
        gaf_min_score=config["gaf_min_score"],
        gaf_db=config["gaf_db"],
        taxon=config["taxon"],
        gaf_reference=config["gaf_reference"],
        settings={
            key: config[key]
            for key in (
                "evidence_codes",
                "aspects",
                "min_positives",
                "seed",
                "homology",
                "cotraining",
            )
        },
    script:
        "../scripts/export_predictions.py"
