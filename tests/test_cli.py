"""The `uaeu` command as a person uses it: build, validate, query in every output form."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from graph.builder.pipeline import Built
from graph.queries import EXAMPLES_DIR


def uaeu(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "webapp.cli", *args], capture_output=True, text=True, timeout=120, check=False)


def test_query_formats(built: Built, release_dir: Path) -> None:
    query = "SELECT ?n WHERE { <https://w3id.org/uaeu/id/organisation/sofia-municipality> <http://www.w3.org/2004/02/skos/core#prefLabel> ?n } ORDER BY ?n"
    table = uaeu("query", query, "--build", str(release_dir))
    assert table.returncode == 0, table.stderr
    assert "Sofia Municipality" in table.stdout
    assert "Столична община" in table.stdout
    assert table.stdout.rstrip().endswith("(2 rows)")
    as_csv = uaeu("query", query, "--format", "csv", "--build", str(release_dir))
    assert next(csv.reader(io.StringIO(as_csv.stdout))) == ["n"]
    as_json = json.loads(uaeu("query", query, "--format", "json", "--build", str(release_dir)).stdout)
    assert {b["n"]["value"] for b in as_json["results"]["bindings"]} == {"Sofia Municipality", "Столична община"}


def test_query_file_with_default_and_overridden_bindings(built: Built, release_dir: Path) -> None:
    path = str(EXAMPLES_DIR / "01-partnership-coordinators.rq")
    default = uaeu("query", "--file", path, "--format", "csv", "--build", str(release_dir))
    assert default.returncode == 0, default.stderr
    assert "Sofia Municipality" in default.stdout
    housing = uaeu(
        "query", "--file", path, "--format", "csv", "--bind", "partnership=<https://w3id.org/uaeu/id/partnership/housing>", "--build", str(release_dir)
    )
    assert "Sofia Municipality" not in housing.stdout
    assert len(list(csv.reader(io.StringIO(housing.stdout)))) == 3


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["query", "SELECT ?x WHERE { ?x }"], 2, "SPARQL syntax error"),
        (["query", "--file", str(EXAMPLES_DIR / "01-partnership-coordinators.rq"), "--bind", "partnership=digital-transition"], 2, "cannot bind"),
    ],
)
def test_query_errors_are_clear(built: Built, release_dir: Path, args: list[str], code: int, words: str) -> None:
    result = uaeu(*args, "--build", str(release_dir))
    assert result.returncode == code
    assert words in result.stderr


def test_query_without_a_build_says_so(tmp_path: Path) -> None:
    result = uaeu("query", "ASK {}", "--build", str(tmp_path / "nothing"))
    assert result.returncode == 1
    assert "run 'uaeu build' first" in result.stderr


def test_validate_and_build_report(tmp_path: Path) -> None:
    validate = uaeu("validate")
    assert validate.returncode == 0, validate.stderr
    assert validate.stdout.startswith("valid: ")
    build = uaeu("build", "--build", str(tmp_path / "b"))
    assert build.returncode == 0, build.stderr
    assert "20 partnerships" in build.stdout
    assert "warning: building-decarbonisation: no coordinator stated by the sources" in build.stdout
    # Coverage figures are information, not problems: `note:`, never `warning:`.
    lines = build.stdout.splitlines()
    assert any(line.startswith("note: ") and "organisations have no Bulgarian label" in line for line in lines)
    assert not any(line.startswith("warning: ") and ("Bulgarian label" in line or "verified coordinates" in line) for line in lines)


def test_old_out_flag_still_names_the_build_folder_and_says_it_is_deprecated(built: Built, release_dir: Path) -> None:
    result = uaeu("query", "ASK { ?s ?p ?o }", "--out", str(release_dir))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "True\n"
    assert "--out is deprecated; use --build DIR" in result.stderr


def test_no_password_on_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    """A password given as a flag would show in shell history and process lists: it comes from the environment only."""
    from webapp.cli import main

    for command in (
        ["serve", "--store", "sparql", "--endpoint", "http://127.0.0.1:1/sparql", "--password", "x"],
        ["push", "--endpoint", "http://127.0.0.1:1/query", "--password", "x"],
    ):
        with pytest.raises(SystemExit) as exit_info:
            main(command)
        assert exit_info.value.code == 2
        assert "unrecognized arguments: --password" in capsys.readouterr().err


def test_serve_from_an_on_disk_store(built: Built, release_dir: Path, tmp_path: Path) -> None:
    """`uaeu serve --store disk`: pages, APIs and /sparql from a RocksDB store loaded once from the release."""
    import urllib.parse
    import urllib.request

    from tests.servers import start_server

    database = tmp_path / "db"
    with start_server(release_dir, args=["--store", "disk", "--store-path", str(database)]) as server:
        with urllib.request.urlopen(server.url + "/version", timeout=10) as response:
            assert json.loads(response.read())["release"] == built.report["release"]
        request = urllib.request.Request(server.url + "/doc/place/sofia", headers={"Accept": "text/html"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert "Sofia Municipality" in response.read().decode("utf-8")
        query = urllib.parse.urlencode({"query": "SELECT (COUNT(?p) AS ?n) WHERE { ?p a <https://w3id.org/uaeu/ontology#Partnership> }"})
        request = urllib.request.Request(f"{server.url}/sparql?{query}", headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert json.loads(response.read())["results"]["bindings"][0]["n"]["value"] == "20"
    assert (database / "uaeu-report.json").exists(), "the store was written where asked"


def test_serve_on_a_busy_port_says_so_in_one_line(built: Built, release_dir: Path) -> None:
    """Another program holds the port: one `error:` line naming port and host, exit 1, no traceback, and never "serving ..." first."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = uaeu("serve", "--host", "127.0.0.1", "--port", str(port), "--build", str(release_dir))
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"error: port {port} on 127.0.0.1 is already in use (" in result.stderr
    assert "Traceback" not in result.stderr
    assert "serving" not in result.stdout + result.stderr
