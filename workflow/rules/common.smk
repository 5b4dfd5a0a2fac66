import csv
import difflib
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import jsonschema
import yaml
from snakemake.utils import min_version, validate

# This checkout's folder, found from this file: `workflow.basedir` is the caller's when
# GOcotrain is used as a module of another workflow.
GOCOTRAIN_ROOT = Path(str(workflow.current_basedir)).resolve().parents[1]
sys.path.insert(0, str(GOCOTRAIN_ROOT / "src"))
from gocotrain import cluster  # noqa: E402
from gocotrain.views import homology  # noqa: E402
from gocotrain.inputs import releases  # noqa: E402
from gocotrain.errors import InputError  # noqa: E402
from gocotrain.inputs.ontology import ASPECT_NAMES  # noqa: E402
from gocotrain.resources import (
    cotrain_runtime,
    memory_mb,
    runtime_minutes,
)  # noqa: E402
from gocotrain.evaluation.splits import split_names  # noqa: E402

min_version("9.0")

INPUT_FILE_KEYS = (
    "sequences",
    "annotations",
    "annotations_new",
    "ontology",
    "expression",
    "id_map",
)
# What the what-changed report reads of an earlier release.
PREVIOUS_RELEASE_FILES = (
    "predictions/predictions.tsv",
    "predictions/thresholds.tsv",
    "labels/labels.tsv",
    "ontology/ontology.json",
)
SCHEMA = GOCOTRAIN_ROOT / "workflow" / "schemas" / "config.schema.yaml"
# The homology search's report, shared by every release: it names the engine that made it.
HOMOLOGY_REPORT = Path("results/homology/report.json")


def saved_models():
    """gocotrain.export.models, imported where a saved model is read: it loads scikit-learn
    and XGBoost, which would cost every start of the workflow (dry runs too) a second.
    """
    from gocotrain.export import models

    return models


def stop(message):
    """The one way the workflow stops before any job: a short message, exit status 1 (a
    WorkflowError would print a traceback-like frame list)."""
    print(f"GOcotrain: {message}", file=sys.stderr)
    sys.exit(1)


# Keys of earlier versions, each with what replaced it: a config that still has one is told
# what to write instead, rather than having the key ignored or refused as unknown.
REPLACED_KEYS = {
    (
        "gaf_min_score",
    ): "export.threshold (give the number there: export: {threshold: 0.5})",
    ("evaluation", "homology_neighbours"): "homology.neighbours (one setting for both)",
    ("evaluation", "min_score"): "export.min_score (one setting for both)",
    ("reference_settings",): (
        "reference.check_proteins and reference.label_precision, beside the species list "
        "(reference: {species: [...], check_proteins: ..., label_precision: ...})"
    ),
    ("export_threshold",): "export.threshold (export: {threshold: ...})",
    ("min_score",): "export.min_score (export: {min_score: ...})",
    (
        "summary_top_terms",
    ): "export.summary_top_terms (export: {summary_top_terms: ...})",
    ("gaf_reference",): "export.gaf.citation (export: {gaf: {citation: ...}})",
    ("gaf_db",): "export.gaf.db (export: {gaf: {db: ...}})",
    ("taxon",): "export.gaf.taxon (export: {gaf: {taxon: ...}})",
    ("gaf_assigned_by",): "export.gaf.assigned_by (export: {gaf: {assigned_by: ...}})",
}


def config_section(config, *path):
    """The config's section at `path` ({} where it is missing or not a section yet): read
    before the schema has checked the config's shape."""
    for key in path:
        config = config.get(key) if isinstance(config.get(key), dict) else {}
    return config


def reference_species(config):
    """The config's reference species (reference.species), [] where none or not a list."""
    species = config_section(config, "reference").get("species")
    return species if isinstance(species, list) else []


def learns(config):
    """Whether the run has labels to learn from (its own annotations or reference species)
    and the ontology; without, it scores with a saved model."""
    return bool(
        (config.get("annotations") or reference_species(config))
        and config.get("ontology")
    )


