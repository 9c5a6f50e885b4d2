"""How complete the member lists are, and which identifiers are still missing.

One generator for every place these figures appear (the build report, `uaeu report --coverage`,
the README's data section), so they cannot drift apart: a test compares the README with it.
It reads only the checked curated data, never the RDF, so it runs in a fraction of a second.
"""

from __future__ import annotations

from typing import Any

from graph.builder.curated import CuratedData
from graph.vocabulary import EU_BODY_KINDS, MEMBER_ROLES


def coverage_rows(data: CuratedData) -> list[dict[str, Any]]:
    """Per partnership: members the sources name (stated / weaker evidence) against the size they state."""
    rows = []
    for ident, record in data.partnerships.items():
        entries = [m for m in data.memberships.values() if m.get("partnership") == ident and m.get("role") in MEMBER_ROLES]
        stated = sorted({m.get("organisation") for m in entries if m.get("evidence") == "stated"})
        weaker = sorted({m.get("organisation") for m in entries if m.get("evidence") != "stated"} - set(stated))
        size = record.get("stated_member_count") or {}
        count, approximate = size.get("count"), bool(size.get("approximate"))
        rows.append(
            {
                "id": ident,
                "name": record.get("short_name")["en"],
                "known": len(stated),
                "weaker": len(weaker),
                "stated_size": count,
                "approximate": approximate,
                "share": round(100 * len(stated) / count) if count else None,
                "sources": list(size.get("sources", [])) if count is not None else [],
            }
        )
    return rows


def _size(row: dict[str, Any]) -> str:
    if row["stated_size"] is None:
        return "not stated"
    return f"~{row['stated_size']}" if row["approximate"] else str(row["stated_size"])


def coverage_markdown(rows: list[dict[str, Any]]) -> str:
    """The coverage table in Markdown, exactly as the README's data section shows it."""
    lines = [
        "| Partnership | Known members | Weaker evidence | Size stated by sources | Known / stated |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        share = f"{row['share']}%" if row["share"] is not None else "-"
        lines.append(f"| {row['name']} | {row['known']} | {row['weaker']} | {_size(row)} | {share} |")
    known = sum(r["known"] for r in rows)
    lines.append(f"| **All {len(rows)} partnerships** | {known} | {sum(r['weaker'] for r in rows)} | | |")
    return "\n".join(lines) + "\n"


def identifier_status(data: CuratedData) -> dict[str, Any]:
    """What is matched and what is still missing among place and EU-body identifiers."""
    cities = {i: r for i, r in data.places.items() if r.get("type") in ("city", "region")}
    eu_bodies = {i: r for i, r in data.organisations.items() if r.get("kind") in EU_BODY_KINDS}
    return {
        "places": len(cities),
        "geonames_matched": sorted(i for i, r in cities.items() if r.get("geonames")),
        "geonames_unmatched": sorted(i for i, r in cities.items() if not r.get("geonames")),
        "coordinates_missing": sorted(i for i, r in cities.items() if not r.get("lat")),
        "wikidata_missing": sorted(i for i, r in cities.items() if not r.get("wikidata")),
        # EU bodies: a corporate-body code read from the Publications Office's table, a QID that two datasets state.
        "eu_bodies": len(eu_bodies),
        "eu_bodies_without_authority_iri": sorted(i for i, r in eu_bodies.items() if not r.get("eu_corporate_body")),
        "eu_bodies_without_wikidata": sorted(i for i, r in eu_bodies.items() if not r.get("wikidata")),
    }


def identifiers_markdown(status: dict[str, Any]) -> str:
    """The identifier section of the build report: counts, then every place or body still unmatched."""
    lines = [
        "| identifier | matched | still missing |",
        "|---|---:|---|",
        f"| GeoNames id + coordinates (cities) | {len(status['geonames_matched'])} of {status['places']} | {', '.join(status['geonames_unmatched']) or '-'} |",
        f"| Wikidata QID (cities) | {status['places'] - len(status['wikidata_missing'])} of {status['places']} | {len(status['wikidata_missing'])} cities: no QID verified against a source |",
        f"| EU corporate-body IRI (EU bodies) | {status['eu_bodies'] - len(status['eu_bodies_without_authority_iri'])} of {status['eu_bodies']} | {', '.join(status['eu_bodies_without_authority_iri']) or '-'} |",
        f"| Wikidata QID (EU bodies) | {status['eu_bodies'] - len(status['eu_bodies_without_wikidata'])} of {status['eu_bodies']} | {', '.join(status['eu_bodies_without_wikidata']) or '-'} |",
    ]
    return "\n".join(lines) + "\n"
