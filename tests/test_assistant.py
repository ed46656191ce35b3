"""The assistant end to end on the real parts: Chroma, the packaged model, verified quotes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes import GERASIMOV_QUESTION, SEEDS, file_slice


def assert_verified(answer, corpus: Path = SEEDS) -> None:  # type: ignore[no-untyped-def]
    for c in answer.citations:
        assert file_slice(corpus, c.source, c.start, c.end) == c.quote
        assert f"[{c.n}]" in answer.answer
    for p in answer.passages:
        assert file_slice(corpus, p.source, p.start, p.end) == p.text


def quoting(assistant):  # type: ignore[no-untyped-def]
    """A stand-in for a generator that writes its own answer (local, openai): it cites
    what the extractive answer cites and names no short answer. Returns a replacement
    for `assistant.generator`."""
    from dataclasses import replace

    extractive = assistant.extractive()

    class Quoting:
        name = "quoting"

        def stream(self, question, pool, day):  # type: ignore[no-untyped-def]
            yield replace(extractive.answer(question, pool, day), short=None,
                          generator=self.name)

    return lambda name=None: Quoting()


def test_gerasimov_is_named_and_quoted(assistant) -> None:  # type: ignore[no-untyped-def]
    answer = assistant.ask(GERASIMOV_QUESTION)
    assert not answer.refused
    assert "Gerasimov" in answer.answer
    assert any("Gerasimov" in c.quote for c in answer.citations)
    assert_verified(answer)


@pytest.mark.parametrize(
    "question",
    [
        "Who did Heidari meet in Moscow?",
        "When did the UN arms embargo against Iran end?",
        "What did Iran display at the Army-2023 forum?",
        "On what date did Shoigu hold talks with Bagheri in Tehran?",
        "How many military personnel took part in the CSTO exercises?",
        "Who is Russia's foreign minister?",
    ],
)
def test_every_citation_and_passage_verifies(assistant, question: str) -> None:  # type: ignore[no-untyped-def]
    answer = assistant.ask(question)
    assert answer.passages, "retrieval returned nothing"
    assert_verified(answer)


def test_world_cup_is_refused(assistant) -> None:  # type: ignore[no-untyped-def]
    answer = assistant.ask("Who won the 2022 FIFA World Cup?")
    assert answer.refused
    assert answer.answer.startswith("The articles don't say")
    assert answer.citations == []
    assert answer.passages, "a refusal still offers the nearest evidence"


def test_follow_up_uses_history(assistant) -> None:  # type: ignore[no-untyped-def]
    history = [{"question": "Who did Baqeri meet in Moscow on Monday?",
                "answer": "Valery Gerasimov, Chief of the General Staff."}]
    answer = assistant.ask("How did he describe Iran?", history=history)
    assert "Gerasimov" in answer.standalone_question
    assert "close partner" in answer.answer
    assert_verified(answer)


def test_weekday_resolved_to_date(assistant) -> None:  # type: ignore[no-untyped-def]
    answer = assistant.ask("On what date did Shoigu hold talks with Bagheri in Tehran?")
    assert "Sep 19, 2023 (2023-09-19)" in answer.answer
    assert any("20.09.2023" in c.quote for c in answer.citations)
    assert_verified(answer)


def test_a_model_generators_short_answer_carries_its_chance(  # type: ignore[no-untyped-def]
        assistant, monkeypatch: pytest.MonkeyPatch) -> None:
    """A generator that writes its own answer (local, openai) gives no short answer; the
    assistant picks one inside the quotes it cited, and that pick comes with its chance,
    so the chat and the CLI hedge it as they hedge the extractive one."""
    own = assistant.ask(GERASIMOV_QUESTION).short_answer
    monkeypatch.setattr(assistant, "generator", quoting(assistant))
    answer = assistant.ask(GERASIMOV_QUESTION)
    assert answer.generator == "quoting"
    short = answer.short_answer
    assert short is not None
    assert own is not None
    assert short.probability is not None
    assert 0.0 < short.probability < 1.0
    # The same sentences hold the same pick, and the same chance.
    assert (short.text, short.probability) == (own.text, own.probability)
    assert_verified(answer)


def test_a_yes_or_no_question_gets_its_sentences_and_no_short_answer(  # type: ignore[no-untyped-def]
        assistant, monkeypatch: pytest.MonkeyPatch) -> None:
    """No name, date or number cut from an article answers "Did Shoigu visit Tehran?":
    the answer is the sentences that say so, with no bold value above them; asked for a
    thing, the same facts get one. A model generator's answer gets none either."""
    answer = assistant.ask("Did Shoigu visit Tehran?")
    assert not answer.refused
    assert answer.short_answer is None
    assert any("arrived in Tehran" in c.quote for c in answer.citations)
    assert_verified(answer)
    assert assistant.ask("Which city did Shoigu visit for talks?").short_answer is not None

    monkeypatch.setattr(assistant, "generator", quoting(assistant))
    quoted = assistant.ask("Did Shoigu visit Tehran?")
    assert quoted.citations
    assert quoted.short_answer is None


def test_a_question_that_names_nothing_gets_a_message(assistant) -> None:  # type: ignore[no-untyped-def]
    """"Why?" alone names nothing to look for, so any passage would answer it as well as
    another: a message instead of a guess. After an answer, it is a follow-up."""
    from newsdesk.errors import BadQuestion

    for question in ("Why?", "what", "Who is he?"):
        with pytest.raises(BadQuestion, match="names nothing to look for"):
            assistant.ask(question)
    history = [{"question": GERASIMOV_QUESTION, "answer": "Valery Gerasimov"}]
    answer = assistant.ask("Why?", history=history)
    assert "Gerasimov" in answer.standalone_question
    assert_verified(answer)


@pytest.mark.parametrize("typed", [str.lower, str.upper])
def test_a_question_typed_in_one_case_reads_as_written(assistant, typed) -> None:  # type: ignore[no-untyped-def]
    """Lower case hid the question's names from the rules that read capitals, so the
    short answer was the man the question names ("Sergei Shoigu" for who greeted him);
    upper case made every word a name. Read with the articles' capitals, it answers as
    the question written properly does."""
    written = "Who greeted the Russian defence minister at the Iranian General Staff building?"
    expected = assistant.ask(written)
    answer = assistant.ask(typed(written))
    assert expected.short_answer is not None
    assert answer.short_answer is not None
    assert answer.short_answer.text == expected.short_answer.text
    assert answer.answer == expected.answer
    assert "Russian" in answer.standalone_question  # what it was read as, capitals and all
    assert_verified(answer)


@pytest.mark.parametrize(("question", "said"), [
    # Was answered with another man the sentence names (Mohammad Bagheri).
    ("Who is Shoigu?", "Defence Minister Sergei Shoigu"),
    # Was answered "Iran".
    ("Tell me about the Ababil missile", "Ababil ballistic missile"),
])
def test_who_someone_is_or_an_account_gets_the_sentences(  # type: ignore[no-untyped-def]
        assistant, question: str, said: str) -> None:
    """Who someone is takes their office, and "tell me about" an account: the sentences
    give them, and no short answer stands above them."""
    answer = assistant.ask(question)
    assert not answer.refused
    assert answer.short_answer is None
    assert said in answer.answer
    assert_verified(answer)