def replaced_key_problems(config):
    problems = []
    for path, replacement in REPLACED_KEYS.items():
        if path[-1] in config_section(config, *path[:-1]):
            problems.append(
                f"config {'.'.join(path)}: this key was replaced by {replacement}"
            )
    if isinstance(config.get("reference"), list):
        problems.append(
            "config reference: the species list moved to reference.species "
            "(reference: {species: [...]})"
        )
    for where, threshold in (
        ("export_threshold", config.get("export_threshold")),
        ("export.threshold", config_section(config, "export").get("threshold")),
    ):
        if threshold == "fixed":
            problems.append(
                f"config {where}: 'fixed' was replaced by the threshold itself "
                "(export: {threshold: 0.5})"
            )
    return problems


# What training needs beyond the sequences; scoring with a saved model (`model`) does not.
TRAINING_INPUTS = {
    "annotations": "the GO annotations to learn from",
    "ontology": "the GO ontology (go-basic.obo)",
    "expression": "the expression matrix",
}


def training_input_problems(config):
    if config.get("model"):
        return []
    return [
        f"config {key}: required to train ({what}); set it, or set model to score the "
        "sequences with a saved model"
        + (
            ", or give reference species (reference.species)"
            if key == "annotations"
            else ""
        )
        for key, what in TRAINING_INPUTS.items()
        if not config.get(key)
        and not (key == "annotations" and reference_species(config))
    ]


def reference_problems(config):
    """Each reference file that is missing, named by its place in the config."""
    problems = []
    for number, entry in enumerate(reference_species(config)):
        for key in ("sequences", "annotations"):
            path = entry.get(key) if isinstance(entry, dict) else None
            if isinstance(path, str) and not Path(path).is_file():
                problems.append(
                    f"config reference.species[{number}].{key}: the file {path!r} does not exist "
                    f"(paths are relative to the working directory {Path.cwd()}); fix the path"
                )
    return problems


def accepted(schema):
    """What a schema accepts, in words: 'fmax', a number from 0 to 1, ..."""
    if "enum" in schema:
        return " or ".join(repr(value) for value in schema["enum"])
    words = {"number": "a number", "integer": "a whole number", "string": "a text"}
    kinds = schema.get("type", "value")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    text = " or ".join(words.get(kind, kind) for kind in kinds)
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None:
        return f"{text} from {low} to {high}"
    if low is not None:
        return f"{text} of at least {low}"
    return text if high is None else f"{text} of at most {high}"


