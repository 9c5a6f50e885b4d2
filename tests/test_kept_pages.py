"""Kept resource pages (webapp.kept): the same request gets the same page, never another language's or release's.

The page's HTML depends on the release, the path and parameters, and the visitor's language (from
`?lang=` or the cookie); each of those must be part of what a kept page is found by.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from flask import Flask

from tests.helpers import running_app
from webapp.kept import KEY

HTML = {"Accept": "text/html"}
PAGE = "/doc/partnership/digital-transition"


def _kept(app: Flask) -> int:
    return int(app.extensions[KEY].stats().entries)


def test_a_page_is_rendered_once_and_kept_with_the_same_bytes(app: Flask) -> None:
    client = app.test_client()
    before = _kept(app)
    first, second = client.get(PAGE, headers=HTML), client.get(PAGE, headers=HTML)
    assert first.status_code == second.status_code == 200
    assert first.data == second.data and b"Digital Transition" in first.data
    assert _kept(app) == before + 1
    assert first.headers["ETag"] == second.headers["ETag"]
    again = client.get(PAGE, headers={**HTML, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_the_language_from_parameter_or_cookie_is_part_of_the_key(app: Flask) -> None:
    client = app.test_client()
    english = client.get(PAGE, headers=HTML).get_data(as_text=True)
    bulgarian = client.get(PAGE + "?lang=bg", headers=HTML).get_data(as_text=True)
    assert '<html lang="en"' in english and '<html lang="bg"' in bulgarian
    fresh = app.test_client()
    fresh.set_cookie("lang", "bg")
    by_cookie = fresh.get(PAGE, headers=HTML).get_data(as_text=True)
    assert '<html lang="bg"' in by_cookie, "a remembered language is not served the kept English page"
    fresh.delete_cookie("lang")
    assert '<html lang="en"' in fresh.get(PAGE, headers=HTML).get_data(as_text=True)


def test_parameters_are_part_of_the_key(app: Flask) -> None:
    """The language switch keeps the page's other parameters: a kept page never shows another request's."""
    client = app.test_client()
    plain = client.get(PAGE + "?lang=en", headers=HTML).get_data(as_text=True)
    marked = client.get(PAGE + "?lang=en&from=kept-test", headers=HTML).get_data(as_text=True)
    assert "kept-test" not in plain and "from=kept-test" in marked


def test_missing_pages_and_other_formats_are_not_kept(app: Flask) -> None:
    client = app.test_client()
    before = _kept(app)
    for _ in range(2):
        assert client.get("/doc/partnership/no-such-partnership", headers=HTML).status_code == 404
    turtle = client.get(PAGE, headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200 and turtle.mimetype == "text/turtle"
    assert _kept(app) == before


def test_zero_bytes_keeps_nothing_and_pages_still_work(built: object, release_dir: Path) -> None:
    del built
    with running_app(release_dir, page_cache_bytes=0) as app:
        client = app.test_client()
        pages = [client.get(PAGE, headers=HTML) for _ in range(2)]
        assert [p.status_code for p in pages] == [200, 200] and pages[0].data == pages[1].data
        assert _kept(app) == 0


def test_parameters_the_site_never_writes_do_not_push_kept_pages_out(built: object, release_dir: Path) -> None:
    """Any `?x=` is another key: a crawler's tracking parameters, or anyone cycling `?a=1, 2, 3...` (or
    `?lang=` values that are no language), would fill the budget with pages nobody asks for twice and push
    out the ones everybody asks for. Such pages are rendered (with their parameters) but not kept."""
    del built
    with running_app(release_dir, page_cache_bytes=4 << 20) as app:
        client = app.test_client()
        kept = client.get(PAGE, headers=HTML).data
        bulgarian = client.get(PAGE + "?lang=bg", headers=HTML).data
        assert _kept(app) == 2
        for i in range(40):
            junk = client.get(f"{PAGE}?utm_source=x{i}", headers=HTML)
            assert junk.status_code == 200 and f"utm_source=x{i}" in junk.get_data(as_text=True)
            assert client.get(f"{PAGE}?lang=zz{i}", headers=HTML).status_code == 200
            assert client.get(f"{PAGE}?lang=bg&lang=bg&n={i}", headers=HTML).status_code == 200
        assert _kept(app) == 2, "pages with parameters the site never writes were kept"
        hits = app.extensions[KEY].stats().hits
        fresh = app.test_client()  # no cookie from ?lang=bg
        assert fresh.get(PAGE, headers=HTML).data == kept and fresh.get(PAGE + "?lang=bg", headers=HTML).data == bulgarian
        assert app.extensions[KEY].stats().hits == hits + 2


class _NextNewYear(dt.date):
    """The first day of next year, as the clock will say it (a page kept over New Year must not keep the old year)."""

    @classmethod
    def today(cls) -> _NextNewYear:
        return cls(dt.date.today().year + 1, 1, 1)


class _Clock:
    """The `datetime` module as a module sees it, with `date.today()` on next New Year's Day."""

    date = _NextNewYear

    def __getattr__(self, name: str) -> object:
        return getattr(dt, name)


def test_a_kept_page_follows_the_calendar(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """A partnership's page embeds its map with a year slider up to this year (`dt.date.today()`): the only
    part of the page that is not the release's. A page kept on 31 December still offered last year the next day."""
    import webapp.kept
    import webapp.views.map

    client = app.test_client()
    page = PAGE + "?lang=en"
    year = dt.date.today().year
    assert f'"last_year": {year}' in client.get(page, headers=HTML).get_data(as_text=True)
    for module in (webapp.views.map, webapp.kept):
        monkeypatch.setattr(module, "dt", _Clock())
    assert f'"last_year": {year + 1}' in client.get(page, headers=HTML).get_data(as_text=True), "last year's page kept"
