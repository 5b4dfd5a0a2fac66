# All-against-all protein search: the hits give the sequence view its per-term homology
# features. They depend on the proteins only, so a new annotation release reuses them.


rule homology_search:
    input:
        proteins=rules.prepare_sequences.output.proteins,
    output:
        hits="results/homology/hits.tsv",
        report="results/homology/report.json",
    log:
        "logs/homology_search.log",
    benchmark:
        "benchmarks/homology_search.tsv"
    conda:
        "../../envs/gocotrain.yaml"
    threads: config["threads"]
    resources:
        mem_mb=memory_mb(1000, 20),
        runtime=runtime_minutes(10, 2),
    params:
        # Only what the search itself reads, so that rare_terms or neighbours rerun no search.
        settings={
            key: config["homology"][key] for key in ("engine", "diamond_sensitivity")
        },
    script:
        "../scripts/run_step.py"
