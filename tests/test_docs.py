"""Facts the docs state that can drift from the workflow: the paths of its results, the demo's
time, the config keys and names the README and the documentation site (docs/) name, the site
itself (built with --strict), its generated configuration page, and every shell command they
show (run as written, or marked with why not)."""

import ast
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import (
    PREDICTION_COLUMNS,
    RELEASE_DIR,
    ROOT,
    SCHEMA,
    demo_config,
    new_organism_config,
    snakemake,
)

README = ROOT / "README.md"
# The documentation site's pages (mkdocs.yml); configuration.md is generated from
# config/README.md and the schema (scripts/config_table.py), which are checked themselves.
PAGES = sorted((ROOT / "docs").glob("*.md"))
CONFIG_PAGE = ROOT / "docs" / "configuration.md"
MEASURED = ROOT / "docs" / "measured.md"
# Every doc a user reads: the README and the site's pages.
DOCS = [README, *PAGES]
# Names of files, not config keys, though `homology.smk` reads like a section's key.
FILE_NAME = re.compile(r".+\.(?:smk|py|json|tsv|yaml|html|gaf)")
# Every doc that names result paths; the schema's descriptions are config/README.md's source.
DOCS_WITH_PATHS = [
    README,
    *(page for page in PAGES if page != CONFIG_PAGE),
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
    """(folder, name) for the docs' listings of a results folder: the Outputs page's table
    (first column, a bare name beside a path is in that path's folder) and the evaluation's
    "Outputs, in `folder`:" paragraph."""
    text = "\n\n".join(doc.read_text() for doc in DOCS)
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
    assert not missing, f"listed in the docs but not planned by the workflow: {missing}"


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


def test_only_measured_and_the_quick_start_state_the_demo_time():
    """The demo's time is measured, with its date and command, on the Measured page (its Whole
    runs table), and the README's Quick start rounds it; the other docs point there instead of
    repeating a number that then goes stale."""
    demo_readme = (ROOT / "resources" / "README.md").read_text()
    repeated = DURATION.findall(demo_readme)
    assert not repeated, (
        f"resources/README.md repeats a demo time {repeated}: link Measured's Whole runs instead"
    )
    assert "../docs/measured.md#whole-runs" in demo_readme
    assert "\n## Whole runs\n" in MEASURED.read_text()  # the anchor it links to
    for doc in (ROOT / "config" / "README.md", ROOT / "config" / "config.yaml", SCHEMA):
        for unit in statements(doc):
            if re.search(r"\bdemo\b", unit):
                assert not DURATION.findall(unit), f"{doc.name}: {unit}"
    # The pages say more about the demo, with other durations (a job's, a test's seconds):
    # no sentence of theirs about the demo gives minutes or hours.
    for doc in (doc for doc in DOCS if doc not in (README, MEASURED)):
        for unit in statements(doc):
            for sentence in re.split(r"(?<=[.;])\s+", unit):
                if re.search(r"\bdemo\b", sentence):
                    stated = [
                        time
                        for time in DURATION.findall(sentence)
                        if re.search(r"(?:min|minutes?|h|hours?)$", time)
                    ]
                    assert not stated, f"{doc.name}: {sentence}"
    quick_start = README.read_text().split("## Quick start", 1)[1].split("\n## ", 1)[0]
    for unit in statements(README):
        if re.search(r"\bdemo\b", unit) and unit not in quick_start:
            assert not DURATION.findall(unit), f"README.md: {unit}"


def test_the_quick_start_rounds_the_measured_demo_time():
    quick = re.search(
        r"scripts/demo\.sh +#.*\(about (\d+) min on 2 cores, with the installing\)",
        README.read_text(),
    )
    measured = re.search(
        r"^\| demo .*?\| \d+ min \d+ s \((?:about )?(\d+) min(?: (\d+) s)? with the installing;",
        MEASURED.read_text(),
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


def doc_code_spans(docs: list[Path] = DOCS) -> list[str]:
    """The docs' `inline code`, a span broken over lines joined again; code blocks left out."""
    text = "\n\n".join(doc.read_text() for doc in docs)
    prose = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)  # fenced blocks, line by line
    return [" ".join(span.split()) for span in re.findall(r"`([^`]+)`", prose)]


def doc_config_keys(keys: set[str], docs: list[Path] = DOCS) -> list[str]:
    """Config keys the docs name in backticks: settings (`min_positives: 300`,
    `evaluation: {folds: 5}`) and section paths (`homology.neighbours`), as written."""
    sections = {key.split(".", 1)[0] for key in keys if "." in key}
    named = []
    for span in doc_code_spans(docs):
        dotted = re.fullmatch(r"[a-z_]+(?:\.[a-z_]+)+", span) and not FILE_NAME.fullmatch(span)
        if dotted and span.split(".")[0] in sections:
            named.append(span)
        elif re.fullmatch(r"[a-z_.]+: \S.*", span):
            setting = yaml.safe_load(span)
            if isinstance(setting, dict):
                named += flattened(setting)
    return named


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: doc.relative_to(ROOT).as_posix())
def test_every_config_key_the_docs_name_is_in_the_schema(doc):
    keys = schema_keys(yaml.safe_load(SCHEMA.read_text())["properties"])
    named = doc_config_keys(keys, [doc])
    # A setting written inside its section's prose (`protocol: time_split` under evaluation)
    # names the key within that section.
    unknown = [
        key for key in named if key not in keys and not any(k.endswith(f".{key}") for k in keys)
    ]
    assert not unknown, f"{doc.name} names config keys the schema does not have: {unknown}"


