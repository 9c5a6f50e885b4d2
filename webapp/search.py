"""Search the way people type: several words, in any language (Cyrillic included), matched across a
thing's labels and what is known around it (an event's place, dates and partnership; an
organisation's partnerships, city and country). An index built once per release, ranked lookups."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from graph.queries import named
from graph.store import GraphStore
from webapp.wording import KIND_TITLES, UI_LANGUAGES

#: Where an entry links (an IRI -> a URL, or None when this server shows no page for it), and what kind of thing it is.
Linker = Callable[[str], str | None]

#: Month names people type, in English and Bulgarian (with short English forms).
MONTHS: dict[int, tuple[str, ...]] = {
    1: ("january", "jan", "януари"),
    2: ("february", "feb", "февруари"),
    3: ("march", "mar", "март"),
    4: ("april", "apr", "април"),
    5: ("may", "май"),
    6: ("june", "jun", "юни"),
    7: ("july", "jul", "юли"),
    8: ("august", "aug", "август"),
    9: ("september", "sep", "sept", "септември"),
    10: ("october", "oct", "октомври"),
    11: ("november", "nov", "ноември"),
    12: ("december", "dec", "декември"),
}

_WORD = re.compile(r"\w+")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")
_BOUNDARY = r"(^|[\s\-„“\"'(/.,:;])"


def fold(text: str) -> str:
    """Case- and accent-insensitive form for search (Cyrillic stays Cyrillic)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def date_words(value: str) -> list[str]:
    """What a (partial) ISO date is searched by: '2017-06-07' -> 2017-06-07, 2017, june, jun, юни, 7."""
    found = _DATE.match(value)
    if found is None:
        return []
    year, month, day = found.groups()
    words = [value, year]
    if month and 1 <= int(month) <= 12:
        words.extend(MONTHS[int(month)])
    if day:
        words.append(str(int(day)))
    return words


@dataclass
class Thing:
    """One thing search can find: its labels (folded, as written, language) and its folded context."""

    iri: str
    kind: str
    labels: list[tuple[str, str, str]] = field(default_factory=list)
    context: list[str] = field(default_factory=list)
    date: str | None = None
    types: dict[str, str] = field(default_factory=dict)  # what type of thing it is, by language
    position: int = 0
    label_text: str = ""  # every folded label, one a line
    context_text: str = ""  # every folded context word or name, one a line


