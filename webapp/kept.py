"""Pages kept once rendered: a release never changes, so neither does a page about it.

A resource page (`/doc/...`) runs a dozen named queries and renders a large template: about 20 ms
of the web process's CPU, the most visited and most crawled page of a linked-data site. Its HTML
depends on the release that answers, the path and parameters asked for, and the visitor's
language (and on two things besides, below), so it is rendered once per such request and kept (`UAEU_PAGE_CACHE_BYTES`, least recently
used dropped; see graph.bounded). Headers (cookies, ETags, Vary) are still made per request.

Only pages asked for with parameters the site itself writes are kept (`lang`, once, naming the
language served; `release`, once, naming the release served): any other parameter is another key, so
tracking tags or a counter (`?a=1`, `?a=2`, ...) would fill the budget with pages nobody asks for twice
and push out the ones everybody asks for. Those are rendered each time, as before.

Two parts of a page are not the release's own. The map a partnership's or country's page embeds
offers years up to the current one (`dt.date.today()`), so the day is part of the key (each page is
rendered anew once a day). And its History reads the archive's releases on disk (up to
the served one), which `uaeu prune` changes beside a running server. The names of the release folders
are therefore part of the key too, so a prune is seen at once, as it was before pages were kept.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import sys
from collections.abc import Callable

from flask import Flask, current_app, request

from graph.bounded import BoundedCache
from graph.release import RELEASES
from webapp.resources import public_url, resources, settings

KEY = "uaeu_kept_pages"

PageKey = tuple[str, ...]

#: What one kept page costs besides its HTML and key strings (the key tuple, the dictionary slot).
ENTRY_OVERHEAD = 256


def install(app: Flask, max_bytes: int) -> None:
    app.extensions[KEY] = BoundedCache[PageKey, str](max_bytes)


def kept_html(render: Callable[[], str | None], lang: str) -> str | None:
    """The page for this request (its release, path, parameters and language), rendered now or kept from before.

    `render` gives None when there is no such page (a 404, which is not kept)."""
    pages: BoundedCache[PageKey, str] | None = current_app.extensions.get(KEY)
    if pages is None or not pages.max_bytes or not _keepable(lang):
        return render()
    # public_url() names the release when it is not the latest (/releases/{id}/...), and is the configured URL otherwise;
    # script_root is the prefix as the address wrote it (a release's id or folder name), which the page's own links follow.
    parameters = "&".join(f"{name}={value}" for name, value in sorted(request.args.items(multi=True)))
    key = (public_url(), request.script_root, request.path, parameters, lang, _archive(), dt.date.today().isoformat())
    html = pages.get(key)
    if html is None:
        html = render()
        if html is not None:
            pages.put(key, html, sys.getsizeof(html) + sum(map(sys.getsizeof, key)) + ENTRY_OVERHEAD)
    return html


def _keepable(lang: str) -> bool:
    """Were this page's parameters written by the site (see the module's docstring)?"""
    served = resources()
    for name, values in request.args.lists():
        if len(values) != 1:
            return False
        if name == "lang" and values[0].lower() == lang:
            continue
        if name == "release" and values[0] in (served.release_id, served.release_folder):
            continue
        return False
    return True


def _archive() -> str:
    """Which releases the build folder holds now (one directory listing): a page's History depends on it."""
    try:
        names = sorted(name for name in os.listdir(settings().build_dir / RELEASES) if not name.startswith("."))
    except OSError:
        names = []
    return hashlib.sha256("\0".join(names).encode("utf-8")).hexdigest()[:16]