def config_problems(config, schema):
    """One line per problem, naming the key, instead of jsonschema's dump of the schema."""
    problems = replaced_key_problems(config)
    if problems:
        return problems
    problems = training_input_problems(config) + reference_problems(config)
    validator = jsonschema.Draft202012Validator(schema)
    for error in sorted(validator.iter_errors(config), key=lambda e: list(e.path)):
        where = ".".join(str(part) for part in error.path) or "top level"
        line = f"config {where}: {error.message}"
        if error.validator in ("oneOf", "anyOf"):
            line = (
                f"config {where}: {error.instance!r} is not a value it takes: "
                + " or ".join(accepted(part) for part in error.schema[error.validator])
            )
        if error.validator == "pattern":
            line += f"; the key takes: {error.schema['description']}"
        if error.validator == "additionalProperties":
            known = error.schema.get("properties", {})
            for key in set(error.instance) - set(known):
                close = difflib.get_close_matches(key, known, n=1)
                if close:
                    line += f" (did you mean {close[0]!r}?)"
        problems.append(line)
    gaf = config_section(config, "export", "gaf")
    if (
        gaf.get("citation")
        and reference_species(config)
        and not config.get("annotations")
        and not gaf.get("taxon")
    ):
        problems.append(
            "config export.gaf.taxon: a new organism's GAF needs its NCBI taxon (e.g. "
            "export: {gaf: {taxon: 'taxon:9606'}}); without own annotations there is no GAF "
            "to take it from, and every line would say taxon:1"
        )
    if "GO_REF:0000000" in str(gaf.get("citation")):
        problems.append(
            "config export.gaf.citation: GO_REF:0000000 is a placeholder, not a reference; set the "
            "GO_REF, PMID or DOI that describes how your annotations were made, or leave the "
            "key out to write no GAF"
        )
    for key in INPUT_FILE_KEYS:
        path = config.get(key)
        if isinstance(path, str) and Path(path).is_dir():
            problems.append(
                f"config {key}: {path!r} is a folder; give the file inside it"
            )
        elif isinstance(path, str) and not Path(path).is_file():
            problems.append(
                f"config {key}: the file {path!r} does not exist (paths are relative to the "
                f"working directory {Path.cwd()}); fix the path or pass --config {key}=PATH"
            )
    previous = config.get("previous_release")
    if isinstance(previous, str):
        for name in PREVIOUS_RELEASE_FILES:
            path = Path("results/releases", previous, name)
            if not path.is_file():
                problems.append(
                    f"config previous_release: {path} does not exist; run the workflow on "
                    f"release {previous!r} in this working directory first, or fix the label"
                )
                break
        if previous == config.get("release"):
            problems.append("config previous_release: it names this release itself")
    model = config.get("model")
    if isinstance(model, str) and not (Path(model) / "model.json").is_file():
        problems.append(
            f"config model: {model!r} is not a saved model folder (no model.json there); "
            "give a results/releases/<release>/model folder of an earlier run"
        )
    evaluation = config.get("evaluation")
    if isinstance(evaluation, dict):
        if evaluation.get("protocol") == "time_split" and not config.get(
            "annotations_new"
        ):
            problems.append(
                "config evaluation.protocol: time_split needs the newer annotations; set "
                "annotations_new to their file, or choose cross_validation"
            )
        if evaluation.get("protocol") == "date_split" and not config.get("annotations"):
            problems.append(
                "config evaluation.protocol: date_split needs the organism's own annotations "
                "with their dates (annotations: a GAF); set it, or choose another protocol"
            )
        folds, evaluated = evaluation.get("folds", 5), evaluation.get("folds_evaluated")
        if isinstance(folds, int) and isinstance(evaluated, int) and evaluated > folds:
            problems.append(
                f"config evaluation.folds_evaluated: {evaluated} is more than the {folds} "
                "folds; lower it or raise evaluation.folds"
            )
    return problems


def validate_config():
    evaluation = config.get("evaluation")
    if isinstance(evaluation, dict) and hasattr(
        evaluation.get("split_date"), "isoformat"
    ):
        evaluation["split_date"] = evaluation["split_date"].isoformat()  # a YAML date
    problems = config_problems(config, yaml.safe_load(SCHEMA.read_text()))
    if problems:
        stop(
            "the configuration has problems:\n  "
            + "\n  ".join(problems)
            + "\nFix them in config/config.yaml (or the --configfile you gave); "
            "config/README.md lists every key with its meaning and default."
        )
    model = config.get("model")
    if model and "expression_kind" not in config:
        # New genes' expression is read as the model's was, unless the config says otherwise.
        meta = saved_models().read_meta(model)
        config["expression_kind"] = meta["feature_definition"]["expression"]["kind"]
    validate(config, schema=str(SCHEMA))  # fills in the defaults
    homology_settings = config["homology"]
    asked = homology_settings["engine"]
    homology_settings["engine"], warning = homology.resolved_engine(asked)
    if warning:
        print(f"GOcotrain: {warning}", file=sys.stderr)
    if not model:  # a saved model searches with the engine it recorded
        problem = homology.engine_problem(
            homology_settings["engine"], bool(reference_species(config))
        ) or homology.engine_change(asked, homology_settings["engine"], HOMOLOGY_REPORT)
        if problem:
            stop(problem)


validate_config()


def check_date_split():
    """A date split's annotation file, before any job: its dates and the split date
    (gocotrain.evaluation.date_split)."""
    evaluation = config["evaluation"]
    if evaluation["protocol"] != "date_split" or config["model"]:
        return
    from gocotrain.inputs.annotations import read_annotations
    from gocotrain.evaluation.date_split import DateSplit

    split = DateSplit(evaluation["split_date"], evaluation["date_split_share"])
    try:
        found = read_annotations(config["annotations"])
        split.check_file(
            found, config["annotations"], config["evidence_codes"], ASPECTS
        )
    except InputError as error:
        stop(f"input error: {error}")


