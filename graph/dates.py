"""Partial ISO 8601 dates (2017, 2017-06, 2017-06-07) as the sources give them."""

from __future__ import annotations

import datetime as dt
import re

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
