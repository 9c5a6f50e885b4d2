"""Result writers (graph.sparql.results), table-driven: every format marks a cut answer, and terms keep their kind."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable

import pyoxigraph as ox
import pytest

from graph.sparql.results import TRUNCATED_LINK, as_text, capped, serialise_boolean, serialise_graph, serialise_select
from graph.store import Solutions

XSD = "http://www.w3.org/2001/XMLSchema#"
ROWS = [
    {"s": ox.NamedNode("http://ex.org/a"), "label": ox.Literal("Sofia", language="bg"), "n": ox.Literal("5", datatype=ox.NamedNode(XSD + "integer"))},
    {"s": ox.BlankNode("b0"), "label": ox.Literal('tab\there, "quoted", new\nline')},  # n unbound
]
VARIABLES = ["s", "label", "n"]
SRX = "{http://www.w3.org/2005/sparql-results#}"


@pytest.mark.parametrize(
    ("items", "cap", "head", "more"), [([1, 2, 3], 2, [1, 2], True), ([1, 2], 2, [1, 2], False), ([], 5, [], False), (iter(range(10)), 0, [], True)]
)
def test_capped(items: Iterable[int], cap: int, head: list[int], more: bool) -> None:
    assert capped(items, cap) == (head, more)


@pytest.mark.parametrize("truncated", [False, True])
def test_json_keeps_every_term_kind_and_marks_a_cut(truncated: bool) -> None:
    document = json.loads(serialise_select(VARIABLES, ROWS, truncated, "json"))
    assert document["head"]["vars"] == VARIABLES
    first, second = document["results"]["bindings"]
    assert first == {
        "s": {"type": "uri", "value": "http://ex.org/a"},
        "label": {"type": "literal", "value": "Sofia", "xml:lang": "bg"},
        "n": {"type": "literal", "value": "5", "datatype": XSD + "integer"},
    }
    assert second["s"] == {"type": "bnode", "value": "b0"} and "n" not in second
    assert document.get("truncated", False) is truncated
    assert (TRUNCATED_LINK in document["head"].get("link", [])) is truncated


@pytest.mark.parametrize("truncated", [False, True])
def test_xml_is_sparql_results_xml(truncated: bool) -> None:
    root = ET.fromstring(serialise_select(VARIABLES, ROWS, truncated, "xml"))
    assert [v.get("name") for v in root.iter(SRX + "variable")] == VARIABLES
    results = list(root.iter(SRX + "result"))
    assert len(results) == 2
    label = results[0].find(f"{SRX}binding[@name='label']/{SRX}literal")
    assert label is not None and label.get("{http://www.w3.org/XML/1998/namespace}lang") == "bg"
    assert [b.get("name") for b in results[1]] == ["s", "label"]
    assert bool([link for link in root.iter(SRX + "link") if link.get("href") == TRUNCATED_LINK]) is truncated


def test_csv_and_tsv() -> None:
    rows = list(csv.reader(io.StringIO(serialise_select(VARIABLES, ROWS, False, "csv").decode("utf-8"))))
    assert rows == [VARIABLES, ["http://ex.org/a", "Sofia", "5"], ["_:b0", 'tab\there, "quoted", new\nline', ""]]
    lines = serialise_select(VARIABLES, ROWS, False, "tsv").decode("utf-8").splitlines()
    assert lines[0] == "?s\t?label\t?n"
    assert lines[1].split("\t") == ["<http://ex.org/a>", '"Sofia"@bg', f'"5"^^<{XSD}integer>']
    assert len(lines) == 3, "tabs and new lines inside a value are escaped"


@pytest.mark.parametrize(
    ("fmt", "true", "false"),
    [("json", '{"head": {}, "boolean": true}', '{"head": {}, "boolean": false}'), ("csv", "true\n", "false\n"), ("tsv", "true\n", "false\n")],
)
def test_booleans(fmt: str, true: str, false: str) -> None:
    assert serialise_boolean(True, fmt).decode("utf-8") == true
    assert serialise_boolean(False, fmt).decode("utf-8") == false
    assert b"<boolean>true</boolean>" in serialise_boolean(True, "xml")


@pytest.mark.parametrize(("fmt", "marker"), [("turtle", b"# truncated: only the first 1 triples"), ("ntriples", b"# truncated"), ("rdfxml", b"<!-- truncated")])
def test_a_cut_graph_says_so_where_the_format_has_comments(fmt: str, marker: bytes) -> None:
    triple = ox.Triple(ox.NamedNode("http://ex.org/a"), ox.NamedNode("http://ex.org/p"), ox.Literal("x"))
    assert marker in serialise_graph([triple], True, fmt, {"ex": "http://ex.org/"})
    assert marker not in serialise_graph([triple], False, fmt, {"ex": "http://ex.org/"})


def test_unknown_formats_are_an_error() -> None:
    with pytest.raises(ValueError, match="unknown results format"):
        serialise_select(VARIABLES, ROWS, False, "pdf")
    with pytest.raises(ValueError, match="unknown results format"):
        serialise_boolean(True, "pdf")


def test_text_for_a_terminal() -> None:
    table = as_text(Solutions(VARIABLES, ROWS), "table")
    assert table.splitlines()[0].split(" | ")[0].strip() == "s" and table.endswith("(2 rows)\n")
    assert as_text(Solutions(["x"], []), "table").endswith("(0 rows)\n")
    assert as_text(True, "table") == "True\n" and json.loads(as_text(False, "json")) == {"head": {}, "boolean": False}
    assert json.loads(as_text(Solutions(VARIABLES, ROWS), "json"))["head"]["vars"] == VARIABLES
    triple = ox.Triple(ox.NamedNode("http://ex.org/a"), ox.NamedNode("http://ex.org/p"), ox.Literal("x"))
    assert as_text([triple], "ntriples") == '<http://ex.org/a> <http://ex.org/p> "x" .\n'
