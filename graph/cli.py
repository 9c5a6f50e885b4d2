"""`uaeu`: build, validate and query the Urban Agenda knowledge graph from the terminal."""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

from graph import __version__
from graph.config import Settings
from graph.problems import CuratedDataError

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env()
    if args.data:
        settings = replace(settings, data_dir=Path(args.data))
    if args.ontology:
        settings = replace(settings, ontology_dir=Path(args.ontology))
    if getattr(args, "out", None):
        settings = replace(settings, build_dir=Path(args.out))
    if args.base:
        settings = replace(settings, base=args.base if args.base.endswith("/") else args.base + "/")
    return settings


def _report_problems(err: CuratedDataError, what: str) -> int:
    for problem in err.problems:
        print(f"error: {problem}", file=sys.stderr)
    print(f"{what} failed: {len(err.problems)} problem(s); the previous build is untouched.", file=sys.stderr)
    return EXIT_DATA


def cmd_build(args: argparse.Namespace) -> int:
    from graph.pipeline import build

    settings = _settings(args)
    started = time.perf_counter()
    try:
        built = build(settings)
    except CuratedDataError as err:
        return _report_problems(err, "build")
    elapsed = time.perf_counter() - started
    counts = built.report["counts"]
    print(f"release {built.report['release']}: {counts['triples']} triples, {counts['quads']} quads in {counts['named_graphs']} graphs")
    print(
        f"{counts['partnerships']} partnerships, {counts['organisations']} organisations, {counts['memberships']} memberships, {counts['events']} events, {counts['sources']} sources"
    )
    for warning in built.report["warnings"]:
        print(f"warning: {warning}")
    steps = ", ".join(f"{k} {v:.2f}s" for k, v in built.timings.items())
    print(f"built in {elapsed:.2f}s ({steps})")
    print(f"dumps: {settings.build_dir / 'dumps'}  report: {settings.build_dir / 'report.md'}")
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from graph.pipeline import assemble

    settings = _settings(args)
    try:
        built = assemble(settings)
    except CuratedDataError as err:
        return _report_problems(err, "validation")
    counts = built.report["counts"]
    print(f"valid: {counts['triples']} triples from {counts['partnerships']} partnerships, {counts['memberships']} memberships, {counts['events']} events")
    return EXIT_OK


def cmd_query(args: argparse.Namespace) -> int:
    import pyoxigraph as ox

    from graph.queries import BindingError, NamedQuery, parse_term
    from graph.store import QueryError, format_results, load_release_store

    settings = _settings(args)
    bindings = {}
    try:
        if args.file:
            named = NamedQuery.load(Path(args.file))
            text, bindings = named.text, dict(named.defaults)
        else:
            text = sys.stdin.read() if args.query == "-" else args.query
        for item in args.bind:
            name, _, value = item.partition("=")
            if not name or not value:
                raise BindingError(f'--bind takes NAME=<iri> or NAME="literal", not {item!r}')
            bindings[name.lstrip("?")] = parse_term(value)
    except (BindingError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    substitutions = {ox.Variable(k): v for k, v in bindings.items()}
    try:
        store = load_release_store(settings)
        sys.stdout.write(format_results(store, text, args.format, settings.base, substitutions))
    except FileNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_DATA
    except QueryError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="uaeu", description="Urban Agenda for the EU knowledge graph")
    main.add_argument("--version", action="version", version=f"uaeu {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data", help="curated data folder (default: data/, or $UAEU_DATA_DIR)")
    common.add_argument("--ontology", help="ontology folder (default: ontology/, or $UAEU_ONTOLOGY_DIR)")
    common.add_argument("--base", help="base IRI (default: https://w3id.org/uaeu/, or $UAEU_BASE)")
    sub = main.add_subparsers(dest="command", required=True)
    p_build = sub.add_parser("build", parents=[common], help="check, convert and validate the curated data, then write the dumps")
    p_build.add_argument("--out", help="build folder (default: build/, or $UAEU_BUILD_DIR)")
    p_build.set_defaults(func=cmd_build)
    p_validate = sub.add_parser("validate", parents=[common], help="check and validate without writing anything")
    p_validate.set_defaults(func=cmd_validate)
    p_query = sub.add_parser("query", parents=[common], help="run a SPARQL query over the current build")
    p_query.add_argument("query", nargs="?", default="-", help="the query text, or - to read it from standard input")
    p_query.add_argument("--file", help="read the query from this file (its '# bind:' lines give default values)")
    p_query.add_argument("--bind", action="append", default=[], metavar="NAME=VALUE", help='bind ?NAME to <iri> or "literal" (repeatable)')
    p_query.add_argument("--format", choices=["table", "csv", "json", "turtle", "ntriples"], default="table")
    p_query.add_argument("--out", help="build folder to query (default: build/)")
    p_query.set_defaults(func=cmd_query)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