def release_stamp():
    """This run's release label and stamp; stop if the label already holds other data.

    Scoring with a saved model and nothing to train from: the model's release, no stamp.
    """
    if not learns(config):
        return saved_models().model_release(config["model"]), {}
    # The files are read (hashed) once: the automatic label is made from the stamp.
    try:
        stamp = releases.release_stamp(
            config["release"],
            config["ontology"],
            config["annotations"],
            [entry["annotations"] for entry in config["reference"]["species"]],
        )
    except InputError as error:
        stop(f"input error: {error}")
    stamp["homology_engine"] = config["homology"]["engine"]
    label = stamp["release"] = config["release"] or releases.automatic_label(stamp)
    existing = Path("results/releases", label, "release.json")
    if existing.is_file():
        conflict = releases.stamp_conflict(json.loads(existing.read_text()), stamp)
        if conflict:
            stop(f"{existing}: {conflict}.")
    return label, stamp


RELEASE, RELEASE_STAMP = release_stamp()
RELEASE_DIR = f"results/releases/{RELEASE}"
RELEASE_LOGS = f"logs/releases/{RELEASE}"


def in_release(path):
    """A path inside this release's results folder (wildcards kept)."""
    return f"{RELEASE_DIR}/{path}"


def release_log(path):
    return f"{RELEASE_LOGS}/{path}"


ASPECTS = config["aspects"]
check_date_split()
# Each reference species by the checksum of its sequences, which names its database folder.
REFERENCES = {
    releases.reference_key(entry["sequences"]): {
        "evidence_codes": config["evidence_codes"],
        **entry,
        # Absolute, as a saved model records them: predicting with it names the same input
        # files, so the reference's check does not run again (and, after it, Snakemake 9 would
        # stop without scoring: snakemake/snakemake#4166).
        "sequences": str(Path(entry["sequences"]).resolve()),
        "annotations": str(Path(entry["annotations"]).resolve()),
    }
    for entry in config["reference"]["species"]
}
# The references a saved model learned from: new genes are searched against them.
PREDICT_REFERENCES = {
    entry["key"]: entry
    for entry in (
        saved_models().references_of(config["model"]) if config["model"] else []
    )
}


def reference_database_path(reference, engine):
    """A reference's search database folder for `engine` (the rule reference_database)."""
    if engine not in homology.DATABASE_ENGINES:  # a run without reference: never read
        return f"results/reference/{reference}/no-database"
    return f"results/reference/{reference}/{homology.reference_database_name(engine)}"


def reference_entry(key):
    """The reference whose database folder is `key`: this run's, or a saved model's."""
    return {**REFERENCES, **PREDICT_REFERENCES}[key]


def teaching_plan():
    """Who teaches this organism, decided here once for the workflow (as `Teacher.of` does
    for the package): its own labels, or reference species beside them. The rules ask the
    plan, never the config. `training_labels`: what the two-view models learn from (and
    `training_labels_before_date` in a date split's evaluation);
    `label_precision`: a reference's (None: own labels teach); `chooses_prior_weights`: the
    evaluation chooses the own term frequencies' weight (a reference's teacher chooses it on
    the own labeled genes); `evaluates`: the organism has own labels to be evaluated on (a
    reference run is also checked on held-out reference proteins: `reference_outputs`);
    `report_intro`: the report's opening page.
    """
    if not REFERENCES:
        return SimpleNamespace(
            training_labels=in_release("labels/labels.tsv"),
            training_labels_before_date=in_release("labels/before_date.tsv"),
            label_precision=None,
            chooses_prior_weights=True,
            evaluates=True,
            training_report=[],
            reference_calibrations=[],
            reference_outputs=[],
            report_intro="workflow/report/workflow.rst",
        )
    return SimpleNamespace(
        training_labels=in_release("labels/training.tsv"),
        training_labels_before_date=in_release("labels/training_before_date.tsv"),
        label_precision=config["reference"]["label_precision"],
        chooses_prior_weights=False,
        evaluates=bool(config["annotations"]),
        training_report=[in_release("labels/training_report.json")],
        reference_calibrations=[in_release("labels/reference_calibrations.json")],
        reference_outputs=[in_release("evaluation/reference_check.tsv")],
        report_intro="workflow/report/workflow_new_organism.rst",
    )


