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
    from graph.build.pipeline import build

    settings = _settings(args)
    started = time.perf_counter()
    try:
        built = build(settings)
    except CuratedDataError as err:
        return _report_problems(err, "build")
    except OSError as err:  # a full disk, a read-only or unwritable build folder (reading errors are CuratedDataErrors)
        print(f"error: cannot write the build to {settings.build_dir}: {err.strerror or err}", file=sys.stderr)
        return EXIT_DATA
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
    from graph.build.pipeline import assemble

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
    from graph.release import Release
    from graph.sparql.results import as_text
    from graph.store import QueryError
    from graph.store.embedded import load_store

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
        store = load_store(Release.open(settings.build_dir).dumps)
        try:
            result = store.query(text, base_iri=settings.base, substitutions=substitutions)
        except SyntaxError as err:
            raise QueryError(f"SPARQL syntax error: {err}") from None
        sys.stdout.write(as_text(result, args.format))
    except FileNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_DATA
    except QueryError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    """Print the coverage table (the README's data section is pasted from it) and/or the identifier table."""
    from graph.build.coverage import coverage_markdown, coverage_rows, identifier_status, identifiers_markdown
    from graph.build.pipeline import read_checked

    try:
        data = read_checked(_settings(args))
    except CuratedDataError as err:
        return _report_problems(err, "report")
    parts = []
    if args.coverage or not args.identifiers:
        parts.append(coverage_markdown(coverage_rows(data)))
    if args.identifiers:
        parts.append(identifiers_markdown(identifier_status(data)))
    sys.stdout.write("\n".join(parts))
    return EXIT_OK


def cmd_network(args: argparse.Namespace) -> int:
    import json

    from graph.network import NetworkOptionError, NetworkOptions, build_network, ego, export, network_data, resolve_node, shortest_connection
    from graph.release import NoRelease, Release
    from graph.store.embedded import load_store

    settings = _settings(args)
    if args.build:
        settings = replace(settings, build_dir=Path(args.build))
    wanted = {"ego": 1, "path": 2}.get(args.what, 0)
    if len(args.nodes) != wanted:
        print(f"error: 'uaeu network {args.what}' takes {wanted or 'no'} entit{'y' if wanted == 1 else 'ies'}, got {len(args.nodes)}", file=sys.stderr)
        return EXIT_USAGE
    try:
        release = Release.open(settings.build_dir)  # pinned: the data and its release id come from one release
    except NoRelease as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_DATA
    data = network_data(load_store(release.dumps), base=settings.base, release=release.id)
    params = {
        k: v for k, v in vars(args).items() if k in ("weighting", "as_of", "start", "end", "roles", "partner_types", "themes", "partnerships", "evidence")
    }
    try:
        if args.what == "path":
            found = shortest_connection(data, args.nodes[0], args.nodes[1], NetworkOptions.from_params(params))
            text = json.dumps(found, ensure_ascii=False, indent=1) + "\n" if args.format == "json" else _path_text(found)
            return _emit(text.encode("utf-8"), args.output)
        if args.what == "ego":
            kinds = [args.kind] if args.kind else ["organisations", "partnerships", "countries"]
            for position, kind in enumerate(kinds):
                network = build_network(data, NetworkOptions.from_params(params, kind=kind))
                try:
                    resolve_node(network.graph, args.nodes[0])
                except NetworkOptionError:
                    if position == len(kinds) - 1:
                        raise
                    continue
                network = ego(network, args.nodes[0], args.radius)
                break
        else:
            network = build_network(data, NetworkOptions.from_params(params, kind=args.what))
        out = export(network, args.format)
    except NetworkOptionError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    if isinstance(out, tuple):
        if not args.output:
            return _emit((out[0] + "\n" + out[1]).encode("utf-8"), None)
        stem = Path(args.output).with_suffix("")
        _emit(out[0].encode("utf-8"), str(stem) + ".nodes.csv")
        return _emit(out[1].encode("utf-8"), str(stem) + ".edges.csv")
    return _emit(out, args.output)


def _emit(payload: bytes, output: str | None) -> int:
    if output:
        Path(output).write_bytes(payload)
        print(f"wrote {output} ({len(payload)} bytes)", file=sys.stderr)
    else:
        sys.stdout.buffer.write(payload)
        sys.stdout.flush()
    return EXIT_OK


def _path_text(found: dict) -> str:
    if not found["connected"]:
        return f"no connection between {found['from']} and {found['to']} under these filters\n"
    lines = [f"{found['organisations'][0]['label']} -> {found['organisations'][-1]['label']}: {found['partnerships_between']} partnership step(s)"]
    for step in found["steps"]:
        for link in step["links"]:
            left, right = link["sides"]
            lines.append(
                f"  {left['label']} ({'/'.join(left['roles'])}, {left['evidence']}) -- {link['label']} -- {right['label']} ({'/'.join(right['roles'])}, {right['evidence']})"
            )
            for side in (left, right):
                lines.append(f"      {side['label']}: sources {' '.join(s.rsplit('/', 1)[-1] for s in side['sources'])}")
    return "\n".join(lines) + "\n"


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
    p_report = sub.add_parser("report", parents=[common], help="print the member-list coverage (Markdown) and the identifiers still unmatched")
    p_report.add_argument("--coverage", action="store_true", help="the coverage table: known members against the size the sources state (default)")
    p_report.add_argument("--identifiers", action="store_true", help="the identifier table: GeoNames, Wikidata and EU corporate-body IRIs still missing")
    p_report.set_defaults(func=cmd_report)
    _network_parser(sub, common)
    _push_parser(sub, common)
    return main


