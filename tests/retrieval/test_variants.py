"""A name spelled one way finds passages that spell it another way.

Unit tests on a small BM25 index, then the real seed index: the seeds spell Iran's chief
of staff "Bagheri" (four articles) and "Baqeri" (one), Russia's defence minister "Shoigu"
and "Shoygu".
"""

from __future__ import annotations

import pytest

from newsdesk.nlp.text import content_terms
from newsdesk.retrieval.variants import NameVariants

_TEXTS = [
    "Bagheri met Gerasimov in Moscow on Monday.",
    "Bagheri visited Pakistan before Moscow.",
    "Bagheri spoke to Russia-24.",
    "Baqeri said the two armies fight terrorism.",
    "Most people must vote early in Kestrel Bay.",
    "The harbour opened on Tuesday.",
]


def _variants() -> NameVariants:
    import bm25s

    model = bm25s.BM25()
    model.index([content_terms(t) for t in _TEXTS], show_progress=False)
    return NameVariants(model, _TEXTS)


def _top(names: NameVariants, query: str) -> list[int]:
    terms = content_terms(query)
    scores = names.scores(terms, names.groups(query, terms))
    return [int(i) for i in (-scores).argsort() if scores[i] > 0]


def test_every_spelling_of_a_name_scores_as_the_name() -> None:
    names = _variants()
    assert names.groups("What did Baqeri say?", ["baqeri", "say"]) == {"baqeri": ["bagheri"]}
    # Both spellings find all four passages, and rank them alike: a rare spelling is
    # weighted by the IDF of the name, not its own (higher) one.
    for spelled in ("Bagheri", "Baqeri"):
        assert sorted(_top(names, spelled)) == [0, 1, 2, 3]
    plain = names.model.get_scores(["baqeri"])
    assert plain[0] == 0  # without the grouping only the one spelled so matches
    assert plain[3] > 0
    grouped = names.scores(["baqeri"], {"baqeri": ["bagheri"]})
    assert grouped[3] < plain[3]


def test_words_and_unknown_names_get_no_variants() -> None:
    names = _variants()
    assert names.groups("Most voters", content_terms("Most voters")) == {}  # "most" is a word
    assert names.groups("Who is Putin?", ["putin"]) == {}
    assert names.groups("Did Iraq vote?", content_terms("Did Iraq vote?")) == {}


def test_respell_writes_a_name_as_most_passages_do() -> None:
    names = _variants()
    assert names.respell("What did Baqeri say about terrorism?") == (
        "What did Bagheri say about terrorism?")
    assert names.respell("Who did Bagheri meet?") == "Who did Bagheri meet?"
    assert names.respell("What must people do in Kestrel Bay?") == (
        "What must people do in Kestrel Bay?")


# ---- the real seed index ---------------------------------------------------------------
def test_a_spelling_finds_passages_with_the_other(assistant) -> None:  # type: ignore[no-untyped-def]
    retriever = assistant.retriever()
    pakistan = [p.source for p in retriever.bm25("Baqeri trip to Pakistan", 3)]
    assert "002_20b9d985dd24f0e7.txt" in pakistan  # it only says "Bagheri"
    moscow = retriever.bm25("Bagheri Gerasimov military relations grown", 5)
    assert any("Baqeri" in p.text for p in moscow)  # 001 only says "Baqeri"
    for a, b in (("Baqeri", "Bagheri"), ("Shoygu", "Shoigu")):
        question = f"What did {a} say about the United States?"
        assert [p.chunk_id for p in retriever.bm25(question, 10)] == [
            p.chunk_id for p in retriever.bm25(question.replace(a, b), 10)]


@pytest.mark.parametrize("question", [
    "For how long have Tehran and Moscow seriously pursued plans against international "
    "terrorism, according to Baqeri?",
    "Besides Syria, in which country did Baqeri say Iran and Russia fought terrorism?",
    "On what date did Baqeri meet Russia's chief of general staff Gerasimov?",
    "Which country did Shoygu name as opposing Russian-Iranian planned activities?",
])
def test_a_question_answers_alike_in_either_spelling(assistant, question: str) -> None:  # type: ignore[no-untyped-def]
    other = question.replace("Baqeri", "Bagheri").replace("Shoygu", "Shoigu")
    one, two = assistant.ask(question, as_of="2023-10-01"), assistant.ask(other,
                                                                          as_of="2023-10-01")
    assert [(p.source, p.start) for p in one.passages] == [(p.source, p.start)
                                                           for p in two.passages]
    assert [(c.source, c.start) for c in one.citations] == [(c.source, c.start)
                                                            for c in two.citations]
    assert one.refused == two.refused
    assert one.standalone_question == other  # searched as most articles spell the name
