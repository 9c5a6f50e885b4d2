"""Serialise query results, stopping at a row cap and saying so in the body where the format allows.

pyoxigraph's writers serialise whole result sets, and a public endpoint must cut large answers
and mark them as cut. `native_select` gets both: the engine writes TSV (one line per solution,
every term in full) into a sink that stops it after the cap, and the kept lines are read back
and written by pyoxigraph in the wanted format, with the truncation marker spliced in: no Python
work per row (about 15x faster than the Python writers at 5,000 rows). The Python writers below
stay for results that are not pyoxigraph's (a remote store's `Solutions`) and for the terminal;
graph results go through pyoxigraph's RDF serialisers after the cap.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import IO, TypeVar, cast
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from graph.formats import write_rdf
from graph.store.base import Result, Solutions

T = TypeVar("T")

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
TRUNCATED_LINK = "https://w3id.org/uaeu/ontology#truncated"


def capped(items: Iterable[T], cap: int) -> tuple[list[T], bool]:
    """The first `cap` items, and whether there were more."""
    iterator: Iterator[T] = iter(items)
    head = list(islice(iterator, cap))
    return head, next(iterator, None) is not None


def json_term(term: object) -> dict[str, str]:
    """A term as a SPARQL 1.1 JSON results binding (also used for answers kept by citations)."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


