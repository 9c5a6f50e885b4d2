"""SHACL validation of the built graph with pySHACL, reported in curators' terms.

Speed (measured with a profiler at 100k and 1M synthetic triples): pySHACL's time goes into
evaluating shapes per focus node and per value (nested `sh:node`, `sh:or`, qualified shapes), and,
with `advanced=True`, into cloning the whole data graph first (about a sixth of the time). The
shapes use no SHACL-AF feature (rules, functions, custom targets, expressions), so validation runs
in core mode, which pySHACL runs on the data graph itself without changing it. Top-level shapes
are independent of each other (each one's results depend only on the shape and the data), so on
a machine with more than one core they are split into two groups and one group is validated in a
forked child process: the same pySHACL, the same shapes graph, the same results.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection

from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from graph.builder.dumps import bulk
from graph.builder.rdf import Quad
from graph.problems import Problem

#: SHACL-AF (advanced features): properties and classes that need pySHACL's advanced mode.
ADVANCED_PROPERTIES = (SH.rule, SH.target, SH.expression)
ADVANCED_CLASSES = (SH.TripleRule, SH.SPARQLRule, SH.SPARQLFunction, SH.Function, SH.TargetType, SH.SPARQLTargetType, SH.SPARQLTarget)
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str
    message: str
    severity: str


class ShaclWorkerError(RuntimeError):
    """The child process validating a group of shapes failed; the message names the shapes and says why."""


def union_graph(quads: Iterable[Quad]) -> Graph:
    """Every quad's triple in one rdflib graph: what the shapes validate (named graphs do not matter to them).

    Built without the cyclic collector (`bulk`): rdflib's store makes several containers per
    triple, and collections walking the growing graph added about a third at a million quads.
    """
    with bulk():
        union = Graph()
        for s, p, o, _ in quads:
            union.add((s, p, o))
    return union


def uses_advanced_features(shapes: Graph) -> bool:
    """Whether the shapes use a SHACL-AF feature (then pySHACL must run in advanced mode)."""
    used = (shapes.triples((None, term, None)) for term in ADVANCED_PROPERTIES)
    typed = (shapes.triples((None, RDF.type, term)) for term in ADVANCED_CLASSES)
    return any(next(found, None) is not None for found in (*used, *typed))


def only_targets_of(shapes: Graph, group: Iterable[URIRef]) -> Graph:
    """The shapes graph with the targets of every shape outside `group` removed.

    Why not pySHACL's `use_shapes`: in pySHACL 0.40 it drops the results of nested property shapes.
    A shape without targets has no focus nodes of its own (it still works wherever another shape
    uses it: targets are ignored there), so this validates exactly the group's shapes.
    """
    keep = set(group)
    copy = Graph()
    for prefix, namespace in shapes.namespaces():
        copy.bind(prefix, namespace, override=True, replace=True)
    copy.addN((s, p, o, copy) for s, p, o in shapes if not (p in TARGETS and s not in keep))
    return copy


def _results(data: Graph, shapes: Graph) -> tuple[bool, set[Violation]]:
    """One pySHACL run: whether the data conform, and every result as a Violation."""
    advanced = uses_advanced_features(shapes)
    conforms, results, _ = validate(data, shacl_graph=shapes, inference="none", advanced=advanced, allow_warnings=True)
    assert isinstance(results, Graph)
    return bool(conforms), violations_in(results)


def violations_in(results: Graph) -> set[Violation]:
    """Every result of a pySHACL results graph, as a Violation."""
    found = set()
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        message = results.value(result, SH.resultMessage)
        severity = results.value(result, SH.resultSeverity)
        found.add(
            Violation(
                focus=str(focus),
                path=str(path) if path is not None else "",
                message=str(message) if message is not None else "does not conform",
                severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
            )
        )
    return found


def _sorted(found: Iterable[Violation]) -> list[Violation]:
    return sorted(set(found), key=lambda v: (v.focus, v.path, v.message))


def shape_groups(data: Graph, shapes: Graph, count: int) -> list[list[URIRef]] | None:
    """The targeted (top-level) shapes split into `count` groups of about equal work, or None when
    they cannot be split.

    Work is estimated as focus nodes x (1 + property shapes): what pySHACL pays per shape.
    """
    targeted = {shape for target in TARGETS for shape in shapes.subjects(target, None)}
    if len(targeted) < count:
        return None

    def focus_count(shape: URIRef) -> int:
        total = 0
        for cls in shapes.objects(shape, SH.targetClass):
            total += sum(1 for _ in data.subjects(RDF.type, cls))
        total += sum(1 for _ in shapes.objects(shape, SH.targetNode))
        for predicate in shapes.objects(shape, SH.targetSubjectsOf):
            total += sum(1 for _ in data.subjects(predicate, None))
        for predicate in shapes.objects(shape, SH.targetObjectsOf):
            total += sum(1 for _ in data.objects(None, predicate))
        return total

    cost = {shape: focus_count(shape) * (1 + sum(1 for _ in shapes.objects(shape, SH.property))) for shape in targeted}  # type: ignore[arg-type]
    groups: list[list[URIRef]] = [[] for _ in range(count)]
    loads = [0] * count
    for shape in sorted(cost, key=lambda s: (-cost[s], str(s))):  # largest first, each to the lightest group
        lightest = loads.index(min(loads))
        groups[lightest].append(shape)  # type: ignore[arg-type]
        loads[lightest] += cost[shape]
    return groups


def _child(data: Graph, shapes: Graph, group: list[URIRef], pipe: Connection) -> None:
    """Validate `group` and send back (conforms, violations), or ("error", traceback)."""
    try:
        pipe.send(_results(data, only_targets_of(shapes, group)))
    except BaseException:  # everything is reported to the parent, which raises
        pipe.send(("error", traceback.format_exc()))
    finally:
        pipe.close()


def _run_in_child(data: Graph, shapes: Graph, group: list[URIRef]) -> tuple[multiprocessing.process.BaseProcess, Connection]:
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(data, shapes, group, send), name="uaeu-shacl-worker", daemon=True)
    process.start()
    send.close()
    return process, receive


def _collect(process: multiprocessing.process.BaseProcess, receive: Connection, group: list[URIRef]) -> tuple[bool, set[Violation]]:
    names = ", ".join(str(shape).rsplit("#", 1)[-1] for shape in group)
    try:
        answer = receive.recv()
    except EOFError:
        process.join()
        raise ShaclWorkerError(f"SHACL worker (pid {process.pid}) validating shapes {names} ended without an answer (exit code {process.exitcode})") from None
    finally:
        receive.close()
    process.join()
    if isinstance(answer, tuple) and len(answer) == 2 and answer[0] == "error":
        raise ShaclWorkerError(f"SHACL worker (pid {process.pid}) validating shapes {names} failed:\n{answer[1]}")
    return answer  # type: ignore[no-any-return]


def default_workers() -> int:
    """Two processes where the machine has two cores and this process may fork; one otherwise.

    Forking a process with other threads running can deadlock the child (a lock held by a thread
    that does not exist there; Python 3.12 warns about it): `uaeu build` has one thread, but a build
    inside a server or a test run may not, and then validates in one process."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    single_threaded = threading.active_count() == 1
    return 2 if cores >= 2 and single_threaded and "fork" in multiprocessing.get_all_start_methods() else 1


