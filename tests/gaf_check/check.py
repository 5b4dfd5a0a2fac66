"""Check a GAF with ontobio's GAF parser and GO's annotation rules; print what it reports.

Run with the interpreter of .venv/ontobio (scripts/setup.sh dev):
    .venv/ontobio/bin/python tests/gaf_check/check.py predictions.gaf go-basic.obo[.gz]
It prints JSON: the associations ontobio accepted, and its messages counted by level, type
and rule, with up to three examples each. ontobio is GO's own GAF validator; it is an oracle
for the tests, kept out of GOcotrain's environment (see requirements.txt).
"""

import collections
import functools
import gzip
import json
import sys
from pathlib import Path

import obonet
import requests

HERE = Path(__file__).parent
OBO_IN_OWL = "http://www.geneontology.org/formats/oboInOwl#"
OBO_PURL = "http://purl.obolibrary.org/obo/"


class _Offline:
    """ontobio downloads the ECO mapping when imported; serve the copy kept here instead."""

    status_code = 200

    def __init__(self, text):
        self.text = text

    def close(self):
        pass


def _offline_get(url, *args, **kwargs):
    if url.endswith("gaf-eco-mapping.txt"):
        return _Offline((HERE / "gaf-eco-mapping.txt").read_text())
    if url.endswith("gaf-eco-mapping-derived.txt"):
        return _Offline("")
    raise RuntimeError(f"the GAF check runs offline; ontobio asked for {url}")


requests.get = _offline_get

from ontobio import obograph_util  # noqa: E402
from ontobio.io.assocparser import AssocParserConfig  # noqa: E402
from ontobio.io.gafparser import GafParser  # noqa: E402
from ontobio.model.association import GoAssociation  # noqa: E402
from ontobio.ontol_factory import OntologyFactory  # noqa: E402

# ontobio contracts each URI of the ontology by trying every prefix it knows, once per node
# and again for every edge that names it: five sixths of the check's time on the demo GAF.
# The same function, remembered per URI, gives the same CURIEs (and so does the ontology's own
# prefix map, obograph's "@context", for its terms).
_contract_uri = obograph_util.contract_uri
_contracted = functools.lru_cache(maxsize=None)(lambda uri: tuple(_contract_uri(uri)))


def _contract_uri_once(uri, *args, **kwargs):
    return _contract_uri(uri, *args, **kwargs) if args or kwargs else list(_contracted(uri))


obograph_util.contract_uri = _contract_uri_once


def obograph(obo_path):
    """The OBO file as the OBO Graphs JSON ontobio reads (it converts OBO only with owltools,
    a Java tool): terms with their namespace and subsets, is_a and part_of edges."""
    opener = gzip.open if str(obo_path).endswith(".gz") else open
    with opener(obo_path, "rt") as handle:
        graph = obonet.read_obo(handle)
    nodes, edges = [], []
    for term, data in graph.nodes(data=True):
        meta = {
            "basicPropertyValues": [
                {"pred": OBO_IN_OWL + "hasOBONamespace", "val": data.get("namespace", "")}
            ],
            "subsets": [OBO_PURL + "go#" + subset for subset in data.get("subset", [])],
        }
        nodes.append(
            {
                "id": OBO_PURL + term.replace(":", "_"),
                "lbl": data.get("name"),
                "type": "CLASS",
                "meta": meta,
            }
        )
    for child, parent, relation in graph.edges(keys=True):
        predicate = {"is_a": "is_a", "part_of": OBO_PURL + "BFO_0000050"}.get(relation)
        if predicate:
            edges.append(
                {
                    "sub": OBO_PURL + child.replace(":", "_"),
                    "pred": predicate,
                    "obj": OBO_PURL + parent.replace(":", "_"),
                }
            )
    # The prefixes of its terms and relations, which ontobio tries before all it knows.
    context = {"GO": OBO_PURL + "GO_", "BFO": OBO_PURL + "BFO_"}
    graph = {"id": OBO_PURL + "go.owl", "nodes": nodes, "edges": edges}
    return {"@context": context, "graphs": [graph]}


def check(gaf_path, obo_path, json_path):
    json_path.write_text(json.dumps(obograph(obo_path)))
    ontology = OntologyFactory().create(str(json_path))
    parser = GafParser(config=AssocParserConfig(ontology=ontology, rule_set="all"))
    with open(gaf_path) as handle:
        # The generator yields the header lines too, as dicts.
        found = parser.association_generator(handle)
        accepted = sum(1 for item in found if isinstance(item, GoAssociation))
    counts, examples = collections.Counter(), collections.defaultdict(list)
    for message in parser.report.messages:
        key = f"{message['level']} | {message['type']} | {message.get('rule') or ''}"
        counts[key] += 1
        if len(examples[key]) < 3:
            examples[key].append(f"{message.get('message')}: {message.get('line', '')[:200]}")
    return {"associations": accepted, "messages": dict(counts), "examples": dict(examples)}


if __name__ == "__main__":
    gaf, obo = sys.argv[1:3]
    scratch = Path(sys.argv[3]) if len(sys.argv) > 3 else Path(gaf).with_suffix(".obographs.json")
    print(json.dumps(check(gaf, obo, scratch), indent=1))
