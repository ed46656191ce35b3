"""Model-written answers (`local`, `openai`), kept only where the cited passages support them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from newsdesk.cite import verify_generated
from newsdesk.generators.base import Draft
from newsdesk.generators.extractive import ExtractiveGenerator
from newsdesk.llm import ChatModel
from newsdesk.prompts import load_prompt
from newsdesk.types import Passage

MAX_PASSAGE_CHARS = 1200


def number_passages(passages: list[Passage]) -> str:
    blocks = []
    for i, p in enumerate(passages, start=1):
        head = f"[{i}] {p.title}" if p.title else f"[{i}]"
        blocks.append(f"{head}\n{p.text[:MAX_PASSAGE_CHARS]}")
    return "\n\n".join(blocks)


class LLMGenerator:
    """Streams the model's answer, then verifies every sentence against the passage it cites."""

    def __init__(self, name: str, model: ChatModel, prompts: Path, fallback: ExtractiveGenerator,
                 max_tokens: int, max_passages: int = 5):
        self.name = name
        self.model = model
        self.system = load_prompt(prompts, "answer_system")
        self.user = load_prompt(prompts, "answer_user")
        self.fallback = fallback
        self.max_tokens = max_tokens
        self.max_passages = max_passages

    def stream(self, question: str, passages: list[Passage]) -> Iterator[str | Draft]:
        shown = passages[: self.max_passages]
        messages = [
            {"role": "system", "content": self.system.render()},
            {"role": "user", "content": self.user.render(
                question=question, passages=number_passages(shown))},
        ]
        pieces: list[str] = []
        for piece in self.model.stream_chat(messages, self.max_tokens):
            pieces.append(piece)
            yield piece
        raw = "".join(pieces)
        text, citations, kept, dropped = verify_generated(raw, shown)
        if kept:
            yield Draft(text, citations, False, self.name, kept=kept, dropped=dropped)
            return
        draft = self.fallback.answer(question, passages)
        yield Draft(draft.text, draft.citations, draft.refused,
                    f"extractive (fallback: {self.name} kept no sentence)",
                    kept=draft.kept, dropped=dropped)
