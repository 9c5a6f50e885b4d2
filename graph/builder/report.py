"""The build report: what a release holds and what is still weak or missing in it."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rdflib import Graph
from rdflib.namespace import RDF

from graph.builder.coverage import coverage_markdown, coverage_rows, identifier_status, identifiers_markdown
from graph.builder.curated import CuratedData
from graph.namespaces import Minter, prefixes
from graph.vocabulary import WEAK_EVIDENCE


def _curie(iri: str, base: str) -> str:
    for prefix, namespace in sorted(prefixes(base).items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def build_report(data: CuratedData, union: Graph, quad_count: int, graph_count: int, mint: Minter, release: str) -> dict[str, Any]:
    classes = Counter(_curie(str(o), mint.base) for o in union.objects(None, RDF.type))
    partnerships = []
    warnings: list[str] = []  # a gap someone can act on (a partnership without a stated coordinator); the lint adds its own
    notes: list[str] = []  # coverage figures: what the sources do not (yet) say, information rather than a problem
    by_partnership: dict[str, list[Any]] = {p: [] for p in data.partnerships}
    for membership in data.memberships.values():
        by_partnership[membership.get("partnership")].append(membership)
    for ident, record in data.partnerships.items():
        entries = by_partnership[ident]
        coordinators = sorted(m.get("organisation") for m in entries if m.get("role") == "coordinator" and m.get("evidence") == "stated")
        row = {
            "id": ident,
            "name": record.get("short_name")["en"],
            "coordinators_stated": coordinators,
            "members_stated": sum(1 for m in entries if m.get("role") in ("coordinator", "member") and m.get("evidence") == "stated"),
            "entries_weaker_evidence": sum(1 for m in entries if m.get("evidence") in WEAK_EVIDENCE),
            "entries_other_roles": sum(1 for m in entries if m.get("role") not in ("coordinator", "member")),
            "entries_total": len(entries),
            "stated_member_count": (record.get("stated_member_count") or {}).get("text", ""),
        }
        partnerships.append(row)
        if not coordinators:
            weak = [m.get("organisation") for m in entries if m.get("role") == "coordinator"]
            warnings.append(f"{ident}: no coordinator stated by the sources" + (f" (weaker evidence: {', '.join(sorted(weak))})" if weak else ""))
    roles = Counter(f"{m.get('role')}/{m.get('evidence')}" for m in data.memberships.values())
    missing_bg = sorted(i for i, r in data.organisations.items() if not r.get("name_bg"))
    no_coordinates = sorted(i for i, r in data.places.items() if r.get("type") != "venue" and not r.get("lat"))
    no_qid = sorted(i for i, r in data.places.items() if r.get("type") != "venue" and not r.get("wikidata"))
    uncertain_events = sorted(i for i, r in data.events.items() if r.get("date_certainty") and r.get("date_certainty") != "stated")
    notes.append(f"{len(missing_bg)} of {len(data.organisations)} organisations have no Bulgarian label")
    notes.append(f"{len(no_coordinates)} of {sum(1 for r in data.places.values() if r.get('type') != 'venue')} places have no verified coordinates")
    notes.append(f"{len(no_qid)} places have no verified Wikidata identifier")
    notes.append(f"{len(uncertain_events)} of {len(data.events)} events have dates that are not plainly stated (see uaeu:dateCertainty)")
    identifiers = identifier_status(data)
    if identifiers["geonames_unmatched"]:
        notes.append(f"{len(identifiers['geonames_unmatched'])} cities have no verified GeoNames id: {', '.join(identifiers['geonames_unmatched'])}")
    if identifiers["eu_bodies_without_authority_iri"]:
        notes.append(f"{len(identifiers['eu_bodies_without_authority_iri'])} EU bodies have no verified EU corporate-body IRI")
    if identifiers["eu_bodies_without_wikidata"]:
        notes.append(f"{len(identifiers['eu_bodies_without_wikidata'])} EU bodies have no verified Wikidata identifier")
    return {
        "release": release,
        "base": mint.base,
        "counts": {
            "triples": len(union),
            "quads": quad_count,
            "named_graphs": graph_count,
            "sources": len(data.sources),
            "countries": len(data.countries),
            "places": len(data.places),
            "organisations": len(data.organisations),
            "people": len(data.people),
            "partnerships": len(data.partnerships),
            "memberships": len(data.memberships),
            "events": len(data.events),
            "panels": sum(len(e.get("panels")) for e in data.events.values()),
            "actions": sum(len((p.get("action_plan") or {}).get("actions", [])) for p in data.partnerships.values()),
        },
        "classes": dict(sorted(classes.items())),
        "memberships_by_role_and_evidence": dict(sorted(roles.items())),
        "partnerships": partnerships,
        "coverage": coverage_rows(data),
        "identifiers": identifiers,
        "notes": notes,
        "warnings": warnings,
    }


def report_markdown(report: dict[str, Any]) -> str:
    lines = [f"# Build report: release {report['release']}", "", "## Counts", "", "| what | count |", "|---|---:|"]
    lines += [f"| {k} | {v} |" for k, v in report["counts"].items()]
    lines += [
        "",
        "## Partnerships",
        "",
        "| partnership | coordinators (stated) | members stated | weaker evidence | other roles | size stated by sources |",
        "|---|---|---:|---:|---:|---|",
    ]
    for row in report["partnerships"]:
        size = row["stated_member_count"].replace("|", "/").replace("\n", " ")
        lines.append(
            f"| {row['name']} | {', '.join(row['coordinators_stated']) or '(none)'} | {row['members_stated']} | {row['entries_weaker_evidence']} | {row['entries_other_roles']} | {size} |"
        )
    lines += [
        "",
        "## Coverage of the member lists",
        "",
        "Known members: coordinators and members named by a source (evidence `stated`), counted once each.",
        "",
    ]
    lines += coverage_markdown(report["coverage"]).splitlines()
    lines += ["", "## Identifiers", ""]
    lines += identifiers_markdown(report["identifiers"]).splitlines()
    lines += ["", "## Memberships by role and evidence", "", "| role/evidence | count |", "|---|---:|"]
    lines += [f"| {k} | {v} |" for k, v in report["memberships_by_role_and_evidence"].items()]
    lines += ["", "## Classes", "", "| class | instances |", "|---|---:|"]
    lines += [f"| {k} | {v} |" for k, v in report["classes"].items()]
    lines += ["", "## Notes on coverage", ""]
    lines += [f"- {n}" for n in report.get("notes", [])]
    lines += ["", "## Warnings", ""]
    lines += [f"- {w}" for w in report["warnings"]]
    return "\n".join(lines) + "\n"
