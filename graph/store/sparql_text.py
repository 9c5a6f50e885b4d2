"""Bind values into SPARQL text safely, for servers that have no substitution API.

pyoxigraph binds values through `substitutions`; the SPARQL 1.1 Protocol has no such thing, and
SPARQLWrapper only sends text. So a remote query gets its bindings as a VALUES block placed at the
start of the query's outermost WHERE group, built only from serialised RDF terms: IRIs are checked
against the IRI grammar's forbidden characters and literals are escaped, so no caller-supplied
text is ever pasted into the query as syntax.

Placing VALUES *inside* the WHERE group (not as the trailing VALUES clause) matters: a trailing
VALUES joins after GROUP BY, so it would not restrict an aggregate over a bound variable, whereas
a leading one behaves like pyoxigraph's substitution for the patterns, FILTERs and OPTIONALs of
that group.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence

import pyoxigraph as ox
from rdflib import Literal as RdfLiteral
from rdflib import URIRef

from graph.store.base import QueryError

BoundTerm = ox.NamedNode | ox.Literal

# Characters the IRI grammar forbids inside <...> (SPARQL IRIREF), plus controls and space.
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LANG = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")
_VAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

_TOKENS = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<var>[?$][A-Za-z0-9_]+)
  | (?P<pname>(?:[A-Za-z][A-Za-z0-9_.-]*)?:[A-Za-z0-9_:%.-]*)
  | (?P<open>\{)
  | (?P<close>\})
  | (?P<word>[A-Za-z_][A-Za-z0-9_-]*)
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.X | re.S,
)


def serialise_iri(value: str) -> str:
    """`<iri>`, refusing anything that could break out of the IRI token."""
    if not value or _BAD_IRI.search(value):
        raise QueryError(f"not a valid IRI to bind: {value!r}")
    try:
        ox.NamedNode(value)  # the full IRI grammar check
    except ValueError as err:
        raise QueryError(f"not a valid IRI to bind: {value!r} ({err})") from None
    return f"<{value}>"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


def serialise_term(term: object) -> str:
    """One RDF term in SPARQL syntax; IRIs validated, literals escaped, nothing else accepted."""
    if isinstance(term, URIRef):
        return serialise_iri(str(term))
    if isinstance(term, RdfLiteral):
        term = (
            ox.Literal(str(term), language=term.language) if term.language else ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype or _XSD_STRING)))
        )
    if isinstance(term, ox.NamedNode):
        return serialise_iri(term.value)
    if isinstance(term, ox.Literal):
        body = f'"{_escape(term.value)}"'
        if term.language:
            if not _LANG.fullmatch(term.language):
                raise QueryError(f"not a valid language tag to bind: {term.language!r}")
            return f"{body}@{term.language}"
        datatype = term.datatype.value
        return body if datatype in (_XSD_STRING, _RDF_LANG_STRING) else f"{body}^^{serialise_iri(datatype)}"
    raise QueryError(f"only IRIs and literals can be bound, not {term!r}")


def values_block(bindings: Mapping[str, object]) -> str:
    """`VALUES (?a ?b) { (<x> "y") }` for one row of bindings."""
    names = []
    for name in bindings:
        bare = name.lstrip("?$")
        if not _VAR.fullmatch(bare):
            raise QueryError(f"not a variable name: {name!r}")
        names.append(f"?{bare}")
    terms = " ".join(serialise_term(term) for term in bindings.values())
    return f"VALUES ({' '.join(names)}) {{ ({terms}) }}"


def _significant(text: str) -> Iterator[re.Match[str]]:
    for match in _TOKENS.finditer(text):
        if match.lastgroup not in ("comment", "space"):
            yield match


def keywords(text: str) -> set[str]:
    """The upper-cased bare words of a query, outside strings, IRIs, prefixed names and comments."""
    return {m.group().upper() for m in _significant(text) if m.lastgroup == "word"}


def _where_group(tokens: list[re.Match[str]]) -> int:
    """Index of the `{` that opens the query's outermost WHERE group (after any CONSTRUCT template)."""
    form_at = next((i for i, m in enumerate(tokens) if m.lastgroup == "word" and m.group().upper() in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")), None)
    if form_at is None:
        raise QueryError("not a query: no SELECT, ASK, CONSTRUCT or DESCRIBE found")
    i = form_at + 1
    if tokens[form_at].group().upper() == "CONSTRUCT" and i < len(tokens) and tokens[i].lastgroup == "open":
        i = _matching_close(tokens, i) + 1  # skip the template
    while i < len(tokens) and tokens[i].lastgroup != "open":
        i += 1
    if i >= len(tokens):
        raise QueryError("the query has no WHERE group")
    return i


def inject_values(text: str, bindings: Mapping[str, object] | None) -> str:
    """The query with `bindings` as a VALUES block at the start of its outermost WHERE group."""
    if not bindings:
        return text
    block = values_block(bindings)
    tokens = list(_significant(text))
    i = _where_group(tokens)
    opening = tokens[i]
    following = tokens[i + 1] if i + 1 < len(tokens) else None
    if following is not None and following.lastgroup == "word" and following.group().upper() == "SELECT":
        # `WHERE { SELECT ... }`: a sub-select cannot share its group with VALUES, so nest it.
        closing = tokens[_matching_close(tokens, i)]
        return text[: opening.end()] + f" {block} {{ " + text[opening.end() : closing.start()] + " } " + text[closing.start() :]
    return text[: opening.end()] + f" {block} " + text[opening.end() :]


def with_dataset(text: str, default_graphs: Sequence[str], named_graphs: Sequence[str]) -> str:
    """The query with FROM / FROM NAMED clauses for these graphs, placed before its WHERE.

    In the query text rather than as Protocol parameters: every server honours FROM, while
    Virtuoso echoes each `named-graph-uri` parameter as a response header, and Python's HTTP
    client refuses a response with more than 100 headers.
    """
    if not default_graphs and not named_graphs:
        return text
    tokens = list(_significant(text))
    i = _where_group(tokens)
    at = tokens[i - 1].start() if i > 0 and tokens[i - 1].lastgroup == "word" and tokens[i - 1].group().upper() == "WHERE" else tokens[i].start()
    clauses = [f"FROM {serialise_iri(g)}" for g in default_graphs] + [f"FROM NAMED {serialise_iri(g)}" for g in named_graphs]
    return text[:at] + "\n".join(clauses) + "\n" + text[at:]


def _matching_close(tokens: list[re.Match[str]], at: int) -> int:
    depth = 0
    for j in range(at, len(tokens)):
        kind = tokens[j].lastgroup
        depth += 1 if kind == "open" else -1 if kind == "close" else 0
        if depth == 0:
            return j
    raise QueryError("unbalanced braces in the query")
