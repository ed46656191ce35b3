"""History questions: told apart by their wording and answered with the topic's timeline."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from newsdesk.answer.history import history_question, since, timeline_draft
from newsdesk.types import MARKER, Citation, Event
from tests.fakes import SEEDS, file_slice


@pytest.mark.parametrize(("question", "topic", "start"), [
    ("How have Iran–Russia military ties developed since 2021?", "Iran–Russia military ties",
     dt.date(2021, 1, 1)),
    ("Timeline of the port strike", "port strike", None),
    ("Give me a chronology of the harbour talks in chronological order", "harbour talks", None),
    ("List the meetings between the mayor and the union", "meetings between the mayor and "
     "the union", None),
    ("What has happened with the footbridge since March 2024?", "footbridge",
     dt.date(2024, 3, 1)),
    ("How has the ferry timetable changed over the years?", "ferry timetable", None),
])
def test_history_questions_and_their_topics(question: str, topic: str,
                                            start: dt.date | None) -> None:
    asked = history_question(question)
    assert asked is not None
    assert (asked.topic, asked.since) == (topic, start)


@pytest.mark.parametrize("question", [
    "Which Russian general did Mohammad Bagheri meet on Monday?",
    "List the countries that border Afghanistan",
    "How many troops took part in the exercises?",
    "When did the UN arms embargo end?",
    "What is the history teacher's name?",
])
def test_other_questions_are_not_history_questions(question: str) -> None:
    assert history_question(question) is None


def _event(day: str, precision: str, text: str, source: str) -> Event:
    return Event(day, precision, text, [Citation(1, source, text, 0, len(text))])


def test_since_keeps_later_events_and_undated_ones() -> None:
    events = [_event("2020-10-01", "month", "Embargo ended.", "a.txt"),
              _event("2021-01-01", "year", "A year of talks.", "b.txt"),
              _event("2021-10-18", "day", "They met.", "c.txt"),
              _event("", "undated", "They met on Monday.", "d.txt")]
    kept = since(events, dt.date(2021, 3, 1))
    assert [e.text for e in kept] == ["A year of talks.", "They met.", "They met on Monday."]


def test_the_timeline_answer_cites_every_report_of_each_event() -> None:
    two = Event("2021-10-18", "day", "They met.", [Citation(1, "a.txt", "They met.", 0, 9),
                                                     Citation(2, "b.txt", "Met.", 4, 8)])
    draft = timeline_draft([_event("2020-10-01", "month", "Embargo ended.", "c.txt"), two])
    lines = draft.text.splitlines()
    assert lines == ["October 2020: Embargo ended. [1]", "Oct 18, 2021: They met. [2][3]"]
    assert [c.source for c in draft.citations] == ["c.txt", "a.txt", "b.txt"]
    assert draft.generator == "timeline"


def test_a_history_question_on_the_seeds_is_answered_with_the_timeline(assistant: Any) -> None:
    answer = assistant.ask("How have Iran–Russia military ties developed since 2021?")
    assert answer.generator == "timeline"
    assert not answer.refused
    lines = answer.answer.splitlines()
    assert len(lines) >= 4
    assert all(MARKER.search(line) for line in lines)  # each line cites its reports
    assert "October 2020" not in answer.answer  # since 2021: the embargo's end is older
    for day in ("Oct 18, 2021", "Oct 19, 2021", "Sep 19, 2023", "Sep 20, 2023"):
        assert day in answer.answer
    for c in answer.citations:
        assert file_slice(SEEDS, c.source, c.start, c.end) == c.quote
