"""Fast reading: only the sentences the scorer ranks best on all else get a vector.

The unit tests use a recording fake encoder; the last test reads the seed questions with
the real packaged encoder and checks that the fitted budget answers as reading every
sentence does, while embedding fewer.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsdesk.answer.budget import SentenceBudget, pick
from newsdesk.answer.cite import FileCache
from newsdesk.answer.extractive import ExtractiveGenerator
from newsdesk.types import Passage
from tests.fakes import SEEDS

ANSWER = "Heidari met General Oleg Salyukov in Moscow on Monday."
QUESTION = "Which Russian general did Heidari meet in Moscow?"


def test_pick_keeps_the_best_distinct_texts() -> None:
    texts = ["a", "b", "c", "b", "d"]
    assert pick(texts, [0.1, 0.5, 0.3, 0.9, 0.2], 2) == ["b", "c"]
    assert pick(texts, [0.4, 0.4, 0.4, 0.4, 0.4], 3) == ["a", "b", "c"]  # ties: earlier
    assert pick(texts, [0.0] * 5, 0) == ["a", "b", "c", "d"]  # 0: every sentence
    assert pick(texts, [0.0] * 5, 4) == ["a", "b", "c", "d"]


def test_a_bad_budget_file_names_itself(tmp_path: Path) -> None:
    bad = tmp_path / "budget.json"
    bad.write_text(json.dumps({"sentences": -3}), encoding="utf-8")
    with pytest.raises(ValueError, match="budget.json"):
        SentenceBudget.load(bad)
    assert SentenceBudget.load().sentences > 0  # the shipped, fitted budget


def _pool() -> list[Passage]:
    filler = [f"The weather in town {i} was mild and dry on day {i} of the fair."
              for i in range(30)]
    texts = [" ".join(filler[:15]), " ".join([*filler[15:], ANSWER])]
    return [Passage(f"a{i}.txt", t, 1.0 - i / 10, 0, len(t)) for i, t in enumerate(texts)]


def _reader(tmp_path: Path, budget: int, seen: list[str]) -> ExtractiveGenerator:
    def recording(texts: list[str]) -> list[list[float]]:
        seen.extend(texts)
        # The answer means most (cosine 1.0 with the question), each filler line 0.6.
        return [[0.6, 0.8] if "weather" in t else [1.0, 0.0] for t in texts]

    return ExtractiveGenerator(recording, lambda q: [1.0, 0.0], FileCache(tmp_path),
                               budget=budget)


def test_a_budget_embeds_only_the_best_ranked_sentences(tmp_path: Path) -> None:
    seen: list[str] = []
    scored = _reader(tmp_path, 4, seen).score(QUESTION, _pool())
    assert len(scored) == 31
    assert len(seen) == 4
    assert ANSWER in seen  # it names Heidari and Moscow and holds a name: ranked first
    assert scored[0].sentence.text == ANSWER
    # The others count as meaning no more than the least of the embedded ones.
    embedded = {s.semantic for s in scored if s.sentence.text in seen}
    assert all(s.semantic == min(embedded) for s in scored if s.sentence.text not in seen)


def test_budget_zero_reads_every_sentence(tmp_path: Path) -> None:
    seen: list[str] = []
    scored = _reader(tmp_path, 0, seen).score(QUESTION, _pool())
    assert sorted(seen) == sorted(s.sentence.text for s in scored)
    assert len({s.semantic for s in scored}) == 2  # filler and answer, each measured


def test_the_fitted_budget_answers_as_reading_everything(assistant) -> None:  # type: ignore[no-untyped-def]
    """The real encoder on the seed questions: the same answers, fewer vectors."""
    base = assistant.extractive()
    questions = [json.loads(line) for line in (SEEDS / "questions.jsonl").read_text(
        encoding="utf-8").splitlines() if line.strip()]
    budget = SentenceBudget.load().sentences
    counts = {0: 0, budget: 0}

    def reader(size: int) -> ExtractiveGenerator:
        def counting(texts: list[str]) -> list[list[float]]:
            counts[size] += len(texts)
            return base.embed.embed(texts)  # the real encoder, uncached

        return ExtractiveGenerator(counting, base.embed_query, base.files,
                                   scorer=base.scorer, budget=size)

    differ = 0
    for q in questions[:30]:
        passages = assistant.retriever().search_pool(q["question"], 12)
        full, fast = reader(0), reader(budget)  # new vector caches: count each question's
        want, got = (g.score(q["question"], passages)[0] for g in (full, fast))
        # The same best sentence, and the same refusal decision on it.
        differ += (want.sentence, full.answers(want)) != (got.sentence, fast.answers(got))
    assert differ <= 1  # the budget was fitted to agree on 99.5% of training questions
    assert counts[budget] < 0.7 * counts[0]
