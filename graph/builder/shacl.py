"""SHACL validation of the built graph with pySHACL, reported in curators' terms.

Speed (measured with a profiler at 100k and 1M synthetic triples): pySHACL's time goes into
evaluating shapes per focus node and per value (nested `sh:node`, `sh:or`, qualified shapes), and,
with `advanced=True`, into cloning the whole data graph first (about a sixth of the time). The
shapes use no SHACL-AF feature (rules, functions, custom targets, expressions), so validation runs
in core mode, which pySHACL runs on the data graph itself without changing it. Top-level shapes
are independent of each other (each one's results depend only on the shape and the data), so on
a machine with more than one core they are split into two groups, each validated in a forked
child process (`Validation`), while the caller goes on with other work (the build writes its
dumps): the same pySHACL, the same shapes graph, the same results.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from multiprocessing.connection import Connection

import pyshacl.shape
from pyshacl import validate
from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
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


class _Parameters(list[URIRef]):
    """pySHACL's list of constraint parameters, with a membership test that is one set lookup."""

    def __init__(self, parameters: Iterable[URIRef]) -> None:
        super().__init__(parameters)
        self._set = frozenset(self)

    def __contains__(self, item: object) -> bool:
        return item in self._set


def _quick_constraint_lookup() -> None:
    """Let pySHACL find a shape's constraints with set lookups instead of list scans.

    Why: pySHACL 0.40 checks every predicate of a shape against its list of ~40 constraint
    parameters (`p in list`, one rdflib term comparison each) every time it evaluates the shape,
    which is once per value node for nested shapes: a fifth of the build's validation CPU at 1M
    triples. It keeps that list in a module slot (`pyshacl.shape.CONSTRAINT_PARAMS`) filled on
    first use; filling it first with the same parameters, in the same order, changes nothing but
    the cost of `in` (tests/test_shacl_parallel.py compares the results with and without). A
    pySHACL that no longer reads the slot ignores it.
    """
    current = getattr(pyshacl.shape, "CONSTRAINT_PARAMS", None)
    if current is None or not isinstance(current[0], _Parameters):
        pyshacl.shape.CONSTRAINT_PARAMS = (_Parameters(ALL_CONSTRAINT_PARAMETERS), CONSTRAINT_PARAMETERS_MAP)  # type: ignore[attr-defined]


def _results(data: Graph, shapes: Graph) -> tuple[bool, set[Violation]]:
    """One pySHACL run: whether the data conform, and every result as a Violation."""
    _quick_constraint_lookup()
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


class Validation:
    """A SHACL run over a data graph, possibly still going on in child processes.

    With two workers, both halves of the top-level shapes are validated in forked children, so the
    caller's process is free meanwhile (the build writes its dumps then, and throws them away if the
    shapes fail). With one worker, the validation is done before `start` returns. Either way the
    results are the ones a single pySHACL run gives: no results when everything conforms (warnings
    are allowed), else every result of every shape.
    """

    def __init__(self, done: tuple[bool, set[Violation]] | None, running: list[tuple[multiprocessing.process.BaseProcess, Connection, list[URIRef]]]) -> None:
        self._done = done
        self._running = running

    @classmethod
    def start(cls, data: Graph, shapes: Graph, workers: int | None = None) -> Validation:
        workers = default_workers() if workers is None else workers
        groups = shape_groups(data, shapes, 2) if workers >= 2 else None
        if groups is None:
            return cls(_results(data, shapes), [])
        running = []
        # Objects frozen before the fork are never scanned by the children's collector, which
        # would otherwise write to (and so copy) every page of the inherited graph: ~10% of their CPU at 1M.
        frozen_before = gc.get_freeze_count()
        gc.freeze()
        try:
            for group in groups:
                running.append((*_run_in_child(data, shapes, group), group))
        except BaseException:
            cls(None, running).stop()
            raise
        finally:
            if frozen_before == 0:  # a process that froze its own heap (a settled server) keeps it frozen
                gc.unfreeze()
        return cls(None, running)

    def violations(self) -> list[Violation]:
        """Wait for the children (if any) and answer every violation, sorted; a failed child raises
        ShaclWorkerError (the other one is stopped)."""
        if self._done is None:
            answers = []
            try:
                while self._running:
                    process, receive, group = self._running[0]
                    answers.append(_collect(process, receive, group))
                    self._running.pop(0)
            finally:
                self.stop()
            self._done = (all(conforms for conforms, _ in answers), set().union(*(found for _, found in answers)))
        conforms, found = self._done
        return [] if conforms else _sorted(found)

    def stop(self) -> None:
        """Stop children still validating (the build failed elsewhere, or one child failed)."""
        for process, receive, _ in self._running:
            process.kill()
            process.join()
            receive.close()
        self._running = []


def shacl_violations(data: Graph, shapes: Graph, workers: int | None = None) -> list[Violation]:
    """Run the shapes over the data graph (no inference: the build writes what it means) and wait
    for the answer (see Validation; with `workers` = 2, the default on a machine with two cores,
    the two halves of the top-level shapes are validated in two forked children)."""
    return Validation.start(data, shapes, workers).violations()


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
