"""Every rule's script: run the step named as the rule (`gocotrain.steps.run_rule`)."""

import _package  # noqa: F401

from gocotrain.steps import run_rule

run_rule(snakemake)
