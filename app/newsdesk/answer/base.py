"""The interface every answer generator implements."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from newsdesk.types import Citation, Corroboration, Passage, Report, ShortAnswer, Turn


@dataclass(frozen=True)
class Draft:
    """A generator's finished answer, before the assistant adds timings and passages."""

    text: str
    citations: list[Citation]
    refused: bool
    generator: str
    kept: int = 0
    dropped: int = 0
    notes: dict[str, Any] = field(default_factory=dict)  # what the generator measured
    short: ShortAnswer | None = None
    corroboration: Corroboration | None = None
    conflicts: list[Report] = field(default_factory=list)


class Generator(Protocol):
    """An answer generator. Construction is light; models load on first use."""

    name: str

    def stream(self, question: str, passages: list[Passage],
               as_of: dt.date | None = None) -> Iterator[str | Draft]:
        """Yield answer text as it is produced, then exactly one final `Draft`. `as_of`
        is the day the question is asked on ("this week" is the week before it)."""
        ...

    def condense(self, question: str, turns: list[Turn]) -> str | None:
        """A standalone rewrite of a follow-up, or None to use the rule-based rewrite."""
        ...


def refusal_text(question: str) -> str:
    topic = question.strip().rstrip("?.! ")
    if len(topic) > 120:
        topic = topic[:117].rsplit(" ", 1)[0] + "…"
    return f"The articles don't say: {topic}?" if topic else "The articles don't say."
