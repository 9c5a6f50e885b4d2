"""Refuse SPARQL that a public, read-only endpoint must not run, with a reason a person can act on.

The check looks at the query's keywords once comments, strings and IRIs are set aside, so a
label containing the word "delete" is fine while `DELETE WHERE { ... }` is refused. The store
itself only runs queries, never updates; this gives the clear 4xx before it is asked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_STRING = r"'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\""
_IRI = r"<[^<>\"{}|^`\\\x00-\x20]*>"
_COMMENT = r"#[^\n]*"
_TOKENS = re.compile(f"({_STRING})|({_IRI})|({_COMMENT})", re.S)

UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD")
_UPDATE = re.compile(r"\b(" + "|".join(UPDATE_KEYWORDS) + r")\b", re.I)
_SERVICE = re.compile(r"\bSERVICE\b", re.I)
_DATASET = re.compile(r"\bFROM\s+(NAMED\s+)?(\x00\d+\x00)", re.I)


@dataclass(frozen=True)
class Refusal(Exception):
    """Why a query is refused, and the HTTP status that says so."""

    status: int
    reason: str

    def __str__(self) -> str:
        return self.reason


def _mask(text: str) -> tuple[str, list[str]]:
    """Replace strings, IRIs and comments by placeholders; return the masked text and the IRIs."""
    iris: list[str] = []

    def replace(match: re.Match[str]) -> str:
        if match.group(2):
            iris.append(match.group(2)[1:-1])
            return f"\x00{len(iris) - 1}\x00"
        return " " if match.group(3) else '""'

    return _TOKENS.sub(replace, text), iris


def check_query(text: str, known_graphs: Iterable[str], max_bytes: int) -> None:
    """Raise Refusal for oversize queries, updates, SERVICE and dataset clauses naming other URLs."""
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise Refusal(413, f"the query is {size} bytes; this endpoint accepts at most {max_bytes}")
    masked, iris = _mask(text)
    if match := _UPDATE.search(masked):
        raise Refusal(400, f"{match.group(1).upper()} is an update operation; this endpoint is read-only and answers queries only")
    if _SERVICE.search(masked):
        raise Refusal(400, "SERVICE (federated query) is not allowed: this endpoint never fetches other URLs")
    graphs = set(known_graphs)
    for match in _DATASET.finditer(masked):
        iri = iris[int(match.group(2).strip("\x00"))]
        if iri not in graphs:
            clause = "FROM NAMED" if match.group(1) else "FROM"
            raise Refusal(
                400,
                f"{clause} <{iri}> is not a graph of this dataset; this endpoint never fetches other URLs (list graphs with SELECT DISTINCT ?g {{ GRAPH ?g {{}} }})",
            )


def check_graph_parameters(default_graphs: Iterable[str], named_graphs: Iterable[str], known_graphs: Iterable[str]) -> None:
    """default-graph-uri and named-graph-uri may only name graphs the store holds."""
    graphs = set(known_graphs)
    for name, values in (("default-graph-uri", default_graphs), ("named-graph-uri", named_graphs)):
        for iri in values:
            if iri not in graphs:
                raise Refusal(400, f"{name}={iri} is not a graph of this dataset; this endpoint never fetches other URLs")
