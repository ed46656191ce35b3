"""The terminal rendering of an answer: the short answer first, with the day it names."""

from __future__ import annotations

from dataclasses import replace

from newsdesk.cli.render import BOLD, PLAIN, format_answer
from newsdesk.types import Answer, ShortAnswer
from tests.fakes import gerasimov_answer


def _with_short(text: str, date: str = "") -> Answer:
    answer = gerasimov_answer()
    quote = answer.citations[0]
    at = quote.start + quote.quote.index(text)
    return replace(answer, short_answer=ShortAnswer(text, quote.source, at, at + len(text),
                                                    "date" if date else "name", date))


def test_the_short_answer_comes_first_with_its_marker() -> None:
    lines = format_answer(_with_short("Valery Gerasimov")).splitlines()
    assert lines[0] == "Answer: Valery Gerasimov [1]"
    bold = format_answer(_with_short("Valery Gerasimov"), bold=True).splitlines()
    assert bold[0] == f"Answer: {BOLD}Valery Gerasimov{PLAIN} [1]"


def test_a_weekday_short_answer_shows_the_day_it_means() -> None:
    assert format_answer(_with_short("Monday", "2021-10-18")).splitlines()[0] == (
        "Answer: Monday (Oct 18, 2021) [1]")


def test_a_refused_answer_has_no_short_answer_line() -> None:
    refused = replace(_with_short("Monday", "2021-10-18"), refused=True)
    assert not format_answer(refused).startswith("Answer:")


def test_an_uncertain_short_answer_says_so() -> None:
    """Below an even chance the short answer is shown hedged, with the chance."""
    unsure = _with_short("Valery Gerasimov")
    unsure = replace(unsure, short_answer=replace(unsure.short_answer, probability=0.34))
    assert format_answer(unsure).splitlines()[0] == (
        "Answer: Valery Gerasimov (uncertain: 34% likely) [1]")
    sure = replace(unsure, short_answer=replace(unsure.short_answer, probability=0.5))
    assert format_answer(sure).splitlines()[0] == "Answer: Valery Gerasimov [1]"
    dated = _with_short("Monday", "2021-10-18")
    dated = replace(dated, short_answer=replace(dated.short_answer, probability=0.38))
    assert format_answer(dated).splitlines()[0] == (
        "Answer: Monday (Oct 18, 2021; uncertain: 38% likely) [1]")
