# GOcotrain: predict GO functions of unannotated genes by co-training a sequence view
# and an expression view. The rules live in workflow/rules; the logic in src/gocotrain.
# No config file is read by default: a run uses the one it is given (--configfile) and the
# schema's defaults, never the demo's (config/config.yaml, which scripts/demo.sh passes).


include: "workflow/rules/common.smk"


# The report's opening page: the mode's own (teaching_plan).
report: TEACHING.report_intro


include: "workflow/rules/inputs.smk"
include: "workflow/rules/features.smk"
include: "workflow/rules/homology.smk"
include: "workflow/rules/reference.smk"
include: "workflow/rules/cotrain.smk"
include: "workflow/rules/export.smk"
include: "workflow/rules/evaluation.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/predict.smk"


rule all:
    default_target: True
    input:
        final_outputs(),


onstart:
    stop_if_jobs_cannot_be_scheduled()


onsuccess:
    closing_summary()
