"""The public answer types: a short answer's day, and JSON that older versions wrote."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from newsdesk.types import Answer, ShortAnswer
from tests.fakes import gerasimov_answer


@pytest.mark.parametrize(("text", "date", "label"), [
    ("Monday", "2021-10-18", "Oct 18, 2021"),
    ("Sunday, October 17", "2021-10-17", "Oct 17, 2021"),
    ("17 October 2021", "2021-10-17", ""),  # the text already says it in full
    ("Gerasimov", "", ""),
])
def test_the_day_label_shows_only_what_the_text_leaves_out(text: str, date: str,
                                                          label: str) -> None:
    assert ShortAnswer(text, "a.txt", 0, len(text), "date", date).date_label() == label


def test_answer_json_round_trips_the_short_answers_day() -> None:
    short = ShortAnswer("Monday", "a.txt", 10, 16, "date", "2021-10-18")
    answer = gerasimov_answer()
    answer = Answer(**{**asdict(answer), "citations": answer.citations,
                       "short_answer": short})
    assert Answer.from_dict(answer.to_dict()).short_answer == short
    # JSON from before the field existed still loads: no day.
    old = answer.to_dict()
    del old["short_answer"]["date"]
    loaded = Answer.from_dict(old).short_answer
    assert loaded is not None
    assert loaded.date == ""
