"""Label search over every language (Cyrillic included): an index built once per release, ranked lookups."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from graph.queries import named
from graph.store import GraphStore
from webapp.wording import UI_LANGUAGES

#: Where an entry links (an IRI -> a URL, or None when this server shows no page for it), and what kind of thing it is.
Linker = Callable[[str], str | None]


def fold(text: str) -> str:
    """Case- and accent-insensitive form for search (Cyrillic stays Cyrillic)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True)
class LabelIndex:
    """The languages labels come in, and every label of every thing a page shows, folded for search."""

    languages: list[str]
    entries: list[tuple[str, str, str, str, str]]  # (folded label, label, lang, iri, kind)

    @classmethod
    def build(cls, store: GraphStore, base: str, link: Linker, kind_of: Callable[[str], str]) -> LabelIndex:
        """One query over the whole release; things the server has no page for are left out."""
        languages: set[str] = set(UI_LANGUAGES)
        entries: list[tuple[str, str, str, str, str]] = []
        seen: set[tuple[str, str]] = set()
        for row in store.select(named("pages/labels").text):
            label, item = row["label"], row["item"].value
            lang = label.language or "" if isinstance(label, ox.Literal) else ""
            if lang:
                languages.add(lang)
            if (item, label.value) in seen or link(item) is None or item.startswith(base + "graph/"):
                continue
            seen.add((item, label.value))
            entries.append((fold(label.value), label.value, lang, item, kind_of(item)))
        entries.sort(key=lambda entry: (len(entry[1]), entry[1]))
        return cls(sorted(languages), entries)

    def search(self, q: str, limit: int = 20) -> list[dict[str, Any]]:
        """Exact matches first, then prefix, then word-prefix, then substring; each thing once."""
        needle = fold(q.strip())
        if not needle:
            return []
        best: dict[str, tuple[int, int, dict[str, Any]]] = {}
        for position, (folded, label, lang, iri, kind) in enumerate(self.entries):
            if needle not in folded:
                continue
            if folded == needle:
                rank = 0
            elif folded.startswith(needle):
                rank = 1
            elif re.search(r"(^|[\s\-„\"'(/])" + re.escape(needle), folded):
                rank = 2
            else:
                rank = 3
            current = best.get(iri)
            if current is None or (rank, position) < current[:2]:
                best[iri] = (rank, position, {"iri": iri, "label": label, "lang": lang, "kind": kind})
        ranked = sorted(best.values(), key=lambda item: item[:2])
        return [item[2] for item in ranked[:limit]]
