import gzip
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "resources" / "demo"


@pytest.fixture(scope="session")
def demo() -> Path:
    return DEMO


@pytest.fixture(scope="session")
def demo_ontology():
    from gocotrain.ontology import read_obo

    return read_obo(DEMO / "go-basic.obo.gz")


@pytest.fixture(scope="session")
def demo_proteins() -> dict[str, str]:
    from gocotrain.sequences import read_sequences

    return read_sequences(DEMO / "proteins.fa.gz").proteins


def write(path: Path, text: str, compress: bool = False) -> Path:
    if compress:
        with gzip.open(path, "wt") as handle:
            handle.write(text)
    else:
        path.write_text(text)
    return path
