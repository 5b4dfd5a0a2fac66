"""Put this workflow's own gocotrain package first on the import path.

Rule scripts import it before gocotrain so that the code run is the code of this checkout,
also inside a `--sdm conda` environment where only the dependencies are installed.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
