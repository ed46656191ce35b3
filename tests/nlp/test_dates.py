"""Dates: publication anchors, weekdays resolved to dates, years inferred."""

from __future__ import annotations

import datetime as dt

from newsdesk.nlp.dates import anchor_date, find_dates, resolve_weekday


def test_publication_date_and_weekday() -> None:
    text = "Shoigu visits Tehran\n\n11:31 20.09.2023 •\n\nTalks were held on Tuesday."
    anchor = anchor_date(text)
    assert anchor
    assert anchor.date == dt.date(2023, 9, 20)
    assert anchor.is_publication
    assert resolve_weekday(1, anchor.date, True) == dt.date(2023, 9, 19)


def test_year_inferred_from_weekday() -> None:
    mention = find_dates("arrived in Moscow on Sunday, October 17, following", dt.date(2026, 1, 1))
    assert mention[0].date == dt.date(2021, 10, 17)
    # An event date (not publication): "on Monday" is the day after that Sunday.
    assert resolve_weekday(0, dt.date(2021, 10, 17), False) == dt.date(2021, 10, 18)
