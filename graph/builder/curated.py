"""Load the curated files of `data/` and check them before any RDF is made.

The checks here are the ones a curator can act on: each failure names the file, the line and
the field, and says what was expected. Everything is checked in one pass, so a pull request
gets the whole list at once. SHACL validation of the built graph comes after, as a safety net.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graph.builder.readers import LineDict, LineList, Record, character_problems, nested_line, read_csv, read_yaml_list
from graph.dates import DateFormatError, earliest_and_latest, ends_before_start, parse_partial_date
from graph.problems import CuratedDataError, Problem, display_path

SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MEMBERSHIP_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*--[a-z0-9]+(-[a-z0-9]+)*$")
ISO2 = re.compile(r"^[A-Z]{2}$")
ISO3 = re.compile(r"^[A-Z]{3}$")
QID = re.compile(r"^Q[1-9][0-9]*$")
GEONAMES_ID = re.compile(r"^[1-9][0-9]*$")
#: A code of the Publications Office's corporate-body authority table (COM, REGIO, EP_COMMU, ACP-EU_JA): the last
#: segment of http://publications.europa.eu/resource/authority/corporate-body/{code}; at most 40 characters.
EU_CORPORATE_BODY = re.compile(r"^(?=.{1,40}$)[A-Z][A-Z0-9]*(?:[_-][A-Z0-9]+)*$")
LANG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
URL = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")

SOURCE_COLUMNS = ["id", "title", "publisher", "date", "url", "evidence", "note"]
COUNTRY_COLUMNS = ["iso2", "iso3", "name_en", "name_bg", "name_local", "local_lang", "wikidata", "sources", "note"]
PLACE_COLUMNS = ["id", "type", "name_en", "name_bg", "name_local", "local_lang", "country", "within", "wikidata", "geonames", "lat", "lon", "sources", "note"]
ORGANISATION_COLUMNS = [
    "id",
    "name_en",
    "name_bg",
    "name_local",
    "local_lang",
    "aliases",
    "kind",
    "country",
    "place",
    "wikidata",
    "eu_corporate_body",
    "sources",
    "note",
]
PEOPLE_COLUMNS = ["id", "name", "name_bg", "office_en", "office_bg", "organisation", "sources", "note"]
MEMBERSHIP_COLUMNS = ["id", "partnership", "organisation", "role", "evidence", "start", "end", "sources", "note"]

PLACE_TYPES = ("city", "region", "venue")
MILESTONE_KINDS = (
    "launch",
    "creation",
    "call-for-partners",
    "approval",
    "validation",
    "kick-off",
    "orientation-paper",
    "draft-action-plan",
    "action-plan",
    "end",
)


@dataclass
class CuratedData:
    """The checked curated data: records by id, per file, in file order."""

    sources: dict[str, Record] = field(default_factory=dict)
    countries: dict[str, Record] = field(default_factory=dict)
    places: dict[str, Record] = field(default_factory=dict)
    organisations: dict[str, Record] = field(default_factory=dict)
    people: dict[str, Record] = field(default_factory=dict)
    partnerships: dict[str, Record] = field(default_factory=dict)
    memberships: dict[str, Record] = field(default_factory=dict)
    events: dict[str, Record] = field(default_factory=dict)


class _Checker:
    """Collects problems while normalising values in place."""

    def __init__(self, notations: dict[str, set[str]]) -> None:
        self.notations = notations
        self.problems: list[Problem] = []

    # -- single values -------------------------------------------------------------------

    def text(self, record: Record, name: str, *, required: bool = False) -> str:
        value = record.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problems.append(record.problem(name, "is required and empty"))
            record.values[name] = ""
            return ""
        if not isinstance(value, str | int | float):
            self.problems.append(record.problem(name, f"must be text, found {type(value).__name__}"))
            record.values[name] = ""
            return ""
        text = str(value).strip()
        record.values[name] = text
        return text

    def pattern(self, record: Record, name: str, regex: re.Pattern[str], expected: str, *, required: bool = False) -> str:
        text = self.text(record, name, required=required)
        if text and not regex.match(text):
            self.problems.append(record.problem(name, f"'{text}' is not {expected}"))
        return text

    def slug(self, record: Record, name: str = "id") -> str:
        return self.pattern(record, name, SLUG, "a slug (lower-case ASCII letters, digits and single hyphens, e.g. 'sofia-municipality')", required=True)

    def date(self, record: Record, name: str, value: Any = None, *, required: bool = False, line: int | None = None) -> str:
        raw = record.get(name) if value is None else value
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if required:
                self.problems.append(Problem(record.file, line or record.line_of(name), name, "is required and empty"))
            return ""
        text = str(raw).strip()
        try:
            parse_partial_date(text)
        except DateFormatError as err:
            self.problems.append(Problem(record.file, line or record.line_of(name), name, str(err)))
            return ""
        return text

    def period(self, record: Record, start: str, end: str, start_name: str, end_name: str, line: int | None = None) -> None:
        if start and end and ends_before_start(start, end):
            self.problems.append(Problem(record.file, line or record.line_of(end_name), end_name, f"ends ({end}) before it starts ({start_name} {start})"))

    def notation(self, record: Record, name: str, scheme: str, value: Any = None, *, required: bool = True, line: int | None = None) -> str:
        raw = record.get(name) if value is None else value
        text = "" if raw is None else str(raw).strip()
        where = line or record.line_of(name)
        if not text:
            if required:
                self.problems.append(Problem(record.file, where, name, "is required and empty"))
            return ""
        known = self.notations.get(scheme, set())
        if text not in known:
            self.problems.append(Problem(record.file, where, name, f"unknown {scheme} '{text}' (expected one of: {', '.join(sorted(known))})"))
            return ""
        return text

    def lang_map(self, record: Record, name: str, *, required_en: bool = True) -> dict[str, str]:
        value = record.get(name)
        if value is None and not required_en:
            record.values[name] = {}
            return {}
        if isinstance(value, str):
            value = {"en": value}
        if not isinstance(value, dict):
            self.problems.append(record.problem(name, "must be a mapping of language to text, e.g. {en: ..., bg: ...}"))
            record.values[name] = {}
            return {}
        result: dict[str, str] = {}
        for lang, text in value.items():
            line = nested_line(value, lang, record.line_of(name))
            if not LANG.match(str(lang)):
                self.problems.append(Problem(record.file, line, f"{name}.{lang}", "is not a language tag such as en, bg, fi"))
                continue
            if text is None or not str(text).strip():
                self.problems.append(Problem(record.file, line, f"{name}.{lang}", "is empty"))
                continue
            result[str(lang)] = str(text).strip()
        if required_en and "en" not in result:
            self.problems.append(record.problem(name, "needs an English text (en)"))
        record.values[name] = result
        return result

    def id_list(self, record: Record, name: str, *, required: bool = False) -> list[tuple[str, int]]:
        """A list of ids: `a; b` in CSV, a YAML list in YAML. Returns (id, line) pairs."""
        value = record.get(name)
        items: list[tuple[str, int]] = []
        if value is None or value == "":
            pass
        elif isinstance(value, str):
            items = [(part.strip(), record.line_of(name)) for part in value.split(";") if part.strip()]
        elif isinstance(value, list):
            for index, item in enumerate(value):
                line = nested_line(value, index, record.line_of(name))
                if not isinstance(item, str | int) or not str(item).strip():
                    self.problems.append(Problem(record.file, line, name, "each item must be an id"))
                    continue
                items.append((str(item).strip(), line))
        else:
            self.problems.append(record.problem(name, "must be a list of ids"))
        if required and not items:
            self.problems.append(
                record.problem(name, "needs at least one entry" + (" (every fact needs a source from sources.csv)" if name == "sources" else ""))
            )
        record.values[name] = [item for item, _ in items]
        return items

    def refs(self, record: Record, name: str, table: dict[str, Record], what: str, *, required: bool = False) -> list[str]:
        found = []
        for item, line in self.id_list(record, name, required=required):
            if item not in table:
                self.problems.append(Problem(record.file, line, name, f"unknown {what} '{item}'{_hint(item, table)}"))
            else:
                found.append(item)
        return found

    def ref(self, record: Record, name: str, table: dict[str, Record], what: str, *, required: bool = False, value: Any = None, line: int | None = None) -> str:
        raw = record.get(name) if value is None else value
        text = "" if raw is None else str(raw).strip()
        where = line or record.line_of(name)
        if not text:
            if required:
                self.problems.append(Problem(record.file, where, name, "is required and empty"))
            return ""
        if text not in table:
            self.problems.append(Problem(record.file, where, name, f"unknown {what} '{text}'{_hint(text, table)}"))
            return ""
        return text

    def sources(self, record: Record, sources: dict[str, Record], name: str = "sources") -> list[str]:
        return self.refs(record, name, sources, "source (not in sources.csv)", required=True)

    def unique(self, records: Iterable[Record], key: str, what: str) -> dict[str, Record]:
        table: dict[str, Record] = {}
        for record in records:
            value = record.get(key)
            if not value:
                continue
            if value in table:
                first = table[value]
                self.problems.append(record.problem(key, f"duplicate {what} '{value}' (first defined at {first.file}:{first.line})"))
                continue
            table[value] = record
        return table

    def known_fields(self, record: Record, allowed: Iterable[str]) -> None:
        allowed_set = set(allowed)
        for name in record.values:
            if name not in allowed_set:
                self.problems.append(record.problem(name, f"unknown field (allowed: {', '.join(sorted(allowed_set))})"))


def _hint(value: str, table: dict[str, Record]) -> str:
    import difflib

    close = difflib.get_close_matches(value, list(table), n=1, cutoff=0.75)
    return f" (did you mean '{close[0]}'?)" if close else ""


#: Files that must hold at least one record: an empty one is a truncated save or a bad merge, and
#: building from it would silently drop every partnership, member or event. people.csv alone may
#: be empty (header only): the graph names office-holders only where a source does, and removing
#: every person must stay possible.
REQUIRED_RECORDS = ("sources.csv", "countries.csv", "places.csv", "organisations.csv", "partnerships.yaml", "memberships.csv", "events.yaml")

#: Prose fields that may span lines (a line break or a tab is kept there); every other field is a
#: single line. Patterns over field names as errors give them (`start.note`, `attendance_note.en`).
MULTI_LINE_FIELDS = {
    "sources.csv": ("evidence", "note"),
    "partnerships.yaml": ("note", "*.note", "*.conflicts", "stated_member_count.text"),
    "events.yaml": ("note", "conflicts", "attendance_note", "attendance_note.*"),
}


def _multi_line(file_name: str) -> Callable[[str], bool]:
    patterns = MULTI_LINE_FIELDS.get(file_name, ("note",))
    return lambda field_name: any(fnmatch.fnmatchcase(field_name, pattern) for pattern in patterns)


def load_curated(data_dir: Path, notations: dict[str, set[str]], root: Path | None = None) -> CuratedData:
    """Read and check every curated file; raise CuratedDataError listing every problem."""
    problems: list[Problem] = []
    if not data_dir.is_dir():
        raise CuratedDataError(
            [Problem(display_path(data_dir, root), None, None, "the curated data folder is missing (or not a folder); give --data or UAEU_DATA_DIR")]
        )
    # The file's own name, never the one a symbolic link points to.
    folder = display_path(data_dir, root)

    def read(name: str, loader: Callable[[Path, str], list[Record]]) -> list[Record]:
        shown = str(Path(folder) / name)
        try:
            records = loader(data_dir / name, shown)
        except CuratedDataError as err:
            problems.extend(err.problems)
            return []
        if not records and name in REQUIRED_RECORDS:
            problems.append(Problem(shown, 1, None, "holds no records; this file is required (was it emptied by mistake?)"))
        multi_line = _multi_line(name)
        for record in records:
            problems.extend(character_problems(record, multi_line))
        return records

    raw = {
        "sources": read("sources.csv", lambda p, s: read_csv(p, s, SOURCE_COLUMNS)),
        "countries": read("countries.csv", lambda p, s: read_csv(p, s, COUNTRY_COLUMNS)),
        "places": read("places.csv", lambda p, s: read_csv(p, s, PLACE_COLUMNS)),
        "organisations": read("organisations.csv", lambda p, s: read_csv(p, s, ORGANISATION_COLUMNS)),
        "people": read("people.csv", lambda p, s: read_csv(p, s, PEOPLE_COLUMNS)),
        "partnerships": read("partnerships.yaml", read_yaml_list),
        "memberships": read("memberships.csv", lambda p, s: read_csv(p, s, MEMBERSHIP_COLUMNS)),
        "events": read("events.yaml", read_yaml_list),
    }
    if problems:
        # A file that cannot be parsed (or is empty) makes every reference to it look wrong, and a
        # value with a control character would be echoed by later messages: stop here.
        raise CuratedDataError(problems)

    check = _Checker(notations)
    data = CuratedData()
    _check_sources(check, raw["sources"], data)
    _check_countries(check, raw["countries"], data)
    _check_places(check, raw["places"], data)
    _check_organisations(check, raw["organisations"], data)
    _check_people(check, raw["people"], data)
    _check_partnerships(check, raw["partnerships"], data)
    _check_memberships(check, raw["memberships"], data)
    _check_events(check, raw["events"], data)
    if check.problems:
        raise CuratedDataError(check.problems)
    return data


def _check_sources(check: _Checker, records: list[Record], data: CuratedData) -> None:
    for record in records:
        check.slug(record)
        check.text(record, "title", required=True)
        check.text(record, "publisher")
        record.values["date"] = check.date(record, "date")
        check.pattern(record, "url", URL, "an http(s) URL", required=True)
        if not check.text(record, "evidence"):  # every source carries its quote ("Not quoted: why" where the words are not found yet)
            check.problems.append(record.problem("evidence", "is required and empty: quote the words of the page that support what the data takes from it"))
        check.text(record, "note")
    data.sources = check.unique(records, "id", "source id")


def _check_countries(check: _Checker, records: list[Record], data: CuratedData) -> None:
    for record in records:
        check.pattern(record, "iso2", ISO2, "an ISO 3166-1 alpha-2 code such as BG", required=True)
        check.pattern(record, "iso3", ISO3, "an ISO 3166-1 alpha-3 code such as BGR", required=True)
        check.text(record, "name_en", required=True)
        check.text(record, "name_bg", required=True)
        _local_name(check, record)
        check.pattern(record, "wikidata", QID, "a Wikidata item id such as Q219")
        check.sources(record, data.sources)
        check.text(record, "note")
    data.countries = check.unique(records, "iso2", "country code")
    check.unique(records, "iso3", "country code")


def _local_name(check: _Checker, record: Record) -> None:
    local = check.text(record, "name_local")
    lang = check.pattern(record, "local_lang", LANG, "a language tag such as fi or de")
    if local and not lang:
        check.problems.append(record.problem("local_lang", "is required when name_local is given"))


def _country(check: _Checker, record: Record, data: CuratedData, name: str = "country", *, required: bool = False) -> str:
    code = check.text(record, name, required=required)
    if code and not ISO2.match(code):
        check.problems.append(record.problem(name, f"'{code}' is not an ISO 3166-1 alpha-2 code such as BG"))
        return ""
    if code and code not in data.countries:
        check.problems.append(record.problem(name, f"unknown country '{code}' (add it to countries.csv first)"))
        return ""
    return code


def _check_places(check: _Checker, records: list[Record], data: CuratedData) -> None:
    for record in records:
        check.slug(record)
        kind = check.text(record, "type", required=True)
        if kind and kind not in PLACE_TYPES:
            check.problems.append(record.problem("type", f"unknown place type '{kind}' (expected one of: {', '.join(PLACE_TYPES)})"))
        check.text(record, "name_en", required=True)
        check.text(record, "name_bg")
        _local_name(check, record)
        _country(check, record, data, required=kind in ("city", "region"))
        check.pattern(record, "wikidata", QID, "a Wikidata item id such as Q472")
        check.pattern(record, "geonames", GEONAMES_ID, "a GeoNames id (digits)")
        for name, limit in (("lat", 90.0), ("lon", 180.0)):
            text = check.text(record, name)
            if text:
                try:
                    number = float(text)
                except ValueError:
                    number = None
                if number is None or not -limit <= number <= limit:
                    check.problems.append(record.problem(name, f"'{text}' is not a number between -{limit:g} and {limit:g}"))
        if bool(record.get("lat")) != bool(record.get("lon")):
            check.problems.append(record.problem("lon", "lat and lon go together: give both or neither"))
        check.sources(record, data.sources)
        check.text(record, "note")
    data.places = check.unique(records, "id", "place id")
    for record in records:
        within = check.ref(record, "within", data.places, "place", required=record.get("type") == "venue")
        if within and within == record.get("id"):
            check.problems.append(record.problem("within", "a place cannot be within itself"))


def _check_organisations(check: _Checker, records: list[Record], data: CuratedData) -> None:
    for record in records:
        check.slug(record)
        check.text(record, "name_en", required=True)
        check.text(record, "name_bg")
        _local_name(check, record)
        check.text(record, "aliases")  # other spellings in the sources, `;`-separated (read by graph.builder.datalint)
        kind = check.notation(record, "kind", "partner-type")
        _country(check, record, data, required=kind in ("member-state", "city", "region"))
        check.ref(record, "place", data.places, "place")
        check.pattern(record, "wikidata", QID, "a Wikidata item id such as Q8880")
        check.pattern(record, "eu_corporate_body", EU_CORPORATE_BODY, "a code of the EU corporate-body authority table such as COM or REGIO")
        check.sources(record, data.sources)
        check.text(record, "note")
    data.organisations = check.unique(records, "id", "organisation id")


def _check_people(check: _Checker, records: list[Record], data: CuratedData) -> None:
    for record in records:
        check.slug(record)
        check.text(record, "name", required=True)
        check.text(record, "name_bg")
        check.text(record, "office_en", required=True)
        check.text(record, "office_bg")
        check.ref(record, "organisation", data.organisations, "organisation")
        check.sources(record, data.sources)
        check.text(record, "note")
    data.people = check.unique(records, "id", "person id")


PARTNERSHIP_FIELDS = ("id", "name", "short_name", "themes", "generation", "start", "end", "milestones", "stated_member_count", "action_plan", "sources", "note")
#: stated_member_count: the sources' words, and the number where a source gives one (`approximate` for "around 20").
MEMBER_COUNT_FIELDS = ("text", "count", "approximate", "sources")
DATED_FIELDS = ("date", "end", "certainty", "sources", "note", "conflicts")
ACTION_FIELDS = ("id", "number", "title", "pillar", "leaders", "status", "sources", "note")
EVENT_FIELDS = (
    "id",
    "partnership",
    "type",
    "title",
    "start",
    "end",
    "date_certainty",
    "place",
    "venue",
    "hosts",
    "participants",
    "people",
    "panels",
    "topics",
    "attendance_note",
    "sources",
    "note",
    "conflicts",
)


def _sub_record(parent: Record, value: Any, prefix: str) -> Record | None:
    """A nested YAML mapping as a record of its own, with field names prefixed for messages."""
    if not isinstance(value, dict):
        return None
    lines = value.key_lines if isinstance(value, LineDict) else {}
    line = value.line if isinstance(value, LineDict) and value.line else parent.line
    return Record(parent.file, line, {f"{prefix}.{k}": v for k, v in value.items()}, {f"{prefix}.{k}": n for k, n in lines.items()})


def _check_dated(check: _Checker, parent: Record, name: str, data: CuratedData, *, required: bool = False) -> dict[str, Any] | None:
    """A dated claim: {date, end?, certainty?, sources, note?, conflicts?}."""
    value = parent.get(name)
    if value is None:
        if required:
            check.problems.append(parent.problem(name, "is required (a mapping with date and sources)"))
        return None
    sub = _sub_record(parent, value, name)
    if sub is None:
        check.problems.append(parent.problem(name, "must be a mapping: {date: YYYY[-MM[-DD]], sources: [...]}"))
        return None
    check.known_fields(sub, (f"{name}.{k}" for k in DATED_FIELDS))
    date, end = check.date(sub, f"{name}.date", required=True), check.date(sub, f"{name}.end")
    result = {
        "date": date,
        "end": end,
        "certainty": check.text(sub, f"{name}.certainty"),
        "note": check.text(sub, f"{name}.note"),
        "sources": check.sources(sub, data.sources, f"{name}.sources"),
        "conflicts": _text_list(check, sub, f"{name}.conflicts"),
        "line": sub.line,
    }
    check.period(sub, date, end, f"{name}.date", f"{name}.end")
    return result


def _text_list(check: _Checker, record: Record, name: str) -> list[str]:
    value = record.get(name)
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        check.problems.append(record.problem(name, "must be a list of texts"))
        return []
    return [v.strip() for v in value]


def _check_partnerships(check: _Checker, records: list[Record], data: CuratedData) -> None:
    for record in records:
        check.known_fields(record, PARTNERSHIP_FIELDS)
        check.slug(record)
        check.lang_map(record, "name")
        check.lang_map(record, "short_name")
        check.lang_map(record, "generation", required_en=False)
        themes = check.id_list(record, "themes", required=True)
        for theme, line in themes:
            check.notation(record, "themes", "theme", theme, line=line)
        check.sources(record, data.sources)
        check.text(record, "note")
        start = _check_dated(check, record, "start", data, required=True)
        end = _check_dated(check, record, "end", data)
        record.values["start"], record.values["end"] = start, end
        if start and end and start["date"] and end["date"]:
            check.period(record, start["date"], end["date"], "start.date", "end")
        milestones = record.get("milestones") or []
        checked: list[dict[str, Any]] = []
        if not isinstance(milestones, list):
            check.problems.append(record.problem("milestones", "must be a list"))
            milestones = []
        for index, item in enumerate(milestones):
            holder = Record(record.file, nested_line(milestones, index, record.line_of("milestones")), {"milestone": item}, {})
            holder.field_lines["milestone"] = holder.line
            kind = item.get("kind") if isinstance(item, dict) else None
            if kind not in MILESTONE_KINDS:
                check.problems.append(
                    Problem(record.file, holder.line, "milestones.kind", f"unknown milestone kind '{kind}' (expected one of: {', '.join(MILESTONE_KINDS)})")
                )
            if isinstance(item, dict):
                rest = {k: v for k, v in item.items() if k != "kind"}
                if isinstance(item, LineDict):
                    rest = LineDict(rest)
                    rest.line = item.line
                    rest.key_lines = item.key_lines
                holder.values["milestone"] = rest
            dated = _check_dated(check, holder, "milestone", data)
            if dated is not None:
                dated["kind"] = kind
                checked.append(dated)
        record.values["milestones"] = checked
        count = record.get("stated_member_count")
        if count is not None:
            sub = _sub_record(record, count, "stated_member_count")
            if sub is None:
                check.problems.append(record.problem("stated_member_count", "must be a mapping {text: ..., sources: [...]}"))
            else:
                check.known_fields(sub, (f"stated_member_count.{k}" for k in MEMBER_COUNT_FIELDS))
                record.values["stated_member_count"] = {
                    "text": check.text(sub, "stated_member_count.text", required=True),
                    "count": _member_count(check, sub),
                    "approximate": _flag(check, sub, "stated_member_count.approximate"),
                    "sources": check.sources(sub, data.sources, "stated_member_count.sources"),
                }
    data.partnerships = check.unique(records, "id", "partnership id")
    for record in records:
        _check_action_plan(check, record, data)


def _member_count(check: _Checker, sub: Record) -> int | None:
    """The number of members a source states, as a whole number, or None when no source gives one.

    Kept next to the source's own words so "how complete is this list?" can be computed, while the
    words stay the authority: a count is only written where a source gives a number.
    """
    name = "stated_member_count.count"
    value = sub.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        check.problems.append(sub.problem(name, f"'{value}' is not a whole number of members (e.g. 30); leave it out when no source gives a number"))
        return None
    return value


def _flag(check: _Checker, sub: Record, name: str) -> bool:
    value = sub.get(name)
    if value is None:
        return False
    if not isinstance(value, bool):
        check.problems.append(sub.problem(name, f"'{value}' is not true or false"))
        return False
    return value


def _check_action_plan(check: _Checker, record: Record, data: CuratedData) -> None:
    plan = record.get("action_plan")
    if plan is None:
        return
    sub = _sub_record(record, plan, "action_plan")
    if sub is None:
        check.problems.append(record.problem("action_plan", "must be a mapping with title, date and actions"))
        record.values["action_plan"] = None
        return
    check.known_fields(sub, ("action_plan.title", "action_plan.date", "action_plan.actions", "action_plan.sources", "action_plan.note"))
    title = check.lang_map(sub, "action_plan.title", required_en=False)
    date = _check_dated(check, sub, "action_plan.date", data)
    sources = check.refs(sub, "action_plan.sources", data.sources, "source (not in sources.csv)")
    note = check.text(sub, "action_plan.note")
    actions_raw = sub.get("action_plan.actions") or []
    actions: list[Record] = []
    if not isinstance(actions_raw, list):
        check.problems.append(sub.problem("action_plan.actions", "must be a list"))
        actions_raw = []
    for index, item in enumerate(actions_raw):
        line = nested_line(actions_raw, index, sub.line)
        if not isinstance(item, dict):
            check.problems.append(Problem(record.file, line, "action_plan.actions", "each action must be a mapping"))
            continue
        action = Record(record.file, line, dict(item), dict(item.key_lines) if isinstance(item, LineDict) else {})
        check.known_fields(action, ACTION_FIELDS)
        check.slug(action)
        check.text(action, "number")
        check.lang_map(action, "title")
        check.notation(action, "pillar", "pillar", required=False)
        check.refs(action, "leaders", data.organisations, "organisation")
        check.text(action, "status")
        check.text(action, "note")
        check.sources(action, data.sources)
        actions.append(action)
    check.unique(actions, "id", "action id")
    record.values["action_plan"] = {"title": title, "date": date, "sources": sources, "note": note, "actions": actions, "line": sub.line}


def _check_memberships(check: _Checker, records: list[Record], data: CuratedData) -> None:
    for record in records:
        check.pattern(record, "id", MEMBERSHIP_ID, "a membership id '{partnership}--{organisation}' (with -2, -3 for a second role)", required=True)
        partnership = check.ref(record, "partnership", data.partnerships, "partnership", required=True)
        organisation = check.ref(record, "organisation", data.organisations, "organisation", required=True)
        check.notation(record, "role", "role")
        check.notation(record, "evidence", "evidence")
        start = check.date(record, "start")
        end = check.date(record, "end")
        record.values["start"], record.values["end"] = start, end
        check.period(record, start, end, "start", "end")
        sources = check.sources(record, data.sources)
        check.text(record, "note")
        ident = record.get("id")
        if partnership and organisation and ident and not ident.startswith(f"{partnership}--{organisation}"):
            check.problems.append(record.problem("id", f"must start with '{partnership}--{organisation}' (partnership--organisation)"))
        if partnership and ident:
            _check_lifetime(check, record, data.partnerships[partnership], ident, sources)
    data.memberships = check.unique(records, "id", "membership id")


def _check_lifetime(check: _Checker, record: Record, partnership: Record, ident: str, sources: list[str]) -> None:
    """A membership must fall within its partnership's lifetime, unless the disagreement is recorded.

    The lifetime runs from the partnership's `start.date` to its `end` (`end.end` when the end is
    a period, e.g. "2020 to 2021"); with no `end` it is open. Partial dates compare by the period
    they stand for, so a membership is outside only when it certainly is: '2017' is not before
    '2017-06'. Where sources genuinely disagree, an entry in that partnership's `start.conflicts`
    (outside on the early side) or `end.conflicts` (on the late side) that names the membership id
    and one of the membership's sources records it, and the membership stands.
    """
    opened, closed = partnership.get("start"), partnership.get("end")
    first = opened["date"] if opened and opened["date"] else ""
    last = (closed["end"] or closed["date"]) if closed else ""
    dates = [(name, record.get(name)) for name in ("start", "end") if record.get(name)]
    found = None
    if first:
        found = next(
            ((name, value, "before", "started", first, opened) for name, value in dates if earliest_and_latest(value)[1] < earliest_and_latest(first)[0]), None
        )
    if found is None and last:
        found = next(
            ((name, value, "after", "ended", last, closed) for name, value in dates if earliest_and_latest(value)[0] > earliest_and_latest(last)[1]), None
        )
    if found is None:
        return
    name, value, side, verb, bound, claim = found
    place = "start.conflicts" if side == "before" else "end.conflicts"
    if any(_names(entry, ident) and any(_names(entry, source) for source in sources) for entry in claim["conflicts"]):
        return
    check.problems.append(
        record.problem(
            name,
            f"{value} is {side} partnership '{partnership.get('id')}' {verb} ({bound}, {partnership.file}:{claim['line']}); if the sources "
            f"disagree, record it in that partnership's {place}: an entry naming '{ident}' and its source ({'; '.join(sources) or 'a source id'})",
        )
    )


def _names(text: str, ident: str) -> bool:
    """Whether free text names an id as a whole word (not as part of a longer id)."""
    return re.search(rf"(?<![a-z0-9-]){re.escape(ident)}(?![a-z0-9-])", text) is not None


def _check_events(check: _Checker, records: list[Record], data: CuratedData) -> None:
    panel_ids: dict[str, Record] = {}
    for record in records:
        check.known_fields(record, EVENT_FIELDS)
        check.slug(record)
        check.ref(record, "partnership", data.partnerships, "partnership")
        check.notation(record, "type", "event-type")
        check.lang_map(record, "title")
        start = check.date(record, "start", required=True)
        end = check.date(record, "end")
        record.values["start"], record.values["end"] = start, end
        check.period(record, start, end, "start", "end")
        check.text(record, "date_certainty")
        check.ref(record, "place", data.places, "place")
        venue = check.ref(record, "venue", data.places, "place")
        if venue and data.places[venue].get("type") != "venue":
            check.problems.append(record.problem("venue", f"'{venue}' is a {data.places[venue].get('type')}, not a venue (use place: for cities)"))
        check.refs(record, "hosts", data.organisations, "organisation")
        check.refs(record, "participants", data.organisations, "organisation")
        for theme, line in check.id_list(record, "topics"):
            check.notation(record, "topics", "theme", theme, line=line)
        check.lang_map(record, "attendance_note", required_en=False)
        check.sources(record, data.sources)
        check.text(record, "note")
        record.values["conflicts"] = _text_list(check, record, "conflicts")
        record.values["people"] = _check_event_people(check, record, data)
        record.values["panels"] = _check_panels(check, record, panel_ids)
    data.events = check.unique(records, "id", "event id")
    for panel_id, panel in panel_ids.items():
        if panel_id in data.events:
            check.problems.append(panel.problem("id", f"panel id '{panel_id}' is also an event id"))


def _check_event_people(check: _Checker, record: Record, data: CuratedData) -> list[dict[str, Any]]:
    value = record.get("people") or []
    if not isinstance(value, list):
        check.problems.append(record.problem("people", "must be a list of {person, role}"))
        return []
    result = []
    for index, item in enumerate(value):
        line = nested_line(value, index, record.line_of("people"))
        if not isinstance(item, dict):
            check.problems.append(Problem(record.file, line, "people", "each item must be {person: id, role: {en: ...}}"))
            continue
        sub = Record(record.file, line, dict(item), dict(item.key_lines) if isinstance(item, LineDict) else {})
        check.known_fields(sub, ("person", "role", "opened"))
        person = check.ref(sub, "person", data.people, "person", required=True)
        role = check.lang_map(sub, "role", required_en=False)
        opened = bool(sub.get("opened", False))
        if person:
            result.append({"person": person, "role": role, "opened": opened})
    return result


def _check_panels(check: _Checker, record: Record, panel_ids: dict[str, Record]) -> list[dict[str, Any]]:
    value = record.get("panels") or []
    if not isinstance(value, list):
        check.problems.append(record.problem("panels", "must be a list of {id, title}"))
        return []
    result = []
    for index, item in enumerate(value):
        line = nested_line(value, index, record.line_of("panels"))
        if not isinstance(item, dict):
            check.problems.append(Problem(record.file, line, "panels", "each panel must be {id: ..., title: {en: ..., bg: ...}}"))
            continue
        sub = Record(record.file, line, dict(item), dict(item.key_lines) if isinstance(item, LineDict) else {})
        check.known_fields(sub, ("id", "title"))
        ident = check.slug(sub)
        title = check.lang_map(sub, "title")
        if ident:
            if ident in panel_ids:
                check.problems.append(sub.problem("id", f"duplicate panel id '{ident}' (first at {panel_ids[ident].file}:{panel_ids[ident].line})"))
            panel_ids[ident] = sub
            result.append({"id": ident, "title": title, "position": index + 1})
    return result


def is_list(value: Any) -> bool:
    return isinstance(value, list | LineList)
