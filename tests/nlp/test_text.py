"""Fast unit tests: sentence spans, cleaning, dates, follow-ups, answer types, verification."""

from __future__ import annotations

import datetime as dt

import pytest

from newsdesk.answer.cite import split_claims, verify_generated
from newsdesk.answer.followup import rewrite
from newsdesk.errors import ConfigError
from newsdesk.ingest.clean import clean
from newsdesk.nlp.answer_types import question_type, type_strength
from newsdesk.nlp.dates import anchor_date, find_dates, resolve_weekday
from newsdesk.nlp.text import sentence_spans
from newsdesk.settings import load_settings
from newsdesk.types import Passage
from tests.conftest import SEEDS

PAGE = """Ministers Agree on Grain Corridor

KYIV (Reuters) – Ministers of the two countries met on Friday to agree on a grain corridor.

Photo: reuters.com

Maj. Gen. Ivan Petrov said the corridor would open on 3 March 2024.

Related News:

Another story about something else entirely

The deal covers 12 ports along the coast.

Read More:
Ukraine exports rise
Grain prices fall in Europe

Follow us on Telegram https://t.me/example
"""


def spans(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


def test_sentences_keep_abbreviations_together() -> None:
    text = "Maj. Gen. Bagheri met Gen. Gerasimov on Nov. 21 in the U.S. capital. Then he left."
    assert spans(text) == ["Maj. Gen. Bagheri met Gen. Gerasimov on Nov. 21 in the U.S. capital.",
                           "Then he left."]


def test_sentence_offsets_index_the_text() -> None:
    text = "  First one.\n\nSecond one!  Third?"
    for s, e in sentence_spans(text):
        assert text[s:e] == text[s:e].strip()
        assert text[s:e]


def test_clean_drops_boilerplate_and_keeps_offsets() -> None:
    article = clean(PAGE)
    body = article.body()
    assert "Ministers of the two countries met on Friday" in body
    assert "12 ports" in body
    assert "Petrov" in body
    for gone in ("Photo:", "Related News", "Another story", "Read More", "Grain prices fall",
                 "Telegram"):
        assert gone not in body
    for s, e in article.blocks:
        assert PAGE[s:e] == PAGE[s:e].strip()
    assert article.title == "Ministers Agree on Grain Corridor"
    assert article.outlet == "KYIV (Reuters)"


def test_clean_seed_trailer() -> None:
    text = (SEEDS / "000_104daa5c5d77a251.txt").read_text(encoding="utf-8")
    article = clean(text)
    assert "Netanyahu" not in article.body()
    assert "Salyukov" in article.body()
    assert article.outlet == "MNA/PressTV"


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


@pytest.mark.parametrize(("question", "kind"), [
    ("Who did Heidari meet?", "person"),
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


def test_follow_up_resolves_pronouns() -> None:
    history = [{"question": "Who did Baqeri meet in Moscow on Monday?",
                "answer": "Valery Gerasimov, Chief of the General Staff."}]
    assert rewrite("How did he describe Iran?", history).startswith(
        "How did Valery Gerasimov describe Iran?")
    assert rewrite("Who won the 2022 FIFA World Cup?", history) == (
        "Who won the 2022 FIFA World Cup?")
    deal = [{"question": "What arms deal did Bagheri talk about?", "answer": "fighter jets"}]
    assert rewrite("When was it signed?", deal).startswith("When was the arms deal signed?")


def test_model_sentences_are_verified_against_cited_passages() -> None:
    text = "Gerasimov met Bagheri on Monday."
    p = Passage("a.txt", text, 1.0, 10, 10 + len(text))
    out = ("Bagheri met Gerasimov on Monday [1]. Bagheri met Putin on Friday [1]. "
           "The deal was worth 5 billion dollars [2]. Unsupported claim without a marker.")
    answer, citations, kept, dropped = verify_generated(out, [p])
    assert kept == 1
    assert dropped == 3
    assert answer == "Bagheri met Gerasimov on Monday. [1]"
    assert citations[0].quote == text
    assert citations[0].start == 10


def test_numbers_must_appear_in_the_quote() -> None:
    text = "More than 4,000 military personnel took part in the exercises."
    p = Passage("a.txt", text, 1.0, 0, len(text))
    _, _, kept, dropped = verify_generated("More than 5,000 personnel took part [1].", [p])
    assert (kept, dropped) == (0, 1)


def test_markers_parsed_in_several_styles() -> None:
    claims = split_claims("One fact [1]. Two facts [1, 2]. Three [3][4].")
    assert [c[1] for c in claims] == [[1], [1, 2], [3, 4]]


def test_bad_settings_name_the_field() -> None:
    from newsdesk.assistant import Assistant

    # The generator name is checked against the one registry, where settings become parts.
    with pytest.raises(ConfigError, match="generator: unknown generator 'gpt-9'; choose one of "
                       "extractive, local, openai"):
        Assistant(load_settings(generator="gpt-9"))
    with pytest.raises(ConfigError, match="chunk_size"):
        load_settings(chunk_size=4000)
    with pytest.raises(ConfigError, match="chroma_url"):
        load_settings(chroma_url="localhost:8000")


def test_environment_overrides_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_TOP_K", "7")
    assert load_settings().top_k == 7
    assert load_settings(top_k=3).top_k == 3
