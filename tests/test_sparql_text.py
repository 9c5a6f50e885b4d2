"""Bound values and datasets written into SPARQL text for remote servers (graph.store.sparql_text), table-driven.

A remote server has no substitution API, so these functions are what keeps a bound value data and
never syntax: each case gives the text in and the exact text out, or the refusal.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import Literal as RdfLiteral
from rdflib import URIRef

from graph.store import QueryError
from graph.store.sparql_text import inject_values, keywords, serialise_iri, serialise_term, values_block, with_dataset

A = ox.NamedNode("http://ex.org/a")
XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.mark.parametrize(
    ("term", "text"),
    [
        (A, "<http://ex.org/a>"),
        (ox.Literal("plain"), '"plain"'),
        (ox.Literal("Sofia", language="bg"), '"Sofia"@bg'),
        (ox.Literal("5", datatype=ox.NamedNode(XSD + "integer")), f'"5"^^<{XSD}integer>'),
        (ox.Literal('quote " backslash \\ newline \n return \r tab \t'), '"quote \\" backslash \\\\ newline \\n return \\r tab \\t"'),
        (ox.Literal('x" } ?s ?p ?o . FILTER("1"="1', language="en"), '"x\\" } ?s ?p ?o . FILTER(\\"1\\"=\\"1"@en'),
        (URIRef("http://ex.org/a"), "<http://ex.org/a>"),
        (RdfLiteral("x", lang="bg"), '"x"@bg'),
        (RdfLiteral(3), f'"3"^^<{XSD}integer>'),
        (RdfLiteral("untyped"), '"untyped"'),
    ],
)
def test_terms_are_serialised_as_data(term: object, text: str) -> None:
    assert serialise_term(term) == text


@pytest.mark.parametrize(
    ("term", "why"),
    [
        (ox.BlankNode("b"), "only IRIs and literals"),
        ("<http://ex.org/a>", "only IRIs and literals"),  # text is never a term
        (URIRef("http://ex.org/a> } INSERT DATA { <x:y> <x:y> <x:y> }"), "not a valid IRI"),
        (URIRef("http://ex.org/{a}"), "not a valid IRI"),
        (URIRef("no-scheme"), "not a valid IRI"),
        (URIRef(""), "not a valid IRI"),
    ],
)
def test_anything_else_is_refused(term: object, why: str) -> None:
    with pytest.raises(QueryError, match=why):
        serialise_term(term)


@pytest.mark.parametrize("iri", ["http://ex.org/a>b", "http://ex.org/a b", 'http://ex.org/"', "http://ex.org/\\", "http://ex.org/`", "http://ex.org/\x00"])
def test_iris_cannot_break_out_of_their_token(iri: str) -> None:
    with pytest.raises(QueryError, match="not a valid IRI"):
        serialise_iri(iri)


def test_a_values_block_names_each_variable_once() -> None:
    assert values_block({"?a": A, "$b": ox.Literal("1"), "c": ox.Literal("x", language="en")}) == 'VALUES (?a ?b ?c) { (<http://ex.org/a> "1" "x"@en) }'
    for name in ("x y", "x}", "", "?"):
        with pytest.raises(QueryError, match="not a variable name"):
            values_block({name: A})


@pytest.mark.parametrize(
    ("query", "rewritten"),
    [
        ("SELECT ?x WHERE { ?x ?p ?o }", "SELECT ?x WHERE { VALUES (?x) { (<http://ex.org/a>) }  ?x ?p ?o }"),
        ("SELECT ?x { ?x ?p ?o }", "SELECT ?x { VALUES (?x) { (<http://ex.org/a>) }  ?x ?p ?o }"),
        ("ASK { ?x ?p ?o }", "ASK { VALUES (?x) { (<http://ex.org/a>) }  ?x ?p ?o }"),
        # After a CONSTRUCT's template, in its WHERE group.
        ("CONSTRUCT { ?x ?p ?o } WHERE { ?x ?p ?o }", "CONSTRUCT { ?x ?p ?o } WHERE { VALUES (?x) { (<http://ex.org/a>) }  ?x ?p ?o }"),
        # Inside the group, so it restricts an aggregate over the bound variable (a trailing VALUES would not).
        (
            "SELECT (COUNT(*) AS ?n) WHERE { ?x ?p ?o } GROUP BY ?x",
            "SELECT (COUNT(*) AS ?n) WHERE { VALUES (?x) { (<http://ex.org/a>) }  ?x ?p ?o } GROUP BY ?x",
        ),
        # A sub-select cannot share its group with VALUES: it is nested.
        ("SELECT * WHERE { SELECT ?x WHERE { ?x ?p ?o } }", "SELECT * WHERE { VALUES (?x) { (<http://ex.org/a>) } {  SELECT ?x WHERE { ?x ?p ?o }  } }"),
        # Braces in comments, strings and IRIs are not groups.
        ('# { a comment\nSELECT ?x WHERE { ?x ?p "}" }', '# { a comment\nSELECT ?x WHERE { VALUES (?x) { (<http://ex.org/a>) }  ?x ?p "}" }'),
        (
            "PREFIX e: <http://ex.org/{x}> SELECT ?x WHERE { ?x e:p ?o }",
            "PREFIX e: <http://ex.org/{x}> SELECT ?x WHERE { VALUES (?x) { (<http://ex.org/a>) }  ?x e:p ?o }",
        ),
    ],
)
def test_bindings_go_first_in_the_outermost_where_group(query: str, rewritten: str) -> None:
    assert inject_values(query, {"x": A}) == rewritten


def test_no_bindings_leave_the_text_alone() -> None:
    assert inject_values("anything at all", None) == "anything at all"
    assert inject_values("anything at all", {}) == "anything at all"


@pytest.mark.parametrize(
    ("query", "why"),
    [
        ("PREFIX e: <http://ex.org/>", "no SELECT, ASK, CONSTRUCT or DESCRIBE"),
        ("SELECT ?x", "no WHERE group"),
        ("SELECT * WHERE { SELECT ?x WHERE { ?x", "unbalanced"),
    ],
)
def test_a_query_with_no_place_for_values_is_refused(query: str, why: str) -> None:
    with pytest.raises(QueryError, match=why):
        inject_values(query, {"x": A})


@pytest.mark.parametrize(
    ("query", "default", "named", "rewritten"),
    [
        ("SELECT ?x WHERE { ?x ?p ?o }", ["urn:g"], ["urn:n"], "SELECT ?x FROM <urn:g>\nFROM NAMED <urn:n>\nWHERE { ?x ?p ?o }"),
        ("SELECT ?x { ?x ?p ?o }", ["urn:g"], [], "SELECT ?x FROM <urn:g>\n{ ?x ?p ?o }"),
        ("CONSTRUCT { ?x ?p ?o } WHERE { ?x ?p ?o }", ["urn:g"], [], "CONSTRUCT { ?x ?p ?o } FROM <urn:g>\nWHERE { ?x ?p ?o }"),
        ("ASK { GRAPH ?g { ?s ?p ?o } }", [], ["urn:a", "urn:b"], "ASK FROM NAMED <urn:a>\nFROM NAMED <urn:b>\n{ GRAPH ?g { ?s ?p ?o } }"),
        ("SELECT ?x WHERE { ?x ?p ?o }", [], [], "SELECT ?x WHERE { ?x ?p ?o }"),
    ],
)
def test_a_dataset_is_written_before_the_where_group(query: str, default: list[str], named: list[str], rewritten: str) -> None:
    assert with_dataset(query, default, named) == rewritten


def test_dataset_iris_are_checked_too() -> None:
    with pytest.raises(QueryError, match="not a valid IRI"):
        with_dataset("SELECT ?x WHERE { ?x ?p ?o }", ["urn:g> FROM <http://elsewhere/"], [])


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("SELECT ?x FROM <urn:g> WHERE { GRAPH ?g { ?x ?p ?o } }", {"SELECT", "FROM", "WHERE", "GRAPH"}),
        # Not keywords: in a string, an IRI, a comment, a variable, or a prefixed name (a prefix may be called `from:`).
        ('SELECT ?from WHERE { ?s <http://x/FROM> "GRAPH" } # FROM', {"SELECT", "WHERE"}),
        ("PREFIX from: <http://x/> PREFIX graph: <http://y/> SELECT ?s WHERE { ?s from:p graph:q }", {"PREFIX", "SELECT", "WHERE"}),
        ("select ?s where { ?s a ?o }", {"SELECT", "WHERE", "A"}),
    ],
)
def test_keywords_are_bare_words_only(query: str, words: set[str]) -> None:
    assert keywords(query) == words
