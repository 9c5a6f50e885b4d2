"""Decide whether the public, read-only endpoint may run a query, from a real parse of it.

Three steps, each with a reason a person can act on:

1. `canonical`: the text both the guard and the engine will see. SPARQL ends a `#` comment at
   CR as well as LF, and processes `\\uXXXX` escapes before parsing (SPARQL 1.1, 19.2); the
   guard's parser (rdflib's) ends comments at LF only and the engine (Oxigraph) does not expand
   escapes outside strings. Normalising line ends and expanding escapes once, and then handing
   exactly this text to both, leaves no room for a comment or an escape that one of them reads
   as code and the other does not.
2. `check_shape`: limits checked before any parser runs (size, NUL, nesting depth), so a hostile
   shape gets a 4xx that names the limit instead of exhausting a parser's stack.
3. `check_query`: rdflib's SPARQL 1.1 grammar parses the text; the parse tree, not the text,
   decides. Updates (including LOAD), `SERVICE` anywhere, and `FROM`/`FROM NAMED` naming a graph
   that is not ours (written as a full IRI, a prefixed name, or relative to BASE) are refused.

This guard is the first wall. The second is `graph.sparql.sandbox`: the processes that run user queries
cannot open a network socket at all, so a query that got past a guard bug still fetches nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

DEFAULT_MAX_BYTES = 64 * 1024
DEFAULT_MAX_DEPTH = 64

_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_LIST_GRAPHS = "list the graphs with SELECT DISTINCT ?g { GRAPH ?g {} }"


@dataclass(frozen=True)
class Refusal(Exception):
    """Why a query is refused, and the HTTP status that says so."""

    status: int
    reason: str

    def __str__(self) -> str:
        return self.reason


@dataclass(frozen=True)
class Limits:
    """What a query may look like before any parser sees it."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_depth: int = DEFAULT_MAX_DEPTH


