"""Shared set-up of the browser tests: Debian's Chromium driven by Playwright, never a downloaded browser.

Under CI=true a missing part (Playwright, Chromium, a vendored front-end file) fails the run;
elsewhere the test module skips with the reason.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from graph.config import PROJECT_ROOT

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

CHROMIUM = Path(os.environ.get("UAEU_CHROMIUM", "/usr/bin/chromium"))
# As the machine notes advise: headless, no sandbox (root), and no background traffic to the closed network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def missing_parts(vendored: dict[str, Path] | None = None) -> list[str]:
    """What a browser test needs and this machine lacks, in words that say how to get it."""
    missing = []
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the Python package playwright (pip install -e '.[test]')")
    if not CHROMIUM.exists():
        missing.append(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    for what, path in (vendored or {}).items():
        if not path.exists():
            missing.append(f"{what} at {path.relative_to(PROJECT_ROOT)} (make assets)")
    return missing


def chromium_context(
    tmp_path_factory: pytest.TempPathFactory, *, vendored: dict[str, Path] | None = None, viewport: tuple[int, int] = (1280, 900), **options: Any
) -> Iterator[BrowserContext]:
    """One Chromium with a fresh profile, for a module-scoped fixture to `yield from` (`options`: Playwright's, e.g. has_touch)."""
    if missing := missing_parts(vendored):
        reason = "browser tests need " + "; ".join(missing)
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": viewport[0], "height": viewport[1]},
            **options,
        )
        yield context
        context.close()


def screenshot_dir() -> Path:
    """Where screenshots go: $UAEU_TEST_OUTPUT, else test-output/ (gitignored), for a person to look at."""
    folder = Path(os.environ.get("UAEU_TEST_OUTPUT") or PROJECT_ROOT / "test-output") / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass
class Traffic:
    """Every request the page made, and what went wrong, to assert on after the fact."""

    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def hosts(self) -> set[str]:
        parsed = [urllib.parse.urlsplit(url) for _, url, _ in self.requests]
        return {p.hostname or "" for p in parsed if p.scheme not in ("data", "blob")}


def open_page(browser_context: BrowserContext) -> Iterator[tuple[Page, Traffic]]:
    """A new page that records its requests, JS errors and 4xx/5xx answers, for a fixture to `yield from`."""
    page = browser_context.new_page()
    traffic = Traffic()
    page.on("request", lambda r: traffic.requests.append((r.method, r.url, r.headers)))
    page.on("pageerror", lambda error: traffic.failures.append(f"JS error: {error}"))
    page.on("response", lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico") and traffic.failures.append(f"{r.status} {r.url}"))
    yield page, traffic
    page.close()
