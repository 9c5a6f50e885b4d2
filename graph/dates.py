"""Partial ISO 8601 dates (2017, 2017-06, 2017-06-07) as the sources give them, and the periods they bound.

A partial date means every day it can mean: '2017-06' runs from 1 to 30 June. A membership's
period is read one way everywhere (the network, the map): `membership_span`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from rdflib import Literal
from rdflib.namespace import XSD

_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


class DateFormatError(ValueError):
    """A value that is not a (partial) ISO date."""


def parse_partial_date(text: str) -> tuple[int, int | None, int | None]:
    """Split and check '2017', '2017-06' or '2017-06-07'; raise DateFormatError otherwise."""
    match = _PATTERN.match(text)
    if not match:
        raise DateFormatError(f"'{text}' is not an ISO date (expected YYYY, YYYY-MM or YYYY-MM-DD)")
    year = int(match.group(1))
    if not 1 <= year <= 9998:
        raise DateFormatError(f"'{text}' has year {year:04d}; years run 0001 to 9998")
    month = int(match.group(2)) if match.group(2) else None
    day = int(match.group(3)) if match.group(3) else None
    if month is not None and not 1 <= month <= 12:
        raise DateFormatError(f"'{text}' has month {month:02d}; months run 01 to 12")
    if day is not None and month is not None:
        try:
            dt.date(year, month, day)
        except ValueError:
            raise DateFormatError(f"'{text}' is not a day of the calendar") from None
    return year, month, day


def earliest_and_latest(text: str) -> tuple[dt.date, dt.date]:
    """The first and last day a partial date can mean: '2017-06' spans 1 to 30 June."""
    year, month, day = parse_partial_date(text)
    if month is None:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if day is None:
        following = dt.date(year + (month == 12), month % 12 + 1, 1)
        return dt.date(year, month, 1), following - dt.timedelta(days=1)
    return dt.date(year, month, day), dt.date(year, month, day)


def ends_before_start(start: str, end: str) -> bool:
    """True only when the end is certainly before the start, whatever the precision."""
    return earliest_and_latest(end)[1] < earliest_and_latest(start)[0]


@dataclass(frozen=True)
class Span:
    """A period as the first and last day it can cover; None means open (unknown or ongoing)."""

    start: dt.date | None
    end: dt.date | None

    def overlaps(self, low: dt.date | None, high: dt.date | None) -> bool:
        """True when the span may touch [low, high] (partial dates count in their widest reading)."""
        return (self.start is None or high is None or self.start <= high) and (self.end is None or low is None or self.end >= low)

    def intersect(self, other: Span) -> Span | None:
        """The common part of two spans, or None when they are disjoint.

        The later known start and the earlier known end, compared without building lists: this runs
        once per pair of spans in every projection of the network (thousands per first answer).
        """
        a, b = self.start, other.start
        start = a if b is None or (a is not None and a >= b) else b
        a, b = self.end, other.end
        end = a if b is None or (a is not None and a <= b) else b
        if start is not None and end is not None and end < start:
            return None
        if start is self.start and end is self.end:
            return self  # spans are frozen: the same period need not be a new object
        return Span(start, end)

    def as_spell(self) -> tuple[str | None, str | None]:
        """A GEXF spell: ISO days, None for an open side."""
        return (self.start.isoformat() if self.start else None, self.end.isoformat() if self.end else None)


def earliest(text: str | None) -> dt.date | None:
    """The first day a partial date can mean; None for no date (or one that is not a date)."""
    try:
        return earliest_and_latest(text)[0] if text else None
    except DateFormatError:
        return None


def latest(text: str | None) -> dt.date | None:
    """The last day a partial date can mean; None for no date (or one that is not a date)."""
    try:
        return earliest_and_latest(text)[1] if text else None
    except DateFormatError:
        return None


def membership_span(start: str | None, end: str | None, partnership_start: str | None, partnership_end: str | None) -> tuple[Span, str]:
    """A membership's period, and where its dates came from.

    A bound the membership lacks is taken from its partnership's lifetime; partial dates run from
    their first to their last day. The second value says 'membership', 'partnership',
    'membership and partnership' or 'none'.
    """
    own = bool(start) + bool(end)
    borrowed = (not start and bool(partnership_start)) + (not end and bool(partnership_end))
    dated_by = "none"
    if own and borrowed:
        dated_by = "membership and partnership"
    elif own:
        dated_by = "membership"
    elif borrowed:
        dated_by = "partnership"
    return Span(earliest(start or partnership_start), latest(end or partnership_end)), dated_by


def date_literal(text: str) -> Literal:
    """Typed literal for a partial date: xsd:date, xsd:gYearMonth or xsd:gYear."""
    _, month, day = parse_partial_date(text)
    if day is not None:
        return Literal(text, datatype=XSD.date)
    if month is not None:
        return Literal(text, datatype=XSD.gYearMonth)
    return Literal(text, datatype=XSD.gYear)


def instant_property(text: str) -> str:
    """The W3C Time property that carries a date of this precision."""
    _, month, day = parse_partial_date(text)
    if day is not None:
        return "inXSDDate"
    if month is not None:
        return "inXSDgYearMonth"
    return "inXSDgYear"
