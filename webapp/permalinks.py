"""The permalink store: citable answers kept in SQLite, outside the releases, for good.

A permalink pins what was asked (query text or view parameters, the view's kind), the release
that answered, when, and the answer itself (SPARQL JSON results), so opening it years later
shows exactly what was cited even after the data changed. The file (`UAEU_PERMALINKS`, default
`{build}/permalinks.sqlite3`) lives beside the archive, never inside a read-only release, so
rebuilds and restarts keep it; it runs in WAL mode so readers never wait for a writer.

Ids are short and never reused: a row's `seq` comes from SQLite's AUTOINCREMENT (which never
hands out a number twice, even after a row is gone; and there is no deletion), written in base
36, followed by a random part so that ids are not a guessable sequence. `id` is UNIQUE too.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FILE_NAME = "permalinks.sqlite3"
ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
RANDOM_CHARS = 4
#: What an id looks like (anything else is not looked up).
ID = re.compile(r"^[0-9a-z]{5,20}$")
SCHEMA = """
CREATE TABLE IF NOT EXISTS permalinks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT UNIQUE,
    kind TEXT NOT NULL,
    query TEXT NOT NULL,
    parameters TEXT NOT NULL,
    release TEXT NOT NULL,
    created TEXT NOT NULL,
    answer TEXT NOT NULL,
    rows INTEGER NOT NULL,
    truncated INTEGER NOT NULL
)
"""


def _base36(n: int) -> str:
    digits = ""
    while True:
        n, rest = divmod(n, 36)
        digits = ALPHABET[rest] + digits
        if n == 0:
            return digits


@dataclass(frozen=True)
class Permalink:
    id: str
    kind: str  # "sparql", "resource" or "network"
    query: str
    parameters: dict[str, Any]
    release: str
    created: dt.datetime
    answer: dict[str, Any]  # SPARQL JSON results
    rows: int
    truncated: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "query": self.query,
            "parameters": self.parameters,
            "release": self.release,
            "created": self.created.isoformat(),
            "rows": self.rows,
            "truncated": self.truncated,
            "answer": self.answer,
        }


class PermalinkStore:
    """One SQLite file; a connection per operation, so any thread may call it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
        try:
            db.execute("PRAGMA busy_timeout=10000")
            yield db
        finally:
            db.close()

    def create(self, kind: str, query: str, parameters: dict[str, Any], release: str, answer: dict[str, Any], rows: int, truncated: bool) -> Permalink:
        """Store a new permalink and return it with its id."""
        created = dt.datetime.now(tz=dt.UTC).replace(microsecond=0)
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                cursor = db.execute(
                    "INSERT INTO permalinks (kind, query, parameters, release, created, answer, rows, truncated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (kind, query, json.dumps(parameters, sort_keys=True), release, created.isoformat(), json.dumps(answer), rows, int(truncated)),
                )
                seq = int(cursor.lastrowid or 0)
                new_id = _base36(seq).rjust(2, "0") + "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_CHARS))
                db.execute("UPDATE permalinks SET id = ? WHERE seq = ?", (new_id, seq))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return Permalink(new_id, kind, query, parameters, release, created, answer, rows, truncated)

    def get(self, permalink_id: str) -> Permalink | None:
        if not ID.match(permalink_id):
            return None
        with self._connect() as db:
            row = db.execute(
                "SELECT id, kind, query, parameters, release, created, answer, rows, truncated FROM permalinks WHERE id = ?", (permalink_id,)
            ).fetchone()
        if row is None:
            return None
        return Permalink(row[0], row[1], row[2], json.loads(row[3]), row[4], dt.datetime.fromisoformat(row[5]), json.loads(row[6]), int(row[7]), bool(row[8]))

    def count(self) -> int:
        with self._connect() as db:
            return int(db.execute("SELECT COUNT(*) FROM permalinks").fetchone()[0])
