"""The `uaeu` command: the library's commands (build, validate, query, ...) plus `serve`.

It sits above both `graph` and `webapp`, so `graph` never needs Flask.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from dataclasses import replace
from pathlib import Path

from graph import cli as graph_cli
from graph.config import Settings
from graph.release import Release
from webapp.settings import AppSettings


def cmd_serve(args: argparse.Namespace) -> int:
    from webapp import create_app

    settings = Settings.from_env()
    if args.out:
        settings = replace(settings, build_dir=Path(args.out))
    app_settings = AppSettings.from_env(public_url=f"http://{args.host}:{args.port}/")
    if args.timeout is not None:
        app_settings = replace(app_settings, query_timeout=args.timeout)
    if args.store == "sparql":
        return _serve_remote(args, settings, app_settings)
    if not Release.exists(settings.build_dir):
        print(f"no build at {settings.build_dir}: building first", file=sys.stderr)
        code = graph_cli.main(["build", "--out", str(settings.build_dir)])
        if code != 0:
            return code
    app = create_app(settings, app_settings)
    print(f"serving release {app.config['UAEU_REPORT']['release']} at {app_settings.public_url} (SPARQL: {app_settings.public_url}sparql)", flush=True)
    _serve(app, args, app_settings)
    return 0


def _serve(app: object, args: argparse.Namespace, app_settings: AppSettings) -> None:
    """waitress with enough threads that queued user queries never take the pages' threads, and a
    SIGTERM that ends like Ctrl-C: atexit stops every query worker before the process goes."""
    import signal

    import waitress

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    threads = args.threads or app_settings.query_workers + app_settings.query_queue + 8
    with contextlib.suppress(KeyboardInterrupt):
        waitress.serve(app, host=args.host, port=args.port, threads=threads, ident="uaeu", channel_timeout=60)


def _serve_remote(args: argparse.Namespace, settings: Settings, app_settings: AppSettings) -> int:
    """Serve every page and API from a remote SPARQL server holding a pushed release."""
    from graph.store import StoreUnavailable
    from graph.store.remote import RemoteStore
    from webapp import create_app

    if not args.endpoint:
        print("error: --store sparql needs --endpoint (the server's SPARQL query URL)", file=sys.stderr)
        return 2
    remote = RemoteStore(args.endpoint, timeout=app_settings.query_timeout, user=args.user, password=args.password)
    try:
        app = create_app(settings, app_settings, remote=remote)
    except StoreUnavailable as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except RuntimeError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    print(f"serving release {app.config['UAEU_REPORT']['release']} from {args.endpoint} at {app_settings.public_url}", flush=True)
    _serve(app, args, app_settings)
    return 0


def parser() -> argparse.ArgumentParser:
    main = graph_cli.parser()
    sub = next(a for a in main._actions if isinstance(a, argparse._SubParsersAction))
    serve = sub.add_parser("serve", help="serve the web app and SPARQL endpoint on the embedded store")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=5000, help="port (default 5000)")
    serve.add_argument("--threads", type=int, help="HTTP threads (default: query workers + query queue + 8)")
    serve.add_argument("--timeout", type=float, help="query time limit in seconds (default 10, or $UAEU_QUERY_TIMEOUT)")
    serve.add_argument("--out", help="build folder to serve (default build/); built first if missing")
    serve.add_argument(
        "--store", choices=["memory", "sparql"], default="memory", help="where the data lives: the embedded store (default) or a remote SPARQL server"
    )
    serve.add_argument("--endpoint", help="with --store sparql: the server's SPARQL query URL (Oxigraph /query, Virtuoso /sparql)")
    serve.add_argument("--user", help="with --store sparql: user for HTTP digest authentication, if the server needs it")
    serve.add_argument("--password", help="with --store sparql: password for HTTP digest authentication")
    serve.set_defaults(func=cmd_serve)
    return main


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
