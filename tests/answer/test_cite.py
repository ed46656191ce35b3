"""Citations: a model's sentences kept only when the cited passage bears them out."""

from __future__ import annotations

from newsdesk.answer.cite import split_claims, verify_generated
from newsdesk.types import Passage


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