def shacl_violations(data: Graph, shapes: Graph, workers: int | None = None) -> list[Violation]:
    """Run the shapes over the data graph (no inference: the build writes what it means).

    With `workers` = 2 (the default on a machine with two cores), half the top-level shapes are
    validated in a forked child while this process validates the other half. The results are the
    ones a single run gives: no results when everything conforms (warnings are allowed), else
    every result of every shape.
    """
    workers = default_workers() if workers is None else workers
    groups = shape_groups(data, shapes, 2) if workers >= 2 else None
    if groups is None:
        conforms, found = _results(data, shapes)
    else:
        process, receive = _run_in_child(data, shapes, groups[1])
        try:
            here = _results(data, only_targets_of(shapes, groups[0]))
        except BaseException:  # this half failed: its error is the one to see; the other half is stopped
            process.kill()
            process.join()
            receive.close()
            raise
        there = _collect(process, receive, groups[1])
        conforms, found = here[0] and there[0], here[1] | there[1]
    return [] if conforms else _sorted(found)


def violations_as_problems(violations: list[Violation], origins: dict[URIRef, tuple[str, int]]) -> list[Problem]:
    """Point each violation at the curated record that made its focus node, where known."""
    problems = []
    for violation in violations:
        if violation.severity != "Violation":
            continue
        file, line = origins.get(URIRef(violation.focus), ("(built graph)", None))
        field = violation.path.rsplit("/", 1)[-1].rsplit("#", 1)[-1] or None
        problems.append(Problem(file, line, field, f"SHACL: {violation.message} (node <{violation.focus}>)"))
    return problems
