# One co-training job per GO aspect, scoring every modelled term for the unlabeled genes.


rule cotrain:
    input:
        sequence=rules.sequence_features.output.features,
        expression=rules.expression_features.output.features,
        labels=rules.prepare_labels.output.labels,
        hits=rules.homology_search.output.hits,
    output:
        scores="results/cotrain/{aspect}.npz",
        report="results/cotrain/{aspect}.json",
    log:
        "logs/cotrain/{aspect}.log",
    benchmark:
        "benchmarks/cotrain/{aspect}.tsv"
    wildcard_constraints:
        aspect="[PFC]",
    conda:
        "../../envs/gocotrain.yaml"
    threads: workflow.cores
    resources:
        mem_mb=memory_mb(1000, 30),
    params:
        settings=config["cotraining"],
        min_positives=config["min_positives"],
        seed=config["seed"],
    script:
        "../scripts/cotrain.py"
