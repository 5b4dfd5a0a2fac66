"""Facts the docs state that can drift from the workflow: the paths of its results, the demo's
time and the config keys the README names."""

import ast
import re
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, SCHEMA, demo_config, new_organism_config, snakemake

README = ROOT / "README.md"
# Names of files, not config keys, though `homology.smk` reads like a section's key.
FILE_NAME = re.compile(r".+\.(?:smk|py|json|tsv|yaml|html|gaf)")
# Every doc that names result paths; the schema's descriptions are config/README.md's source.
DOCS_WITH_PATHS = [
    README,
    ROOT / "config" / "README.md",
    ROOT / "config" / "config.yaml",
    ROOT / "resources" / "README.md",
    SCHEMA,
]
# A path segment: letters and placeholders such as <release>, <model release> or <aspect>.
SEGMENT = r"(?:[\w.-]|<[^<>/`]+>)+"
RESULT_PATH = re.compile(rf"results/(?:{SEGMENT}(?:/{SEGMENT})*/?)?")
RELATIVE_PATH = re.compile(rf"{SEGMENT}(?:/{SEGMENT})*/?")
PLACEHOLDER = re.compile(r"(<[^<>/`]+>)")
# The README's "Rerun with a new release" example: a new release and the one before it.
EXAMPLE_RELEASE, EXAMPLE_PREVIOUS = "2024-06", "2024-01"
# A stated duration: "about 4 minutes", "2–3 min", "3 min 52 s", "1.5 h".
DURATION = re.compile(
    r"\b\d+(?:[.,]\d+)?(?:\s*[–-]\s*\d+)?\s*(?:minutes?|min|hours?|h|seconds?|s)\b"
)


def planned_outputs_of(dry_run_stdout: str) -> set[str]:
    """The output files of every job a dry run lists."""
    outputs = set()
    for line in dry_run_stdout.splitlines():
        if line.strip().startswith("output: "):
            outputs |= {path.strip() for path in line.split("output: ", 1)[1].split(",")}
    return outputs


def stub_earlier_runs(workdir: Path) -> Path:
    """What a dry run with previous_release and a saved model checks for, before any job: the
    earlier release's files and the model's model.json (read for its release label only)."""
    common = (ROOT / "workflow" / "rules" / "common.smk").read_text()
    files = re.search(r"^PREVIOUS_RELEASE_FILES = (\(.*?\))", common, re.M | re.S)[1]
    for name in ast.literal_eval(files):
        path = workdir / "results" / "releases" / EXAMPLE_PREVIOUS / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    model = workdir / "saved-model"
    model.mkdir()
    (model / "model.json").write_text('{"release": {"release": "2022-09"}}')
    return model


@pytest.fixture(scope="module")
def planned_outputs(tmp_path_factory) -> set[str]:
    """Every result the docs can name: the demo's run, and the README's rerun example (a new
    release with what changed since the previous one) with the predict target."""
    workdir = tmp_path_factory.mktemp("planned")
    config = demo_config(workdir)
    demo = snakemake(workdir, config, "--dry-run", "--cores", "1")
    assert demo.returncode == 0, (demo.stdout + demo.stderr)[-3000:]
    model = stub_earlier_runs(workdir)
    rerun = snakemake(
        workdir,
        config,
        "--dry-run",
        "--cores",
        "1",
        "all",
        "predict",
        "--config",
        f"release={EXAMPLE_RELEASE}",
        f"previous_release={EXAMPLE_PREVIOUS}",
        f"model={model}",
    )
    assert rerun.returncode == 0, (rerun.stdout + rerun.stderr)[-3000:]
    # The store the evaluation reads earlier runs' predictions from is written beside the
    # jobs' outputs, not as one.
    common = (ROOT / "workflow" / "rules" / "common.smk").read_text()
    store = re.search(r'^EVALUATION_STORE = "([^"]+)"', common, re.M)[1]
    new_organism = snakemake(workdir, new_organism_config(workdir), "--dry-run", "--cores", "1")
    assert new_organism.returncode == 0, (new_organism.stdout + new_organism.stderr)[-3000:]
    planned = planned_outputs_of(demo.stdout) | planned_outputs_of(rerun.stdout)
    return planned | planned_outputs_of(new_organism.stdout) | {store}


