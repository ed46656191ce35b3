"""Sentences: spans that keep abbreviations together and index the original text."""

from __future__ import annotations

from newsdesk.nlp.text import sentence_spans


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
