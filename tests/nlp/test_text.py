"""Sentences: spans that keep abbreviations together and index the original text."""

from __future__ import annotations

import pytest

from newsdesk.nlp.text import credit_spans, sentence_spans


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
