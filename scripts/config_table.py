"""Rewrite the key table of config/README.md from workflow/schemas/config.schema.yaml, and the
documentation site's configuration reference (docs/configuration.md) from config/README.md.

Run after changing the schema or config/README.md: python scripts/config_table.py
(tests/test_config.py checks that the table lists every key with its default, and
tests/test_docs.py that docs/configuration.md is what this writes).
"""

import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "config" / "README.md"
PAGE = ROOT / "docs" / "configuration.md"


def kind(spec: dict) -> str:
    if "oneOf" in spec:
        return " or ".join(kind(option) for option in spec["oneOf"])
    if "enum" in spec:
        return f"{spec['type']}: {', '.join(map(str, spec['enum']))}"
    if spec.get("type") == "array" and "enum" in spec.get("items", {}):
        return "list of " + ", ".join(spec["items"]["enum"])
    if isinstance(spec.get("type"), list):
        return " or ".join(spec["type"])
    return spec.get("type", "")


def rows(properties: dict, required: list[str], prefix: str = ""):
    for key, spec in properties.items():
        if key in required:
            default = "required"
        elif spec.get("type") == "object":
            default = "{}"
        else:
            default = f"`{json.dumps(spec['default'])}`"
        yield f"| `{prefix}{key}` | {kind(spec)} | {default} | {spec['description']} |"
        if spec.get("type") == "object":
            yield from rows(spec["properties"], [], f"{prefix}{key}.")


def readme(text: str) -> str:
    """config/README.md's text with its key table rendered from the schema."""
    schema = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())
    header = ["| key | type | default | meaning |", "| --- | --- | --- | --- |"]
    table = "\n".join([*header, *rows(schema["properties"], schema.get("required", []))])
    pattern = re.compile(r"\| key \| type \| default \| meaning \|\n(\|.*\|\n)+")
    return pattern.sub(lambda _: table + "\n", text, count=1)


def page(readme_text: str) -> str:
    """The documentation site's configuration reference: config/README.md, titled for the
    site, with a placeholder such as <release> outside `code` written so HTML shows it."""
    body = readme_text.split("\n", 1)[1]
    parts = re.split(r"(`[^`]*`)", body)
    body = "".join(
        part if part.startswith("`") else part.replace("<", "&lt;").replace(">", "&gt;")
        for part in parts
    )
    note = (
        "<!-- Generated from config/README.md and workflow/schemas/config.schema.yaml by "
        "`python scripts/config_table.py`: edit those, not this page. -->\n"
    )
    return f"# Configuration reference\n\n{note}{body}"


def main() -> None:
    text = readme(README.read_text())
    README.write_text(text)
    PAGE.write_text(page(text))


if __name__ == "__main__":
    main()
