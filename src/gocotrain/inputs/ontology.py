"""The Gene Ontology: names, aspects, alt_ids, obsolete terms and the is_a/part_of hierarchy."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import networkx
import obonet

from gocotrain.errors import InputError
from gocotrain.textio import atomic_write, read_text

ASPECT_OF_NAMESPACE = {
    "biological_process": "P",
    "molecular_function": "F",
    "cellular_component": "C",
}
ASPECT_NAMES = {letter: name for name, letter in ASPECT_OF_NAMESPACE.items()}
# The order tables and reports show the aspects in; any other letter follows, sorted.
ASPECT_ORDER = ("P", "F", "C")


def aspect_sort_key(aspect: str) -> tuple[int, str]:
    known = ASPECT_ORDER.index(aspect) if aspect in ASPECT_ORDER else len(ASPECT_ORDER)
    return known, aspect


def in_aspect_order(aspects) -> list[str]:
    return sorted(set(aspects), key=aspect_sort_key)


# The true-path rule holds over these relations only; regulates does not imply membership.
PROPAGATED_RELATIONS = ("is_a", "part_of")


DO_NOT_ANNOTATE = "gocheck_do_not_annotate"
PROTEIN_CONTAINING_COMPLEX = "GO:0032991"


@dataclass
class Ontology:
    names: dict[str, str]
    aspects: dict[str, str]
    obsolete: set[str]
    replaced_by: dict[str, str]
    alt_ids: dict[str, str]
    parents: dict[str, tuple[str, ...]]
    data_version: str = ""
    # GO's subset gocheck_do_not_annotate: terms too general for any annotation (GORULE:0000008).
    not_for_annotation: frozenset[str] = frozenset()
    # Subclasses (is_a only, as GO's GAF rules read it) of protein-containing complex: their
    # genes are part_of them (GORULE:0000061). None where the ontology was saved without it.
    protein_complexes: frozenset[str] | None = None
    # is_a/part_of edges between namespaces, left out (counted in the run summary only).
    edges_across_namespaces: int = field(default=0, compare=False)
    _ancestor_cache: dict[str, frozenset[str]] = field(default_factory=dict, repr=False)

    @cached_property
    def roots(self) -> frozenset[str]:
        """The current terms without a parent (an ontology is not changed once read; the
        evaluation asks for these once per method, target kind and weight it scores)."""
        return frozenset(
            term for term in self.names if term not in self.obsolete and not self.parents.get(term)
        )

    def resolve(self, term: str) -> tuple[str | None, str]:
        """Current primary ID of a term and how it was found: ok, alt_id, obsolete or unknown."""
        if term in self.alt_ids:
            return self.alt_ids[term], "alt_id"
        if term not in self.names:
            return None, "unknown"
        if term in self.obsolete:
            return None, "obsolete"
        return term, "ok"

    def ancestors(self, term: str) -> frozenset[str]:
        """The term and every ancestor over is_a and part_of."""
        cached = self._ancestor_cache.get(term)
        if cached is None:
            result = {term}
            for parent in self.parents.get(term, ()):
                result |= self.ancestors(parent)
            cached = frozenset(result)
            self._ancestor_cache[term] = cached
        return cached

    def propagate(self, terms) -> set[str]:
        closed: set[str] = set()
        for term in terms:
            closed |= self.ancestors(term)
        return closed

    def to_json(self, path: str | Path) -> None:
        payload = {
            "data_version": self.data_version,
            "names": self.names,
            "aspects": self.aspects,
            "obsolete": sorted(self.obsolete),
            "replaced_by": self.replaced_by,
            "alt_ids": self.alt_ids,
            "parents": {term: list(parents) for term, parents in self.parents.items()},
            "not_for_annotation": sorted(self.not_for_annotation),
            "protein_complexes": (
                sorted(self.protein_complexes) if self.protein_complexes is not None else None
            ),
        }
        with atomic_write(path) as handle:
            handle.write(json.dumps(payload, sort_keys=True))

    @classmethod
    def from_json(cls, path: str | Path) -> Ontology:
        payload = json.loads(Path(path).read_text())
        return cls(
            names=payload["names"],
            aspects=payload["aspects"],
            obsolete=set(payload["obsolete"]),
            replaced_by=payload["replaced_by"],
            alt_ids=payload["alt_ids"],
            parents={term: tuple(parents) for term, parents in payload["parents"].items()},
            data_version=payload["data_version"],
            # Absent from the ontology of models saved before the subset was read.
            not_for_annotation=frozenset(payload.get("not_for_annotation", ())),
            protein_complexes=(
                frozenset(payload["protein_complexes"])
                if payload.get("protein_complexes") is not None
                else None
            ),
        )


def require_gene_ontology(ontology: Ontology, path: str | Path) -> None:
    """Stop unless `ontology` has terms in GO's namespaces: the workflow predicts GO terms
    (`gocotrain evaluate` reads other ontologies too)."""
    if not set(ontology.aspects.values()) & set(ASPECT_NAMES):
        raise InputError(
            path,
            "no term is in a GO namespace (biological_process, molecular_function, "
            "cellular_component): this is not the Gene Ontology",
            "give GO's go-basic.obo (https://purl.obolibrary.org/obo/go/go-basic.obo)",
        )


def read_obo(path: str | Path) -> Ontology:
    """Parse an OBO file with obonet and check that the hierarchy can be propagated over."""
    graph = _obo_graph(path)
    terms = _term_fields(graph)
    parents, subclass_of, across = _hierarchy(graph, terms["names"], terms["aspects"], path)
    return Ontology(
        **terms,
        parents=parents,
        data_version=str(graph.graph.get("data-version", "")),
        protein_complexes=_subclasses(subclass_of, PROTEIN_CONTAINING_COMPLEX),
        edges_across_namespaces=across,
    )


def _obo_graph(path: str | Path) -> networkx.MultiDiGraph:
    """The OBO file as obonet reads it, obsolete terms kept."""
    text = read_text(path)
    if "[Term]" not in text:
        raise InputError(
            path, "no [Term] stanzas: this is not an OBO ontology", "give go-basic.obo (OBO 1.2)"
        )
    try:
        return obonet.read_obo(io.StringIO(text), ignore_obsolete=False)
    except Exception as error:  # obonet raises bare Exceptions on malformed stanzas
        raise InputError(
            path, f"OBO parse error: {error}", "check the file is complete OBO 1.2"
        ) from None


def _term_fields(graph: networkx.MultiDiGraph) -> dict:
    """The `Ontology` fields read from each defined term's stanza: names, aspects,
    obsolete, replaced_by, alt_ids and not_for_annotation."""
    names, aspects, obsolete, replaced_by, alt_ids = {}, {}, set(), {}, {}
    not_for_annotation = set()
    for term, data in graph.nodes(data=True):
        if "name" not in data:
            continue  # a dangling reference, reported by _hierarchy
        names[term] = data["name"]
        namespace = data.get("namespace", "")
        aspects[term] = ASPECT_OF_NAMESPACE.get(namespace, namespace)
        if str(data.get("is_obsolete", "false")).lower() == "true":
            obsolete.add(term)
            if data.get("replaced_by"):
                replaced_by[term] = data["replaced_by"][0]
        for alt in data.get("alt_id", []):
            alt_ids[alt] = term
        if DO_NOT_ANNOTATE in data.get("subset", []):
            not_for_annotation.add(term)
    return {
        "names": names,
        "aspects": aspects,
        "obsolete": obsolete,
        "replaced_by": replaced_by,
        "alt_ids": alt_ids,
        "not_for_annotation": frozenset(not_for_annotation),
    }


def _hierarchy(
    graph: networkx.MultiDiGraph, names: dict, aspects: dict, path: str | Path
) -> tuple[dict[str, tuple[str, ...]], networkx.DiGraph, int]:
    """Each term's is_a/part_of parents in its own namespace (sorted), the is_a graph, and
    how many edges across namespaces were left out. A parent that is not defined, or a
    cycle, is an InputError."""
    parents: dict[str, list[str]] = {term: [] for term in names}
    hierarchy, subclass_of = networkx.DiGraph(), networkx.DiGraph()
    across = 0
    for child, parent, relation in graph.edges(keys=True):
        if relation not in PROPAGATED_RELATIONS:
            continue
        if parent not in names:
            raise InputError(
                path,
                f"term {child} has a {relation} parent {parent} that is not defined in the file",
                "use a complete ontology file (go-basic.obo), not an excerpt",
                record=child,
            )
        # Cross-namespace links would leak labels between aspects; go-basic has none.
        if aspects.get(child) != aspects.get(parent):
            across += 1
            continue
        parents[child].append(parent)
        hierarchy.add_edge(child, parent)
        if relation == "is_a":
            subclass_of.add_edge(child, parent)
    _check_acyclic(hierarchy, path)
    return {term: tuple(sorted(found)) for term, found in parents.items()}, subclass_of, across


def _check_acyclic(hierarchy: networkx.DiGraph, path: str | Path) -> None:
    try:
        cycle = networkx.find_cycle(hierarchy)
    except networkx.NetworkXNoCycle:
        return
    loop = " -> ".join([edge[0] for edge in cycle] + [cycle[0][0]])
    raise InputError(
        path,
        f"the is_a/part_of hierarchy has a cycle: {loop}",
        "use go-basic.obo, which is acyclic, or fix the listed parents",
    )


def _subclasses(subclass_of: networkx.DiGraph, term: str) -> frozenset[str]:
    """`term` and every term with an is_a path to it (edges run child -> parent)."""
    if term not in subclass_of:
        return frozenset()
    return frozenset(networkx.ancestors(subclass_of, term) | {term})
