"""Where this server shows a thing, and what it calls it: links under the public URL, CURIEs, kinds, languages.

Every link is built from the configured public URL (`AppSettings.public_url`), never from the
request's Host header, which a client or proxy controls.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, has_request_context, request

from graph.namespaces import COUNTRY, prefixes
from webapp.resources import base, public_url, resources
from webapp.wording import KIND_TITLES, LAYOUT, UI_LANGUAGES, words

#: The kinds of things under {base}id/{kind}/{slug}.
INSTANCE_TYPES = ("partnership", "organisation", "place", "person", "event", "membership", "action", "action-plan", "source", "period", "instant", "milestone")
SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
LANG = re.compile(r"^[a-z]{2,3}$")
#: Each interface language in its own words (the header's switch).
LANGUAGE_NAMES = {"en": "English", "bg": "Български"}


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


def with_lang(url: str, lang: str) -> str:
    """A link the site writes, carrying the visitor's language (English, the default, needs nothing),
    so the choice holds on every page it leads to, with or without the cookie."""
    if lang == "en" or not LANG.match(lang):
        return url
    path, hash_, fragment = url.partition("#")
    if re.search(r"[?&]lang=", path):
        return url
    return f"{path}{'&' if '?' in path else '?'}lang={lang}" + (f"#{fragment}" if hash_ else "")


def switch_url(code: str) -> str:
    """This page in another language: the same query (a search keeps its words), `lang` replaced."""
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return "?" + urlencode([*args, ("lang", code)])


def kind_title(kind: str, lang: str) -> str:
    """A kind of thing in words ("Partnership", "Партньорство"); the code itself for a kind without words."""
    entry = KIND_TITLES.get(kind, {})
    return entry.get(lang) or entry.get("en") or kind


def _template_language() -> dict[str, Any]:
    """What every template may use: the visitor's language and the frame's words (a view's own `lang` wins)."""
    lang = choose_lang()[0] if has_request_context() else "en"
    return {
        "lang": lang,
        "site": words(LAYOUT, lang),
        "site_languages": [(code, LANGUAGE_NAMES.get(code, code)) for code in UI_LANGUAGES],
        "with_lang": with_lang,
        "switch_url": switch_url,
        "kind_title": kind_title,
    }


def _remember_everywhere(response: Response) -> Response:
    """A page asked for with ?lang= remembers it (cookie); every page depends on that cookie (Vary)."""
    if response.mimetype == "text/html":
        asked = (request.args.get("lang") or "").lower()
        already = any(cookie.startswith("lang=") for cookie in response.headers.getlist("Set-Cookie"))
        if not already and asked != (request.cookies.get("lang") or "") and asked in UI_LANGUAGES:
            remember_lang(response, asked)
        response.vary.add("Cookie")
    return response


def install_language(app: Flask) -> None:
    """The language rules every page shares: template helpers, the remembered choice."""
    app.context_processor(_template_language)
    app.after_request(_remember_everywhere)
