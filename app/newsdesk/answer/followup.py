"""Turn a follow-up ("What did he say about Iran?") into a standalone question.

Without a language model: pronouns for people become the person the conversation is
about (the answer to an earlier "who" question, else the person it named); "it"/"them"
become the earlier question's topic; anything left unresolved is carried as context in
a trailing "(…)", which retrieval uses and answer scoring weighs less than the question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from newsdesk.nlp.answer_types import ORG_WORDS, entities
from newsdesk.nlp.text import normalize, words
from newsdesk.types import Turn

_PRONOUNS = re.compile(
    r"\b(he|him|his|she|her|hers|they|them|their|it|its|that|this|those|these|there|then|"
    r"the same|both|either)\b",
    re.IGNORECASE,
)
_ELLIPSIS = re.compile(r"^(and|what about|how about|also|so|but|then)\b", re.IGNORECASE)
_PERSON_PRONOUN = re.compile(r"\b(he|she|him|his|her)\b", re.IGNORECASE)
_THING_PRONOUN = re.compile(r"\b(it|them|they)\b", re.IGNORECASE)
_TOPIC = re.compile(
    r"^(?:what|which)\s+(?P<topic>[\w' -]+?)\s+(?:did|does|do|is|was|were|are|has|have|had|will|"
    r"would|can|could)\b", re.IGNORECASE)
_OBJECT = re.compile(
    r"^(?:where|when|how|why)\s+(?:did|does|do|is|was|were|are|has|have|had|will)\s+(?:the\s+)?"
    r"[\w-]+\s+\w+\s+(?P<topic>(?:[\w-]+\s*){1,4})\??$", re.IGNORECASE)


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


def _people(text: str) -> list[str]:
    """Likely person names: multi-word names first, then single names not used as places."""
    runs = [r for r in entities(text) if not {t.lower() for t in r} & ORG_WORDS]
    names = [" ".join(r) for r in runs if len(r) >= 2]
    for (token,) in (r for r in runs if len(r) == 1):
        place_like = re.search(rf"\b(in|at|to|from|near|into|of)\s+{re.escape(token)}", text)
        if not (token.isupper() or token.endswith(("'s", "’s")) or place_like):
            names.append(token)
    return list(dict.fromkeys(names))


def _cast(turns: list[Turn]) -> list[str]:
    """People the conversation is about, most central first."""
    cast: list[str] = []
    for turn in reversed(turns):
        asked_who = re.match(r"^\s*(who|whom)\b", turn.question, re.IGNORECASE)
        found = (_people(turn.answer) if asked_who else []) + _people(turn.question)
        cast += [p for p in found if p not in cast and not _PERSON_PRONOUN.fullmatch(p)]
    return cast


def _topic(turns: list[Turn]) -> str:
    for turn in reversed(turns):
        m = _TOPIC.match(turn.question.strip()) or _OBJECT.match(turn.question.strip())
        if m and not _PRONOUNS.search(m.group("topic")):
            return m.group("topic").strip()
    return ""


def rewrite(question: str, history: Sequence[Turn | dict | str] | None) -> str:
    """A standalone version of `question`; standalone questions pass unchanged."""
    turns = as_turns(history)
    if not turns or not needs_context(question):
        return question
    cast = _cast(turns)
    people = iter(cast)
    used: dict[str, str] = {}

    def person(m: re.Match[str]) -> str:
        word = m.group(1).lower()
        key = "subject" if word in ("he", "she", "his") else "object"
        if key not in used:
            name = next(people, None)
            if name is None:
                return m.group(0)
            used[key] = name
        return used[key] + ("'s" if word == "his" else "")

    out = _PERSON_PRONOUN.sub(person, question)
    topic = _topic(turns)
    if topic:
        out = _THING_PRONOUN.sub(f"the {topic}", out, count=1)
    context = [e for t in turns[-2:] for e in [" ".join(r) for r in entities(t.answer)]
               + [" ".join(r) for r in entities(t.question)]]
    present = set(words(out))
    extra = [e for e in dict.fromkeys(context) if set(words(e)) - present
             and normalize(e) not in ("i", "the")]
    if out != question and not _PRONOUNS.search(out.replace(topic, "")):
        extra = extra[:2]
    return f"{out.rstrip()} ({'; '.join(extra[:4])})" if extra else out
