"""The data lint: what the checks of `graph.builder.curated` let through but a curator should look at.

`graph.builder.curated` refuses data that cannot be right (a broken reference, a bad date). The lint looks
at checked data for what is probably wrong: the same meeting recorded twice, one body under two
rows, a source cited for a record its quote does not name, a partnership labelled differently
from its theme in the vocabulary. Each finding names the file, the line and the field, like every
other problem, and says how to fix it or how to record that it is right.

| rule | level | what |
|---|---|---|
| `duplicate-event` | warning | two events of one type whose dates overlap, in one partnership or one place |
| `two-spellings` | error | two organisations whose names or aliases are the same once normalised |
| `lifetime` | error | a membership outside its partnership's lifetime (checked in `graph.builder.curated`) |
| `quote-mention` | warning | a source cited for a membership, organisation or person whose quote does not name it |
| `vocabulary-label` | warning | a partnership's short name that is none of its theme's labels in that language |
| `unquoted-source` | warning | a source whose `evidence` says the page is not quoted yet ("Not quoted: ...") |

A warning is printed by `uaeu build` and `uaeu validate` and kept in the build report; an error
fails the build. Where two events or two organisations really are different, one record's `note`
says so in the words "Not the same as {id}" (the other's id), which silences the finding.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from graph.builder.curated import CuratedData
from graph.builder.readers import Record
from graph.dates import earliest_and_latest
from graph.problems import Problem

ERROR, WARNING = "error", "warning"
RULES = {
    "duplicate-event": WARNING,
    "two-spellings": ERROR,
    "lifetime": ERROR,
    "quote-mention": WARNING,
    "vocabulary-label": WARNING,
    "unquoted-source": WARNING,
}
#: How `evidence` says that the page's words are not quoted yet, and why (docs/curated-data-format.md).
NOT_QUOTED = "Not quoted:"
#: Names shorter than this (once normalised) are too likely to occur by chance in a quote.
MIN_NAME_CHARS = 3
#: How a note says that two records that look alike are different: "Not the same as agenda-coordinators-2017-06: ...".
_NOT_THE_SAME = re.compile(r"[Nn]ot the same as (?:event |organisation )?([a-z0-9]+(?:-[a-z0-9]+)*)")
#: Letters NFKD does not take apart, folded by hand so 'Malmö', 'Malmo' and 'Łódź', 'Lodz' meet.
_FOLD = str.maketrans({"ł": "l", "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ð": "d", "þ": "th", "ı": "i"})


@dataclass(frozen=True, order=True)
class Finding:
    """One lint finding: the rule, its level and where the data holds it."""

    problem: Problem
    rule: str
    level: str

    def __str__(self) -> str:
        return str(self.problem)


def normalise(text: str) -> str:
    """Text as the lint compares it: case, accents, punctuation and spacing folded away."""
    folded = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    folded = "".join(c for c in folded if not unicodedata.combining(c)).translate(_FOLD)
    return " ".join(re.findall(r"\w+", folded))


def _says_different(record: Record, ident: str) -> bool:
    """Whether a record's note says it is not the same as another: 'Not the same as {id}' (or '... as event {id}')."""
    return ident in _NOT_THE_SAME.findall(record.get("note") or "")


def aliases(record: Record) -> list[str]:
    """An organisation's other names and spellings (`aliases`, `;`-separated)."""
    return [a.strip() for a in (record.get("aliases") or "").split(";") if a.strip()]


def lint(data: CuratedData, model: Graph | None = None, base: str = "") -> list[Finding]:
    """Every finding of every rule over checked data; `model` holds the vocabularies (theme labels)."""
    findings = [
        *_duplicate_events(data),
        *_two_spellings(data),
        *_quote_mentions(data),
        *_unquoted_sources(data),
        *(_vocabulary_labels(data, model, base) if model is not None else []),
    ]
    return sorted(set(findings))


def errors(findings: Iterable[Finding]) -> list[Problem]:
    return [f.problem for f in findings if f.level == ERROR]


def warnings(findings: Iterable[Finding]) -> list[str]:
    return [str(f) for f in findings if f.level == WARNING]


def _finding(rule: str, problem: Problem) -> Finding:
    return Finding(problem, rule, RULES[rule])


# -- the same event twice ------------------------------------------------------------------


def _period(record: Record) -> tuple[dt.date, dt.date]:
    start = record.get("start")
    return earliest_and_latest(start)[0], earliest_and_latest(record.get("end") or start)[1]


