"""Fast unit tests of the extractive generator's evidence rules.

Each pins one rule that `newsdesk eval` showed to matter (see BENCHMARKS.md); where a
whole generator is needed, every sentence gets the same vector, so only the lexical, type
and conflict rules decide.
"""

from __future__ import annotations

from pathlib import Path

from newsdesk.answer.cite import FileCache
from newsdesk.answer.extractive import (
    FOCUS_WEIGHT,
    NAME_PARTIAL,
    ExtractiveGenerator,
    _concepts,
    _covers,
    _Terms,
    _VectorCache,
    mentions_any_name,
)
from newsdesk.nlp.text import content_terms
from newsdesk.types import Passage


def _flat(texts: list[str]) -> list[list[float]]:
    return [[1.0, 0.0] for _ in texts]


def _generator(tmp_path: Path) -> ExtractiveGenerator:
    return ExtractiveGenerator(_flat, lambda q: [1.0, 0.0], FileCache(tmp_path))


def test_the_asked_event_weighs_double() -> None:
    docs = [content_terms(t) for t in ("The exercises near the border started on Monday.",
                                       "The exercises will end on 23 October.")]
    question = "When were the exercises near the border due to end?"
    weights = dict(_concepts(question, "", docs))
    end, near = tuple(content_terms("end")), tuple(content_terms("near"))
    # "end" and "near" are each in one of the two sentences: the same IDF, doubled for the event.
    assert weights[end] == FOCUS_WEIGHT * weights[near]
    # Not when the last word names the kind of answer, or is a name.
    for q in ("Super Bowl 2021 location", "When did Shoigu meet Ashtiani"):
        w = dict(_concepts(q, "", docs))
        assert len(set(w.values())) == 1  # no term in these docs: one IDF for all


def test_a_name_without_its_surname_is_another_person() -> None:
    minister = tuple(content_terms("Iranian Defence Minister Ashtiani"))
    other = set(content_terms("Iranian Defence Minister Bagheri"))
    common = frozenset(content_terms("the iranian defence minister said"))
    assert _covers(minister, other, common) == NAME_PARTIAL * 3 / 4
    assert _covers(minister, {*other, *content_terms("Ashtiani")}, common) == 1.0
    # A common head word ("ceremony") is no name: its other words still count fully.
    ceremony = tuple(content_terms("Academy Awards Ceremony"))
    assert _covers(ceremony, set(content_terms("Academy Awards")),
                   frozenset(content_terms("the ceremony"))) == 2 / 3


def test_a_shared_stem_prefix_counts_for_most_with_the_prefixes_kept() -> None:
    """A sentence's terms keep their 5-letter prefixes; coverage is what it is with a
    plain set: "opposing" meets "opposition" for 0.8, "opportunity" not at all."""
    concept = tuple(content_terms("opposing"))
    for text, share in (("they are opposing it", 1.0), ("the opposition grew", 0.8),
                        ("an opportunity", 0.0)):
        plain = set(content_terms(text))
        assert _covers(concept, plain) == _covers(concept, _Terms(plain)) == share


def _best(tmp_path: Path, question: str, *texts: str) -> str:
    passages = [Passage(f"a{i}.txt", t, 1.0 - i / 10, 0, len(t)) for i, t in enumerate(texts)]
    return _generator(tmp_path).score(question, passages)[0].sentence.text


def test_another_season_conflicts(tmp_path: Path) -> None:
    three = "Season 3 of The Crown premiered on November 17, 2019."
    four = "The Crown returns with season 4 on November 15, 2020."
    assert _best(tmp_path, "When does season 4 of The Crown premiere?",
                 f"{three} {four}") == four


def test_a_pronoun_subject_is_read_with_the_sentence_before(tmp_path: Path) -> None:
    seen: list[str] = []

    def recording(texts: list[str]) -> list[list[float]]:
        seen.extend(texts)
        return _flat(texts)

    text = "Splatoon 2 is a shooter game by Nintendo. It was released on July 21, 2017."
    gen = ExtractiveGenerator(recording, lambda q: [1.0, 0.0], FileCache(tmp_path))
    best = gen.score("When was Splatoon 2 released?", [Passage("a.txt", text, 1.0, 0, len(text))])
    assert text in seen  # the pronoun sentence, joined to the one naming its subject
    assert best[0].sentence.text == "It was released on July 21, 2017."


