"""Real SPARQL servers for the store contract tests: an Oxigraph server and a Virtuoso.

Each runs on 127.0.0.1 on free ports, in a temporary folder, and can be stopped and started
again on the same ports and data (the outage test needs that). Under CI=true a server that is
not installed fails the test; elsewhere the test is skipped with the reason.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.helpers import free_port

START_TIMEOUT = 60.0
VIRTUOSO_PASSWORD = "ci-secret"  # a throwaway instance on loopback, deleted after the session


def require(executable: str, how: str) -> str:
    """The executable's path; a missing server fails under CI=true and skips elsewhere."""
    found = shutil.which(executable) or (shutil.which(executable, path=str(Path(sys.executable).parent)))
    if found is None:
        message = f"{executable} is not installed ({how})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                response.read()
            return
        except (OSError, urllib.error.URLError):
            if process.poll() is not None or time.monotonic() > deadline:
                stop_process(process)
                raise RuntimeError(f"server did not start ({url}):\n{log.read_text(errors='replace')[-3000:]}") from None
            time.sleep(0.05)


def stop_process(process: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    """SIGTERM, then SIGKILL; only this process (started in its own session)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)


@dataclass
class RemoteServer:
    """A running server: the URLs the backend and push need, and how to stop and restart it."""

    name: str
    folder: Path
    query_url: str
    update_url: str
    store_url: str
    command: list[str]
    ready_url: str
    user: str | None = None
    password: str | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=self.folder, start_new_session=True
            )
        _wait_ready(self.ready_url, self.process, self.log)

    def kill(self) -> None:
        """Kill -9, as a crash would: no clean shutdown."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=15)

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)


@contextmanager
def oxigraph_server(folder: Path) -> Iterator[RemoteServer]:
    """`oxigraph serve` (PyPI `oxigraph`) on a RocksDB folder, so a restart keeps the data."""
    exe = require("oxigraph", "pip install oxigraph, part of the test extras")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    (folder / "db").mkdir(parents=True, exist_ok=True)
    server = RemoteServer(
        "oxigraph",
        folder,
        base + "/query",
        base + "/update",
        base + "/store",
        [exe, "serve", "--location", str(folder / "db"), "--bind", f"127.0.0.1:{port}"],
        base + "/query?query=ASK%7B%7D",
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


VIRTUOSO_INI = """\
[Database]
DatabaseFile       = {db}/virtuoso.db
ErrorLogFile       = {db}/virtuoso.log
LockFile           = {db}/virtuoso.lck
TransactionFile    = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
Striping           = 0
TempStorage        = TempDatabase
[TempDatabase]
DatabaseFile       = {db}/virtuoso-temp.db
TransactionFile    = {db}/virtuoso-temp.trx
[Parameters]
ServerPort           = 127.0.0.1:{sql_port}
DisableUnixSocket    = 1
MaxClientConnections = 10
CheckpointInterval   = 60
CaseMode             = 2
DirsAllowed          = ., {db}
NumberOfBuffers      = 10000
MaxDirtyBuffers      = 6000
[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {db}
MaxClientConnections = 10
ServerThreads        = 10
Charset              = UTF-8
[SPARQL]
ResultSetMaxRows           = 1000000
MaxQueryExecutionTime      = 60
MaxQueryCostEstimationTime = 0
"""


@contextmanager
def virtuoso_server(folder: Path) -> Iterator[RemoteServer]:
    """Virtuoso 7 (Debian `virtuoso-opensource-7-bin`) with its own ini on loopback ports.

    The dba password is changed from the new-database default, and pushes go through the
    digest-protected `/sparql-auth` and `/sparql-graph-crud-auth` (no anonymous update grant).
    """
    exe = require("virtuoso-t", "apt-get install virtuoso-opensource-7-bin")
    isql = require("isql-vt", "apt-get install virtuoso-opensource-7-bin")
    sql_port, http_port = free_port(), free_port()
    db = folder / "db"
    db.mkdir(parents=True, exist_ok=True)
    ini = folder / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(db=db, sql_port=sql_port, http_port=http_port), encoding="utf-8")
    base = f"http://127.0.0.1:{http_port}"
    server = RemoteServer(
        "virtuoso",
        folder,
        base + "/sparql",
        base + "/sparql-auth",
        base + "/sparql-graph-crud-auth",
        [exe, "+foreground", "+configfile", str(ini)],
        base + "/sparql?query=ASK%7B%7D",
        user="dba",
        password=VIRTUOSO_PASSWORD,
    )
    server.start()
    try:
        subprocess.run(
            [isql, f"127.0.0.1:{sql_port}", "dba", "dba", f"exec=user_set_password('dba', '{VIRTUOSO_PASSWORD}'); checkpoint;"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        yield server
    finally:
        server.stop()