def _duplicate_events(data: CuratedData) -> Iterator[Finding]:
    events = list(data.events.values())
    for first, second in itertools.combinations(events, 2):
        if first.get("type") != second.get("type") or _says_different(first, second.get("id")) or _says_different(second, first.get("id")):
            continue
        (a_start, a_end), (b_start, b_end) = _period(first), _period(second)
        if a_end < b_start or b_end < a_start:
            continue
        partnerships = first.get("partnership") or "", second.get("partnership") or ""
        if partnerships[0] and partnerships[0] == partnerships[1]:
            shared = f"partnership '{partnerships[0]}'"
        elif first.get("place") and first.get("place") == second.get("place") and not (all(partnerships) and partnerships[0] != partnerships[1]):
            shared = f"place '{first.get('place')}'"
        else:
            continue
        dates = [f"{r.get('start')}" + (f" to {r.get('end')}" if r.get("end") else "") for r in (first, second)]
        yield _finding(
            "duplicate-event",
            second.problem(
                "id",
                f"may be the same event as '{first.get('id')}' ({first.file}:{first.line}): both '{second.get('type')}', dates {dates[1]} and "
                f"{dates[0]} overlap, same {shared}; merge them into one (name the dropped id in the kept event's note), or, if they are "
                f"different events, say so in this event's note: 'Not the same as {first.get('id')}: ...'",
            ),
        )


# -- one body under two spellings ------------------------------------------------------------


def _labels(record: Record) -> list[tuple[str, str]]:
    """(field, text) of every name an organisation goes by."""
    found = [(name, record.get(name)) for name in ("name_en", "name_bg", "name_local") if record.get(name)]
    return found + [("aliases", alias) for alias in aliases(record)]


def _two_spellings(data: CuratedData) -> Iterator[Finding]:
    seen: dict[str, tuple[Record, str]] = {}
    for record in data.organisations.values():
        own: set[str] = set()
        for name, text in _labels(record):
            key = normalise(text)
            if len(key) < MIN_NAME_CHARS or key in own:
                continue
            own.add(key)
            if key not in seen:
                seen[key] = (record, text)
                continue
            other, other_text = seen[key]
            if _says_different(record, other.get("id")) or _says_different(other, record.get("id")):
                continue
            yield _finding(
                "two-spellings",
                record.problem(
                    name,
                    f"'{text}' is also a name of organisation '{other.get('id')}' ('{other_text}', {other.file}:{other.line}); one body is one "
                    f"organisation: merge the rows (keep the other spelling in 'aliases'), or, if they are different bodies, say so "
                    f"in this row's note: 'Not the same as {other.get('id')}: ...'",
                ),
            )


# -- a source cited for a record its quote does not name -------------------------------------


#: Partner types whose body a quote may name by its city or region ("Porto" for the City of Porto).
GOVERNING_KINDS = ("city", "region", "metropolitan-authority", "intermunicipal-body")


def _parts(name: str) -> list[str]:
    """A name and its parts: around parentheses and on either side of ' - '.

    'European Commission - DG REGIO (Regional and Urban Policy)' -> itself, 'European Commission - DG
    REGIO', 'European Commission', 'DG REGIO', 'Regional and Urban Policy'.
    """
    inner = re.findall(r"\(([^()]*)\)", name)
    outer = re.sub(r"\([^()]*\)", " ", name)
    return [name, outer, *outer.split(" - "), *inner]


def _organisation_keys(data: CuratedData, record: Record, taken: set[str]) -> set[str]:
    """The names a quote may use for an organisation; a part that is another organisation's whole name
    ('European Commission' in 'European Commission - DG REGIO') names that one, not this one."""
    own = {normalise(text) for _, text in _labels(record)}
    texts = [part for _, text in _labels(record) for part in _parts(text)]
    place = data.places.get(record.get("place") or "")
    if place is not None and record.get("kind") in GOVERNING_KINDS:
        texts += [part for n in ("name_en", "name_bg", "name_local") if place.get(n) for part in _parts(place.get(n))]
    country = data.countries.get(record.get("country") or "")
    if country is not None and record.get("kind") == "member-state":
        texts += [country.get(n) for n in ("name_en", "name_bg", "name_local") if country.get(n)]
    return {key for key in map(normalise, texts) if len(key) >= MIN_NAME_CHARS and (key in own or key not in taken)}


def _mentions(quote: str, keys: set[str]) -> bool:
    padded = f" {quote} "
    return any(f" {key} " in padded for key in keys)