TEACHING = teaching_plan()
# Every figure of the evaluation stands beside the naive baseline: it is always scored.
EVALUATION = config["evaluation"] | {
    "methods": list(dict.fromkeys(["naive", *config["evaluation"]["methods"]]))
}
EVALUATION_DIR = in_release(f"evaluation/{EVALUATION['protocol']}")
# The labels the evaluation trains on: a date split's stop at its date (the export's do not).
DATE_SPLIT = EVALUATION["protocol"] == "date_split"
EVALUATION_LABELS = in_release(
    "labels/before_date.tsv" if DATE_SPLIT else "labels/labels.tsv"
)
EVALUATION_SPLITS = (
    split_names(
        EVALUATION["protocol"], EVALUATION["folds"], EVALUATION["folds_evaluated"]
    )
    if TEACHING.evaluates
    else []
)


PREDICTIONS_DIR = in_release("predictions")
# Evaluation predictions by the digest of their inputs, shared by every run and release in
# this working directory: a part whose inputs did not change is read, not trained again.
EVALUATION_STORE = "results/cache/evaluation"
# The settings a run's predictions and saved model depend on (summary.json, model.json).
MODEL_SETTINGS = {
    key: config[key]
    for key in (
        "evidence_codes",
        "aspects",
        "min_positives",
        "seed",
        "homology",
        "cotraining",
        "expression_kind",
        "expression_components",
    )
}
# The settings that finish the scores (gocotrain.teaching.teacher.TeacherSettings).
TEACHER_SETTINGS = {
    "homology": config["homology"],
    "min_positives": config["min_positives"],
    "min_score": config["export"]["min_score"],
    "label_precision": TEACHING.label_precision,
}
CHANGES_DIR = (
    in_release(f"changes/since-{config['previous_release']}")
    if config["previous_release"]
    else None
)


def gaf_output(folder):
    """The GAF among a rule's outputs, only where the config cites a reference for it: a GAF
    with a made-up reference would be loaded into databases as if it had one."""
    return (
        {"gaf": f"{folder}/predictions.gaf"}
        if config["export"]["gaf"]["citation"]
        else {}
    )


def booster_folders(wildcards):
    """Every co-training batch's booster folder, of every aspect: save_model gathers them."""
    return [
        path
        for aspect in ASPECTS
        for path in gather.cotrain(
            in_release(f"cotrain/{aspect}/models-{{scatteritem}}")
        )
    ]


def final_outputs():
    outputs = [
        f"{PREDICTIONS_DIR}/{name}"
        for name in (
            "predictions.tsv",
            "predictions.most_specific.tsv",
            "predictions.cafa.tsv",
            "predictions.summary.xlsx",
            "thresholds.tsv",
            "summary.json",
            "summary.tsv",
        )
    ]
    outputs += list(gaf_output(PREDICTIONS_DIR).values())
    outputs += [
        in_release("model"),
        in_release("report/learning_curves.png"),
        in_release("report/feature_importance.png"),
        in_release("report/data_summary.html"),
        in_release("report/top_predictions.html"),
    ]
    if EVALUATION_SPLITS:
        outputs += [
            f"{EVALUATION_DIR}/metrics.tsv",
            in_release("report/metrics.html"),
            in_release("report/metrics.png"),
            in_release("report/precision_recall.png"),
            in_release("report/per_term_aupr.png"),
        ]
    outputs += TEACHING.reference_outputs
    if CHANGES_DIR:
        outputs.append(f"{CHANGES_DIR}/report.html")
    return outputs


def evaluation_label_inputs(wildcards):
    """The labels an evaluation reads: the newer release too for a time split; for a date
    split, those up to its date, and all of them as the newer."""
    inputs = {
        "labels": EVALUATION_LABELS,
        "ontology": in_release("ontology/ontology.json"),
    }
    if EVALUATION["protocol"] == "time_split":
        inputs["labels_new"] = in_release("labels/labels_new.tsv")
    if DATE_SPLIT:
        inputs["labels_new"] = in_release("labels/labels.tsv")
    return inputs


