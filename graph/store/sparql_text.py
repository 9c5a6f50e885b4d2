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
from collections.abc import Mapping, Sequence

import pyoxigraph as ox
from rdflib import Literal as RdfLiteral
from rdflib import URIRef

from graph.queries.text import QueryTextError, significant, values_first, where_group
from graph.queries.text import keywords as text_keywords
from graph.store.base import QueryError

BoundTerm = ox.NamedNode | ox.Literal

# Characters the IRI grammar forbids inside <...> (SPARQL IRIREF), plus controls and space.
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LANG = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")
_VAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


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


def keywords(text: str) -> set[str]:
    """The upper-cased bare words of a query, outside strings, IRIs, prefixed names and comments."""
    return text_keywords(text)


def _where_group(tokens: list[re.Match[str]]) -> int:
    try:
        return where_group(tokens)
    except QueryTextError as err:
        raise QueryError(str(err)) from None


def inject_values(text: str, bindings: Mapping[str, object] | None) -> str:
    """The query with `bindings` as a VALUES block at the start of its outermost WHERE group."""
    if not bindings:
        return text
    block = values_block(bindings)
    try:
        return values_first(text, block)
    except QueryTextError as err:
        raise QueryError(str(err)) from None


def with_dataset(text: str, default_graphs: Sequence[str], named_graphs: Sequence[str]) -> str:
    """The query with FROM / FROM NAMED clauses for these graphs, placed before its WHERE.

    In the query text rather than as Protocol parameters: every server honours FROM, while
    Virtuoso echoes each `named-graph-uri` parameter as a response header, and Python's HTTP
    client refuses a response with more than 100 headers.
    """
    if not default_graphs and not named_graphs:
        return text
    tokens = list(significant(text))
    i = _where_group(tokens)
    at = tokens[i - 1].start() if i > 0 and tokens[i - 1].lastgroup == "word" and tokens[i - 1].group().upper() == "WHERE" else tokens[i].start()
    clauses = [f"FROM {serialise_iri(g)}" for g in default_graphs] + [f"FROM NAMED {serialise_iri(g)}" for g in named_graphs]
    return text[:at] + "\n".join(clauses) + "\n" + text[at:]