def test_a_name_is_covered_in_another_spelling() -> None:
    """"Baqeri" is covered by a sentence that says "Bagheri", and weighs the same as the
    name spelled the usual way; "Iraq" is not covered by "Iran"."""
    docs = [content_terms(t) for t in ("Bagheri met Gerasimov in Moscow.",
                                       "Baqeri praised the talks.",
                                       "Iran and Russia signed a deal.")]
    weights, concepts = {}, {}
    for name in ("Baqeri", "Bagheri"):
        found = dict(_concepts(f"Who did {name} meet?", "", docs))
        concepts[name] = next(c for c in found if c == tuple(content_terms(name)))
        weights[name] = found[concepts[name]]
        assert all(_covers(concepts[name], set(d)) == 1.0 for d in docs[:2])
        assert _covers(concepts[name], set(docs[2])) == 0.0
    assert weights["Baqeri"] == weights["Bagheri"]
    iraq = next(c for c in dict(_concepts("Did Iraq sign?", "", docs)) if c == ("iraq",))
    assert _covers(iraq, set(docs[2])) == 0.0
    # A capitalised word the passages also write in lower case is not a name.
    assert _covers(concepts["Baqeri"], set(docs[0]), common=frozenset({"baqeri"})) == 0.0


def test_a_name_in_another_spelling_is_on_topic() -> None:
    text = "Major General Mohammad Bagheri met Valery Gerasimov in Moscow."
    passages = [Passage("a.txt", text, 1.0, 0, len(text))]
    assert mentions_any_name("What did Baqeri say?", passages)
    assert not mentions_any_name("What did Putin say?", passages)


def test_a_full_vector_cache_still_returns_what_it_held_when_asked() -> None:
    """A long chat fills the cache; a question mixing an old sentence with many new ones
    must get every vector, even though storing the new ones evicts the old one."""
    calls: list[list[str]] = []

    def embed(texts: list[str]) -> list[list[float]]:
        calls.append(list(texts))
        return [[float(len(t))] for t in texts]

    cache = _VectorCache(embed, size=3)
    assert cache(["a", "bb", "ccc"]) == [[1.0], [2.0], [3.0]]
    assert cache(["a", "dddd", "eeeee", "ffffff"]) == [[1.0], [4.0], [5.0], [6.0]]
    assert calls[-1] == ["dddd", "eeeee", "ffffff"]  # "a" came from the cache


def test_a_short_answer_names_the_day_its_weekday_means(tmp_path: Path) -> None:
    """"Tuesday" in an article published on Wednesday 20 September 2023 is the 19th: the
    short answer carries that day, as the answer's date note counts it."""
    import datetime as dt

    head = "Harbour pact signed\nhttps://example.com/pact\nPublished: 2023-09-20\n\n"
    body = ("The two port authorities signed the harbour pact on Tuesday in Leith. "
            "The pact covers ferry fees.")
    (tmp_path / "a.txt").write_text(head + body, encoding="utf-8")
    passage = Passage("a.txt", body, 1.0, len(head), len(head) + len(body))
    draft = _generator(tmp_path).answer(
        "When did the port authorities sign the harbour pact?", [passage], dt.date(2023, 9, 25))
    assert draft.short is not None
    assert (draft.short.text, draft.short.date) == ("Tuesday", "2023-09-19")
    assert "2023-09-19" in draft.text  # the date note that says how it was counted
    # Undated, the weekday names no day that can be told.
    (tmp_path / "b.txt").write_text(body, encoding="utf-8")
    undated = _generator(tmp_path).answer(
        "When did the port authorities sign the harbour pact?",
        [Passage("b.txt", body, 1.0, 0, len(body))], dt.date(2023, 9, 25))
    assert undated.short is not None
    assert undated.short.text == "Tuesday"
    assert undated.short.date == ""
