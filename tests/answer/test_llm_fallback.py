"""A model generator whose answer keeps no verified sentence falls back to the extractive
answer, whole: its short answer, who reports it and where sources differ come with it."""

from __future__ import annotations

from collections.abc import Iterator

from newsdesk.answer.llm import LLMGenerator
from newsdesk.assistant import POOL
from tests.fakes import GERASIMOV_QUESTION


class Unfounded:
    """A chat model whose every reply cites a sentence no passage holds."""

    def stream_chat(self, messages: list[dict[str, str]], max_tokens: int) -> Iterator[str]:
        yield "Zebras paint murals in Lisbon every winter [1]."


def test_the_fallback_is_the_extractive_answer_whole(assistant) -> None:  # type: ignore[no-untyped-def]
    extractive = assistant.extractive()
    generator = LLMGenerator("local", Unfounded(), assistant.settings.prompts, extractive,
                             max_tokens=64)
    pool = assistant.retriever().search_pool(GERASIMOV_QUESTION, POOL)
    *pieces, draft = generator.stream(GERASIMOV_QUESTION, pool)
    own = extractive.answer(GERASIMOV_QUESTION, pool)
    assert "".join(pieces) == "Zebras paint murals in Lisbon every winter [1]."
    assert draft.generator == "extractive (fallback: local kept no sentence)"
    assert (draft.kept, draft.dropped) == (0, 1)
    assert own.short is not None
    assert (draft.text, draft.citations, draft.refused) == (own.text, own.citations, own.refused)
    assert draft.short == own.short
    assert draft.corroboration == own.corroboration
    assert draft.conflicts == own.conflicts
