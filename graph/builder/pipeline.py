"""The build, end to end: curated data -> checks -> RDF -> SHACL -> a published release."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph, URIRef

from graph.builder.curated import CuratedData, load_curated
from graph.builder.datalint import Finding, errors, lint, warnings
from graph.builder.dumps import Ordered, release_id
from graph.builder.model import load_model, load_shapes, notations
from graph.builder.rdf import Quad, build_quads
from graph.builder.report import build_report, report_markdown
from graph.builder.shacl import Validation, union_graph, violations_as_problems
from graph.config import PROJECT_ROOT, Settings
from graph.namespaces import OWL, Minter, prefixes
from graph.problems import CuratedDataError
from graph.release import SUMS, Release, publish, report_bytes
from graph.vocabulary import VOCABULARIES


@dataclass
class Built:
    """A checked, validated release held in memory."""

    data: CuratedData
    quads: list[Quad]
    union: Graph
    files: dict[str, bytes]
    report: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)
    dumps: dict[str, bytes] = field(default_factory=dict)  # the release's dumps folder: files, gzips, SHA256SUMS
    release: Release | None = None  # where `build` published it
    lint_warnings: list[str] = field(default_factory=list)  # graph.builder.datalint's warnings, also at the end of report["warnings"]


def ontology_version(model: Graph, base: str) -> str:
    version = model.value(URIRef(base + "ontology"), OWL.versionInfo)
    return str(version) if version is not None else "0"


def read_checked(settings: Settings) -> CuratedData:
    """Only read and check the curated data (no RDF, no SHACL): enough for the coverage figures."""
    model = load_model(settings.ontology_dir, settings.base, PROJECT_ROOT)
    return load_curated(settings.data_dir, notations(model, settings.base, VOCABULARIES), PROJECT_ROOT)


def assemble(settings: Settings) -> Built:
    """Everything but writing: raises CuratedDataError with every problem found."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    root = PROJECT_ROOT
    model = load_model(settings.ontology_dir, settings.base, root)
    shapes = load_shapes(settings.ontology_dir, settings.base, root)
    data = load_curated(settings.data_dir, notations(model, settings.base, VOCABULARIES), root)
    findings = lint(data, model, settings.base)  # what the checks let through: errors stop here, warnings go in the report
    if errors(findings):
        raise CuratedDataError(errors(findings))
    timings["read_and_check"] = time.perf_counter() - started

    mark = time.perf_counter()
    mint = Minter(settings.base)
    sink = build_quads(data, model, mint)
    union = union_graph(sink.quads)
    timings["rdf"] = time.perf_counter() - mark

    # SHACL runs in two child processes where it can (graph.builder.shacl.Validation) while this one
    # orders and writes the dumps; they are thrown away if the shapes fail.
    mark = time.perf_counter()
    validation = Validation.start(union, shapes)
    timings["shacl"] = time.perf_counter() - mark
    try:
        mark = time.perf_counter()
        ordered = Ordered.of(sink.quads)
        files, dumps = ordered.packed(prefixes(settings.base))
        quads = ordered.quads()
        # The id digests everything the release will hold, so one id never names two contents.
        draft = build_report(data, union, len(quads), ordered.graphs(), mint, "")
        draft["warnings"] = [*draft["warnings"], *warnings(findings)]
        release = release_id(ontology_version(model, settings.base), dumps[SUMS], report_bytes(draft), report_markdown(draft).encode("utf-8"))
        report = {**draft, "release": release}
        timings["serialise"] = time.perf_counter() - mark
    except BaseException:
        validation.stop()
        raise
    mark = time.perf_counter()
    problems = violations_as_problems(validation.violations(), sink.origins)
    timings["shacl"] += time.perf_counter() - mark  # the time SHACL added: starting it and waiting for it
    if problems:
        raise CuratedDataError(problems)
    return Built(data, quads, union, files, report, timings, dumps, lint_warnings=warnings(findings))


def build(settings: Settings, before_publish: Callable[[Built], None] | None = None) -> Built:
    """Assemble a release, publish it in the build folder and make it current (nothing changes if anything fails).

    `before_publish` runs on the assembled release before it is written and made current (the
    CLI precomputes the partner networks there: the builder itself loads no serving layer).
    """
    built = assemble(settings)
    if before_publish is not None:
        before_publish(built)
    mark = time.perf_counter()
    built.release = publish(settings.build_dir, built.dumps, built.report, report_markdown(built.report))
    built.timings["write"] = time.perf_counter() - mark
    return built


def lint_curated(settings: Settings) -> list[Finding]:
    """Every finding of the data lint on the curated data (what `uaeu lint` prints); raises
    CuratedDataError when the data does not even pass the checks."""
    model = load_model(settings.ontology_dir, settings.base, PROJECT_ROOT)
    return lint(read_checked(settings), model, settings.base)
