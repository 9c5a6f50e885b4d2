"""A pinned answer as rows, the difference between two answers, and the ways to cite one (CSL-JSON, BibTeX, a plain line).

Every kind of answer is kept in one shape, SPARQL 1.1 JSON results: SELECT answers as they come,
ASK as its boolean, a graph (DESCRIBE, CONSTRUCT, a resource's page) as subject/predicate/object
rows, a network view as its edges. So the pinned table, the JSON twin and the comparison with the
latest release work the same for all of them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from typing import Any

import pyoxigraph as ox

from graph.sparql.results import json_term

AUTHOR = "Urban Agenda for the EU knowledge graph"
#: Plain-text titles of each kind of citation, by language.
TITLES = {
    "sparql": {"en": "Answer to a SPARQL query", "bg": "Отговор на SPARQL заявка"},
    "resource": {"en": "Description of {label}", "bg": "Описание на {label}"},
    "network": {"en": "Partner network ({kind})", "bg": "Мрежа на партньорите ({kind})"},
}


def graph_answer(ntriples: bytes) -> dict[str, Any]:
    """An N-Triples graph as SPARQL JSON results with ?subject ?predicate ?object, sorted."""
    triples = sorted(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES), key=str)
    bindings = [{"subject": json_term(t.subject), "predicate": json_term(t.predicate), "object": json_term(t.object)} for t in triples]
    return {"head": {"vars": ["subject", "predicate", "object"]}, "results": {"bindings": bindings}}


def edges_answer(edges: list[dict[str, Any]]) -> dict[str, Any]:
    """A network's edges as SPARQL JSON results with ?source ?target ?weight."""
    bindings = []
    for edge in sorted(edges, key=lambda e: (str(e["source"]), str(e["target"]))):
        source, target = sorted((str(edge["source"]), str(edge["target"])))  # an undirected edge, one way round
        bindings.append(
            {
                "source": {"type": "uri" if source.startswith("http") else "literal", "value": source},
                "target": {"type": "uri" if target.startswith("http") else "literal", "value": target},
                "weight": {"type": "literal", "value": f"{float(edge.get('weight', 1.0)):g}", "datatype": "http://www.w3.org/2001/XMLSchema#decimal"},
            }
        )
    return {"head": {"vars": ["source", "target", "weight"]}, "results": {"bindings": bindings}}


def row_count(answer: dict[str, Any]) -> int:
    if "boolean" in answer:
        return 1
    return len(answer.get("results", {}).get("bindings", []))


def columns(answer: dict[str, Any]) -> list[str]:
    return list(answer.get("head", {}).get("vars", [])) if "boolean" not in answer else ["boolean"]


def rows(answer: dict[str, Any]) -> list[dict[str, Any]]:
    if "boolean" in answer:
        return [{"boolean": {"type": "literal", "value": "true" if answer["boolean"] else "false"}}]
    found: list[dict[str, Any]] = answer.get("results", {}).get("bindings", [])
    return found


def cell(binding: dict[str, Any] | None) -> str:
    """A cell as text: an IRI, or a literal with its language tag."""
    if not binding:
        return ""
    value = str(binding.get("value", ""))
    if binding.get("xml:lang"):
        return f"{value} @{binding['xml:lang']}"
    return value


def _row_key(row: dict[str, Any]) -> str:
    return json.dumps(row, sort_keys=True, ensure_ascii=False)


def difference(pinned: dict[str, Any], latest: dict[str, Any]) -> dict[str, Any]:
    """Rows only in the latest answer (added), only in the pinned one (removed), and how many both have (a multiset compare)."""
    old, new = Counter(_row_key(r) for r in rows(pinned)), Counter(_row_key(r) for r in rows(latest))
    added, removed = new - old, old - new
    kept = sum((old & new).values())

    def listed(counter: Counter[str]) -> list[dict[str, Any]]:
        return [json.loads(key) for key in sorted(counter.elements())]

    return {
        "added": listed(added),
        "removed": listed(removed),
        "kept": kept,
        "columns": sorted(set(columns(pinned)) | set(columns(latest)), key=_order(pinned, latest)),
    }


def _order(*answers: dict[str, Any]) -> Any:
    seen: list[str] = []
    for answer in answers:
        seen += [c for c in columns(answer) if c not in seen]
    return lambda c: seen.index(c) if c in seen else len(seen)


# ---------------------------------------------------------------- citing


def title(kind: str, parameters: dict[str, Any], lang: str = "en") -> str:
    template = TITLES.get(kind, TITLES["sparql"])
    network_kind = parameters.get("kind") or "organisations"
    if isinstance(network_kind, list):  # a view's parameters are lists, as in a query string
        network_kind = network_kind[-1] if network_kind else "organisations"
    return template.get(lang, template["en"]).format(label=parameters.get("label") or parameters.get("iri", ""), kind=network_kind)


def csl(permalink_id: str, url: str, kind: str, parameters: dict[str, Any], release: str, created: dt.datetime) -> list[dict[str, Any]]:
    """CSL-JSON (a list of one item), as reference managers import it."""
    day = [created.year, created.month, created.day]
    return [
        {
            "id": f"uaeu-{permalink_id}",
            "type": "dataset",
            "title": f"{title(kind, parameters)} (release {release})",
            "author": [{"literal": AUTHOR}],
            "publisher": AUTHOR,
            "issued": {"date-parts": [day]},
            "accessed": {"date-parts": [day]},
            "version": release,
            "medium": "SPARQL query answer" if kind != "network" else "network view",
            "URL": url,
            "note": f"Pinned answer {permalink_id}, computed on release {release}.",
        }
    ]


_BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _bibtex_text(text: str) -> str:
    """Text safe inside a BibTeX field's braces: special characters escaped, control characters dropped."""
    return "".join(_BIBTEX_ESCAPES.get(c, c) for c in text if c >= " ")


def bibtex(permalink_id: str, url: str, kind: str, parameters: dict[str, Any], release: str, created: dt.datetime) -> str:
    safe_url = "".join(c for c in url if c not in "{}\\ " and c >= " ")
    fields = [
        ("title", f"{{{_bibtex_text(title(kind, parameters))}}} (release {_bibtex_text(release)})"),
        ("author", f"{{{AUTHOR}}}"),
        ("year", str(created.year)),
        ("month", created.strftime("%b").lower()),
        ("howpublished", f"\\url{{{safe_url}}}"),
        ("url", safe_url),
        ("version", _bibtex_text(release)),
        ("note", f"Pinned answer {permalink_id}, created {created.date().isoformat()}"),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{uaeu-{permalink_id},\n{body}\n}}\n"


def reference(permalink_id: str, url: str, kind: str, parameters: dict[str, Any], release: str, created: dt.datetime, lang: str = "en") -> str:
    """One line to paste into a paper."""
    if lang == "bg":
        return f"{AUTHOR} ({created.year}). {title(kind, parameters, 'bg')}, издание {release}. {url} (закрепено на {created.date().isoformat()})."
    return f"{AUTHOR} ({created.year}). {title(kind, parameters)}, release {release}. {url} (pinned {created.date().isoformat()})."