def test_the_docs_name_the_config_keys_they_explain():
    keys = schema_keys(yaml.safe_load(SCHEMA.read_text())["properties"])
    assert {"homology.neighbours", "min_positives", "evaluation.folds"} <= set(
        doc_config_keys(keys)
    )


def test_every_bare_snake_case_name_in_the_docs_exists():
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
        span for span in doc_code_spans() if re.fullmatch(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+", span)
    }
    assert {"min_positives", "score_sequence"} <= names
    unknown = sorted(
        name for name in names - leaves if not re.search(rf"\b{re.escape(name)}\b", code)
    )
    assert not unknown, f"the docs name what neither the schema nor the code has: {unknown}"


def test_the_outputs_page_lists_the_columns_of_the_predictions_in_order():
    page = (ROOT / "docs" / "outputs.md").read_text()
    table = page.split("## Columns of predictions.tsv", 1)[1].split("\n\n", 2)[2]
    rows = [line for line in table.split("\n\n", 1)[0].splitlines()[2:]]
    assert [re.match(r"\| `(\w+)` \|", row)[1] for row in rows] == PREDICTION_COLUMNS


def test_the_readme_is_read_in_five_minutes():
    assert len(README.read_text().splitlines()) <= 250, "move the detail to a page of docs/"


def test_the_configuration_page_is_generated_from_the_schema():
    """docs/configuration.md and config/README.md's table are what scripts/config_table.py
    writes from the schema: run it after changing either."""
    spec = importlib.util.spec_from_file_location("config_table", ROOT / "scripts/config_table.py")
    config_table = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(config_table)
    config_readme = (ROOT / "config" / "README.md").read_text()
    stale = "stale: run `python scripts/config_table.py`"
    assert config_table.readme(config_readme) == config_readme, f"config/README.md {stale}"
    assert CONFIG_PAGE.read_text() == config_table.page(config_readme), f"{CONFIG_PAGE} {stale}"


def test_the_site_builds_strict(tmp_path):
    """`mkdocs build --strict`: a broken link or anchor, or a page not in the navigation,
    fails the build."""
    nav = yaml.safe_load((ROOT / "mkdocs.yml").read_text().replace("!!", ""))["nav"]
    listed = set(re.findall(r"[\w-]+\.md", str(nav)))
    assert listed == {page.name for page in PAGES}, "every page of docs/ is in mkdocs.yml's nav"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": str(Path(sys.executable).parent)},
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "configuration" / "index.html").is_file()


# Every ```bash block of the README and docs/ is run as written by a test, or carries, on the
# line above it, one of these markers saying why not; each reason is checked against the block.
NOT_RUN = re.compile(r"<!-- not run (?:by the tests|as written): (.+?) -->")
RUN_ELSEWHERE = re.compile(r"<!-- run as written by (tests/\w+\.py) -->")
REASONS = {
    # what the block must show for the reason to hold
    "data not shipped": lambda block: "../" in block,
    "your own files": lambda block: any(
        not (ROOT / name).exists() for name in re.findall(r"[\w./-]+\.(?:yaml|gz|obo)\b", block)
    ),
    "downloads": lambda block: re.search(r"\b(?:wget|curl)\b", block),
    "a SLURM cluster": lambda block: re.search(r"profiles/slurm|\bsacct\b|\bsqueue\b", block),
    "the test suite itself": lambda block: (
        commands(block) == ["bash scripts/test.sh"]
        and "bash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()
    ),
    # run with other settings by another test, which names the page it stands for
    "the tests run": lambda block: True,
}
# The Quick start's two commands, which install into .venv/ themselves: test_quick_start.
QUICK_START = ["bash scripts/demo.sh", "bash scripts/test.sh"]


