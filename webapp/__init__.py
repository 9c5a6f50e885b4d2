"""The Flask front end: an application factory with one blueprint per door into the graph."""

from __future__ import annotations

import atexit
import json
from pathlib import Path

from flask import Flask

from graph.config import Settings
from graph.executor import QueryExecutor
from graph.store import load_store
from webapp.settings import AppSettings


def create_app(settings: Settings | None = None, app_settings: AppSettings | None = None, executor: QueryExecutor | None = None) -> Flask:
    """Build the app over the current release in `settings.build_dir` (which must exist)."""
    settings = settings or Settings.from_env()
    app_settings = app_settings or AppSettings.from_env()
    dumps = settings.build_dir / "dumps"
    if not (dumps / "uaeu.nq").exists():
        raise FileNotFoundError(f"no build at {settings.build_dir}; run 'uaeu build' first")
    app = Flask(__name__)
    app.config["UAEU_SETTINGS"] = settings
    app.config["UAEU_APP_SETTINGS"] = app_settings
    app.config["UAEU_REPORT"] = json.loads((settings.build_dir / "report.json").read_text(encoding="utf-8"))
    app.config["MAX_CONTENT_LENGTH"] = app_settings.max_query_bytes * 4
    if executor is None:
        executor = QueryExecutor(dumps, workers=app_settings.query_workers, timeout=app_settings.query_timeout)
        atexit.register(executor.close)
    app.extensions["uaeu_executor"] = executor
    # Pages and APIs run our own named queries in-process on this store (fast, no time limit
    # needed); user-written SPARQL only ever runs in the executor's killable workers.
    app.extensions["uaeu_store"] = load_store(dumps)

    from webapp.dumps_view import dumps as dumps_blueprint
    from webapp.home import home
    from webapp.linkeddata import linkeddata
    from webapp.sparql import sparql

    app.register_blueprint(home)
    app.register_blueprint(sparql)
    app.register_blueprint(linkeddata)
    app.register_blueprint(dumps_blueprint)
    return app


def static_vendor_dir() -> Path:
    return Path(__file__).parent / "static" / "vendor"