def _network_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    from graph.network.export import FORMATS
    from graph.network.model import KINDS, WEIGHTINGS

    p_net = sub.add_parser(
        "network",
        parents=[common],
        help="the partner network of the current build: a network, an ego network, or the shortest connection",
        description="Networks: bipartite (partnerships and organisations) and its projections; 'ego ENTITY'; 'path ORG ORG'.",
    )
    p_net.add_argument("what", choices=[*KINDS, "ego", "path"])
    p_net.add_argument("nodes", nargs="*", metavar="ENTITY", help="ego: one entity; path: two organisations (IRI, slug such as 'tallinn-city', or label)")
    p_net.add_argument("--format", choices=[*FORMATS, "text"], default="json", help="json = node-link with meta; cyjs = Cytoscape; text: path only")
    p_net.add_argument("--weighting", choices=WEIGHTINGS, default="shared")
    p_net.add_argument("--as-of", dest="as_of", metavar="DATE", help="the network on a day, month or year (2018-01-01, 2018-06, 2018)")
    p_net.add_argument("--from", dest="start", metavar="DATE", help="the network over a period starting then")
    p_net.add_argument("--to", dest="end", metavar="DATE", help="... and ending then")
    p_net.add_argument("--role", dest="roles", action="append", help="roles to keep: coordinators, members, partners (default) or role names")
    p_net.add_argument("--partner-type", dest="partner_types", action="append", help="partner types to keep (city, member-state, ...)")
    p_net.add_argument("--theme", dest="themes", action="append", help="partnership themes to keep")
    p_net.add_argument("--partnership", dest="partnerships", action="append", help="partnerships to keep (slug or IRI)")
    p_net.add_argument("--evidence", action="append", help="evidence to keep (default: stated; 'all' adds the weaker evidence)")
    p_net.add_argument("--kind", choices=KINDS, help="ego: the network to take the entity from (default: by what it is)")
    p_net.add_argument("--radius", type=int, default=1, help="ego: hops from the entity (default 1)")
    p_net.add_argument("--build", help="build folder to read (default: build/, or $UAEU_BUILD_DIR)")
    p_net.add_argument("--out", dest="output", metavar="FILE", help="write here instead of standard output (csv: FILE.nodes.csv and FILE.edges.csv)")
    p_net.set_defaults(func=cmd_network)


def cmd_push(args: argparse.Namespace) -> int:
    """Load the build into a SPARQL server; the previous release is replaced in one switch."""
    import os

    from graph.release import Release
    from graph.store import StoreError
    from graph.store.push import endpoints_for, push

    settings = _settings(args)
    password = os.environ.get(args.password_env) if args.user else None
    if args.user and not password:
        print(f"error: --user needs the password in ${args.password_env}", file=sys.stderr)
        return EXIT_USAGE
    if not Release.exists(settings.build_dir):
        print(f"error: no build at {settings.build_dir}; run 'uaeu build' first", file=sys.stderr)
        return EXIT_DATA
    try:
        endpoints = endpoints_for(args.endpoint, args.update_url, args.store_url, args.user, password)
        result = push(settings.build_dir, endpoints, timeout=args.timeout)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except StoreError as err:
        print(f"error: {err}; the server's previous release is untouched", file=sys.stderr)
        return EXIT_DATA
    print(f"pushed release {result.release} to {args.endpoint}: {result.graphs} graphs, {result.quads} quads, {result.triples} triples in the union")
    print(f"dropped {result.dropped} graph(s) of the previous release; {result.seconds:.2f}s")
    return EXIT_OK


def _push_parser(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p_push = sub.add_parser("push", parents=[common], help="load the current build into a SPARQL 1.1 server (Oxigraph, Virtuoso, ...)")
    p_push.add_argument("--endpoint", required=True, help="the server's SPARQL query URL (Oxigraph: .../query, Virtuoso: .../sparql)")
    p_push.add_argument("--update-url", help="SPARQL Update URL (default: from --endpoint for Oxigraph and Virtuoso)")
    p_push.add_argument("--store-url", help="Graph Store Protocol URL (default: from --endpoint for Oxigraph and Virtuoso)")
    p_push.add_argument("--user", help="user for HTTP Digest auth (Virtuoso: dba, via /sparql-auth)")
    p_push.add_argument("--password-env", default="UAEU_SPARQL_PASSWORD", metavar="VAR", help="variable holding the password (default UAEU_SPARQL_PASSWORD)")
    p_push.add_argument("--timeout", type=float, default=120.0, help="seconds per request (default 120)")
    p_push.add_argument("--out", help="build folder to push (default: build/, or $UAEU_BUILD_DIR)")
    p_push.set_defaults(func=cmd_push)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
