"""Where this server shows a thing, and what it calls it: links under the public URL, CURIEs, kinds, languages.

Every link is built from the configured public URL (`AppSettings.public_url`), never from the
request's Host header, which a client or proxy controls.
"""

from __future__ import annotations

import re

from flask import Response, request

from graph.namespaces import COUNTRY, prefixes
from webapp.resources import base, public_url, resources
from webapp.wording import UI_LANGUAGES

#: The kinds of things under {base}id/{kind}/{slug}.
INSTANCE_TYPES = ("partnership", "organisation", "place", "person", "event", "membership", "action", "action-plan", "source", "period", "instant", "milestone")
SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
LANG = re.compile(r"^[a-z]{2,3}$")


def curie(iri: str) -> str:
    for prefix, namespace in sorted(prefixes(base()).items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(namespace) and "/" not in iri[len(namespace) :]:
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def local_url(iri: str, lang: str = "en") -> str | None:
    """Where this server shows an IRI: our own IRIs map to pages under the public URL, countries
    of the EU authority table to /doc/country/{code}; other IRIs are external (None if not a link).
    On a request answered from an archived release, our pages are that release's (/releases/{id}/doc/...)."""
    data, public = base(), public_url()
    suffix = f"?lang={lang}" if lang != "en" else ""
    if iri.startswith(data + "id/"):
        return f"{public}doc/{iri[len(data) + 3 :]}{suffix}"
    if iri.startswith(data + "vocab/") or iri == data + "vocab":
        return f"{public}{iri[len(data) :]}{suffix}"
    if iri.startswith(data + "ontology"):
        rest = iri[len(data) + len("ontology") :]
        fragment = rest.lstrip("#") if rest.startswith("#") else ""
        return f"{public}ontology{suffix}" + (f"#{fragment}" if fragment else "")
    if iri.startswith(str(COUNTRY)):
        return f"{public}doc/country/{iri[len(str(COUNTRY)) :]}{suffix}"
    if iri.startswith(data):
        return None
    if iri.startswith(("http://", "https://")):
        return iri
    return None


def kind_of(iri: str) -> str:
    data = base()
    if iri.startswith(data + "id/"):
        return iri[len(data) + 3 :].split("/", 1)[0]
    if iri.startswith(str(COUNTRY)):
        return "country"
    if iri.startswith(data + "vocab/"):
        return "concept" if iri.count("/") > (data + "vocab/").count("/") else "scheme"
    if iri.startswith(data + "ontology"):
        return "ontology"
    return "resource"


def choose_lang() -> tuple[str, str | None]:
    """(language, language to remember in a cookie): ?lang= first, then the cookie, then English."""
    labels = resources().labels
    known = labels.languages if labels is not None else UI_LANGUAGES
    asked = (request.args.get("lang") or "").lower()
    if asked and LANG.match(asked) and asked in known:
        return asked, asked
    cookie = (request.cookies.get("lang") or "").lower()
    if cookie and LANG.match(cookie) and cookie in known:
        return cookie, None
    return "en", None


def remember_lang(response: Response, lang: str | None) -> Response:
    """Keep the language a visitor chose for a year (a preference, not a tracker)."""
    if lang:
        response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="Lax")
    return response
