"""SHACL, made faster, reports exactly what it reported before.

The build used to run pySHACL in advanced mode (which clones the data graph) in one process; it now
runs core mode (no clone: the shapes use no SHACL-AF feature) and splits the top-level shapes over
two processes. Checked here against the old call (kept in bench/build.py) on the real build with
deliberate breaks of every kind of constraint the shapes use (SHACL-SPARQL, `sh:or`, qualified
shapes, counts, classes), that the data graph is left as it was, and that a failing worker process
is named in the error.
"""

from __future__ import annotations

import gc
import multiprocessing
import os

import pyshacl.shape
import pytest
from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
from rdflib import Graph, Literal, URIRef

from bench.build import old_shacl_violations
from graph.builder.model import load_shapes
from graph.builder.pipeline import Built
from graph.builder.shacl import (
    ShaclWorkerError,
    Validation,
    _collect,
    _Parameters,
    only_targets_of,
    shacl_violations,
    shape_groups,
    union_graph,
    uses_advanced_features,
    violations_in,
)
from graph.config import PROJECT_ROOT
from graph.namespaces import FOAF, RDF, SCHEMA, SKOS, XSD

BASE = "https://w3id.org/uaeu/"
UAEU = BASE + "ontology#"
SH = "http://www.w3.org/ns/shacl#"


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return load_shapes(PROJECT_ROOT / "ontology", BASE, PROJECT_ROOT)


def _copy(graph: Graph) -> Graph:
    copy = Graph()
    copy.addN((s, p, o, copy) for s, p, o in graph)
    return copy


def _first(graph: Graph, cls: URIRef, having: URIRef | None = None) -> URIRef:
    nodes = sorted(n for n in graph.subjects(RDF.type, cls) if isinstance(n, URIRef) and (having is None or (n, having, None) in graph))
    assert nodes, f"no {cls} in the build"
    return nodes[0]


def _broken(union: Graph) -> Graph:
    """The real union graph with one break per kind of constraint."""
    g = _copy(union)
    theme = URIRef(BASE + "vocab/theme")
    wrong = URIRef(BASE + "vocab/theme/not-its-notation")  # SHACL-SPARQL: IRI != scheme + '/' + notation
    g.add((wrong, RDF.type, SKOS.Concept))
    g.add((wrong, SKOS.inScheme, theme))
    g.add((wrong, SKOS.notation, Literal("something-else")))
    g.add((wrong, SKOS.prefLabel, Literal("Wrong", lang="en")))
    g.add((wrong, SKOS.prefLabel, Literal("Грешно", lang="bg")))
    event = _first(g, SCHEMA.Event, SCHEMA.startDate)
    g.set((event, SCHEMA.startDate, Literal("soon")))  # sh:node + sh:or over datatypes
    organisation = _first(g, URIRef("http://www.w3.org/ns/org#Organization"))
    g.add((organisation, SCHEMA.sameAs, URIRef("http://www.wikidata.org/entity/Q1")))  # qualified max count
    g.add((organisation, SCHEMA.sameAs, URIRef("http://www.wikidata.org/entity/Q2")))
    person = _first(g, FOAF.Person)
    g.add((person, FOAF.phone, URIRef("tel:+3591234567")))  # max count 0
    partnership = _first(g, URIRef(UAEU + "Partnership"))
    for label in [o for o in g.objects(partnership, SKOS.prefLabel) if isinstance(o, Literal) and o.language == "en"]:
        g.remove((partnership, SKOS.prefLabel, label))  # qualified min count, English label
    concept = _first(g, SKOS.Concept, SKOS.notation)
    for label in [o for o in g.objects(concept, SKOS.prefLabel) if isinstance(o, Literal) and o.language == "bg"]:
        g.remove((concept, SKOS.prefLabel, label))  # min count 2
    g.add((event, SCHEMA.position, Literal("first", datatype=XSD.string)))  # datatype
    return g


def test_the_shapes_need_no_advanced_mode(shapes: Graph) -> None:
    assert not uses_advanced_features(shapes)
    ruled = _copy(shapes)
    ruled.add((URIRef(BASE + "shapes#X"), URIRef(SH + "rule"), URIRef(BASE + "shapes#R")))
    assert uses_advanced_features(ruled)


def test_broken_real_build_gives_the_old_violations_in_one_process_and_two(built: Built, shapes: Graph) -> None:
    broken = _broken(built.union)
    before = old_shacl_violations(broken, shapes)
    messages = {v.message for v in before}
    for expected in (
        "The IRI of concept https://w3id.org/uaeu/vocab/theme/not-its-notation is not its scheme's IRI + '/' + its skos:notation (something-else).",
        "At most one schema:startDate, typed xsd:date, xsd:gYearMonth or xsd:gYear.",
        "A resource is the same as at most one Wikidata item.",
        "Contact details are not published: remove foaf:phone.",
        "A partnership needs exactly one skos:prefLabel in English (@en).",
        "A concept needs exactly two skos:prefLabel: one in English (@en) and one in Bulgarian (@bg).",
        "At most one schema:position, an xsd:integer.",
    ):
        assert expected in messages, expected
    assert shacl_violations(broken, shapes, workers=1) == before
    assert shacl_violations(broken, shapes, workers=2) == before


