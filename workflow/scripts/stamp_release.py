import _package  # noqa: F401

from gocotrain.steps import run_rule
from gocotrain.steps.inputs import stamp_release

run_rule(snakemake, stamp_release, stamp=snakemake.params.stamp, stamp_json=snakemake.output.stamp)