def documented_pattern(path: str) -> re.Pattern:
    """A documented path as a pattern: placeholders match one segment, and the path matches
    the file itself or, as a folder, anything under it."""
    return re.compile(rf"{exact_pattern(path)}(?:/.+)?")


def exact_pattern(path: str) -> str:
    """A documented path as a regex of itself alone; placeholders match one segment."""
    parts = PLACEHOLDER.split(path.rstrip("/"))
    return "".join("[^/]+" if PLACEHOLDER.fullmatch(part) else re.escape(part) for part in parts)


def documented_result_paths() -> list[tuple[str, str]]:
    """(doc, path) for every results/ path the docs name, with a sentence's full stop cut off."""
    return [
        (path.relative_to(ROOT).as_posix(), match.rstrip("."))
        for path in DOCS_WITH_PATHS
        for match in RESULT_PATH.findall(path.read_text())
    ]


def readme_listings() -> list[tuple[str, str]]:
    """(folder, name) for the README's listings of a results folder: the Outputs table (first
    column, a bare name beside a path is in that path's folder) and the evaluation's
    "Outputs, in `folder`:" paragraph."""
    text = README.read_text()
    listed = []
    table = text.split("In `results/releases/<release>/`:", 1)[1].split("\n\n", 2)[1]
    for row in table.splitlines()[2:]:
        folder = "results/releases/<release>"
        for name in re.findall(r"`([^`]+)`", row.split("|")[1]):
            listed.append((folder, name))
            folder = f"{folder}/{name.rsplit('/', 1)[0]}" if "/" in name.rstrip("/") else folder
    folder, paragraph = re.search(r"Outputs, in `([^`]+)`:(.*?)\n\n", text, re.S).groups()
    listed += [
        (folder.rstrip("/"), name)
        for name in re.findall(r"`([^`]+)`", paragraph)
        if RELATIVE_PATH.fullmatch(name) and "." in name
    ]
    return listed


@pytest.mark.workflow
def test_every_documented_result_path_is_one_the_workflow_writes(planned_outputs):
    documented = documented_result_paths()
    assert len(documented) > 20  # the pattern still finds the docs' paths
    missing = [(doc, path) for doc, path in documented if not written(path, planned_outputs)]
    assert not missing, f"documented but not planned by the workflow: {missing}"


def written(path: str, planned_outputs: set[str]) -> bool:
    """A documented path is written when it matches a planned output (itself or a file under
    it), or when a folder above it is one (a job's directory output, as the model folder)."""
    if any(documented_pattern(path).fullmatch(out) for out in planned_outputs):
        return True
    parts = path.rstrip("/").split("/")
    folders = ("/".join(parts[:end]) for end in range(len(parts) - 1, 1, -1))
    return any(
        re.fullmatch(exact_pattern(folder), out) for folder in folders for out in planned_outputs
    )


@pytest.mark.workflow
def test_every_file_the_readme_lists_in_a_results_folder_is_written(planned_outputs):
    listed = readme_listings()
    assert len(listed) > 10
    missing = [
        f"{folder}/{name}"
        for folder, name in listed
        if not any(documented_pattern(f"{folder}/{name}").fullmatch(out) for out in planned_outputs)
    ]
    assert not missing, f"listed in the README but not planned by the workflow: {missing}"


def test_a_documented_path_matches_only_its_own_results():
    pattern = documented_pattern("results/releases/<release>/evaluation/<protocol>/")
    assert pattern.fullmatch("results/releases/2022-09/evaluation/cross_validation/metrics.tsv")
    assert not pattern.fullmatch("results/evaluation/cross_validation/metrics.tsv")
    assert not documented_pattern("results/evaluation/").fullmatch(
        "results/releases/2022-09/evaluation/cross_validation/metrics.tsv"
    )


def statements(path: Path) -> list[str]:
    """The units a doc states a fact in: a Markdown paragraph or table row, a YAML comment
    block, a schema key's description."""
    text = path.read_text()
    if path == SCHEMA:
        return re.findall(r"description: (.+)", text)
    if path.suffix == ".yaml":
        return re.findall(r"(?:^#.*\n)+", text, re.M)
    return [
        unit
        for block in re.split(r"\n\s*\n", text)
        for unit in (block.splitlines() if block.lstrip().startswith("|") else [block])
    ]


