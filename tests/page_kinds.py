"""Every kind of page the site serves: a path that shows one, and what to wait for before reading it.

The phone check (tests/test_phone_browser.py) and the Bulgarian check (tests/test_bulgarian_browser.py)
walk this one list, so a new kind of page added here is checked by both. `{release}` stands for the
served release's folder under `releases/` (see `release_path`).
"""

from __future__ import annotations

from pathlib import Path

PAGE_KINDS: dict[str, tuple[str, str | None]] = {
    "home": ("/", None),
    "sparql": ("/sparql", ".CodeMirror"),
    "partnerships": ("/partnerships", None),
    "organisations": ("/organisations", None),
    "places": ("/places", None),
    "events": ("/events", None),
    "search": ("/search?q=sofia+2017", None),
    "search-empty": ("/search", None),
    "search-none": ("/search?q=zzzzqqq", None),
    "partnership": ("/doc/partnership/digital-transition", ".map-svg"),
    "organisation": ("/doc/organisation/sofia-municipality", None),
    "place": ("/doc/place/sofia", None),
    "country": ("/doc/country/BGR", ".map-svg"),
    "event": ("/doc/event/dt-2nd-sofia-2017", None),
    "membership": ("/doc/membership/digital-transition--sofia-municipality", None),
    "person": ("/doc/person/veronika-manova", None),
    "action": ("/doc/action/digital-transition-digital-centre-model-and-toolbox", None),
    "source": ("/doc/source/euroconsult-2024", None),
    "ontology": ("/ontology", None),
    "vocab": ("/vocab/theme", None),
    "concept": ("/vocab/theme/housing", None),
    "dumps": ("/dumps/", None),
    "void": ("/.well-known/void", None),
    "network": ("/network", "#network-canvas canvas"),
    "map": ("/map", ".map-svg"),
    "releases": ("/releases/", None),
    "release": ("/releases/{release}/", None),
    "release-page": ("/releases/{release}/doc/partnership/digital-transition", None),
    "changes": ("/releases/{release}/changes", None),
    "not-found": ("/doc/partnership/no-such-partnership", None),
    "error": ("/no/such/page", None),
}


def release_path(path: str, release_dir: Path) -> str:
    """A path naming the served release (its folder under releases/), for the pages that are about one."""
    if "{release}" not in path:
        return path
    folders = sorted(p.name for p in (release_dir / "releases").iterdir() if p.is_dir())
    return path.replace("{release}", folders[-1])
