"""The read-only guard as a pure function: table-driven, no server (the HTTP side is in test_public_safety.py)."""

from __future__ import annotations

import random
import sys
import threading

import pytest

from graph.sparql.executor import WORKER_STACK
from graph.sparql.guard import Limits, Refusal, canonical, check_graph_parameters, check_query, check_shape, nesting_depth

BASE = "https://w3id.org/uaeu/"
OURS = [BASE + "graph/model", BASE + "graph/sources"]


def _verdict(text: str) -> str:
    try:
        text = canonical(text)
        check_shape(text, Limits())
        check_query(text, OURS, BASE)
    except Refusal as refusal:
        return f"{refusal.status} {refusal.reason}"
    return "ok"


def verdict(text: str) -> str:
    """'ok', or the status and reason of the refusal; run like a query worker runs it (deep stack, high recursion limit)."""
    answer: list[str] = []
    old_limit, old_size = sys.getrecursionlimit(), threading.stack_size(WORKER_STACK)
    sys.setrecursionlimit(1_000_000)
    try:
        thread = threading.Thread(target=lambda: answer.append(_verdict(text)))
        thread.start()
        thread.join()
    finally:
        threading.stack_size(old_size)
        sys.setrecursionlimit(old_limit)
    return answer[0]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { ?s ?p ?o }",
        "ASK { ?s ?p ?o }",
        "CONSTRUCT WHERE { ?s ?p ?o }",
        "DESCRIBE <https://w3id.org/uaeu/id/partnership/housing>",
        'SELECT ?x WHERE { BIND("DELETE, LOAD and SERVICE in a string" AS ?x) }',
        "SELECT * WHERE { ?s <http://example.org/service> ?o } # SERVICE <http://x/> in a comment",
        "SELECT * FROM <https://w3id.org/uaeu/graph/model> WHERE { ?s ?p ?o }",
        "SELECT * FROM <graph/model> FROM NAMED <graph/sources> WHERE { ?s ?p ?o }",
        "PREFIX g: <https://w3id.org/uaeu/graph/> SELECT * FROM g:model WHERE { ?s ?p ?o }",
        "SELECT * WHERE { ?s ?p 'caf\\u00E9' }",
        "SELECT * WHERE {\r\n ?s ?p ?o # a Windows line end\r\n}",
        "SELECT * WHERE { FILTER(" + "(" * 60 + "1" + ")" * 60 + ") }",
        "SELECT * WHERE { ?s ?p '(((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((' }",
    ],
)
def test_read_only_queries_pass(query: str) -> None:
    assert verdict(query) == "ok"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }", "400 SERVICE"),
        ("SELECT * WHERE { ?s ?p ?o # c\rSERVICE <http://x/> { ?a ?b ?c }\n }", "400 SERVICE"),
        ("SELECT * WHERE { \\u0053ERVICE <http://x/> { ?a ?b ?c } }", "400 SERVICE"),
        ("SELECT * WHERE { \\U00000053ERVICE <http://x/> { ?a ?b ?c } }", "400 SERVICE"),
        ("SELECT * WHERE { # \\u000D SERVICE <http://x/> { ?a ?b ?c }\n}", "400 SERVICE"),
        ("SELECT * WHERE { OPTIONAL { SERVICE SILENT ?e { ?a ?b ?c } } }", "400 SERVICE"),
        ("SELECT * FROM <http://x/> WHERE { ?s ?p ?o }", "400 FROM <http://x/> is not a graph of this dataset"),
        ("PREFIX x: <http://x/> SELECT * FROM x:g WHERE { ?s ?p ?o }", "400 FROM <http://x/g> is not a graph"),
        ("BASE <http://x/> SELECT * FROM <g> WHERE { ?s ?p ?o }", "400 FROM <http://x/g> is not a graph"),
        ("SELECT * FROM <graph/elsewhere> WHERE { ?s ?p ?o }", f"400 FROM <{BASE}graph/elsewhere> is not a graph"),
        ("SELECT * FROM NAMED <http://x/> WHERE { ?s ?p ?o }", "400 FROM NAMED <http://x/>"),
        ("SELECT * FROM y:g WHERE { ?s ?p ?o }", "400 SPARQL error: Unknown namespace prefix"),
        ("LOAD <http://x/>", "400 LOAD is an update operation"),
        ("INSERT DATA { <a> <b> <c> }", "400 INSERT is an update operation"),
        ("DELETE WHERE { ?s ?p ?o }", "400 DELETE is an update operation"),
        ("WITH <g> DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }", "400 DELETE/INSERT is an update operation"),
        ("CLEAR ALL", "400 CLEAR is an update operation"),
        ("DROP GRAPH <g>", "400 DROP is an update operation"),
        ("CREATE GRAPH <g>", "400 CREATE is an update operation"),
        ("ADD <a> TO <b>", "400 ADD is an update operation"),
        ("MOVE <a> TO <b>", "400 MOVE is an update operation"),
        ("COPY <a> TO <b>", "400 COPY is an update operation"),
        ("", "400 the query is empty"),
        ("  \n\t", "400 the query is empty"),
        ("# nothing but a comment", "400 SPARQL syntax error"),
        ("SELECT ?x WHERE { ?x ?y }", "400 SPARQL syntax error"),
        ("SELECT * WHERE { ?s ?p '\\uDC00' }", "400 \\uDC00 is not a Unicode character"),
        ("SELECT * WHERE { ?s ?p ?o }\x00", "400 the query contains a NUL character"),
        ("SELECT * WHERE { FILTER(" + "(" * 65 + "1" + ")" * 65 + ") }", "400 the query nests brackets more than 64 deep"),
        ("SELECT * WHERE { FILTER(" + "\\u0028" * 65 + "1" + "\\u0029" * 65 + ") }", "400 the query nests brackets more than 64 deep"),
    ],
)
def test_refusals_say_why(query: str, expected: str) -> None:
    assert verdict(query).startswith(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\r\nb", "a\nb"),
        ("a\rb", "a\nb"),
        ("a\\u000Db", "a\nb"),
        ("\\u0041\\U00000042", "AB"),
        ("\\u005Cu0041", "\\u0041"),  # expanded once, exactly as SPARQL 1.1 section 19.2 says
        ("no escapes", "no escapes"),
    ],
)
def test_canonical_text(text: str, expected: str) -> None:
    assert canonical(text) == expected


