# A new organism learns from annotated reference species (config `reference`): each
# reference's search database is built once per engine (DIAMOND or MMseqs2), keyed by its
# sequences' checksum, and reused by later runs and releases; the organism's proteins are
# searched against it with the run's engine, and its calibrated transfer teaches the
# two-view models (gocotrain.teaching.reference).


rule check_reference:
    input:
        sequences=lambda wildcards: reference_entry(wildcards.reference)["sequences"],
        annotations=lambda wildcards: reference_entry(wildcards.reference)[
            "annotations"
        ],
    output:
        report="results/reference/{reference}/inputs.json",
    log:
        "logs/reference/{reference}/check_reference.log",
    conda:
        "../../envs/gocotrain.yaml"
    resources:
        mem_mb=memory_mb(2000, 100),
        runtime=runtime_minutes(10, 1),
    params:
        evidence_codes=lambda wildcards: reference_entry(wildcards.reference)[
            "evidence_codes"
        ],
    script:
        "../scripts/run_step.py"


# The database the reference searches of this run read: its engine's.
REFERENCE_DATABASE = reference_database_path(
    "{reference}", config["homology"]["engine"]
)


rule reference_database:
    input:
        # Checked first; `ancient`: a new annotation file checked again (a new release)
        # never rebuilds the database its sequences made.
        checked=ancient("results/reference/{reference}/inputs.json"),
        sequences=lambda wildcards: reference_entry(wildcards.reference)["sequences"],
    output:
        database=directory("results/reference/{reference}/database-{engine}"),
        report="results/reference/{reference}/database-{engine}.json",
    log:
        "logs/reference/{reference}/reference_database-{engine}.log",
    benchmark:
        "benchmarks/reference/{reference}/reference_database-{engine}.tsv"
    wildcard_constraints:
        engine="|".join(homology.DATABASE_ENGINES),
    conda:
        "../../envs/gocotrain.yaml"
    threads: config["threads"]
    resources:
        mem_mb=memory_mb(2000, 5),
        runtime=runtime_minutes(10, 0.5),
    script:
        "../scripts/run_step.py"


# The reference proteins held out to check and calibrate the transfer; their folder names
# their number, so runs that hold out another number never overwrite each other's.
CHECK_DIR = f"check-{config['reference']['check_proteins']}"


rule reference_check_sample:
    input:
        sequences=lambda wildcards: reference_entry(wildcards.reference)["sequences"],
    output:
        check=f"results/reference/{{reference}}/{CHECK_DIR}/check.fa",
    log:
        f"logs/reference/{{reference}}/{CHECK_DIR}/reference_check_sample.log",
    conda:
        "../../envs/gocotrain.yaml"
    resources:
        mem_mb=memory_mb(1000, 5),
        runtime=runtime_minutes(5, 0.5),
    params:
        check_proteins=config["reference"]["check_proteins"],
    script:
        "../scripts/run_step.py"


rule reference_search:
    input:
        proteins=rules.prepare_sequences.output.proteins,
        database=REFERENCE_DATABASE,
    output:
        hits="results/reference/{reference}/hits.tsv",
    log:
        "logs/reference/{reference}/reference_search.log",
    benchmark:
        "benchmarks/reference/{reference}/reference_search.tsv"
    conda:
        "../../envs/gocotrain.yaml"
    threads: config["threads"]
    resources:
        mem_mb=memory_mb(2000, 20),
        runtime=runtime_minutes(30, 2),
    params:
        engine=config["homology"]["engine"],
        sensitivity=config["homology"]["diamond_sensitivity"],
    script:
        "../scripts/run_step.py"


rule reference_check_search:
    input:
        check=rules.reference_check_sample.output.check,
        database=REFERENCE_DATABASE,
    output:
        check_hits=f"results/reference/{{reference}}/{CHECK_DIR}/check_hits.tsv",
    log:
        f"logs/reference/{{reference}}/{CHECK_DIR}/reference_check_search.log",
    benchmark:
        f"benchmarks/reference/{{reference}}/{CHECK_DIR}/reference_check_search.tsv"
    conda:
        "../../envs/gocotrain.yaml"
    threads: config["threads"]
    resources:
        mem_mb=memory_mb(2000, 20),
        runtime=runtime_minutes(30, 2),
    params:
        engine=config["homology"]["engine"],
        sensitivity=config["homology"]["diamond_sensitivity"],
    script:
        "../scripts/run_step.py"


rule prepare_reference_labels:
    input:
        annotations=lambda wildcards: REFERENCES[wildcards.reference]["annotations"],
        ontology=rules.prepare_ontology.output.ontology,
        hits=rules.reference_search.output.hits,
        check_hits=rules.reference_check_search.output.check_hits,
    output:
        labels=in_release("reference/{reference}/labels.tsv"),
        report=in_release("reference/{reference}/report.json"),
    log:
        release_log("reference/{reference}/prepare_reference_labels.log"),
    conda:
        "../../envs/gocotrain.yaml"
    resources:
        mem_mb=memory_mb(2000, 100),
        runtime=runtime_minutes(10, 1),
    params:
        evidence_codes=lambda wildcards: REFERENCES[wildcards.reference][
            "evidence_codes"
        ],
        aspects=ASPECTS,
    script:
        "../scripts/run_step.py"


rule prepare_training_labels:
    input:
        own=rules.prepare_labels.output.labels,
        hits=expand(rules.reference_search.output.hits, reference=REFERENCES),
        check_hits=expand(
            rules.reference_check_search.output.check_hits, reference=REFERENCES
        ),
        reference_labels=expand(
            rules.prepare_reference_labels.output.labels, reference=REFERENCES
        ),
    output:
        labels=in_release("labels/training.tsv"),
        calibrations=in_release("labels/reference_calibrations.json"),
        report=in_release("labels/training_report.json"),
    log:
        release_log("prepare_training_labels.log"),
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
