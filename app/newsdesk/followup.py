"""Turn a follow-up ("What did he say about Iran?") into a standalone question."""

from __future__ import annotations

import re
from collections.abc import Sequence

from newsdesk.text import STOPWORDS, normalize, words
from newsdesk.types import Turn

_PRONOUNS = re.compile(
    r"\b(he|him|his|she|her|hers|they|them|their|it|its|that|this|those|these|there|then|"
    r"the same|both|either)\b",
    re.IGNORECASE,
)
_ELLIPSIS = re.compile(r"^(and|what about|how about|also|so|but|then)\b", re.IGNORECASE)
_ENTITY = re.compile(
    r"\b(?:[A-Z][\w’'-]*\d*[\w’'-]*)(?:\s+(?:of\s+the\s+|of\s+|al-)?[A-Z][\w’'-]+)*"
)
_LEADING = frozenset({"who", "what", "when", "where", "which", "how", "why", "did", "does", "is",
                      "the", "and", "a", "an", "in", "on", "at", "major", "general"})


def as_turns(history: Sequence[Turn | dict | str] | None) -> list[Turn]:
    """Accept turns as `Turn`, {"question", "answer"} dicts or bare earlier questions."""
    turns = []
    for item in history or []:
        if isinstance(item, Turn):
            turns.append(item)
        elif isinstance(item, dict):
            turns.append(Turn(str(item.get("question", "")), str(item.get("answer", ""))))
        elif isinstance(item, str):
            turns.append(Turn(item))
    return [t for t in turns if t.question or t.answer]


def needs_context(question: str) -> bool:
    return bool(_PRONOUNS.search(question) or _ELLIPSIS.search(question.strip())
                or len(words(question)) <= 3)


def entities(text: str) -> list[str]:
    """Names and capitalized phrases, longest first, without question words."""
    found: list[str] = []
    for match in _ENTITY.finditer(text):
        phrase = match.group().strip()
        parts = phrase.split()
        while parts and parts[0].lower().strip("’'") in _LEADING:
            parts = parts[1:]
        phrase = " ".join(parts)
        if phrase and normalize(phrase) not in STOPWORDS and len(phrase) > 2:
            found.append(phrase)
    seen: set[str] = set()
    out = []
    for phrase in found:
        key = normalize(phrase)
        if key not in seen:
            seen.add(key)
            out.append(phrase)
    return out


def rewrite(question: str, history: Sequence[Turn | dict | str] | None) -> str:
    """Carry the previous turn's entities into a follow-up; standalone questions pass as is."""
    turns = as_turns(history)
    if not turns or not needs_context(question):
        return question
    asked = set(words(question))
    context: list[str] = []
    for turn in reversed(turns[-2:]):
        for phrase in entities(turn.answer) + entities(turn.question):
            if set(words(phrase)) - asked and phrase not in context:
                context.append(phrase)
    if not context:
        return question
    return f"{question.rstrip()} ({'; '.join(context[:5])})"
