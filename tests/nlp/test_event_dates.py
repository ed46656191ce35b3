"""The day a sentence's event happened on: stated, counted from the article's date, or
left unresolved when counting could misdate it."""

from __future__ import annotations

import datetime as dt

import pytest

from newsdesk.nlp.dates import Anchor
from newsdesk.nlp.event_dates import EventDate, Unresolved, sentence_date, span_date

TODAY = dt.date(2026, 11, 30)
THURSDAY = Anchor(dt.date(2024, 3, 7), True, 0, 10)  # a publication date
EVENT_DAY = Anchor(dt.date(2021, 10, 20), False, 0, 10)  # a date the article gives (a Wednesday)


def resolved(sentence: str, anchor: Anchor | None = THURSDAY) -> tuple[str, str]:
    found = sentence_date(sentence, anchor, TODAY)
    assert isinstance(found, EventDate), found
    return found.day.isoformat(), found.precision


@pytest.mark.parametrize(("sentence", "day", "precision"), [
    ("The council approved the footbridge on Tuesday.", "2024-03-05", "day"),
    ("The council approved the footbridge on Thursday.", "2024-03-07", "day"),
    ("The council approved the footbridge on Friday.", "2024-03-01", "day"),
    ("The council approved it last Thursday.", "2024-02-29", "day"),
    ("The strike ended yesterday after nine days.", "2024-03-06", "day"),
    ("Dock workers voted three days ago to return.", "2024-03-04", "day"),
    ("The union met the port owners last week.", "2024-02-26", "week"),
    ("Fares rose last month.", "2024-02-01", "month"),
    ("The strike began on 24 February 2024.", "2024-02-24", "day"),
    ("The strike began on February 24.", "2024-02-24", "day"),  # the year from the article's
    ("The harbour was dredged in October 2023.", "2023-10-01", "month"),
    ("The harbour was dredged in March.", "2024-03-01", "month"),
    ("The lighthouse was rebuilt in 1992.", "1992-01-01", "year"),
])
def test_dates_counted_from_the_publication_date(sentence: str, day: str,
                                                 precision: str) -> None:
    assert resolved(sentence) == (day, precision)


def test_a_weekday_is_counted_from_the_date_an_undated_article_gives() -> None:
    # The article gives no publication date, only an event's: "on Monday" is the Monday
    # nearest it, as when-answers count it.
    assert resolved("The general met his counterpart on Monday.", EVENT_DAY) == (
        "2021-10-18", "day")
    assert resolved("He arrived on Sunday, October 17, for talks.", None) == (
        "2021-10-17", "day")  # a stated weekday and day: the year it fell on that weekday


@pytest.mark.parametrize(("sentence", "reason"), [
    ("The mayor will open the footbridge on Monday.", "future"),
    ("The talks are expected to resume on Friday.", "future"),
    ("'We start the repairs today,' the mayor said.", "quotation"),
    ("Tomorrow we sign,' the mayor said.", "quotation"),
    ("The ferry leaves next Tuesday.", "another day"),
])
def test_a_weekday_that_may_not_be_the_events_day_is_not_resolved(sentence: str,
                                                                  reason: str) -> None:
    found = sentence_date(sentence, THURSDAY, TODAY)
    assert isinstance(found, Unresolved), found
    assert reason in found.reason


@pytest.mark.parametrize("sentence", [
    "Cyber Monday sales at the harbour shops rose by a third.",
    "The Sunday Times reported the strike.",
    "The market opens every Saturday at dawn.",
    "The shops close on Sundays.",
    "Photo: USA Today Sports/Reuters",
])
def test_a_day_name_that_is_not_a_date_dates_nothing(sentence: str) -> None:
    assert sentence_date(sentence, THURSDAY, TODAY) is None


def test_without_a_date_to_count_from_a_weekday_stays_unresolved() -> None:
    found = sentence_date("The mayor met the union on Monday.", None, TODAY)
    assert isinstance(found, Unresolved)
    assert found.weekday == 0
    found = sentence_date("The strike ended yesterday.", EVENT_DAY, TODAY)
    assert isinstance(found, Unresolved)  # "yesterday" needs the day it was written


def test_names_with_years_are_not_dates() -> None:
    assert sentence_date("Iran showed a missile at the Army-2023 forum.", None, TODAY) is None
    assert sentence_date("The plan is called Vision 2030.", None, TODAY) is None
    assert sentence_date("The January 6 committee met again.", THURSDAY, TODAY) is None
    assert sentence_date("Rioters in the January 6 attack were sentenced.", THURSDAY,
                         TODAY) is None
    assert resolved("The hearing is set for Jan. 12 at the county court.") == (
        "2024-01-12", "day")


def _span(sentence: str, words: str, anchor: Anchor | None = THURSDAY
          ) -> EventDate | Unresolved | None:
    at = sentence.index(words)
    return span_date(sentence, at, at + len(words), anchor, TODAY)


@pytest.mark.parametrize(("sentence", "words", "day"), [
    # A short answer's own day, not the sentence's first: the span picks the expression.
    ("Talks opened on Monday and the deal was signed on Tuesday.", "Tuesday", "2024-03-05"),
    ("Talks opened on Monday and the deal was signed on Tuesday.", "Monday", "2024-03-04"),
    ("The ferry returned on Sunday, October 17, after repairs.", "Sunday, October 17",
     "2021-10-17"),
    ("The ferry returned on 23 October after repairs.", "23 October", "2023-10-23"),
    ("The strike ended yesterday after nine days.", "yesterday", "2024-03-06"),
    # Part of an expression: the expression's day.
    ("The ferry returned on Sunday, October 17, after repairs.", "October 17", "2021-10-17"),
])
def test_a_span_is_dated_by_the_expression_it_is(sentence: str, words: str, day: str) -> None:
    found = _span(sentence, words)
    assert isinstance(found, EventDate), found
    assert found.day.isoformat() == day


def test_a_span_that_names_no_time_has_no_date() -> None:
    assert _span("The deal was signed in Geneva on Tuesday.", "Geneva") is None
    assert _span("Geneva hosted the talks.", "Geneva") is None


def test_a_span_keeps_the_doubts_of_its_expression() -> None:
    quoted = _span('"We will sign it on Tuesday," the minister said.', "Tuesday")
    assert isinstance(quoted, Unresolved)
    undated = _span("The deal was signed on Tuesday.", "Tuesday", anchor=None)
    assert isinstance(undated, Unresolved)
