"""Rewrite the key table of config/README.md from workflow/schemas/config.schema.yaml.

Run after changing the schema: python scripts/config_table.py (tests/test_config.py checks
that the table lists every key with its default).
"""

import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "config" / "README.md"


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


def main() -> None:
    schema = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())
    header = ["| key | type | default | meaning |", "| --- | --- | --- | --- |"]
    table = "\n".join([*header, *rows(schema["properties"], schema.get("required", []))])
    text = README.read_text()
    pattern = re.compile(r"\| key \| type \| default \| meaning \|\n(\|.*\|\n)+")
    README.write_text(pattern.sub(table + "\n", text, count=1))


if __name__ == "__main__":
    main()