def teacher_inputs(evaluation=False):
    """What the teacher of a run's scores reads (gocotrain.steps.TeacherFiles): the
    organism's hits (its own search, then each reference's), its training labels, the
    references' labels and the reference transfer's calibrations. The evaluation's, with a
    date split, learns from the labels up to its date."""
    return {
        "teacher_hits": [
            rules.homology_search.output.hits,
            *expand("results/reference/{reference}/hits.tsv", reference=REFERENCES),
        ],
        "training_labels": (
            TEACHING.training_labels_before_date
            if evaluation and DATE_SPLIT
            else TEACHING.training_labels
        ),
        "reference_labels": expand(
            in_release("reference/{reference}/labels.tsv"), reference=REFERENCES
        ),
        "reference_calibrations": TEACHING.reference_calibrations,
    }


def threshold_inputs(wildcards):
    """The evaluation's metrics when the export thresholds are chosen on held-out genes."""
    if config["export"]["threshold"] == "fmax" and measured_thresholds():
        return {"metrics": f"{EVALUATION_DIR}/metrics.tsv"}
    return {}


def evaluation_summary_inputs(wildcards):
    """The evaluation's view signal and co-training's margins over the baselines for the run
    summary, where the evaluation runs anyway."""
    if threshold_inputs(wildcards):
        return {
            "view_signal": f"{EVALUATION_DIR}/view_signal.tsv",
            "margins": f"{EVALUATION_DIR}/margins.tsv",
        }
    return {}


def measured_thresholds():
    return bool(EVALUATION_SPLITS) and "cotraining" in EVALUATION["methods"]


def file_stem(path):
    name = Path(path).name
    for suffix in (".gz", ".fa", ".faa", ".fasta", ".fna", ".gb", ".gbk", ".gbff"):
        name = name.removesuffix(suffix)
    return name


PREDICT_DIR = (
    f"results/predict/{saved_models().model_release(config['model'])}/{file_stem(config['sequences'])}"
    if config["model"]
    else "results/predict/no-model"
)


def predict_outputs(wildcards):
    if not config["model"]:
        stop(
            "the predict target needs a saved model: snakemake predict --config "
            "model=results/releases/<release>/model sequences=NEW.fa [expression=NEW.tsv]"
        )
    return rules.predict_new_genes.output


def predict_inputs(wildcards):
    # The model is a parameter, not an input: as an input, Snakemake would see the rule that
    # made it, with this run's config, and retrain it from the new genes.
    inputs = {
        "proteins": rules.predict_prepare_sequences.output.proteins,
        "sequences_report": rules.predict_prepare_sequences.output.report,
        "names": rules.predict_prepare_sequences.output.names,
    }
    if config["expression"]:
        inputs["expression"] = config["expression"]
        inputs["sequences"] = config[
            "sequences"
        ]  # their headers' gene IDs may join them
    if config["id_map"]:
        inputs["id_map"] = config["id_map"]
    inputs["reference_databases"] = [
        reference_database_path(key, entry.get("engine", "diamond"))
        for key, entry in PREDICT_REFERENCES.items()
    ]
    return inputs


def expression_inputs(wildcards):
    inputs = {
        "expression": config["expression"] or [],
        "proteins": "results/sequences/proteins.fa",
        # Without an ID map, the gene IDs in the sequence headers may join the two.
        "sequences": config["sequences"],
    }
    if config["id_map"]:
        inputs["id_map"] = config["id_map"]
    return inputs


