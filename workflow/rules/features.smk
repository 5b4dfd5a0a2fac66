# The two views of each gene.


rule sequence_features:
    input:
        proteins=rules.prepare_sequences.output.proteins,
    output:
        features="results/features/sequence.npz",
    log:
        "logs/sequence_features.log",
    benchmark:
        "benchmarks/sequence_features.tsv"
    conda:
        "../../envs/gocotrain.yaml"
    resources:
        mem_mb=memory_mb(1000, 50),
        runtime=runtime_minutes(5, 1),
    script:
        "../scripts/run_step.py"


rule expression_features:
    input:
        expression=rules.prepare_expression.output.log_expression,
    output:
        features="results/features/expression.npz",
        report="results/features/expression_report.json",
        projection="results/features/expression_projection.npz",
    log:
        "logs/expression_features.log",
    benchmark:
        "benchmarks/expression_features.tsv"
    conda:
        "../../envs/gocotrain.yaml"
    resources:
        mem_mb=memory_mb(1000, 50),
        runtime=runtime_minutes(5, 1),
    params:
        n_components=config["expression_components"],
        seed=config["seed"],
    script:
        "../scripts/run_step.py"
