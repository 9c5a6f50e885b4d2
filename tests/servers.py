"""Start and stop a real `uaeu serve` for tests that talk HTTP (and browsers) to it.

A subprocess rather than an in-process app: the tests then exercise what users run, including
waitress, the command line, the environment settings and the killable query workers.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from graph.config import PROJECT_ROOT
from tests.helpers import free_port

START_TIMEOUT = 60.0


@dataclass
class Server:
    """A running `uaeu serve`: its base URL (no trailing slash), process and output log."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def _command(out: Path, port: int, extra: list[str]) -> list[str]:
    script = Path(sys.executable).with_name("uaeu")
    head = [str(script)] if script.exists() else [sys.executable, "-m", "webapp.cli"]
    return [*head, "serve", "--host", "127.0.0.1", "--port", str(port), "--build", str(out), *extra]


def _wait_healthy(server: Server, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"uaeu serve exited with code {server.process.returncode} before answering /healthz:\n{server.output()}")
        try:
            with urllib.request.urlopen(server.url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"uaeu serve did not answer {server.url}/healthz within {timeout:g} s:\n{server.output()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def start_server(out: Path, env: Mapping[str, str] | None = None, args: list[str] | None = None, timeout: float = START_TIMEOUT) -> Iterator[Server]:
    """Serve the build folder `out` on a free loopback port until the block ends.

    `env` is added to (and overrides) this process's environment, e.g. {"UAEU_QUERY_TIMEOUT": "0.5"}.
    On a failed start the error carries the server's output (stdout and stderr).
    """
    port = free_port()
    full_env = {**os.environ, **(env or {})}
    if "UAEU_PUBLIC_URL" not in (env or {}):
        full_env.pop("UAEU_PUBLIC_URL", None)  # the server must name its own loopback URL
    with tempfile.NamedTemporaryFile(prefix="uaeu-serve-", suffix=".log", delete=False) as handle:
        log = Path(handle.name)
    with log.open("wb") as sink:
        process = subprocess.Popen(_command(out, port, args or []), cwd=PROJECT_ROOT, env=full_env, stdout=sink, stderr=subprocess.STDOUT)
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        _wait_healthy(server, timeout)
        yield server
    finally:
        _stop(process)
        log.unlink(missing_ok=True)
