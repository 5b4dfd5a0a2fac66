# Co-training per GO aspect, split into `cotrain_batches` jobs of about equal expected cost
# (scatter/gather), so thousands of terms become tens of jobs on a cluster.


scattergather:
    cotrain=config["cotrain_batches"],


localrules:
    plan_cotraining,
    gather_cotraining,


rule plan_cotraining:
    input:
        labels=TEACHING.training_labels,
        sequence=rules.sequence_features.output.features,
    output:
        terms=in_release("cotrain/{aspect}/terms.tsv"),
    log:
        release_log("cotrain/{aspect}/plan.log"),
    wildcard_constraints:
        aspect="[PFC]",
    conda:
        "../../envs/gocotrain.yaml"
    params:
        min_positives=config["min_positives"],
        n_batches=len(scatter.cotrain("{scatteritem}")),
    script:
        "../scripts/run_step.py"


rule cotrain_batch:
    input:
        terms=rules.plan_cotraining.output.terms,
        sequence=rules.sequence_features.output.features,
        expression=rules.expression_features.output.features,
        labels=TEACHING.training_labels,
        hits=rules.homology_search.output.hits,
    output:
        scores=temp(in_release("cotrain/{aspect}/batch-{scatteritem}.npz")),
        report=temp(in_release("cotrain/{aspect}/batch-{scatteritem}.json")),
        models=temp(directory(in_release("cotrain/{aspect}/models-{scatteritem}"))),
    log:
        release_log("cotrain/{aspect}/batch-{scatteritem}.log"),
    benchmark:
        f"benchmarks/releases/{RELEASE}/cotrain/{{aspect}}/batch-{{scatteritem}}.tsv"
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
        "../scripts/run_step.py"


rule gather_cotraining:
    input:
        terms=rules.plan_cotraining.output.terms,
        batch_scores=gather.cotrain(
            in_release("cotrain/{{aspect}}/batch-{scatteritem}.npz")
        ),
        batch_reports=gather.cotrain(
            in_release("cotrain/{{aspect}}/batch-{scatteritem}.json")
        ),
    output:
        scores=in_release("cotrain/{aspect}.npz"),
        report=in_release("cotrain/{aspect}.json"),
    log:
        release_log("cotrain/{aspect}/gather.log"),
    wildcard_constraints:
        aspect="[PFC]",
    conda:
        "../../envs/gocotrain.yaml"
    script:
        "../scripts/run_step.py"