def closing_summary():
    """The last lines of a finished run: where its predictions are and what to expect of
    them (the thresholds and the precision measured there, genes predicted per aspect).
    """
    if config["model"]:
        if Path(PREDICT_DIR, "predictions.tsv").is_file():
            print(f"GOcotrain: new genes scored in {PREDICT_DIR}/", file=sys.stderr)
        elif PREDICT_REFERENCES:
            # Snakemake 9 can stop after a job whose output another takes as ancient()
            # (snakemake/snakemake#4166): the reference's check, where its files moved.
            print(
                "GOcotrain: the new genes are not scored yet; most likely the reference's "
                "check ran again (its files moved or changed since the model was saved) and "
                "Snakemake stopped after it: run the same command once more to score them.",
                file=sys.stderr,
            )
        return
    folder = Path(PREDICTIONS_DIR)
    if (
        not (folder / "summary.json").is_file()
        or not (folder / "thresholds.tsv").is_file()
    ):
        return
    aspects = json.loads((folder / "summary.json").read_text())["aspects"]
    with open(folder / "thresholds.tsv") as handle:
        thresholds = {
            row["aspect"]: row for row in csv.DictReader(handle, delimiter="\t")
        }
    lines = [
        f"GOcotrain: predictions of release {RELEASE} in {folder}/",
        "  predictions.tsv (every score), predictions.most_specific.tsv, "
        + ("predictions.gaf and " if gaf_output(folder) else "")
        + "predictions.summary.xlsx (above the thresholds), predictions.cafa.tsv",
    ]
    if not gaf_output(folder):
        lines.append(
            "  no GAF: set export.gaf.citation (and export.gaf.assigned_by) to write "
            "predictions.gaf"
        )
    for letter, row in thresholds.items():
        counts = aspects.get(ASPECT_NAMES[letter], {})
        expected = (
            f"expected precision {float(row['expected_precision']):.2f}"
            if row["expected_precision"]
            else "precision not measured"
        )
        lines.append(
            f"  {ASPECT_NAMES[letter]}: threshold {float(row['threshold']):g} ({expected}); "
            f"{counts.get('genes_predicted', 0)} genes with {counts.get('predictions', 0)} "
            "scored terms"
        )
    lines.append(f"  saved model: {in_release('model')}/")
    lines += reference_check_lines()
    lines += evaluation_reuse_lines()
    print("\n".join(lines), file=sys.stderr)


def reference_check_lines():
    """Where a run that learned from a reference was checked, and what the check reads."""
    paths = [Path(path) for path in TEACHING.reference_outputs if Path(path).is_file()]
    if not paths:
        return []
    path = paths[0]
    with open(path) as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    fmax = ", ".join(
        f"{row['aspect']} {float(row['fmax']):.2f}"
        for row in rows
        if row["method"] == "reference_transfer"
    )
    return [
        f"  reference check: {path} (held-out reference proteins; the transfer's Fmax "
        f"{fmax}: an upper bound for a distant organism, see the README)"
    ]


def evaluation_reuse_lines():
    """What the evaluation trained and what it read from EVALUATION_STORE."""
    trained, reused = [], 0
    for method in EVALUATION["methods"]:
        for split in EVALUATION_SPLITS:
            path = Path(EVALUATION_DIR, "predictions", method, f"{split}.json")
            if not path.is_file():
                continue
            for aspect, part in json.loads(path.read_text()).items():
                if part["reused"]:
                    reused += 1
                else:
                    trained.append(f"{method} {split} {aspect}")
    if not reused:
        return []
    return [
        f"  evaluation: {reused} method x split x aspect parts reused from earlier runs with "
        f"the same inputs ({EVALUATION_STORE}/); trained again: "
        + (", ".join(trained) if trained else "none")
    ]


def stop_if_jobs_cannot_be_scheduled():
    """On SLURM, before the first submission: stop naming each rule whose jobs ask for more
    CPUs or memory than the largest node has (such a job would wait in the queue forever).
    """
    plugin = workflow.executor_plugin
    if plugin is None or plugin.name != "slurm":
        return
    limits = cluster.slurm_node_limits()
    if limits is None:
        return
    jobs = [
        (job.rule.name, job.threads, job.resources.get("mem_mb"))
        for job in workflow.dag.needrun_jobs()
        if not job.is_local
    ]
    problems = cluster.unschedulable(jobs, limits)
    if problems:
        stop(
            "jobs no node of this cluster can run (nothing was submitted):\n  "
            + "\n  ".join(problems)
        )
