"""Compile the bytecode of the modules a GOcotrain run imports, and only those.

`scripts/setup.sh` installs a run's packages without bytecode and then runs this: compiling
every module of every package (pip's default) wrote 189 MB of bytecode, most of it for test
suites and parts of SciPy, scikit-learn and pandas that no job imports; a run's imports take
about 65 MB. Bytecode is still needed where PYTHONDONTWRITEBYTECODE is set (CI, containers):
without it every job compiles its imports anew. A module missed here is compiled at import, as
Python does by default (and kept where it may write). The list was checked by running the
demo with bytecode writes allowed after this script: every module that then got bytecode is
listed below.
"""

import importlib
import pkgutil
import sys

import matplotlib

sys.dont_write_bytecode = False  # whatever PYTHONDONTWRITEBYTECODE says: this is the point
matplotlib.use("Agg")

import gocotrain  # noqa: E402  (after the backend is chosen)

# What the workflow's jobs and Snakemake import beyond the package's own modules: the modules
# imported inside functions (only where they run) and Snakemake's own at run and report time.
RUN_IMPORTS = [
    "snakemake.cli",
    "snakemake.api",
    "snakemake.workflow",
    "snakemake.script",
    "snakemake.report.html_reporter",
    "snakemake.benchmark",
    "snakemake_executor_plugin_slurm",
    "nbformat",  # Snakemake reads notebooks' format when it builds the workflow
    "matplotlib.pyplot",
    "matplotlib.backends.backend_agg",
    "PIL.Image",
    "PIL.features",
    "PIL.BmpImagePlugin",
    "PIL.GifImagePlugin",
    "PIL.JpegImagePlugin",
    "PIL.PpmImagePlugin",
    "openpyxl",
    "openpyxl.packaging.extended",
    "pandas.io.excel._openpyxl",
    "pandas.io.formats.excel",
    "pandas.io.formats.csvs",
    "pandas.core.reshape.reshape",
    "sklearn.decomposition",
    "sklearn.isotonic",
    "sklearn.metrics",
    "sklearn.model_selection",
    "sklearn.semi_supervised",
    "Bio.SeqIO",
    "pyswrd",
    "xgboost",
]

for module in pkgutil.walk_packages(gocotrain.__path__, "gocotrain."):
    importlib.import_module(module.name)
for name in RUN_IMPORTS:
    importlib.import_module(name)
