"""`uaeu`: the one command. Each verb is a thin door onto a library function:

    build     graph.builder.pipeline.build          validate  graph.builder.pipeline.assemble
    report    graph.builder.coverage                places    graph.builder.gazetteer
    query     graph.store (embedded) + graph.sparql.results.as_text
    network   graph.network                       push      graph.store.push
    diff      graph.diff + graph.changelog (what changed between two releases)
    serve     webapp.app.create_app under waitress
    prune     graph.archive (plan_prune, prune): old releases out of the archive, never a served or cited one

One flag vocabulary: `--build DIR` is the build folder wherever one is read or written
(`--out DIR` still works there, hidden and deprecated); `--output FILE` is a file a verb writes
(`network`); `--data`, `--ontology` and `--base` override the settings of `graph.config`. A
remote server's password comes from the environment only ($UAEU_SPARQL_PASSWORD), never from a
flag, so it stays out of shell history and process lists.

This module sits above `graph` and `webapp` and imports neither Flask nor the build at start:
the query workers of `uaeu serve` re-import it as their main module.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graph import __version__
from graph.config import Settings
from graph.problems import CuratedDataError

if TYPE_CHECKING:
    from flask import Flask
    from waitress.server import BaseWSGIServer, MultiSocketServer

    from graph.builder.pipeline import Built
    from webapp.settings import AppSettings

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2
PASSWORD_VARIABLE = "UAEU_SPARQL_PASSWORD"  # noqa: S105 - the name of the variable, not a password
USER_VARIABLE = "UAEU_SPARQL_USER"


# ---------------------------------------------------------------- flags


class _Deprecated(argparse.Action):
    """A hidden old spelling of a flag: still works, and says which flag to use instead."""

    def __init__(self, option_strings: Sequence[str], dest: str, use: str = "", **kwargs: Any) -> None:
        self.use = use
        super().__init__(option_strings, dest, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any, option_string: str | None = None) -> None:
        print(f"warning: {option_string} is deprecated; use {self.use}", file=sys.stderr)
        setattr(namespace, self.dest, values)


def _build_flag(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument("--build", dest="build_dir", metavar="DIR", help=f"build folder {what} (default: build/, or $UAEU_BUILD_DIR)")
    parser.add_argument("--out", dest="build_dir", action=_Deprecated, use="--build DIR", help=argparse.SUPPRESS)


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env()
    if getattr(args, "data", None):
        settings = replace(settings, data_dir=Path(args.data))
    if getattr(args, "ontology", None):
        settings = replace(settings, ontology_dir=Path(args.ontology))
    if getattr(args, "build_dir", None):
        settings = replace(settings, build_dir=Path(args.build_dir))
    if getattr(args, "base", None):
        settings = replace(settings, base=args.base if args.base.endswith("/") else args.base + "/")
    return settings


def _error(message: object, code: int) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


def _report_problems(err: CuratedDataError, what: str) -> int:
    for problem in err.problems:
        print(f"error: {problem}", file=sys.stderr)
    print(f"{what} failed: {len(err.problems)} problem(s); the previous build is untouched.", file=sys.stderr)
    return EXIT_DATA


def _credentials(args: argparse.Namespace) -> tuple[str | None, str | None] | int:
    """(user, password) for a remote server: the user from --user or $UAEU_SPARQL_USER, the password from the environment only."""
    user = args.user or os.environ.get(USER_VARIABLE) or None
    password = os.environ.get(PASSWORD_VARIABLE) if user else None
    if user and not password:
        return _error(f"--user needs the password in ${PASSWORD_VARIABLE}", EXIT_USAGE)
    return user, password


# ---------------------------------------------------------------- build, validate, report, places


def cmd_build(args: argparse.Namespace) -> int:
    from graph.builder.pipeline import build
    from graph.release import network_folder, remove_tree

    settings = _settings(args)
    started = time.perf_counter()
    level = os.environ.get(PRECOMPUTE_VARIABLE, "auto").strip() or "auto"
    if level not in PRECOMPUTE_LEVELS:
        return _error(f"{PRECOMPUTE_VARIABLE}: unknown level '{level}' (expected one of: {', '.join(PRECOMPUTE_LEVELS)})", EXIT_USAGE)
    networks: dict[str, Any] = {}
    try:
        try:
            built = build(settings, before_publish=lambda built: networks.update(_precompute_networks(built, settings, level)))
        except BaseException:
            # Nothing of a build that failed stays behind: not the networks written for a release never published.
            if networks.get("created"):
                remove_tree(networks["folder"])
            raise
    except CuratedDataError as err:
        return _report_problems(err, "build")
    except OSError as err:  # a full disk, a read-only or unwritable build folder (reading errors are CuratedDataErrors)
        return _error(f"cannot write the build to {settings.build_dir}: {err.strerror or err}", EXIT_DATA)
    elapsed = time.perf_counter() - started
    counts = built.report["counts"]
    print(f"release {built.report['release']}: {counts['triples']} triples, {counts['quads']} quads in {counts['named_graphs']} graphs")
    print(
        f"{counts['partnerships']} partnerships, {counts['organisations']} organisations, {counts['memberships']} memberships, {counts['events']} events, {counts['sources']} sources"
    )
    for note in built.report["notes"]:
        print(f"note: {note}")
    for warning in built.report["warnings"]:
        print(f"warning: {warning}")
    steps = ", ".join(f"{k} {v:.2f}s" for k, v in built.timings.items())
    print(f"built in {elapsed:.2f}s ({steps})")
    print(f"dumps: {settings.build_dir / 'dumps'}  report: {settings.build_dir / 'report.md'}")
    print(
        f"networks: {networks.get('precomputed', 0)} precomputed ({PRECOMPUTE_VARIABLE}={level}) in {network_folder(settings.build_dir, built.report['release'])}"
    )
    _archive_note(settings)
    return EXIT_OK


# ---------------------------------------------------------------- the release archive


def cited_releases(settings: Settings) -> set[str]:
    """The release ids the permalink store cites (UAEU_PERMALINKS, default beside the releases); none without a store."""
    from webapp.permalinks import FILE_NAME, PermalinkStore
    from webapp.settings import AppSettings

    configured = AppSettings.from_env().permalinks
    path = Path(configured) if configured else settings.build_dir / FILE_NAME
    return PermalinkStore(path).releases() if path.is_file() else set()


def _archive_note(settings: Settings) -> None:
    """After a build: how big the archive is, and a warning past its budget (builds only add; pruning is on purpose)."""
    from graph.archive import budget_from_env, listing

    entries = listing(settings.build_dir)
    size = sum(e.size for e in entries)
    budget = budget_from_env()
    print(f"archive: {len(entries)} release(s), {size:,} bytes (budget {budget:,}, UAEU_ARCHIVE_BUDGET)")
    if size > budget:
        print(f"warning: the archive is over its budget; 'uaeu prune --max-bytes {budget}' shows what would go", file=sys.stderr)


def cmd_prune(args: argparse.Namespace) -> int:
    from graph.archive import budget_from_env, plan_prune, prune

    settings = _settings(args)
    if args.keep is not None and args.keep < 1:
        return _error("--keep must be at least 1", EXIT_USAGE)
    max_bytes = args.max_bytes if args.max_bytes is not None or args.keep is not None else budget_from_env()
    plan = plan_prune(settings.build_dir, keep=args.keep, max_bytes=max_bytes, cited=cited_releases(settings), force=args.force)
    for entry in plan.remove:
        print(f"{'prune' if args.yes else 'would prune'} {entry.id} ({entry.published.date()}, {entry.size:,} bytes)")
    for release, why in plan.keep.items():
        print(f"keep {release}: {why}")
    print(f"archive: {plan.size_before:,} bytes -> {plan.size_after:,} bytes")
    if not plan.remove:
        print("nothing to prune")
        return EXIT_OK
    if not args.yes:
        print("dry run: nothing was removed; add --yes to prune")
        return EXIT_OK
    for stone in prune(settings.build_dir, plan):
        print(f"pruned {stone.id}; its URLs now answer 410, replaced by {stone.replaced_by}")
    return EXIT_OK


PRECOMPUTE_VARIABLE = "UAEU_NETWORK_PRECOMPUTE"
PRECOMPUTE_LEVELS = ("auto", "years", "defaults", "none")


def _precompute_networks(built: Built, settings: Settings, level: str) -> dict[str, Any]:
    """The partner networks the page asks for most, computed into the build folder before the release becomes current.

    The same release built again by the same code keeps the folder it has (it holds the same bytes).
    """
    from graph.network import Precomputed, precompute_release
    from graph.release import dump_name, network_folder

    mark = time.perf_counter()
    release = str(built.report["release"])
    folder = network_folder(settings.build_dir, release)
    existing = Precomputed.open(folder, release, settings.base)
    if existing is not None and level in ("auto", existing.manifest.get("level")):
        return {"precomputed": len(existing), "folder": folder, "created": False}
    created = not folder.exists()
    dumps = {ext: built.dumps[dump_name(ext)] for ext in ("nq", "nt")}
    count = precompute_release(dumps, release, settings.base, folder, level)
    built.timings["networks"] = time.perf_counter() - mark
    return {"precomputed": count, "folder": folder, "created": created}


def cmd_validate(args: argparse.Namespace) -> int:
    from graph.builder.pipeline import assemble

    try:
        built = assemble(_settings(args))
    except CuratedDataError as err:
        return _report_problems(err, "validation")
    counts = built.report["counts"]
    print(f"valid: {counts['triples']} triples from {counts['partnerships']} partnerships, {counts['memberships']} memberships, {counts['events']} events")
    for warning in built.lint_warnings:
        print(f"warning: {warning}")
    return EXIT_OK


def cmd_lint(args: argparse.Namespace) -> int:
    """The data lint alone: every finding with its file and line (exit 1 on an error)."""
    from graph.builder.datalint import errors, without_lines
    from graph.builder.pipeline import lint_curated

    try:
        findings = lint_curated(_settings(args))
    except CuratedDataError as err:
        return _report_problems(err, "lint")
    for finding in findings:
        print(f"- {without_lines(finding)}" if args.accepted else f"{finding.level}: {finding}")
    return 1 if errors(findings) else EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    """Print the coverage table (the README's data section is pasted from it) and/or the identifier table."""
    from graph.builder.coverage import coverage_markdown, coverage_rows, identifier_status, identifiers_markdown
    from graph.builder.pipeline import read_checked

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


def cmd_places(args: argparse.Namespace) -> int:
    """Match the cities of places.csv against the GeoNames extract; with --write, fill the matched rows."""
    from graph.builder.gazetteer import match_places_file

    path = Path(args.places) if args.places else _settings(args).data_dir / "places.csv"
    try:
        results = match_places_file(path, write=args.write)
    except OSError as err:
        return _error(f"cannot read {path}: {err.strerror or err}", EXIT_DATA)
    for status in ("matched", "ambiguous", "unmatched"):
        chosen = [r for r in results if r.status == status]
        print(f"{status}: {len(chosen)}")
        for r in chosen:
            print(f"  {r.describe()}")
    return EXIT_OK


# ---------------------------------------------------------------- query, network


def cmd_query(args: argparse.Namespace) -> int:
    from graph.queries import BindingError, NamedQuery, parse_term
    from graph.release import Release
    from graph.sparql.results import as_text
    from graph.store import QueryError
    from graph.store.embedded import EmbeddedStore

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
        return _error(err, EXIT_USAGE)
    try:
        store = EmbeddedStore.in_memory(Release.open(settings.build_dir), base=settings.base)
        sys.stdout.write(as_text(store.query(text, bindings), args.format))
    except FileNotFoundError as err:
        return _error(err, EXIT_DATA)
    except QueryError as err:
        return _error(err, EXIT_USAGE)
    return EXIT_OK


def cmd_network(args: argparse.Namespace) -> int:
    from graph.network import NetworkOptionError, NetworkOptions, build_network, ego, export, network_data, path_text, resolve_node, shortest_connection
    from graph.release import NoRelease, Release
    from graph.store.embedded import EmbeddedStore

    settings = _settings(args)
    wanted = {"ego": 1, "path": 2}.get(args.what, 0)
    if len(args.nodes) != wanted:
        return _error(f"'uaeu network {args.what}' takes {wanted or 'no'} entit{'y' if wanted == 1 else 'ies'}, got {len(args.nodes)}", EXIT_USAGE)
    try:
        release = Release.open(settings.build_dir)  # pinned: the data and its release id come from one release
    except NoRelease as err:
        return _error(err, EXIT_DATA)
    data = network_data(EmbeddedStore.in_memory(release, base=settings.base), base=settings.base, release=release.id)
    params = {
        k: v for k, v in vars(args).items() if k in ("weighting", "as_of", "start", "end", "roles", "partner_types", "themes", "partnerships", "evidence")
    }
    try:
        if args.what == "path":
            found = shortest_connection(data, args.nodes[0], args.nodes[1], NetworkOptions.from_params(params))
            text = json.dumps(found, ensure_ascii=False, indent=1) + "\n" if args.format == "json" else path_text(found)
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
        return _error(err, EXIT_USAGE)
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


# ---------------------------------------------------------------- diff


def cmd_diff(args: argparse.Namespace) -> int:
    """What changed from release A to release B: the changelog (text), its JSON, or the RDF Patch."""
    from graph import diff

    build_dir = _settings(args).build_dir
    try:
        older, newer = diff.find(build_dir, args.older), diff.find(build_dir, args.newer)
    except diff.UnknownRelease as err:
        return _error(err, EXIT_USAGE)
    folder = diff.cached(build_dir, older, newer)
    if args.format == "patch":
        return _emit((folder / diff.PATCH).read_bytes(), args.output)
    data = diff.summary(build_dir, older, newer)
    if args.format == "json":
        return _emit((json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8"), args.output)
    lang = args.lang
    lines = [f"{older.id} -> {newer.id}: +{data['added']} / -{data['removed']} quads"]
    lines += [f"- {entry[lang]}" for entry in data["changelog"]]
    other = data["other"]["count"]
    if other:
        lines.append(f"- other changes: {other} quad(s)" if lang == "en" else f"- други промени: {other} квадрупъл(а)")
    if data["blank_node_quads"]:
        lines.append(f"- {data['blank_node_quads']} changed quad(s) hold blank nodes, compared by their labels as written")
    if not data["changelog"] and not other:
        lines.append("- no changes" if lang == "en" else "- няма промени")
    return _emit(("\n".join(lines) + "\n").encode("utf-8"), args.output)


# ---------------------------------------------------------------- push, serve


def cmd_push(args: argparse.Namespace) -> int:
    """Load the build into a SPARQL server; the previous release is replaced in one switch."""
    from graph.release import Release
    from graph.store import StoreError
    from graph.store.push import endpoints_for, push

    settings = _settings(args)
    credentials = _credentials(args)
    if isinstance(credentials, int):
        return credentials
    if not Release.exists(settings.build_dir):
        return _error(f"no build at {settings.build_dir}; run 'uaeu build' first", EXIT_DATA)
    try:
        endpoints = endpoints_for(args.endpoint, args.update_url, args.store_url, *credentials)
        result = push(settings.build_dir, endpoints, timeout=args.timeout)
    except ValueError as err:
        return _error(err, EXIT_USAGE)
    except StoreError as err:
        return _error(f"{err}; the server's previous release is untouched", EXIT_DATA)
    print(f"pushed release {result.release} to {args.endpoint}: {result.graphs} graphs, {result.quads} quads, {result.triples} triples in the union")
    print(f"dropped {result.dropped} graph(s) of the previous release; {result.seconds:.2f}s")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the web app and /sparql over the store of `--store`: memory (default), disk or a remote SPARQL server."""
    from graph.release import Release
    from graph.store import StoreUnavailable, open_store
    from webapp import create_app
    from webapp.app import settle
    from webapp.resources import resources
    from webapp.settings import AppSettings

    settings = _settings(args)
    app_settings = AppSettings.from_env(public_url=f"http://{args.host}:{args.port}/")
    if args.timeout is not None:
        app_settings = replace(app_settings, query_timeout=args.timeout)
    options: dict[str, Any] = {"base": settings.base}
    if args.store == "sparql":
        if not args.endpoint:
            return _error("--store sparql needs --endpoint (the server's SPARQL query URL)", EXIT_USAGE)
        credentials = _credentials(args)
        if isinstance(credentials, int):
            return credentials
        options.update(timeout=app_settings.query_timeout, user=credentials[0], password=credentials[1])
    elif not Release.exists(settings.build_dir):
        print(f"no build at {settings.build_dir}: building first", file=sys.stderr)
        code = main(["build", "--build", str(settings.build_dir)])
        if code != 0:
            return code
    path = Path(args.store_path) if args.store_path else None
    try:
        store = open_store(args.store, build_dir=settings.build_dir, path=path, endpoint=args.endpoint, **options)
        app = create_app(settings, app_settings, store=store)
    except (StoreUnavailable, RuntimeError) as err:
        return _error(err, EXIT_DATA)
    # The socket is bound before anything says "serving": a busy port is one clear error line, not a traceback after it.
    try:
        server = _server(app, args, app_settings)
    except OSError as err:
        if err.errno == errno.EADDRINUSE:
            return _error(f"port {args.port} on {args.host} is already in use ({err.strerror}); stop the other server or choose another --port", EXIT_DATA)
        return _error(f"cannot listen on port {args.port} on {args.host}: {err.strerror or err}", EXIT_DATA)
    # After the network warm-up, the start-up heap is frozen out of the garbage collector's walks (webapp.app.settle).
    threading.Thread(target=settle, args=(app,), name="uaeu-settle", daemon=True).start()
    where = f"from {args.endpoint} " if args.store == "sparql" else ""
    print(f"serving release {resources(app).release_id} {where}at {app_settings.public_url} (SPARQL: {app_settings.public_url}sparql)", flush=True)
    _run(server)
    return EXIT_OK


def _server(app: Flask, args: argparse.Namespace, app_settings: AppSettings) -> BaseWSGIServer | MultiSocketServer:
    """waitress, bound (raises OSError when the address is taken), with enough threads that queued
    user queries never take the pages' threads."""
    from waitress.server import create_server

    threads = args.threads or app_settings.query_workers + app_settings.query_queue + 8
    return create_server(app, host=args.host, port=args.port, threads=threads, ident="uaeu", channel_timeout=30, connection_limit=1000)


def _run(server: BaseWSGIServer | MultiSocketServer) -> None:
    """Serve until Ctrl-C or SIGTERM (which ends like Ctrl-C: atexit stops every query worker before the process goes)."""
    import signal

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    with contextlib.suppress(KeyboardInterrupt):
        server.run()


# ---------------------------------------------------------------- the tree


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(prog="uaeu", description="Urban Agenda for the EU knowledge graph")
    main_parser.add_argument("--version", action="version", version=f"uaeu {__version__}")
    sources = argparse.ArgumentParser(add_help=False)
    sources.add_argument("--data", metavar="DIR", help="curated data folder (default: data/, or $UAEU_DATA_DIR)")
    sources.add_argument("--ontology", metavar="DIR", help="ontology folder (default: ontology/, or $UAEU_ONTOLOGY_DIR)")
    sources.add_argument("--base", metavar="IRI", help="base IRI (default: https://w3id.org/uaeu/, or $UAEU_BASE)")
    remote = argparse.ArgumentParser(add_help=False)
    remote.add_argument("--user", help=f"user for HTTP Digest auth (default ${USER_VARIABLE}); the password is read from ${PASSWORD_VARIABLE}")
    sub = main_parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("build", parents=[sources], help="check, convert and validate the curated data, then publish a release")
    _build_flag(p, "to write")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("prune", help="remove old releases from the archive (a dry run unless --yes); never the current, a served or a cited one")
    _build_flag(p, "to prune")
    p.add_argument("--keep", type=int, metavar="N", help="keep the N newest releases")
    p.add_argument(
        "--max-bytes", dest="max_bytes", type=int, metavar="BYTES", help="remove the oldest until the archive is at most BYTES (default: $UAEU_ARCHIVE_BUDGET)"
    )
    p.add_argument("--yes", action="store_true", help="really remove them (default: only say what would go)")
    p.add_argument("--force", action="store_true", help="also remove releases that permalinks cite (their permalinks then answer 410)")
    p.set_defaults(func=cmd_prune)

    p = sub.add_parser("validate", parents=[sources], help="check and validate without writing anything")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("query", parents=[sources], help="run a SPARQL query over the current build")
    p.add_argument("query", nargs="?", default="-", help="the query text, or - to read it from standard input")
    p.add_argument("--file", help="read the query from this file (its '# bind:' lines give default values)")
    p.add_argument("--bind", action="append", default=[], metavar="NAME=VALUE", help='bind ?NAME to <iri> or "literal" (repeatable)')
    p.add_argument("--format", choices=["table", "csv", "json", "turtle", "ntriples"], default="table")
    _build_flag(p, "to query")
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("lint", parents=[sources], help="the data lint alone: duplicates, two spellings, unquoted sources, ... with file and line")
    p.add_argument("--accepted", action="store_true", help="print the findings as data/README.md lists the accepted ones (no line numbers)")
    p.set_defaults(func=cmd_lint)

    p = sub.add_parser("report", parents=[sources], help="print the member-list coverage (Markdown) and the identifiers still unmatched")
    p.add_argument("--coverage", action="store_true", help="the coverage table: known members against the size the sources state (default)")
    p.add_argument("--identifiers", action="store_true", help="the identifier table: GeoNames, Wikidata and EU corporate-body IRIs still missing")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("places", parents=[sources], help="match the cities of places.csv against the offline GeoNames extract")
    p.add_argument("places", nargs="?", metavar="PLACES_CSV", help="the places file (default: places.csv in the data folder)")
    p.add_argument("--write", action="store_true", help="fill the GeoNames id and coordinates of matched cities")
    p.set_defaults(func=cmd_places)

    _network_parser(sub, sources)

    p = sub.add_parser("diff", help="what changed between two releases: a changelog (default), JSON, or an RDF Patch")
    p.add_argument("older", metavar="A", help="the older release: its id (0.1.0+3f2a...) or folder name (0.1.0_3f2a...)")
    p.add_argument("newer", metavar="B", help="the newer release")
    p.add_argument("--format", choices=["changelog", "json", "patch"], default="changelog")
    p.add_argument("--lang", choices=["en", "bg"], default="en", help="the changelog's language")
    p.add_argument("--output", metavar="FILE", help="write to FILE instead of standard output")
    _build_flag(p, "holding both releases")
    p.set_defaults(func=cmd_diff)

    p = sub.add_parser("push", parents=[sources, remote], help="load the current build into a SPARQL 1.1 server (Oxigraph, Virtuoso, ...)")
    p.add_argument("--endpoint", required=True, help="the server's SPARQL query URL (Oxigraph: .../query, Virtuoso: .../sparql)")
    p.add_argument("--update-url", help="SPARQL Update URL (default: from --endpoint for Oxigraph and Virtuoso)")
    p.add_argument("--store-url", help="Graph Store Protocol URL (default: from --endpoint for Oxigraph and Virtuoso)")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds per request (default 120)")
    _build_flag(p, "to push")
    p.set_defaults(func=cmd_push)

    p = sub.add_parser("serve", parents=[remote], help="serve the web app and SPARQL endpoint")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=5000, help="port (default 5000)")
    p.add_argument("--threads", type=int, help="HTTP threads (default: query workers + query queue + 8)")
    p.add_argument("--timeout", type=float, help="query time limit in seconds (default 10, or $UAEU_QUERY_TIMEOUT)")
    _build_flag(p, "to serve; built first if missing")
    p.add_argument(
        "--store",
        choices=["memory", "disk", "sparql"],
        default="memory",
        help="where the data lives: in memory (default), an on-disk store (fast restarts), or a remote SPARQL server holding a pushed release",
    )
    p.add_argument("--store-path", metavar="DIR", help="with --store disk: the store's folder (default: one per release, under the build folder's stores/)")
    p.add_argument("--endpoint", help="with --store sparql: the server's SPARQL query URL (Oxigraph /query, Virtuoso /sparql)")
    p.set_defaults(func=cmd_serve)
    return main_parser


def _network_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser], sources: argparse.ArgumentParser) -> None:
    from graph.network.export import FORMATS
    from graph.network.model import KINDS, WEIGHTINGS

    p = sub.add_parser(
        "network",
        parents=[sources],
        help="the partner network of the current build: a network, an ego network, or the shortest connection",
        description="Networks: bipartite (partnerships and organisations) and its projections; 'ego ENTITY'; 'path ORG ORG'.",
    )
    p.add_argument("what", choices=[*KINDS, "ego", "path"])
    p.add_argument("nodes", nargs="*", metavar="ENTITY", help="ego: one entity; path: two organisations (IRI, slug such as 'tallinn-city', or label)")
    p.add_argument("--format", choices=[*FORMATS, "text"], default="json", help="json = node-link with meta; cyjs = Cytoscape; text: path only")
    p.add_argument("--weighting", choices=WEIGHTINGS, default="shared")
    p.add_argument("--as-of", dest="as_of", metavar="DATE", help="the network on a day, month or year (2018-01-01, 2018-06, 2018)")
    p.add_argument("--from", dest="start", metavar="DATE", help="the network over a period starting then")
    p.add_argument("--to", dest="end", metavar="DATE", help="... and ending then")
    p.add_argument("--role", dest="roles", action="append", help="roles to keep: coordinators, members, partners (default) or role names")
    p.add_argument("--partner-type", dest="partner_types", action="append", help="partner types to keep (city, member-state, ...)")
    p.add_argument("--theme", dest="themes", action="append", help="partnership themes to keep")
    p.add_argument("--partnership", dest="partnerships", action="append", help="partnerships to keep (slug or IRI)")
    p.add_argument("--evidence", action="append", help="evidence to keep (default: stated; 'all' adds the weaker evidence)")
    p.add_argument("--kind", choices=KINDS, help="ego: the network to take the entity from (default: by what it is)")
    p.add_argument("--radius", type=int, default=1, help="ego: hops from the entity (default 1)")
    p.add_argument("--build", dest="build_dir", metavar="DIR", help="build folder to read (default: build/, or $UAEU_BUILD_DIR)")
    p.add_argument("--output", metavar="FILE", help="write here instead of standard output (csv: FILE.nodes.csv and FILE.edges.csv)")
    p.add_argument("--out", dest="output", action=_Deprecated, use="--output FILE", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_network)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