def test_size_limit_is_413_in_bytes() -> None:
    with pytest.raises(Refusal) as refusal:
        check_shape("SELECT * { } #" + "é" * 40, Limits(max_bytes=60))
    assert refusal.value.status == 413
    assert "at most 60" in refusal.value.reason


def test_brackets_in_strings_and_comments_do_not_count() -> None:
    check_shape('SELECT * { ?s ?p \'((((\' . ?s ?p """[[[[""" } # ((((((', Limits(max_depth=1))
    with pytest.raises(Refusal):
        check_shape("SELECT * { { ?s ?p ?o } }", Limits(max_depth=1))


def _depth_one_character_at_a_time(text: str) -> int:
    """The bracket depth by SPARQL's lexer rules, read one character at a time (the guard's scan before it
    became a regular expression), the reference `nesting_depth` must agree with on every text."""
    depth = deepest = 0
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif c in "'\"":
            long = text.startswith(c * 3, i)
            j = i + (3 if long else 1)
            while j < n:
                if text[j] == "\\":
                    j += 2
                elif long and text.startswith(c * 3, j):
                    j += 3
                    break
                elif not long and text[j] == c:
                    j += 1
                    break
                elif not long and text[j] == "\n":
                    break  # a short string left open ends at its line's end
                else:
                    j += 1
            i = min(j, n)
        elif c == "\\":
            i += 2  # a local name's escape (ex:a\#b): the next character is the name's
        else:
            if c in "({[":
                depth += 1
                deepest = max(deepest, depth)
            elif c in ")}]" and depth:
                depth -= 1
            i += 1
    return deepest


def test_nesting_depth_agrees_with_the_lexer_rules_read_one_character_at_a_time() -> None:
    """Random texts over the characters that open and close strings, comments, escapes and brackets
    (seeded; a failure names its text): the fast scan never counts a bracket the lexer hides, nor misses one."""
    rng = random.Random(20261130)
    alphabet = "'\"\\#\n\r(){}[]a é<>"
    for _ in range(40_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        assert nesting_depth(text) == _depth_one_character_at_a_time(text), repr(text)
    for text in ['"""(((""" (', "'''\\''' (((''' )", "'(\n(", "ex:a\\( (", "# ((\r(", '"\\"(" (', "'''((", "\\", '""""(']:
        assert nesting_depth(text) == _depth_one_character_at_a_time(text), repr(text)


def test_a_hostile_shape_is_scanned_in_bounded_time() -> None:
    """64 kB of one open string, of escapes or of brackets: the scan is linear and stops past the limit."""
    for text in ['"' + "a" * 65_000, "'''" + "\\'" * 32_000, "\\" * 65_000, "(" * 65_000]:
        assert nesting_depth(text, 64) == (65 if text.startswith("(") else 0)
    with pytest.raises(Refusal) as refusal:
        check_shape("(" * 65_000, Limits(max_bytes=65_000))
    assert "more than 64 deep" in refusal.value.reason


def test_graph_parameters() -> None:
    check_graph_parameters(OURS, OURS[:1], OURS)
    with pytest.raises(Refusal) as refusal:
        check_graph_parameters([], ["http://x/"], OURS)
    assert refusal.value.reason.startswith("named-graph-uri=http://x/")
