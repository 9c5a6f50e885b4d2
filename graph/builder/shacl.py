"""SHACL validation of the built graph with pySHACL, reported in curators' terms."""

from __future__ import annotations

from dataclasses import dataclass

from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH

from graph.problems import Problem


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str
    message: str
    severity: str


def shacl_violations(data: Graph, shapes: Graph) -> list[Violation]:
    """Run the shapes over the data graph (no inference: the build writes what it means)."""
    conforms, results, _ = validate(data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True)
    if conforms:
        return []
    assert isinstance(results, Graph)
    found = []
    for result in results.subjects(RDF.type, SH.ValidationResult):
        focus = results.value(result, SH.focusNode)
        path = results.value(result, SH.resultPath)
        message = results.value(result, SH.resultMessage)
        severity = results.value(result, SH.resultSeverity)
        found.append(
            Violation(
                focus=str(focus),
                path=str(path) if path is not None else "",
                message=str(message) if message is not None else "does not conform",
                severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
            )
        )
    return sorted(set(found), key=lambda v: (v.focus, v.path, v.message))


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
