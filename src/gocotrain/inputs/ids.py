"""Matching gene IDs across files that spell them slightly differently."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

# A trailing ".<digits>" is a version (Ensembl ENSG….10, RefSeq NP_….2) on IDs with a letter.
VERSION_SUFFIX = re.compile(r"^(?=.*[A-Za-z])(.+)\.\d+$")


# A UniProt isoform (P31946-2): the accession (UniProt's own pattern) and an isoform number.
UNIPROT_ISOFORM = re.compile(
    r"^([OPQ][0-9][A-Z0-9]{3}[0-9]|[A-NR-Z][0-9](?:[A-Z][A-Z0-9]{2}[0-9]){1,2})-\d+$"
)


def strip_version(gene_id: str) -> str:
    match = VERSION_SUFFIX.match(gene_id)
    return match.group(1) if match else gene_id


class IdMatcher:
    """Finds known IDs for a query: exactly, or else ignoring version suffixes on both sides,
    or else, for a UniProt isoform (GOA's P31946-2), its canonical accession."""

    def __init__(self, known: Iterable[str]) -> None:
        self.known = set(known)
        self.by_unversioned: dict[str, list[str]] = defaultdict(list)
        for gene_id in sorted(self.known):
            self.by_unversioned[strip_version(gene_id)].append(gene_id)

    def match(self, query: str) -> list[str]:
        if query in self.known:
            return [query]
        found = self.by_unversioned.get(strip_version(query), [])
        isoform = UNIPROT_ISOFORM.match(query)
        if not found and isoform and isoform.group(1) in self.known:
            return [isoform.group(1)]
        return found


def case_mismatch(queries: Iterable[str], known: Iterable[str], known_name: str) -> str:
    """Where `queries` that match no `known` ID would match one ignoring letter case: a
    clause saying so, with an example from each side ("" where none would). IDs are
    case-sensitive (UniProt's P04217 is not p04217), so they are never matched so."""
    known = set(known)
    by_folded = {gene_id.casefold(): gene_id for gene_id in sorted(known, reverse=True)}
    pairs = [
        (query, by_folded[query.casefold()])
        for query in queries
        if query not in known and query.casefold() in by_folded
    ]
    if not pairs:
        return ""
    query, match = pairs[0]
    return (
        f"; {len(pairs)} of them differ from {known_name} only in letter case "
        f"(e.g. {query!r} here, {match!r} in {known_name}): IDs are case-sensitive, "
        "write them alike"
    )