def _quote_mentions(data: CuratedData) -> Iterator[Finding]:
    quotes = {ident: normalise(r.get("evidence") or "") for ident, r in data.sources.items() if not is_unquoted(r)}
    taken = {normalise(text) for r in data.organisations.values() for _, text in _labels(r)}
    org_keys = {ident: _organisation_keys(data, r, taken) for ident, r in data.organisations.items()}
    person_keys = {
        ident: {k for k in (normalise(r.get("name") or ""), normalise(r.get("name_bg") or "")) if len(k) >= MIN_NAME_CHARS} for ident, r in data.people.items()
    }
    subjects: list[tuple[Record, str, set[str], str]] = []
    alias_hint = " (a spelling of the page goes in the organisation's 'aliases')"
    subjects += [(r, f"organisation '{r.get('name_en')}'", org_keys[i], alias_hint) for i, r in data.organisations.items()]
    subjects += [
        (r, f"organisation '{data.organisations[r.get('organisation')].get('name_en')}'", org_keys[r.get("organisation")], alias_hint)
        for r in data.memberships.values()
    ]
    subjects += [(r, f"person '{r.get('name')}'", person_keys[i], "") for i, r in data.people.items()]
    for record, what, keys, hint in subjects:
        for source in record.get("sources") or []:
            quote = quotes.get(source, "")
            if quote and not _mentions(quote, keys):
                cited = data.sources[source]
                yield _finding(
                    "quote-mention",
                    record.problem(
                        "sources",
                        f"the quote of source '{source}' ({cited.file}:{cited.line}) does not name {what}: quote the words of the page that do{hint}, "
                        f"or drop the source if the page does not support this record",
                    ),
                )


def is_unquoted(source: Record) -> bool:
    """Whether a source's `evidence` says the page is not quoted yet (the documented marker)."""
    return (source.get("evidence") or "").startswith(NOT_QUOTED)


def _unquoted_sources(data: CuratedData) -> Iterator[Finding]:
    for record in data.sources.values():
        if is_unquoted(record):
            yield _finding(
                "unquoted-source",
                record.problem(
                    "evidence",
                    f"the page of source '{record.get('id')}' is not quoted yet (evidence starts 'Not quoted:'): quote the words of the page that "
                    f"support what the data takes from it",
                ),
            )


# -- labels that differ from the vocabulary ---------------------------------------------------


@dataclass
class ThemeLabels:
    """A theme's labels in the vocabulary: the preferred one per language, and every label normalised."""

    preferred: dict[str, str]
    known: dict[str, set[str]]


def theme_labels(model: Graph, base: str) -> dict[str, ThemeLabels]:
    """Per theme notation: its prefLabel and altLabels in ontology/vocab/theme.ttl, by language."""
    result: dict[str, ThemeLabels] = {}
    for concept in model.subjects(SKOS.inScheme, URIRef(f"{base}vocab/theme")):
        labels = ThemeLabels({}, {})
        for prop in (SKOS.prefLabel, SKOS.altLabel):
            for label in model.objects(concept, prop):
                lang = getattr(label, "language", None) or ""
                labels.known.setdefault(lang, set()).add(normalise(str(label)))
                if prop == SKOS.prefLabel:
                    labels.preferred[lang] = str(label)
        for notation in model.objects(concept, SKOS.notation):
            result[str(notation)] = labels
    return result


def _vocabulary_labels(data: CuratedData, model: Graph, base: str) -> Iterator[Finding]:
    themes = theme_labels(model, base)
    for record in data.partnerships.values():
        vocab = {t: themes[t] for t in record.get("themes") or [] if t in themes}
        for lang, text in sorted((record.get("short_name") or {}).items()):
            known = set().union(*(labels.known.get(lang, set()) for labels in vocab.values()))
            if known and normalise(text) not in known:
                preferred = "; ".join(f"{t}: '{labels.preferred[lang]}'" for t, labels in vocab.items() if lang in labels.preferred)
                yield _finding(
                    "vocabulary-label",
                    record.problem(
                        f"short_name.{lang}",
                        f"'{text}' is not a label of its theme in the vocabulary ({preferred}, ontology/vocab/theme.ttl); use the same name in both places",
                    ),
                )
            full = (record.get("name") or {}).get(lang)
            if full and normalise(text) not in normalise(full):
                yield _finding(
                    "vocabulary-label",
                    record.problem(f"name.{lang}", f"'{full}' does not contain the short name '{text}'; use the same name in both"),
                )


def without_lines(finding: Finding) -> str:
    """A finding as data/README.md lists the accepted ones: rule, then the message without line numbers (they move with every edit)."""
    return re.sub(r"(\.csv|\.yaml):\d+", r"\1", f"{finding.rule}: {finding}")