def _xml_term(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def _csv_value(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


def _tsv_value(term: object) -> str:
    return "" if term is None else str(term).replace("\t", "\\t").replace("\n", "\\n")


#: One row of SELECT results: {variable: term}, an unbound variable left out.
ResultRow = Mapping[str, object]


def solution_rows(variables: Sequence[str], solutions: Iterable[ox.QuerySolution]) -> Iterator[dict[str, object]]:
    """pyoxigraph solutions as result rows."""
    for solution in solutions:
        yield {v: term for v in variables if (term := solution[v]) is not None}


def serialise_select(variables: list[str], rows: Sequence[ResultRow], truncated: bool, fmt: str, links: Sequence[str] = ()) -> bytes:
    """SELECT results; `links` (the release that answered) go in the head where the format has one."""
    links = [*links, TRUNCATED_LINK] if truncated else list(links)
    if fmt == "json":
        head: dict[str, object] = {"vars": variables}
        if links:
            head["link"] = links
        bindings = [{v: json_term(row[v]) for v in variables if row.get(v) is not None} for row in rows]
        document: dict[str, object] = {"head": head, "results": {"bindings": bindings}}
        if truncated:
            document["truncated"] = True
        return json.dumps(document, ensure_ascii=False).encode("utf-8")
    if fmt == "xml":
        out = ['<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>']
        out += [f"<variable name={quoteattr(v)}/>" for v in variables]
        out += [f"<link href={quoteattr(link)}/>" for link in links]
        out.append("</head>\n<results>")
        for row in rows:
            cells = "".join(f"<binding name={quoteattr(v)}>{_xml_term(row[v])}</binding>" for v in variables if row.get(v) is not None)
            out.append(f"<result>{cells}</result>")
        out.append("</results>\n</sparql>\n")
        return "\n".join(out).encode("utf-8")
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        writer.writerows([_csv_value(row.get(v)) for v in variables] for row in rows)
        return buffer.getvalue().encode("utf-8")
    if fmt == "tsv":
        lines = ["\t".join(f"?{v}" for v in variables)]
        lines += ["\t".join(_tsv_value(row.get(v)) for v in variables) for row in rows]
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ValueError(f"unknown results format {fmt}")


class _Enough(Exception):
    """Raised from inside pyoxigraph's writer to stop it: the sink holds every line it needs."""


class _LineSink:
    """A binary file for pyoxigraph's TSV writer that stops it once `limit` lines have arrived."""

    def __init__(self, limit: int) -> None:
        self.parts: list[bytes] = []
        self.lines = 0
        self.limit = limit

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.lines += data.count(b"\n")
        if self.lines >= self.limit:
            raise _Enough
        return len(data)

    def flush(self) -> None:
        """Nothing is buffered here."""


_NATIVE = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML, "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}


def native_select(solutions: ox.QuerySolutions, cap: int, fmt: str, links: Sequence[str] = ()) -> tuple[bytes, int, bool]:
    """(body, rows, truncated): pyoxigraph's own writer for `fmt`, cut after `cap` rows and marked as cut like `serialise_select`.

    SPARQL TSV writes one line per solution (new lines and tabs inside literals are escaped) and
    every term in full, so its first `cap` + 1 lines are exactly the head and the first `cap`
    rows, and reading them back gives the same terms.
    """
    if fmt not in _NATIVE:
        raise ValueError(f"unknown results format {fmt}")
    sink = _LineSink(cap + 2)  # the header, `cap` rows, and one more row that says the answer was cut
    with contextlib.suppress(_Enough):
        solutions.serialize(cast("IO[bytes]", sink), format=ox.QueryResultsFormat.TSV)  # pyoxigraph only calls write()
    data = b"".join(sink.parts)
    end = -1
    for _ in range(cap + 1):
        end = data.find(b"\n", end + 1)
        if end < 0:
            break
    truncated = end >= 0 and data.find(b"\n", end + 1) >= 0
    if end >= 0:
        data = data[: end + 1]
    rows = max(0, data.count(b"\n") - 1)
    if fmt == "tsv":
        return data, rows, truncated
    body = ox.parse_query_results(data, format=ox.QueryResultsFormat.TSV).serialize(format=_NATIVE[fmt])
    assert body is not None  # no output file given: the bytes are returned
    named = [*links, TRUNCATED_LINK] if truncated else list(links)
    if named and fmt == "json":
        vars_end = body.index(b"]", body.index(b'"vars":['))  # variable names never hold "]"
        tail = body[vars_end + 1 : -1] + b',"truncated":true}' if truncated else body[vars_end + 1 :]
        body = body[: vars_end + 1] + b',"link":' + json.dumps(named).encode() + tail
    elif named and fmt == "xml":
        elements = "".join(f"<link href={quoteattr(link)}/>" for link in named).encode()
        if b"</head>" in body:
            head_end = body.index(b"</head>")  # variable names never hold "<"
            body = body[:head_end] + elements + body[head_end:]
        else:
            body = body.replace(b"<head/>", b"<head>" + elements + b"</head>", 1)
    return body, rows, truncated


def serialise_boolean(value: bool, fmt: str, links: Sequence[str] = ()) -> bytes:
    if fmt == "json":
        return json.dumps({"head": {"link": list(links)} if links else {}, "boolean": value}).encode("utf-8")
    if fmt == "xml":
        text = "true" if value else "false"
        head = "<head>" + "".join(f"<link href={quoteattr(link)}/>" for link in links) + "</head>" if links else "<head/>"
        return f'<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n{head}\n<boolean>{text}</boolean>\n</sparql>\n'.encode()
    if fmt in ("csv", "tsv"):
        return f"{'true' if value else 'false'}\n".encode()
    raise ValueError(f"unknown results format {fmt}")


def _cell(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode | ox.Literal):
        return term.value
    return str(term)


def as_text(result: Result, fmt: str) -> str:
    """A whole `GraphStore` answer for a terminal: a text table, CSV or SPARQL JSON (SELECT/ASK), or Turtle/N-Triples (CONSTRUCT)."""
    if isinstance(result, bool):
        return json.dumps({"head": {}, "boolean": result}) + "\n" if fmt == "json" else f"{result}\n"
    if not isinstance(result, Solutions):
        return write_rdf(result, ox.RdfFormat.N_TRIPLES if fmt == "ntriples" else ox.RdfFormat.TURTLE).decode("utf-8")
    names = result.variables
    if fmt in ("json", "csv"):
        return serialise_select(names, result, False, fmt).decode("utf-8") + ("\n" if fmt == "json" else "")
    rows = [[_cell(row.get(name)) for name in names] for row in result]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    out = io.StringIO()
    out.write(" | ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip() + "\n")
    out.write("-+-".join("-" * w for w in widths) + "\n")
    for row in rows:
        out.write(" | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n")
    out.write(f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n")
    return out.getvalue()


def serialise_graph(triples: list[ox.Triple], truncated: bool, fmt: str, prefixes: dict[str, str]) -> bytes:
    from graph.formats import GRAPH_FORMATS

    rdf_format = next(f.rdf for f in GRAPH_FORMATS if f.name == fmt and f.rdf is not None)
    body = write_rdf(triples, rdf_format, prefixes if fmt in ("turtle", "jsonld", "rdfxml") else None)
    if truncated and fmt in ("turtle", "ntriples"):
        body += f"# truncated: only the first {len(triples)} triples are shown\n".encode()
    if truncated and fmt == "rdfxml":
        body += f"<!-- truncated: only the first {len(triples)} triples are shown -->\n".encode()
    return body