def commands(block: str) -> list[str]:
    """A block's commands, comments and continuation lines joined."""
    joined = re.sub(r"\\\n\s*", "", block)
    lines = (re.sub(r"\s+#\s.*$", "", line).strip() for line in joined.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def bash_blocks() -> list[tuple[str, str, str]]:
    """(doc, marker line or "", block) for every ```bash block of the README and the pages."""
    blocks = []
    for doc in DOCS:
        text = doc.read_text()
        for match in re.finditer(r"^```bash\n(.*?)^```", text, re.M | re.S):
            before = [line for line in text[: match.start()].splitlines() if line.strip()]
            marker = before[-1] if before and before[-1].startswith("<!--") else ""
            blocks.append((doc.relative_to(ROOT).as_posix(), marker, match[1]))
    return blocks


def blocks_run_here() -> list[str]:
    """The unmarked blocks test_docs_commands_run_as_written runs in a checkout that holds
    the demo run, each once, in the order the docs show them."""
    run = []
    for _, marker, block in bash_blocks():
        if not marker and commands(block) != QUICK_START[:1] and commands(block) != QUICK_START:
            run += [block] if block not in run else []
    return run


def test_every_command_of_the_docs_is_run_or_says_why_not():
    blocks = bash_blocks()
    assert len(blocks) > 20  # the pattern still finds them
    for doc, marker, block in blocks:
        where = f"{doc}: {block.splitlines()[0]}"
        if not marker:
            continue  # run by test_quick_start or test_docs_commands_run_as_written
        if elsewhere := RUN_ELSEWHERE.fullmatch(marker):
            test = ROOT / elsewhere[1]
            assert test.is_file() and doc in test.read_text(), f"{where}: {test} runs no {doc}"
            continue
        reason = NOT_RUN.fullmatch(marker)
        assert reason, f"{where}: unknown marker {marker!r}"
        kind = next((kind for kind in REASONS if reason[1].startswith(kind)), None)
        assert kind, f"{where}: say why not as one of {list(REASONS)}"
        assert REASONS[kind](block), f"{where}: the block does not show {kind!r}"
        if kind == "the tests run":
            test = re.search(r"tests/\w+\.py", reason[1])
            assert test and (ROOT / test[0]).is_file(), f"{where}: name the test that runs it"
    assert any(commands(block) == QUICK_START for _, _, block in blocks)
    assert len(blocks_run_here()) >= 4


@pytest.mark.workflow
def test_quick_start(demo_checkout):
    """The Quick start's commands: CI runs `bash scripts/test.sh` (.ci/run), and the demo's
    Snakemake command, as scripts/demo.sh runs it after installing, finds the demo run done
    (installing into .venv/ here would repoint the tests' own environment)."""
    assert "\nbash scripts/test.sh" in (ROOT / ".ci" / "run").read_text()
    script = (ROOT / "scripts" / "demo.sh").read_text()
    assert "\nbash scripts/setup.sh\n" in script
    command = re.search(r'^exec (\.venv/bin/snakemake .*) "\$@"$', script, re.M)[1]
    result = run_block(command, demo_checkout)
    assert "Nothing to be done" in result.stdout + result.stderr, result.stderr[-3000:]


def run_block(block: str, cwd: Path) -> subprocess.CompletedProcess:
    result = subprocess.run(
        ["bash", "-e", "-o", "pipefail", "-c", block],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, f"{block}\n{result.stdout[-2000:]}{result.stderr[-3000:]}"
    # The checkout holds the demo run: a command of it that starts jobs has drifted from it.
    assert "Job stats:" not in result.stdout + result.stderr, f"{block}\n{result.stderr[-3000:]}"
    return result


@pytest.fixture(scope="module")
def demo_checkout(demo_run, tmp_path_factory) -> Path:
    """A checkout of the repository in which the demo has run: config/config.yaml is the demo
    run's (the tests' settings), and the files the docs' examples name are there: a
    `my-genome.yaml` with that config (also run in `run1/`), and for `gocotrain evaluate` the
    ontology, the evaluation's truth and two methods' CAFA predictions."""
    checkout = tmp_path_factory.mktemp("checkout")
    for name in (
        *("Snakefile", "workflow", "src", "profiles", "resources", "scripts", "envs"),
        *("mkdocs.yml", "docs"),
    ):
        (checkout / name).symlink_to(ROOT / name)
    (checkout / ".venv").symlink_to(ROOT / ".venv")
    (checkout / "config").mkdir()
    for path in (ROOT / "config").iterdir():
        (checkout / "config" / path.name).symlink_to(path)
    (checkout / "config" / "config.yaml").unlink()
    for target in (checkout / "config" / "config.yaml", checkout / "my-genome.yaml"):
        shutil.copy(demo_run / "config.yaml", target)
    for workdir in (checkout, checkout / "run1"):
        for name in ("results", "logs", "benchmarks", ".snakemake"):
            shutil.copytree(demo_run / name, workdir / name, symlinks=True)
    evaluation = demo_run / RELEASE_DIR / "evaluation" / "cross_validation"
    shutil.copy(evaluation / "truth.tsv", checkout / "truth.tsv")
    shutil.copy(evaluation / "predictions/cotraining/fold0.tsv", checkout / "predictions.cafa.tsv")
    shutil.copy(evaluation / "predictions/homology/fold0.tsv", checkout / "other.tsv")
    subprocess.run(
        f"gunzip -c {ROOT / 'resources/demo/go-basic.obo.gz'} > go-basic.obo",
        shell=True,
        cwd=checkout,
        check=True,
    )
    return checkout


@pytest.mark.workflow
def test_docs_commands_run_as_written(demo_checkout):
    """Every unmarked block of the README and docs/ but the Quick start's, run as written
    (bash -e) in a checkout holding the demo run: each must succeed without starting a job."""
    for block in blocks_run_here():
        run_block(block, demo_checkout)
    assert (demo_checkout / "report.html").is_file()
