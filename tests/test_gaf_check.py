"""The GAF check itself (tests/gaf_check/check.py, ontobio): it finds what GO's rules refuse,
so that its silence on the exported GAF means something."""

from conftest import DEMO, ontobio_check

GOOD = "\t".join(
    [
        "UniProtKB", "P04217", "A1BG", "involved_in", "GO:0006936", "PMID:12345678", "IEA",
        "", "P", "", "", "protein", "taxon:9606", "20261202", "GOcotrain", "", "",
    ]
)  # fmt: skip


def line(**changes: str) -> str:
    columns = GOOD.split("\t")
    for index, value in changes.items():
        columns[int(index.removeprefix("c"))] = value
    return "\t".join(columns)


def test_the_check_reports_what_go_rules_refuse(tmp_path):
    gaf = tmp_path / "broken.gaf"
    gaf.write_text(
        "!gaf-version: 2.2\n"
        + "\n".join(
            [
                GOOD,
                line(c4="GO:0005515", c3="enables", c8="F"),  # IEA to protein binding
                line(c13="20100101"),  # an IEA more than three years old
                line(c4="GO:0042803", c3="enables", c8="F"),  # self-binding, no with/from
            ]
        )
        + "\n"
    )
    checked = ontobio_check(gaf, DEMO / "go-basic.obo.gz", tmp_path / "go.json")
    levels = {key.split(" | ")[2]: key.split(" | ")[0] for key in checked["messages"]}
    assert levels == {"5": "WARNING", "29": "ERROR", "46": "WARNING"}, checked["examples"]
