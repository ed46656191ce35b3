"""Model-written answers (`local`, `openai`), kept only where the cited passages support them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from newsdesk.answer.base import Draft
from newsdesk.answer.cite import verify_generated
from newsdesk.answer.extractive import ExtractiveGenerator
from newsdesk.answer.prompts import load_prompt
from newsdesk.errors import GeneratorUnavailable
from newsdesk.models.chat import ChatModel
from newsdesk.nlp.text import content_terms
from newsdesk.types import Passage, Turn

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
        self.condense_prompt = load_prompt(prompts, "condense")
        self.fallback = fallback
        self.max_tokens = max_tokens
        self.max_passages = max_passages

    def stream(self, question: str, passages: list[Passage],
               as_of: dt.date | None = None) -> Iterator[str | Draft]:
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
        # The extractive answer whole: its short answer, who reports it and where sources
        # differ, as `newsdesk ask` without a model gives them.
        yield replace(self.fallback.answer(question, passages, as_of),
                      generator=f"extractive (fallback: {self.name} kept no sentence)",
                      kept=0, dropped=dropped)

    def condense(self, question: str, turns: list[Turn]) -> str | None:
        """The model's standalone rewrite of a follow-up, or None when it is unusable."""
        history = "\n".join(f"User: {t.question}\nAssistant: {t.answer}" for t in turns[-3:])
        prompt = self.condense_prompt.render(history=history, question=question)
        try:
            reply = "".join(self.model.stream_chat([{"role": "user", "content": prompt}], 64))
        except GeneratorUnavailable:
            return None
        line = next((x.strip() for x in reply.splitlines() if x.strip()), "")
        # Small models sometimes answer instead of rewriting: keep the rewrite only if it is
        # a question that still asks what the user asked.
        asked = set(content_terms(question))
        kept = set(content_terms(line))
        keeps_topic = not asked or len(asked & kept) >= len(asked) / 2
        if not line.endswith("?") or len(line) > 300 or not keeps_topic:
            return None
        return line
