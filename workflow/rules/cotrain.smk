# Co-training per GO aspect, split into `cotrain_batches` jobs of about equal expected cost
# (scatter/gather), so thousands of terms become tens of jobs on a cluster.


scattergather:
    cotrain=config["cotrain_batches"],


localrules:
    plan_cotraining,
    gather_cotraining,


rule plan_cotraining:
    input:
        labels=rules.prepare_labels.output.labels,
        sequence=rules.sequence_features.output.features,
    output:
        terms="results/cotrain/{aspect}/terms.tsv",
    log:
        "logs/cotrain/{aspect}/plan.log",
    wildcard_constraints:
        aspect="[PFC]",
    conda:
        "../../envs/gocotrain.yaml"
    params:
        min_positives=config["min_positives"],
    script:
        "../scripts/plan_cotraining.py"


rule cotrain_batch:
    input:
        terms=rules.plan_cotraining.output.terms,
        sequence=rules.sequence_features.output.features,
        expression=rules.expression_features.output.features,
        labels=rules.prepare_labels.output.labels,
        hits=rules.homology_search.output.hits,
    output:
        scores=temp("results/cotrain/{aspect}/batch-{scatteritem}.npz"),
        report=temp("results/cotrain/{aspect}/batch-{scatteritem}.json"),
    log:
        "logs/cotrain/{aspect}/batch-{scatteritem}.log",
    benchmark:
        "benchmarks/cotrain/{aspect}/batch-{scatteritem}.tsv"
    wildcard_constraints:
        aspect="[PFC]",
    conda:
        "../../envs/gocotrain.yaml"
    threads: config["threads"]
    resources:
        mem_mb=memory_mb(1000, 30),
        runtime=cotrain_runtime,
    params:
        settings=config["cotraining"],
        min_positives=config["min_positives"],
        seed=config["seed"],
    script:
        "../scripts/cotrain_batch.py"


rule gather_cotraining:
    input:
        terms=rules.plan_cotraining.output.terms,
        scores=gather.cotrain("results/cotrain/{{aspect}}/batch-{scatteritem}.npz"),
        reports=gather.cotrain("results/cotrain/{{aspect}}/batch-{scatteritem}.json"),
    output:
        scores="results/cotrain/{aspect}.npz",
        report="results/cotrain/{aspect}.json",
    log:
        "logs/cotrain/{aspect}/gather.log",
    wildcard_constraints:
        aspect="[PFC]",
    conda:
        "../../envs/gocotrain.yaml"
    script:
        "../scripts/gather_cotraining.py"
