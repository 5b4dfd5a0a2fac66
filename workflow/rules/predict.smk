# `snakemake predict --config model=<saved model folder> sequences=... [expression=...]`:
# score new genes with a saved model, without retraining (results/predict/).


localrules:
    predict,


rule predict:
    input:
        predict_outputs,


rule predict_prepare_sequences:
    input:
        sequences=config["sequences"],
    output:
        proteins=f"{PREDICT_DIR}/proteins.fa",
        report=f"{PREDICT_DIR}/sequences_report.json",
        names=f"{PREDICT_DIR}/names.tsv",
    log:
        f"logs/{PREDICT_DIR}/prepare_sequences.log",
    conda:
        "../../envs/gocotrain.yaml"
    resources:
        mem_mb=memory_mb(1000, 50),
        runtime=runtime_minutes(5, 0.5),
    params:
        sequence_type=config["sequence_type"],
        genetic_code=config["genetic_code"],
        genbank_id_qualifiers=config["genbank_id_qualifiers"],
    script:
        "../scripts/run_step.py"


rule predict_new_genes:
    input:
        unpack(predict_inputs),
    output:
        **gaf_output(PREDICT_DIR),
        predictions=f"{PREDICT_DIR}/predictions.tsv",
        most_specific=f"{PREDICT_DIR}/predictions.most_specific.tsv",
        cafa=f"{PREDICT_DIR}/predictions.cafa.tsv",
        excel=f"{PREDICT_DIR}/predictions.summary.xlsx",
        summary_json=f"{PREDICT_DIR}/summary.json",
    log:
        f"logs/{PREDICT_DIR}/predict_new_genes.log",
    benchmark:
        f"benchmarks/{PREDICT_DIR}/predict_new_genes.tsv"
    conda:
        "../../envs/gocotrain.yaml"
    threads: config["threads"]
    resources:
        mem_mb=memory_mb(1000, 30),
        runtime=runtime_minutes(10, 2),
    params:
        model=config["model"],
        expression_kind=config["expression_kind"],
        min_score=config["export"]["min_score"],
        gaf_reference=config["export"]["gaf"]["citation"],
        gaf_assigned_by=config["export"]["gaf"]["assigned_by"],
        top_terms=config["export"]["summary_top_terms"],
    script:
        "../scripts/run_step.py"
