"""A diff in plain words, English and Bulgarian: who joined or left, what was added or removed, which date or name changed.

The sentences are read from the facts (triples over all named graphs) that one release has and
the other lacks, looked up in both releases (labels, a membership's organisation and role, a
period's dates). Each rule takes the changed facts it explains; whatever no rule explains is
counted under "other changes" (by subject, with the quads listed), never dropped: the summary's
`covered_quads + other.count` is always every added and removed quad.

The model is the one in `ontology/uaeu.ttl`: a membership is a resource (`org:Membership`) with
`org:member`, `org:organization`, `org:role`, `uaeu:evidence`, `dct:source` and an optional
`org:memberDuring` period; partnerships and events have a `dct:temporal` period (or schema dates)
whose `time:hasBeginning`/`time:hasEnd` are instants with an `xsd:date`, `gYearMonth` or `gYear`.
The rules look facts up in dictionaries built once from the two dumps, not through SPARQL: each
release is already in memory as quads here, and a few thousand lookups in a dict are cheaper
than loading two stores to ask them.

The sentence templates are here, not in webapp.wording, because `graph` never imports the web
app; both languages are written out in `TEMPLATES` and `KINDS`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

if TYPE_CHECKING:
    from graph.diff import Diff, Key

Triple = tuple[str, str, str]

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
SKOS = "http://www.w3.org/2004/02/skos/core#"
ORG = "http://www.w3.org/ns/org#"
TIME = "http://www.w3.org/2006/time#"
SCHEMA = "https://schema.org/"
DCT = "http://purl.org/dc/terms/"
NAME_PREDICATES = (
    f"<{SKOS}prefLabel>",
    f"<{SCHEMA}name>",
    f"<{DCT}title>",
    "<http://xmlns.com/foaf/0.1/name>",
    "<http://www.w3.org/2000/01/rdf-schema#label>",
)
SHORT_NAME = f"<{SKOS}altLabel>"
MEMBER, ORGANIZATION, ROLE, MEMBER_DURING = (f"<{ORG}{name}>" for name in ("member", "organization", "role", "memberDuring"))
DERIVED_LINKS = (f"<{ORG}hasMember>", f"<{ORG}memberOf>")
SOURCE = f"<{DCT}source>"
TEMPORAL = f"<{DCT}temporal>"
BEGINNING, END = f"<{TIME}hasBeginning>", f"<{TIME}hasEnd>"
DATE_VALUES = tuple(f"<{TIME}{name}>" for name in ("inXSDDate", "inXSDgYearMonth", "inXSDgYear", "inXSDDateTimeStamp"))
SCHEMA_DATES = {"start": f"<{SCHEMA}startDate>", "end": f"<{SCHEMA}endDate>"}
_ID = re.compile(r"^<.*/id/([a-z-]+)/([^/>]+)>$")
_SOURCE_GRAPH = re.compile(r"^<(.*)/graph/source/([^/>]+)>$")


def _ontology(predicate: str, name: str) -> bool:
    return predicate.endswith(f"/ontology#{name}>")


#: Kinds of resources, as the sentences name them.
KINDS: dict[str, dict[str, str]] = {
    "partnership": {"en": "partnership", "bg": "партньорство"},
    "organisation": {"en": "organisation", "bg": "организация"},
    "place": {"en": "place", "bg": "място"},
    "person": {"en": "person", "bg": "лице"},
    "event": {"en": "event", "bg": "събитие"},
    "action": {"en": "action", "bg": "действие"},
    "action-plan": {"en": "action plan", "bg": "план за действие"},
    "source": {"en": "source", "bg": "източник"},
    "milestone": {"en": "milestone", "bg": "етап"},
    "membership": {"en": "membership", "bg": "членство"},
}
#: Kinds that are parts of another thing's description, never reported as things of their own.
PARTS = ("period", "instant")

#: Sentence templates: {kind of sentence: {language: template}}.
TEMPLATES: dict[str, dict[str, str]] = {
    "joined": {
        "en": "{org} joined {partnership} as {role} (source: {sources})",
        "bg": "{org} се присъедини към {partnership} като {role} (източник: {sources})",
    },
    "left": {
        "en": "{org} left {partnership} (was {role}; source: {sources})",
        "bg": "{org} напусна {partnership} (беше {role}; източник: {sources})",
    },
    "added": {"en": "New {kind}: {label}", "bg": "Ново ({kind}): {label}"},
    "removed": {"en": "Removed {kind}: {label}", "bg": "Премахнато ({kind}): {label}"},
    "date-corrected": {
        "en": "{label} {which} corrected from {old} to {new}",
        "bg": "{label}: {which} е поправена от {old} на {new}",
    },
    "date-set": {"en": "{label} {which} set to {new}", "bg": "{label}: {which} е вече {new}"},
    "date-removed": {"en": "{label} {which} removed (was {old})", "bg": "{label}: {which} е премахната (беше {old})"},
    "name-changed": {
        "en": "{label}: {what} ({lang}) changed from “{old}” to “{new}”",
        "bg": "{label}: {what} ({lang}) е променено от „{old}“ на „{new}“",
    },
    "name-added": {"en": "{label}: {what} ({lang}) “{new}” added", "bg": "{label}: добавено {what} ({lang}) „{new}“"},
    "name-removed": {"en": "{label}: {what} ({lang}) “{old}” removed", "bg": "{label}: премахнато {what} ({lang}) „{old}“"},
    "role-changed": {
        "en": "{org}'s role in {partnership} changed from {old} to {new}",
        "bg": "Ролята на {org} в {partnership} е променена от {old} на {new}",
    },
    "evidence-changed": {
        "en": "Evidence for {org} in {partnership} changed from {old} to {new}",
        "bg": "Доказателството за {org} в {partnership} е променено от {old} на {new}",
    },
    "cites-added": {"en": "{label} now cites {sources}", "bg": "{label} вече се позовава и на {sources}"},
    "cites-removed": {"en": "{label} no longer cites {sources}", "bg": "{label} вече не се позовава на {sources}"},
    "source-backs": {
        "en": "Source {source} now also states {n} fact(s) already in the graph (about {names})",
        "bg": "Източникът {source} вече потвърждава и {n} факт(а), които вече са в графа (за {names})",
    },
    "source-drops": {
        "en": "Source {source} no longer states {n} fact(s) that stay in the graph (about {names})",
        "bg": "Източникът {source} вече не посочва {n} факт(а), които остават в графа (за {names})",
    },
}
WORDS: dict[str, dict[str, str]] = {
    "start": {"en": "start", "bg": "началната дата"},
    "end": {"en": "end", "bg": "крайната дата"},
    "name": {"en": "name", "bg": "името"},
    "short name": {"en": "short name", "bg": "краткото име"},
    "none": {"en": "none", "bg": "няма"},
    "more": {"en": "and {n} more", "bg": "и още {n}"},
}
LANGUAGES = ("en", "bg")


@dataclass
class Side:
    """One release's facts over all its graphs: triples with the graphs stating them, and lookups."""

    graphs: dict[Triple, set[str]] = field(default_factory=lambda: defaultdict(set))
    terms: dict[str, ox.Literal] = field(default_factory=dict)
    out: dict[str, dict[str, list[str]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    into: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def of(cls, quads: dict[Key, ox.Quad]) -> Side:
        side = cls()
        for (s, p, o, g), quad in quads.items():
            triple = (s, p, o)
            if triple not in side.graphs:
                side.out[s][p].append(o)
                side.into[o].append((s, p))
                if isinstance(quad.object, ox.Literal):
                    side.terms[o] = quad.object
            side.graphs[triple].add(g)
        return side

    def values(self, s: str, p: str) -> list[str]:
        return sorted(self.out.get(s, {}).get(p, []))

    def one(self, s: str, p: str) -> str | None:
        found = self.values(s, p)
        return found[0] if found else None

    def typed(self, s: str) -> bool:
        return bool(self.out.get(s, {}).get(RDF_TYPE))

    def literal(self, o: str) -> str:
        term = self.terms.get(o)
        return term.value if term is not None else o

    def language(self, o: str) -> str:
        term = self.terms.get(o)
        return (term.language or "") if term is not None else ""


def kind_of(iri: str) -> str:
    """`<…/id/organisation/gdynia-city>` -> "organisation"; "" for other IRIs and literals."""
    found = _ID.match(iri)
    return found.group(1) if found else ""


def _slug(iri: str) -> str:
    return iri.strip("<>").rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


class Namer:
    """Labels of resources in a language, looked up in the newer release, then the older."""

    def __init__(self, new: Side, old: Side) -> None:
        self.sides = (new, old)

    def label(self, iri: str, lang: str) -> str:
        if iri.startswith('"'):
            return self.sides[0].literal(iri) if iri in self.sides[0].terms else self.sides[1].literal(iri)
        kind = kind_of(iri)
        if kind == "membership":
            for side in self.sides:
                org, partnership = side.one(iri, MEMBER), side.one(iri, ORGANIZATION)
                if org and partnership:
                    return f"{self.label(org, lang)} – {self.label(partnership, lang)}"
        if kind == "instant":
            for side in self.sides:
                value = _date_of(side, iri)
                if value:
                    return value
        if kind == "source":
            return _slug(iri)
        predicates = (SHORT_NAME, *NAME_PREDICATES) if kind == "partnership" else NAME_PREDICATES  # "Urban Mobility", as people say
        for side in self.sides:
            for predicate in predicates:
                names = side.values(iri, predicate)
                for wanted in (lang, "en", ""):
                    for name in names:
                        if side.language(name) == wanted or (wanted == "" and names):
                            return side.literal(name)
        return _slug(iri)

    def labels(self, iris: Iterable[str], lang: str, limit: int = 5) -> str:
        names = sorted({self.label(i, lang) for i in iris})
        if not names:
            return WORDS["none"][lang]
        shown = ", ".join(names[:limit])
        return shown if len(names) <= limit else f"{shown} {WORDS['more'][lang].format(n=len(names) - limit)}"


def _date_of(side: Side, instant: str) -> str | None:
    for predicate in DATE_VALUES:
        value = side.one(instant, predicate)
        if value:
            return side.literal(value)
    return None


def _span_paths(side: Side, s: str) -> dict[str, tuple[str | None, list[Triple]]]:
    """{"start"|"end": (date text or None, the triples that say it)} for a thing with a period or schema dates."""
    found: dict[str, tuple[str | None, list[Triple]]] = {}
    periods = side.values(s, TEMPORAL) + side.values(s, MEMBER_DURING)
    for which, predicate in (("start", BEGINNING), ("end", END)):
        for period in periods:
            for instant in side.values(period, predicate):
                path = [(s, TEMPORAL if (s, TEMPORAL, period) in side.graphs else MEMBER_DURING, period), (period, predicate, instant)]
                path += [(instant, p, o) for p, objects in side.out.get(instant, {}).items() for o in objects]
                found[which] = (_date_of(side, instant) or _slug(instant), path)
        for o in side.values(s, SCHEMA_DATES[which]):
            found[which] = (side.literal(o), [(s, SCHEMA_DATES[which], o)])
    return found


class Changelog:
    """Works through the changed facts rule by rule; each rule marks the facts it explains."""

    def __init__(self, diff: Diff, old: dict[Key, ox.Quad], new: dict[Key, ox.Quad]) -> None:
        self.diff = diff
        self.old, self.new = Side.of(old), Side.of(new)
        self.added = {t for t in self.new.graphs if t not in self.old.graphs}
        self.removed = {t for t in self.old.graphs if t not in self.new.graphs}
        self.explained: set[Triple] = set()
        self.explained_quads: set[Key] = set()
        self.entries: list[dict[str, Any]] = []
        self.names = Namer(self.new, self.old)

    # ------------------------------------------------------------ helpers

    def _say(self, sentence: str, subjects: Iterable[str], triples: Iterable[Triple], **slots: Any) -> None:
        """One sentence, in both languages; `slots` are IRIs (named in each language) or {lang: text} or plain text."""
        taken = {t for t in triples if (t in self.added or t in self.removed) and t not in self.explained}
        self.explained |= taken
        texts = {}
        for lang in LANGUAGES:
            filled = {}
            for name, value in slots.items():
                if isinstance(value, dict):
                    filled[name] = value[lang]
                elif isinstance(value, list):
                    filled[name] = self.names.labels(value, lang)
                elif isinstance(value, str) and value.startswith("<"):
                    filled[name] = self.names.label(value, lang)
                else:
                    filled[name] = str(value)
            texts[lang] = TEMPLATES[sentence][lang].format(**filled)
        facts = sum(len(self.new.graphs.get(t, ())) if t in self.added else len(self.old.graphs.get(t, ())) for t in taken)
        iris = sorted({s.strip("<>") for s in subjects if s.startswith("<")})
        self.entries.append({"kind": sentence, "subjects": iris, "facts": facts, **texts})

    def _changed_about(self, s: str, changed: set[Triple]) -> list[Triple]:
        return [t for t in changed if t[0] == s or t[2] == s]

    def _whole(self, s: str, side: Side, changed: set[Triple]) -> list[Triple]:
        """The changed facts about `s` and its own new (or gone) periods and instants."""
        triples = self._changed_about(s, changed)
        for t in list(triples):
            if t[0] == s and kind_of(t[2]) in PARTS and not (self.old if side is self.new else self.new).typed(t[2]):
                triples += [u for u in changed if u[0] == t[2]]
                for u in [u for u in changed if u[0] == t[2]]:
                    if kind_of(u[2]) == "instant" and not (self.old if side is self.new else self.new).typed(u[2]):
                        triples += [v for v in changed if v[0] == u[2]]
        return triples

    # ------------------------------------------------------------ rules

    def memberships(self) -> None:
        for which, side, changed in (("joined", self.new, self.added), ("left", self.old, self.removed)):
            other = self.old if side is self.new else self.new
            subjects = sorted({t[0] for t in changed if t[1] == RDF_TYPE and kind_of(t[0]) == "membership"})
            for m in subjects:
                if other.typed(m):
                    continue
                org, partnership = side.one(m, MEMBER), side.one(m, ORGANIZATION)
                if not org or not partnership:
                    continue
                triples = self._whole(m, side, changed)
                triples += [t for t in changed if {t[0], t[2]} == {org, partnership} and t[1] in DERIVED_LINKS]
                triples += [t for t in changed if (t[0], t[2]) == (org, partnership) and _ontology(t[1], "coordinates")]
                role = side.one(m, ROLE)
                self._say(
                    which,
                    [m, org, partnership],
                    triples,
                    org=org,
                    partnership=partnership,
                    role=role or WORDS["none"],
                    sources=side.values(m, SOURCE),
                )

    def things(self) -> None:
        for which, side, changed in (("added", self.new, self.added), ("removed", self.old, self.removed)):
            other = self.old if side is self.new else self.new
            subjects = sorted({t[0] for t in changed if t[1] == RDF_TYPE})
            for s in subjects:
                kind = kind_of(s)
                if other.typed(s) or kind not in KINDS or kind == "membership":
                    continue
                self._say(which, [s], self._whole(s, side, changed), kind=KINDS[kind], label=s)

    def dates(self) -> None:
        changed = self.added | self.removed
        touched: set[str] = set()
        for s, _, o in changed:
            for iri in (s, o):
                touched.add(iri)
                for side in (self.old, self.new):
                    for owner, _ in side.into.get(iri, []):
                        touched.add(owner)
                        touched.update(o2 for o2, _ in side.into.get(owner, []))
        for s in sorted(touched):
            if not (self.old.typed(s) and self.new.typed(s)) or kind_of(s) in PARTS:
                continue
            before, after = _span_paths(self.old, s), _span_paths(self.new, s)
            for which in ("start", "end"):
                old_value, old_path = before.get(which, (None, []))
                new_value, new_path = after.get(which, (None, []))
                if old_value == new_value:
                    continue
                triples = [*old_path, *new_path]
                label = s
                if old_value and new_value:
                    self._say("date-corrected", [s], triples, label=label, which=WORDS[which], old=old_value, new=new_value)
                elif new_value:
                    self._say("date-set", [s], triples, label=label, which=WORDS[which], new=new_value)
                else:
                    self._say("date-removed", [s], triples, label=label, which=WORDS[which], old=old_value)

    def names_(self) -> None:
        changed = self.added | self.removed
        groups: dict[tuple[str, str, str], tuple[set[str], set[str], list[Triple]]] = {}
        for t in sorted(changed):
            s, p, o = t
            if t in self.explained or p not in (*NAME_PREDICATES, SHORT_NAME) or not (self.old.typed(s) and self.new.typed(s)):
                continue
            what = "short name" if p == SHORT_NAME else "name"
            side = self.new if t in self.added else self.old
            entry = groups.setdefault((s, what, side.language(o)), (set(), set(), []))
            (entry[1] if t in self.added else entry[0]).add(side.literal(o))
            entry[2].append(t)
        for (s, what, lang), (olds, news, triples) in sorted(groups.items()):
            tag = lang or "-"
            if olds and news:
                self._say("name-changed", [s], triples, label=s, what=WORDS[what], lang=tag, old=" / ".join(sorted(olds)), new=" / ".join(sorted(news)))
            elif news:
                self._say("name-added", [s], triples, label=s, what=WORDS[what], lang=tag, new=" / ".join(sorted(news)))
            else:
                self._say("name-removed", [s], triples, label=s, what=WORDS[what], lang=tag, old=" / ".join(sorted(olds)))

    def roles(self) -> None:
        for s in sorted({t[0] for t in self.added | self.removed if kind_of(t[0]) == "membership"}):
            if not (self.old.typed(s) and self.new.typed(s)):
                continue
            org, partnership = self.new.one(s, MEMBER), self.new.one(s, ORGANIZATION)
            if not org or not partnership:
                continue
            for kind, test in (("role-changed", lambda p: p == ROLE), ("evidence-changed", lambda p: _ontology(p, "evidence"))):
                olds = [t for t in self.removed if t[0] == s and test(t[1])]
                news = [t for t in self.added if t[0] == s and test(t[1])]
                if not olds and not news:
                    continue
                triples = olds + news
                if kind == "role-changed":
                    triples += [t for t in self.added | self.removed if (t[0], t[2]) == (org, partnership) and _ontology(t[1], "coordinates")]
                self._say(kind, [s, org, partnership], triples, org=org, partnership=partnership, old=[t[2] for t in olds], new=[t[2] for t in news])

    def citations(self) -> None:
        """A thing known in both releases that cites one more (or one fewer) source document."""
        for which, changed in (("cites-added", self.added), ("cites-removed", self.removed)):
            by_subject: dict[str, list[Triple]] = defaultdict(list)
            for t in changed:
                if t[1] == SOURCE and t not in self.explained and self.old.typed(t[0]) and self.new.typed(t[0]):
                    by_subject[t[0]].append(t)
            for s, triples in sorted(by_subject.items()):
                self._say(which, [s, *(t[2] for t in triples)], triples, label=s, sources=[t[2] for t in triples])

    def sources(self) -> None:
        """Facts kept, but stated by one more (or one fewer) source document."""
        groups: dict[tuple[str, str], list[Key]] = defaultdict(list)
        for which, changed in (("source-backs", self.diff.added), ("source-drops", self.diff.removed)):
            for k in changed:
                t = (k[0], k[1], k[2])
                if t in self.added or t in self.removed or not _SOURCE_GRAPH.match(k[3]):
                    continue
                groups[(which, k[3])].append(k)
        for (which, graph), quads in sorted(groups.items()):
            found = _SOURCE_GRAPH.match(graph)
            assert found is not None
            subjects = sorted({k[0] for k in quads if kind_of(k[0]) in KINDS})
            self.explained_quads.update(quads)
            texts = {lang: TEMPLATES[which][lang].format(source=found.group(2), n=len(quads), names=self.names.labels(subjects, lang)) for lang in LANGUAGES}
            iris = sorted({s.strip("<>") for s in subjects} | {f"{found.group(1)}/id/source/{found.group(2)}"})
            self.entries.append({"kind": which, "subjects": iris, "facts": len(quads), **texts})

    # ------------------------------------------------------------ result

    def result(self) -> dict[str, Any]:
        self.memberships()
        self.things()
        self.dates()
        self.roles()
        self.names_()
        self.citations()
        self.sources()
        other = [k for k in (*self.diff.removed, *self.diff.added) if (k[0], k[1], k[2]) not in self.explained and k not in self.explained_quads]
        by_subject: dict[str, int] = defaultdict(int)
        for k in other:
            if k[0].startswith("<"):
                by_subject[k[0].strip("<>")] += 1
        added = set(self.diff.added)
        return {
            "changelog": self.entries,
            "covered_quads": len(self.diff.added) + len(self.diff.removed) - len(other),
            "other": {
                "count": len(other),
                "by_subject": dict(sorted(by_subject.items())),
                "quads": [("A " if k in added else "D ") + " ".join(term for term in k if term) + " ." for k in other[:200]],
            },
        }


def changelog(diff: Diff, old: dict[Key, ox.Quad], new: dict[Key, ox.Quad]) -> dict[str, Any]:
    """{"changelog": [{kind, subjects, facts, en, bg}], "covered_quads": n, "other": {count, by_subject, quads (first 200)}}."""
    return Changelog(diff, old, new).result()
