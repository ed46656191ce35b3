"""Answer types: what kind of answer a question wants, and whether a sentence has one."""

from __future__ import annotations

import pytest

from newsdesk.nlp.answer_types import (
    asks_who_is,
    asks_yes_or_no,
    common_words,
    question_type,
    type_strength,
    wants_a_value,
)


@pytest.mark.parametrize(("question", "kind"), [
    ("Who did Heidari meet?", "person"),
    # The wh-word need not open the question.
    ("At whose invitation did Bagheri travel to Moscow?", "person"),
    ("For whom was the state funeral held?", "person"),
    ("Which company, whose shares fell, was fined?", None),  # a relative "whose"
    ("Which Russian general did he meet?", "person"),
    ("When did the embargo end?", "date"),
    ("On what date did they meet?", "date"),
    ("How many troops took part?", "number"),
    ("What is the range of the Ababil missile?", "number"),
    ("Where was the forum held?", "place"),
    ("Which specific fighter jet model is Iran buying?", "name"),
    ("What did Shoigu say about sanctions?", None),
])
def test_question_types(question: str, kind: str | None) -> None:
    assert question_type(question) == kind


@pytest.mark.parametrize(("question", "yes_or_no"), [
    ("Did Shoigu visit Tehran?", True),
    ("Is the arms embargo over?", True),
    ("Isn't Salyukov a general?", True),
    ("And has Iran bought the fighter jets?", True),
    ("will the drill end on Friday?", True),
    # A wh-word anywhere asks for a thing, even after an auxiliary.
    ("Was it Shoigu or Gerasimov who met Bagheri?", False),
    ("Does the article say when the drill ends?", False),
    ("Who met Bagheri?", False),
    # An auxiliary that asks for a kind of answer by other words: a date.
    ("Is the date of the coronation set?", False),
    # "May" and "Will" before a capital or a number: a month or a name.
    ("May 2023 drills?", False),
    ("Will Smith's new film?", False),
    ("Discuss the visit", False),
])
def test_yes_or_no_questions(question: str, yes_or_no: bool) -> None:
    assert asks_yes_or_no(question) is yes_or_no


@pytest.mark.parametrize(("question", "who_is"), [
    ("Who is Shoigu?", True),
    ("who is Sergei Shoigu", True),
    ("Who was J. R. R. Tolkien?", True),
    # A description after "who is" asks for the person it describes.
    ("Who is the new prime minister?", False),
    ("Who is Iran's Minister of Defence?", False),
    ("Who is Heidari meeting?", False),
    # So does an office, though every word of it is capitalized.
    ("Who is Twitter's CEO?", False),
    ("Who is UK Prime Minister?", False),
    ("Who was Time's Person of the Year?", False),
    ("Who is President Biden?", True),
    ("Who is Conan O'Brien?", True),
])
def test_who_someone_is(question: str, who_is: bool) -> None:
    assert asks_who_is(question) is who_is


@pytest.mark.parametrize(("question", "valued"), [
    ("Tell me about the Ababil missile", False),
    ("Please describe the visit", False),
    ("Summarize the articles", False),
    ("What do the articles say about Shoigu?", False),
    ("Did Shoigu visit Tehran?", False),
    ("Who is Shoigu?", False),
    # Asked for a thing, in any words.
    ("Tell me who met Bagheri", True),
    ("Give me the date of the talks", True),
    ("Which missile did Iran show?", True),
])
def test_which_questions_a_value_answers(question: str, valued: bool) -> None:
    assert wants_a_value(question) is valued


def test_type_needs_something_new() -> None:
    q = "How many fighter jets will Iran buy?"
    assert type_strength("number", "Iran will buy fighter jets from Russia.", q, False) == 0
    assert type_strength("number", "Iran will buy 24 fighter jets.", q, False) == 1
    # A day of the month is a date, not a count.
    assert type_strength("number", "He arrived on Sunday, October 17.", q, False) == 0
    who = "Who did Bagheri meet?"
    assert type_strength("person", "Bagheri met Valery Gerasimov.", who, False) == 1
    assert type_strength("person", "Bagheri met officials.", who, False) == 0
    # A role stated as a verb still names the role holder.
    heisman = "Who is the Heisman Trophy winner in 2012?"
    assert type_strength("person", "Johnny Manziel won the 2012 Heisman Trophy.", heisman,
                         False) == 1
    # Tournaments are not people: only weak evidence for "who won".
    golf = "Who won the British Open golf tournament in 2020?"
    assert type_strength("person", "It is one of four majors, with the Masters Tournament "
                         "and the PGA Championship.", golf, False) < 1
    assert type_strength("person", "The reigning champion remains Shane Lowry of Ireland.",
                         golf, False) == 1


def test_capitalized_common_words_are_not_names() -> None:
    pool = ["The NFL named its commissioners and presidents; meet the president today.",
            "Roger Goodell is the commissioner of the NFL."]
    common = common_words(pool)
    who = "Who is the president of the NFL?"
    assert type_strength("person", "NFL Commissioners and Presidents.", who, False, common) == 0
    assert type_strength("person", "NFL president Roger Goodell spoke.", who, False, common) == 1
    # Without the pool's vocabulary, capitals are all there is to go on.
    assert type_strength("person", "NFL Commissioners and Presidents.", who, False) > 0
