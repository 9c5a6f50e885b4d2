"""The Flask front end: `create_app` (webapp.app) builds the application over one pinned release.

This package's own import is light (no Flask) on purpose: the `uaeu` command lives here
(webapp.cli), and every query worker of `uaeu serve` re-imports the command as its main module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from webapp.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from webapp.app import create_app

        return create_app
    raise AttributeError(f"module 'webapp' has no attribute {name!r}")
