# Read, check and normalise each input once; later rules read only these results.


rule prepare_ontology:
    input:
        obo=config["ontology"],
    output:
        ontology="results/ontology/ontology.json",
        report="results/ontology/report.json",
    log:
        "logs/prepare_ontology.log",
    conda:
        "../../envs/gocotrain.yaml"
    resources:
        mem_mb=memory_mb(1000, 50),
        runtime=runtime_minutes(5, 0.5),
    script:
        "../scripts/prepare_ontology.py"


rule prepare_sequences:
    input:
        sequences=config["sequences"],
    output:
        proteins="results/sequences/proteins.fa",
        report="results/sequences/report.json",
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
        "../scripts/prepare_sequences.py"


rule prepare_expression:
    input:
        unpack(expression_inputs),
    output:
        expression="results/expression/log_expression.npz",
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
    script:
        "../scripts/prepare_expression.py"


rule prepare_labels:
    input:
        annotations=config["annotations"],
        ontology=rules.prepare_ontology.output.ontology,
        proteins=rules.prepare_sequences.output.proteins,
    output:
        labels="results/labels/labels.tsv",
        report="results/labels/report.json",
    log:
        "logs/prepare_labels.log",
    conda:
        "../../envs/gocotrain.yaml"
    resources:
        mem_mb=memory_mb(1000, 50),
        runtime=runtime_minutes(5, 0.5),
    params:
        evidence_codes=config["evidence_codes"],
        aspects=ASPECTS,
    script:
        "../scripts/prepare_labels.py"