def test_only_the_readme_states_the_demo_time():
    """The demo's time is measured in the README (its Whole runs table, which the Quick start
    rounds); the other docs point there instead of repeating a number that then goes stale."""
    demo_readme = (ROOT / "resources" / "README.md").read_text()
    repeated = DURATION.findall(demo_readme)
    assert not repeated, (
        f"resources/README.md repeats a demo time {repeated}: link the README's Whole runs instead"
    )
    assert "../README.md#whole-runs" in demo_readme
    assert "\n### Whole runs\n" in README.read_text()  # the anchor it links to
    for doc in (ROOT / "config" / "README.md", ROOT / "config" / "config.yaml", SCHEMA):
        for unit in statements(doc):
            if re.search(r"\bdemo\b", unit):
                assert not DURATION.findall(unit), f"{doc.name}: {unit}"


def test_the_quick_start_rounds_the_measured_demo_time():
    text = README.read_text()
    quick = re.search(
        r"scripts/demo\.sh +#.*\(about (\d+) min on 2 cores, with the installing\)", text
    )
    measured = re.search(
        r"^\| demo .*?\| \d+ min \d+ s \((?:about )?(\d+) min(?: (\d+) s)? with the installing;",
        text,
        re.M,
    )
    assert quick and measured, "the Quick start's or the Whole runs table's demo time moved"
    minutes = int(measured[1]) + int(measured[2] or 0) / 60
    assert int(quick[1]) == round(minutes), (quick[0], measured[0])


def schema_keys(properties: dict, prefix: str = "") -> set[str]:
    keys = set()
    for key, spec in properties.items():
        keys.add(prefix + key)
        keys |= schema_keys(spec.get("properties", {}), f"{prefix}{key}.")
    return keys


def flattened(mapping: dict, prefix: str = "") -> list[str]:
    keys = []
    for key, value in mapping.items():
        keys.append(f"{prefix}{key}")
        if isinstance(value, dict):
            keys += flattened(value, f"{prefix}{key}.")
    return keys


def readme_code_spans() -> list[str]:
    """The README's `inline code`, a span broken over lines joined again; code blocks left out."""
    prose = re.sub(r"```.*?```", "", README.read_text(), flags=re.S)
    return [" ".join(span.split()) for span in re.findall(r"`([^`]+)`", prose)]


def readme_config_keys(keys: set[str]) -> list[str]:
    """Config keys the README names in backticks: settings (`min_positives: 300`,
    `evaluation: {folds: 5}`) and section paths (`homology.neighbours`), as written."""
    sections = {key.split(".", 1)[0] for key in keys if "." in key}
    named = []
    for span in readme_code_spans():
        dotted = re.fullmatch(r"[a-z_]+(?:\.[a-z_]+)+", span) and not FILE_NAME.fullmatch(span)
        if dotted and span.split(".")[0] in sections:
            named.append(span)
        elif re.fullmatch(r"[a-z_.]+: \S.*", span):
            setting = yaml.safe_load(span)
            if isinstance(setting, dict):
                named += flattened(setting)
    return named


def test_every_config_key_the_readme_names_is_in_the_schema():
    keys = schema_keys(yaml.safe_load(SCHEMA.read_text())["properties"])
    named = readme_config_keys(keys)
    assert {"homology.neighbours", "min_positives", "evaluation.folds"} <= set(named)
    # A setting written inside its section's prose (`protocol: time_split` under evaluation)
    # names the key within that section.
    unknown = [
        key for key in named if key not in keys and not any(k.endswith(f".{key}") for k in keys)
    ]
    assert not unknown, f"README names config keys the schema does not have: {unknown}"


def test_every_bare_snake_case_name_in_the_readme_exists():
    """A bare `name` in backticks may be a config key or a column, rule or function name; it
    must be one of them: a key of the schema, or a word of the code, rules or profiles."""
    keys = schema_keys(yaml.safe_load(SCHEMA.read_text())["properties"])
    leaves = {key.rsplit(".", 1)[-1] for key in keys}
    code = "\n".join(
        path.read_text()
        for folder in ("src", "workflow", "profiles")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in {".py", ".smk", ".yaml"}
    )
    names = {
        span for span in readme_code_spans() if re.fullmatch(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+", span)
    }
    assert {"min_positives", "score_sequence"} <= names
    unknown = sorted(
        name for name in names - leaves if not re.search(rf"\b{re.escape(name)}\b", code)
    )
    assert not unknown, f"README names what neither the schema nor the code has: {unknown}"
