"""What a cluster's nodes offer, and the jobs none of them can run."""

from gocotrain.cluster import NodeLimits, unschedulable


def test_jobs_above_the_largest_node_are_named_once_per_rule():
    limits = NodeLimits(cpus=4, mem_mb=16000)
    jobs = [
        ("homology_search", 8, 2000),
        ("cotrain_batch", 4, 32000),
        ("cotrain_batch", 4, 33000),
        ("prepare_labels", 1, "<TBD>"),  # memory not known before its inputs exist
        ("export_predictions", 4, 16000),
    ]
    assert unschedulable(jobs, limits) == [
        "rule cotrain_batch: a job asks for 33000 MB of memory, the largest node has 16000 "
        "MB; run it on a partition with larger nodes",
        "rule homology_search: a job asks for 8 CPUs, the largest node has 4; set threads: 4 "
        "(or less) in the config",
    ]
