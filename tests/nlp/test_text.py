"""Sentences: spans that keep abbreviations together and index the original text."""

from __future__ import annotations

import pytest

from newsdesk.nlp.text import credit_spans, one_case, recase, sentence_spans


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


@pytest.mark.parametrize(("text", "credits"), [
    ("(CNN) The 74th Emmy Awards were presented Monday.", ["CNN"]),
    ("(CNN Business) Apple on Monday released iOS 16.", ["CNN Business"]),
    ("TEHRAN (Tasnim) – Iran's army said on Sunday.", ["Tasnim"]),
    ("WASHINGTON, Nov. 21 (AP) - The Senate voted.", ["AP"]),
    ("Cubans to decide on same-sex marriage in referendum | CNN", ["CNN"]),
    ("Salyukov (pictured) said the drills went well.", []),
    ("The deal (worth $5 billion) was signed.", []),
    ("Ratings rose | fell, the report said.", []),
])
def test_the_outlets_credit_is_found(text: str, credits: list[str]) -> None:
    assert [text[a:b] for a, b in credit_spans(text)] == credits


def test_one_case_questions() -> None:
    assert one_case("who did bagheri meet?")
    assert one_case("WHO DID BAGHERI MEET?")
    assert not one_case("Who did Bagheri meet?")
    assert not one_case("who did Bagheri meet?")
    assert not one_case("2023?")  # no letters: nothing to tell


def test_recase_writes_words_as_the_articles_do() -> None:
    texts = ["TEHRAN - Major General Mohammad Bagheri met the CSTO chief in Moscow.",
             "Who met Bagheri? The general met the CSTO chief. Bagheri met him again."]
    assert recase("who did bagheri meet in moscow?", texts) == "Who did Bagheri meet in Moscow?"
    assert recase("WHAT IS THE CSTO?", texts) == "What is the CSTO?"
    # A word they write lower case as often as not, or not at all, is lower case; a
    # stopword stays lower case though a sentence opens with it ("Who met ...").
    assert recase("DID THE GENERAL MEET ANYONE, WHO?", texts) == (
        "Did the general meet anyone, who?")
