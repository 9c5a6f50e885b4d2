"""Partial dates and the periods they bound (graph.dates), table-driven: one rule for the network and the map."""

from __future__ import annotations

import datetime as dt

import pytest
from rdflib.namespace import XSD

from graph.dates import DateFormatError, Span, date_literal, earliest_and_latest, ends_before_start, instant_property, membership_span, parse_partial_date

D = dt.date


@pytest.mark.parametrize(
    ("text", "parts", "first", "last"),
    [
        ("2017", (2017, None, None), D(2017, 1, 1), D(2017, 12, 31)),
        ("2017-06", (2017, 6, None), D(2017, 6, 1), D(2017, 6, 30)),
        ("2016-02", (2016, 2, None), D(2016, 2, 1), D(2016, 2, 29)),  # a leap year
        ("2017-12", (2017, 12, None), D(2017, 12, 1), D(2017, 12, 31)),  # the month after is next year's
        ("2017-06-07", (2017, 6, 7), D(2017, 6, 7), D(2017, 6, 7)),
    ],
)
def test_a_partial_date_means_every_day_it_can_mean(text: str, parts: tuple[int, int | None, int | None], first: dt.date, last: dt.date) -> None:
    assert parse_partial_date(text) == parts
    assert earliest_and_latest(text) == (first, last)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("17", "not an ISO date"),
        ("2017-6", "not an ISO date"),
        ("2017-13", "months run 01 to 12"),
        ("2017-02-30", "not a day of the calendar"),
        ("June 2017", "not an ISO date"),
        ("", "not an ISO date"),
    ],
)
def test_anything_else_is_refused_with_the_reason(text: str, why: str) -> None:
    with pytest.raises(DateFormatError, match=why):
        parse_partial_date(text)


@pytest.mark.parametrize(
    ("text", "datatype", "prop"),
    [("2017", XSD.gYear, "inXSDgYear"), ("2017-06", XSD.gYearMonth, "inXSDgYearMonth"), ("2017-06-07", XSD.date, "inXSDDate")],
)
def test_each_precision_has_its_literal_type_and_time_property(text: str, datatype: object, prop: str) -> None:
    assert date_literal(text).datatype == datatype
    assert instant_property(text) == prop


@pytest.mark.parametrize(
    ("start", "end", "certainly_before"),
    [("2017-06", "2017", False), ("2017-06-07", "2017-06", False), ("2018", "2017-12-31", True), ("2017-06-08", "2017-06-07", True), ("2017", "2017", False)],
)
def test_an_end_is_before_the_start_only_when_certainly(start: str, end: str, certainly_before: bool) -> None:
    assert ends_before_start(start, end) is certainly_before


@pytest.mark.parametrize(
    ("start", "end", "p_start", "p_end", "span", "dated_by"),
    [
        ("2018-03", "2019", "2017", "2020", Span(D(2018, 3, 1), D(2019, 12, 31)), "membership"),
        (None, None, "2017-01", "2019-06", Span(D(2017, 1, 1), D(2019, 6, 30)), "partnership"),
        ("2018", None, "2017", "2020", Span(D(2018, 1, 1), D(2020, 12, 31)), "membership and partnership"),
        ("", "", None, None, Span(None, None), "none"),
        (None, None, "2017", None, Span(D(2017, 1, 1), None), "partnership"),  # an ongoing partnership: open end
    ],
)
def test_a_membership_borrows_missing_bounds_from_its_partnership(
    start: str | None, end: str | None, p_start: str | None, p_end: str | None, span: Span, dated_by: str
) -> None:
    assert membership_span(start, end, p_start, p_end) == (span, dated_by)


@pytest.mark.parametrize(
    ("span", "low", "high", "overlaps"),
    [
        (Span(D(2017, 1, 1), D(2018, 12, 31)), D(2018, 6, 1), D(2018, 6, 30), True),
        (Span(D(2017, 1, 1), D(2018, 12, 31)), D(2019, 1, 1), D(2019, 12, 31), False),
        (Span(D(2017, 1, 1), None), D(2030, 1, 1), D(2030, 1, 31), True),  # open: still running
        (Span(None, D(2016, 12, 31)), D(2017, 1, 1), None, False),
        (Span(None, None), D(2000, 1, 1), D(2000, 1, 1), True),
        (Span(D(2018, 1, 1), D(2018, 12, 31)), None, None, True),
    ],
)
def test_a_span_may_touch_a_window(span: Span, low: dt.date | None, high: dt.date | None, overlaps: bool) -> None:
    assert span.overlaps(low, high) is overlaps


def test_intersections_and_spells() -> None:
    a, b = Span(D(2017, 1, 1), D(2018, 12, 31)), Span(D(2018, 6, 1), None)
    assert a.intersect(b) == Span(D(2018, 6, 1), D(2018, 12, 31))
    assert a.intersect(Span(D(2019, 1, 1), None)) is None
    assert Span(D(2018, 6, 1), None).as_spell() == ("2018-06-01", None)


def test_span_intersections_are_the_later_start_and_the_earlier_end() -> None:
    days = [None, dt.date(2017, 1, 1), dt.date(2018, 6, 30), dt.date(2019, 1, 1)]
    spans = [Span(a, b) for a in days for b in days]
    for x in spans:
        for y in spans:
            starts = [d for d in (x.start, y.start) if d is not None]
            ends = [d for d in (x.end, y.end) if d is not None]
            start, end = (max(starts) if starts else None), (min(ends) if ends else None)
            expected = None if start is not None and end is not None and end < start else Span(start, end)
            assert x.intersect(y) == expected, (x, y)
            assert y.intersect(x) == expected, (y, x)
    assert Span(dt.date(2017, 1, 1), dt.date(2017, 12, 31)).intersect(Span(dt.date(2018, 1, 1), None)) is None
    assert Span(None, None).intersect(Span(dt.date(2018, 1, 1), None)) == Span(dt.date(2018, 1, 1), None)
