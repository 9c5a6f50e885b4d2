"""Helpers the test modules share (fixtures live in conftest.py): free ports and apps that clean up after themselves."""

from __future__ import annotations

import csv
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the app's modules are imported when an app is made, so free_port stays light (bench uses it)
    from flask import Flask


def free_port() -> int:
    """A port that was free on 127.0.0.1 a moment ago (the server binds it right after)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_app(build_dir: Path, **app_settings: Any) -> Flask:
    """An app over the current release of `build_dir`; one query worker unless told otherwise. Close it with `close_app`."""
    from graph.config import Settings
    from webapp import create_app
    from webapp.settings import AppSettings

    return create_app(Settings(build_dir=build_dir), replace(AppSettings(query_workers=1), **app_settings))


def close_app(app: Flask) -> None:
    """Stop the app's query workers."""
    from webapp.resources import resources

    resources(app).executor.close()


@contextmanager
def running_app(build_dir: Path, **app_settings: Any) -> Iterator[Flask]:
    """`make_app` for the length of a `with` block."""
    app = make_app(build_dir, **app_settings)
    try:
        yield app
    finally:
        close_app(app)


def rename_organisation(data_dir: Path, organisation: str, **names: str) -> None:
    """Rewrite one organisation's names (`name_en=...`, `name_bg=...`) in a copy of the curated data."""
    table = data_dir / "organisations.csv"
    with table.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert any(row["id"] == organisation for row in rows), f"no organisation {organisation} in {table}"
    for row in rows:
        if row["id"] == organisation:
            row.update(names)
    with table.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