def canonical(text: str) -> str:
    """The text the guard parses and the engine runs: LF line ends, codepoint escapes expanded once."""

    def expand(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            raise Refusal(400, f"{match.group(0)} is not a Unicode character (SPARQL 1.1, 19.2: codepoint escapes)")
        return chr(code)

    # Escapes first: one that stands for CR (\u000D) must end a comment for both parsers too.
    return _ESCAPE.sub(expand, text).replace("\r\n", "\n").replace("\r", "\n")


#: What SPARQL's lexer sets apart from code, and runs of code without brackets: a `#` comment (to its
#: line's end), a string (long or short; a backslash escapes the next character; a short string left
#: open ends at its line's end, a long one at the text's end), a backslash outside strings (a local
#: name's escape, ex:a\#b: the next character is the name's, not code). Taking these out in C leaves
#: only the brackets to count in Python (a loop over every character cost 145 µs for a 1.4 kB query,
#: and a new text is scanned four times: twice in the server, twice in the worker; this costs 5 µs).
_NOT_BRACKETS = re.compile(
    r"#[^\n]*+"
    r"|'''(?:[^'\\]|\\.?|'(?!''))*+(?:''')?"
    r'|"""(?:[^"\\]|\\.?|"(?!""))*+(?:""")?'
    r"|'(?:[^'\\\n]|\\.?)*+'?"
    r'|"(?:[^"\\\n]|\\.?)*+"?'
    r"|\\.?"
    r"|[^()\[\]{}#'\"\\]++",
    re.DOTALL,
)


def nesting_depth(text: str, limit: int | None = None) -> int:
    """How deep brackets nest in `text` outside strings and comments (counting stops once past `limit`, if given)."""
    depth = deepest = 0
    for bracket in _NOT_BRACKETS.sub("", text):
        if bracket in "([{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if limit is not None and deepest > limit:
                    break
        elif depth:
            depth -= 1
    return deepest


def check_shape(text: str, limits: Limits) -> None:
    """Refuse, before parsing, a query too large, carrying NUL, or nested deeper than the limit."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limits.max_bytes:
        raise Refusal(413, f"the query is {size} bytes; this endpoint accepts at most {limits.max_bytes} (UAEU_MAX_QUERY_BYTES)")
    if "\x00" in text:
        raise Refusal(400, f"the query contains a NUL character at offset {text.index(chr(0))}; SPARQL text cannot carry one")
    if nesting_depth(text, limits.max_depth) > limits.max_depth:
        raise Refusal(400, f"the query nests brackets more than {limits.max_depth} deep (UAEU_MAX_QUERY_DEPTH); flatten it, e.g. with VALUES or UNION")


def _walk(node: Any) -> Iterator[Any]:
    """Every node of an rdflib parse tree (CompValue and ParseResults), without recursion."""
    from pyparsing import ParseResults

    stack = [node]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple | ParseResults):
            stack.extend(item)


def parse(text: str) -> Any:
    """rdflib's parse tree of a query, or a Refusal: an update is refused as such, anything else as syntax."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import Query, UpdateUnit

    if not text.strip():
        raise Refusal(400, "the query is empty")
    try:
        return Query.parse_string(text, parse_all=True)
    except ParseBaseException as err:
        query_error = err
    except RecursionError:
        raise Refusal(400, "the query is nested too deeply to check") from None
    try:
        update = UpdateUnit.parse_string(text, parse_all=True)
    except (ParseBaseException, RecursionError):
        raise Refusal(400, f"SPARQL syntax error: {_describe(query_error)}") from None
    word = next((_UPDATES[n.name] for n in _walk(update) if getattr(n, "name", None) in _UPDATES), None)
    if word is None:  # an empty text is a valid, empty update
        raise Refusal(400, f"SPARQL syntax error: {_describe(query_error)}")
    raise Refusal(400, f"{word} is an update operation; this endpoint is read-only and answers queries only")


_UPDATES = {
    "Load": "LOAD",
    "Clear": "CLEAR",
    "Drop": "DROP",
    "Create": "CREATE",
    "Add": "ADD",
    "Move": "MOVE",
    "Copy": "COPY",
    "InsertData": "INSERT",
    "DeleteData": "DELETE",
    "DeleteWhere": "DELETE",
    "Modify": "DELETE/INSERT",
}


def _describe(err: Exception) -> str:
    line, col, msg = getattr(err, "lineno", None), getattr(err, "col", None), getattr(err, "msg", str(err))
    return f"{msg} (line {line}, column {col})" if line is not None else str(msg)


def check_query(text: str, known_graphs: Iterable[str], base: str) -> Any:
    """Refuse updates, SERVICE and foreign dataset clauses in `text` (already canonical and shape-checked).

    Returns the parse tree so the caller may look further; raises Refusal otherwise.
    """
    from rdflib.plugins.sparql.algebra import translatePrologue

    tree = parse(text)
    for node in _walk(tree):
        if getattr(node, "name", None) == "ServiceGraphPattern":
            raise Refusal(400, "SERVICE (federated query) is not allowed: this endpoint never fetches other URLs")
    graphs = set(known_graphs)
    try:
        prologue = translatePrologue(tree[0], base)
    except Exception as err:  # rdflib raises plain Exception for an undeclared prefix
        raise Refusal(400, f"SPARQL error: {err}") from None
    for clause in (node for node in _walk(tree[1]) if getattr(node, "name", None) == "DatasetClause"):
        named = "named" in clause
        written = clause["named"] if named else clause["default"]
        try:
            iri = str(prologue.absolutize(written))
        except Exception as err:
            raise Refusal(400, f"SPARQL error: {err}") from None
        if iri not in graphs:
            keyword = "FROM NAMED" if named else "FROM"
            raise Refusal(400, f"{keyword} <{iri}> is not a graph of this dataset; this endpoint never fetches other URLs ({_LIST_GRAPHS})")
    return tree


#: Functions whose value changes from one run of the same query to the next (SPARQL 1.1 §17.4).
_VOLATILE = {"Builtin_NOW", "Builtin_RAND", "Builtin_UUID", "Builtin_STRUUID", "Builtin_BNODE"}


def volatile(tree: Any) -> bool:
    """Does the parsed query call a function that gives a new value on each run? Then its answer must not be reused."""
    return any(getattr(node, "name", None) in _VOLATILE for node in _walk(tree))


def check_graph_parameters(default_graphs: Iterable[str], named_graphs: Iterable[str], known_graphs: Iterable[str]) -> None:
    """default-graph-uri and named-graph-uri may only name graphs the store holds."""
    if not default_graphs and not named_graphs:
        return  # the usual request: nothing to look up, so the store's graphs are not gathered into a set
    graphs = set(known_graphs)
    for name, values in (("default-graph-uri", default_graphs), ("named-graph-uri", named_graphs)):
        for iri in values:
            if iri not in graphs:
                raise Refusal(400, f"{name}={iri} is not a graph of this dataset; this endpoint never fetches other URLs")