@dataclass(frozen=True)
class LabelIndex:
    """The languages labels come in, and every thing a page shows with its labels and context, folded for search."""

    languages: list[str]
    things: list[Thing]

    @classmethod
    def build(cls, store: GraphStore, base: str, link: Linker, kind_of: Callable[[str], str]) -> LabelIndex:
        """Two queries over the whole release (memberships are named from the second); things the server has no page for are left out."""
        languages: set[str] = set(UI_LANGUAGES)
        things: dict[str, Thing] = {}
        for row in store.select(named("pages/labels").text):
            label, item = row["label"], row["item"].value
            lang = label.language or "" if isinstance(label, ox.Literal) else ""
            if lang:
                languages.add(lang)
            if link(item) is None or item.startswith(base + "graph/"):
                continue
            thing = things.setdefault(item, Thing(item, kind_of(item)))
            if all(written != label.value for _, written, _ in thing.labels):
                thing.labels.append((fold(label.value), label.value, lang))
        rows = store.select(named("pages/search-context").text)
        for row in rows:
            item, member, partnership, role = row["item"].value, row.get("memberLabel"), row.get("partnershipLabel"), row.get("roleLabel")
            if member is not None and partnership is not None and link(item) is not None:
                # A membership has no name of its own: it is called by its member and partnership (and role).
                named_as = f"{member.value} · {partnership.value}" + (f" ({role.value.lower()})" if role is not None else "")
                lang = member.language or "" if isinstance(member, ox.Literal) else ""
                membership = things.setdefault(item, Thing(item, kind_of(item)))
                if all(written != named_as for _, written, _ in membership.labels):
                    membership.labels.append((fold(named_as), named_as, lang))
        for row in rows:
            found = things.get(row["item"].value)
            if found is None:
                continue
            thing = found
            context, start, end, type_label = row.get("context"), row.get("start"), row.get("end"), row.get("typeLabel")
            if context is not None:
                thing.context.append(fold(context.value))
            if start is not None:
                thing.date = start.value if end is None or end.value == start.value else f"{start.value}/{end.value}"
                thing.context.extend(date_words(start.value) + (date_words(end.value) if end is not None else []))
            if type_label is not None:
                thing.context.append(fold(type_label.value))
                if isinstance(type_label, ox.Literal):
                    thing.types[type_label.language or "en"] = type_label.value
        ordered = sorted(things.values(), key=lambda t: min((len(written), written) for _, written, _ in t.labels))
        for position, thing in enumerate(ordered):
            thing.labels.sort(key=lambda entry: (len(entry[1]), entry[1]))
            thing.context = sorted(set(thing.context))
            thing.label_text = "\n".join(folded for folded, _, _ in thing.labels)
            thing.context_text = "\n".join(thing.context)
            thing.position = position
        return cls(sorted(languages), ordered)

    @functools.cached_property
    def by_iri(self) -> dict[str, Thing]:
        """Every thing by its IRI (made on first use; the index itself never changes)."""
        return {thing.iri: thing for thing in self.things}

    def label(self, iri: str, lang: str) -> str | None:
        """What `iri` is called in `lang` (else English, else any language); None if it has no label here."""
        thing = self.by_iri.get(iri)
        return name_in(thing, lang) if thing is not None else None

    def search(self, q: str, limit: int = 20, lang: str = "en") -> list[dict[str, Any]]:
        """Ranked: things whose one label holds every word (the whole phrase exact, then prefix, then
        at a word start, then anywhere), then things matching every word across labels and context
        (an event's place, dates, partnership, type; an organisation's partnerships and places), then
        sources (documents) matching every word, then fewer words matched; within each, more words
        in labels and at a word start first. Types are named in `lang` (else English)."""
        phrase = fold(q.strip())
        words = _WORD.findall(phrase)
        if not phrase or not words:
            return []
        starts = [re.compile(_BOUNDARY + re.escape(word)) for word in words]
        ranked: list[tuple[tuple[int, ...], dict[str, Any]]] = []
        for thing in self.things:
            key, label = self._rank(thing, phrase, words, starts)
            if key is None:
                continue
            ranked.append((key, self._result(thing, label, lang)))
        ranked.sort(key=lambda item: item[0])
        return [result for _, result in ranked[:limit]]

    @staticmethod
    def _rank(thing: Thing, phrase: str, words: list[str], starts: list[re.Pattern[str]]) -> tuple[tuple[int, ...] | None, tuple[str, str, str]]:
        in_labels = [word in thing.label_text for word in words]
        in_context = [not labelled and starts[i].search(thing.context_text) is not None for i, labelled in enumerate(in_labels)]
        matched = sum(in_labels) + sum(in_context)
        if matched == 0:
            return None, thing.labels[0]
        # Sources (documents about things) come after the things themselves that match every word.
        document = int(thing.kind == "source")
        # 1. The whole phrase, or every word, in one label.
        if all(in_labels):
            best: tuple[int, tuple[str, str, str]] | None = None
            for entry in thing.labels:
                folded = entry[0]
                if phrase in folded:
                    rank = 0 if folded == phrase else 1 if folded.startswith(phrase) else 2 if re.search(_BOUNDARY + re.escape(phrase), folded) else 3
                elif all(word in folded for word in words):
                    rank = 4 - int(all(start.search(folded) for start in starts))
                else:
                    continue
                if best is None or rank < best[0]:
                    best = (rank, entry)
            if best is not None:
                return (0, document, 0, best[0], 0, 0, thing.position), best[1]
        # 2. Each word in some label, or (at a word start) in the context.
        at_start = sum(1 for i, labelled in enumerate(in_labels) if labelled and starts[i].search(thing.label_text)) + sum(in_context)
        tier = 1 if matched == len(words) else 2
        # Show the label that says most of what was asked; English (or no language) on a tie.
        label = max(thing.labels, key=lambda entry: (sum(word in entry[0] for word in words), entry[2] in ("en", "")))
        return (tier - 1, document, tier, len(words) - matched, len(words) - sum(in_labels), len(words) - at_start, thing.position), label

    @staticmethod
    def _result(thing: Thing, label: tuple[str, str, str], lang: str) -> dict[str, Any]:
        # The type in the visitor's language: the graph's own word, else the kind's (never an English code on a Bulgarian page).
        kind_name = (
            thing.types.get(lang) or (KIND_TITLES.get(thing.kind, {}).get(lang, "").lower() if lang != "en" else "") or thing.types.get("en") or thing.kind
        )
        # `label` is the one that matched what was typed (any language); `name` is what the page calls it
        # in its own language (a gallery question is worded with it).
        return {
            "iri": thing.iri,
            "label": label[1],
            "lang": label[2],
            "name": name_in(thing, lang),
            "kind": thing.kind,
            "type": kind_name,
            "date": thing.date,
        }


def name_in(thing: Thing, lang: str) -> str | None:
    """A thing's shortest label in `lang`, else in English, else without a language, else any; None without labels."""
    if not thing.labels:
        return None
    by_lang: dict[str, str] = {}
    for _, written, language in sorted(thing.labels, key=lambda entry: (len(entry[1]), entry[1])):
        by_lang.setdefault(language, written)
    return by_lang.get(lang) or by_lang.get("en") or by_lang.get("") or thing.labels[0][1]
