# Read, check and normalise each input once; later rules read only these results.
# Sequences and expression are shared by every release; the ontology and labels are not.


localrules:
    stamp_release,


rule stamp_release:
    input:
        ontology=config["ontology"] or [],
        annotations=config["annotations"] or [],
    output:
        stamp=in_release("release.json"),
    log:
        release_log("stamp_release.log"),
    conda:
        "../../envs/gocotrain.yaml"
    params:
        release=RELEASE_STAMP,
    script:
        "../scripts/run_step.py"


rule prepare_ontology:
    input:
        obo=config["ontology"] or [],
    output:
        ontology=in_release("ontology/ontology.json"),
        report=in_release("ontology/report.json"),
    log:
        release_log("prepare_ontology.log"),
    conda:
        "../../envs/gocotrain.yaml"
    resources:
        mem_mb=memory_mb(1000, 50),
        runtime=runtime_minutes(5, 0.5),
    script:
        "../scripts/run_step.py"


rule prepare_sequences:
    input:
        sequences=config["sequences"],
    output:
        proteins="results/sequences/proteins.fa",
        report="results/sequences/report.json",
        names="results/sequences/names.tsv",
    log:
        "logs/prepare_sequences.log",
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


rule prepare_expression:
    input:
        unpack(expression_inputs),
    output:
        log_expression="results/expression/log_expression.npz",
        report="results/expression/report.json",
    log:
        "logs/prepare_expression.log",
    conda:
        "../../envs/gocotrain.yaml"
    resources:
        mem_mb=memory_mb(1000, 50),
        runtime=runtime_minutes(5, 0.5),
    params:
        expression_kind=config["expression_kind"],
        min_share=config["expression_min_share"],
    script:
        "../scripts/run_step.py"


rule prepare_labels:
    input:
        annotations=config["annotations"] or [],
        ontology=rules.prepare_ontology.output.ontology,
        proteins=rules.prepare_sequences.output.proteins,
    output:
        labels=in_release("labels/labels.tsv"),
        report=in_release("labels/report.json"),
    log:
        release_log("prepare_labels.log"),
    conda:
        "../../envs/gocotrain.yaml"
    resources:
        mem_mb=memory_mb(1000, 50),
        runtime=runtime_minutes(5, 0.5),
    params:
        evidence_codes=config["evidence_codes"],
        aspects=ASPECTS,
    script:
        "../scripts/run_step.py"