def test_pyshacl_finds_the_same_constraints_with_the_quick_lookup(built: Built, shapes: Graph) -> None:
    broken = _broken(built.union)
    pyshacl.shape.CONSTRAINT_PARAMS = (list(ALL_CONSTRAINT_PARAMETERS), CONSTRAINT_PARAMETERS_MAP)  # type: ignore[attr-defined]
    try:
        from pyshacl import validate

        conforms, results, _ = validate(broken, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=True)
        assert type(pyshacl.shape.CONSTRAINT_PARAMS[0]) is list  # type: ignore[attr-defined]  # the plain scan did run
    finally:
        del pyshacl.shape.CONSTRAINT_PARAMS  # type: ignore[attr-defined]
    assert isinstance(results, Graph) and not conforms
    plain = sorted(violations_in(results), key=lambda v: (v.focus, v.path, v.message))
    assert len(plain) >= 7
    assert shacl_violations(broken, shapes, workers=1) == plain
    assert isinstance(pyshacl.shape.CONSTRAINT_PARAMS[0], _Parameters)  # type: ignore[attr-defined]
    assert list(pyshacl.shape.CONSTRAINT_PARAMS[0]) == list(ALL_CONSTRAINT_PARAMETERS)  # type: ignore[attr-defined]


def test_a_validation_in_children_answers_once_and_can_be_stopped(built: Built, shapes: Graph) -> None:
    broken = _broken(built.union)
    running = Validation.start(broken, shapes, workers=2)
    first = running.violations()
    assert first and running.violations() == first == shacl_violations(broken, shapes, workers=1)
    stopped = Validation.start(broken, shapes, workers=2)
    children = [process for process, _, _ in stopped._running]
    assert len(children) == 2 and all(child.is_alive() for child in children)
    stopped.stop()
    assert not any(child.is_alive() for child in children) and stopped._running == []


def test_the_children_fork_from_a_frozen_heap_and_the_parent_is_left_as_it_was(built: Built, shapes: Graph) -> None:
    gc.unfreeze()  # whatever another test froze (freezing only spares objects from collection scans)
    Validation.start(built.union, shapes, workers=2).violations()
    assert gc.get_freeze_count() == 0  # unfrozen again after the fork
    gc.freeze()  # a process that froze its own heap (as `uaeu serve` does) keeps it frozen
    try:
        frozen = gc.get_freeze_count()
        Validation.start(built.union, shapes, workers=2).violations()
        assert gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()


def test_the_real_build_conforms_both_ways(built: Built, shapes: Graph) -> None:
    assert old_shacl_violations(built.union, shapes) == [] == shacl_violations(built.union, shapes, workers=2)


def test_validation_leaves_the_data_graph_as_it_was(built: Built, shapes: Graph) -> None:
    broken = _broken(built.union)
    triples, bindings = set(broken), sorted(broken.namespaces())
    for workers in (1, 2):
        assert shacl_violations(broken, shapes, workers=workers)
        assert set(broken) == triples
        assert sorted(broken.namespaces()) == bindings


def test_the_groups_cover_every_targeted_shape_once(built: Built, shapes: Graph) -> None:
    groups = shape_groups(built.union, shapes, 2)
    assert groups is not None and all(groups)
    targeted = {s for p in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf") for s in shapes.subjects(URIRef(SH + p), None)}
    assert sorted(groups[0] + groups[1]) == sorted(targeted)
    kept = only_targets_of(shapes, groups[0])
    assert {s for p in ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf") for s in kept.subjects(URIRef(SH + p), None)} == set(groups[0])
    assert len(kept) == len(shapes) - sum(1 for s, p, _ in shapes if s in set(groups[1]) and str(p).startswith(SH + "target"))


def test_union_graph_holds_each_triple_once(built: Built) -> None:
    union = union_graph(built.quads)
    assert set(union) == set(built.union)
    assert len(union) < len(built.quads)  # the same triple in several named graphs counts once


def test_a_failing_worker_names_itself_and_its_shapes(built: Built, shapes: Graph) -> None:
    """A shape whose SPARQL cannot be parsed, validated by the worker: the error says which process, which shapes, and why."""
    bad = _copy(shapes)
    shape, constraint = URIRef(BASE + "shapes#BrokenQuery"), URIRef(BASE + "shapes#BrokenQuery-sparql")
    bad.add((shape, RDF.type, URIRef(SH + "NodeShape")))
    bad.add((shape, URIRef(SH + "targetNode"), URIRef(BASE + "ontology")))
    bad.add((shape, URIRef(SH + "sparql"), constraint))
    bad.add((constraint, RDF.type, URIRef(SH + "SPARQLConstraint")))
    bad.add((constraint, URIRef(SH + "select"), Literal("SELECT $this WHERE { this is not SPARQL")))
    groups = shape_groups(built.union, bad, 2)
    assert groups is not None and shape in groups[1]  # the lightest shapes go to the worker
    with pytest.raises(ShaclWorkerError, match=r"SHACL worker \(pid \d+\) validating shapes .*BrokenQuery.* failed:\n(?s:.*)Traceback"):
        shacl_violations(built.union, bad, workers=2)


def test_a_worker_that_dies_without_an_answer_is_reported() -> None:
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=os._exit, args=(3,))
    process.start()
    send.close()
    with pytest.raises(ShaclWorkerError, match=r"validating shapes Gone ended without an answer \(exit code 3\)"):
        _collect(process, receive, [URIRef(BASE + "shapes#Gone")])
