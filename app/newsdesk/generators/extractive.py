"""Extractive answers: verbatim sentences from the passages, each with its citation.

Correct by construction (it never states what the articles do not); it refuses unless a
sentence both covers what the question is about and holds the kind of thing asked for
(a person for who, a date for when, a number for how many).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from newsdesk.cite import CitationList, FileCache, Sentence, passage_sentences
from newsdesk.dates import (
    WEEKDAYS,
    Anchor,
    anchor_date,
    bare_weekdays,
    find_dates,
    resolve_weekday,
)
from newsdesk.generators.base import Draft, refusal_text
from newsdesk.text import content_terms, normalize, sentence_spans, words
from newsdesk.types import Passage

_PERSON_NOUNS = (r"general|minister|commander|official|officer|chief|leader|president|person|"
                 r"man|woman|spokesman|spokesperson|head|ambassador|envoy|counterpart|author")
_QTYPES = [
    ("date", re.compile(r"^(when|what (date|day|year|month|time)|which (date|day|year|month)|"
                        r"on what (date|day))\b|\b(what|which) (date|day|year)\b")),
    ("number", re.compile(r"\bhow (many|much|long|old|far)\b|\bwhat (number|percentage|share)\b")),
    ("person", re.compile(rf"^(who|whom|whose)\b|\b(which|what) ((\w+ ){{0,2}})({_PERSON_NOUNS})s?\b"
                          r"|\bwho\b")),
    ("place", re.compile(r"^where\b|\b(which|what) (city|country|place|town|region)\b|\bwhere\b")),
]
_NUMBER_WORDS = frozenset(
    "two three four five six seven eight nine ten eleven twelve fifteen twenty thirty forty "
    "fifty hundred thousand million billion dozen dozens hundreds thousands millions".split()
)
_NAME = re.compile(r"\b[A-Z][a-zà-ÿ’'-]+(?:\s+(?:al-|bin\s|de\s|von\s)?[A-Z][a-zà-ÿ’'-]+)+")
_TITLED = re.compile(r"\b(?:General|Gen\.|Minister|President|Commander|Chief|Admiral|Colonel|"
                     r"Mr\.|Mrs\.|Ms\.|Dr\.)\s+[A-Z][a-z]+")


@dataclass(frozen=True)
class Scored:
    sentence: Sentence
    score: float
    lexical: float
    semantic: float
    typed: bool


def question_type(question: str) -> str | None:
    q = normalize(question)
    for name, pattern in _QTYPES:
        if pattern.search(q):
            return name
    return None


def _has_type(qtype: str | None, sentence: str, question: str) -> bool:
    """Does the sentence hold a new thing of the asked type (not just the question's words)?"""
    if qtype is None:
        return True
    asked = set(words(question))
    if qtype == "date":
        return bool(find_dates(sentence) or bare_weekdays(sentence)
                    or re.search(r"\b(19|20)\d{2}\b|\b(yesterday|today|tomorrow)\b", sentence,
                                 re.I)
                    or re.search(r"\b(January|February|March|April|May|June|July|August|"
                                 r"September|October|November|December)\b", sentence))
    if qtype == "number":
        return any((any(ch.isdigit() for ch in w) or w in _NUMBER_WORDS) and w not in asked
                   for w in words(sentence))
    if qtype == "person":
        names = _NAME.findall(sentence) + _TITLED.findall(sentence)
        return any(set(words(n)) - asked for n in names)
    if qtype == "place":
        return any(set(words(n)) - asked for n in re.findall(
            r"\b(?:in|at|to|from|near|of)\s+((?:the\s+)?[A-Z][\w-]+(?:\s+[A-Z][\w-]+)*)", sentence))
    return True


class ExtractiveGenerator:
    """Answers from the passages' own sentences; needs no language model."""

    name = "extractive"

    def __init__(
        self,
        embed: Callable[[list[str]], list[list[float]]],
        embed_query: Callable[[str], list[float]],
        files: FileCache,
        threshold: float = 0.35,
        max_sentences: int = 3,
    ):
        self.embed = embed
        self.embed_query = embed_query
        self.files = files
        self.threshold = threshold
        self.max_sentences = max_sentences

    def stream(self, question: str, passages: list[Passage]) -> Iterator[str | Draft]:
        draft = self.answer(question, passages)
        pieces = re.split(r"(?<=\])\s+(?=\S)", draft.text)
        for i, piece in enumerate(pieces):
            yield piece if i == 0 else " " + piece
        yield draft

    def score(self, question: str, passages: list[Passage]) -> list[Scored]:
        """Every sentence of the passages, scored for how well it answers the question."""
        sentences = [s for p in passages for s in passage_sentences(p)]
        if not sentences:
            return []
        q_terms = content_terms(question)
        weights = _term_weights(q_terms, [content_terms(s.text) for s in sentences])
        qvec = self.embed_query(question)
        vectors = self.embed([s.text for s in sentences])
        qtype = question_type(question)
        best_rank = {p.chunk_id: i for i, p in reversed(list(enumerate(passages)))}
        out = []
        for s, vec in zip(sentences, vectors, strict=True):
            terms = set(content_terms(s.text))
            lexical = sum(w for t, w in weights.items() if t in terms) / (sum(weights.values()) or 1)
            semantic = _cosine(qvec, vec)
            typed = _has_type(qtype, s.text, question)
            rank = best_rank.get(s.passage.chunk_id, 0)
            score = 0.5 * semantic + 0.5 * lexical - 0.01 * rank + (0.0 if typed else -0.25)
            out.append(Scored(s, score, lexical, semantic, typed))
        return sorted(out, key=lambda x: -x.score)

    def answer(self, question: str, passages: list[Passage]) -> Draft:
        scored = self.score(question, passages)
        if not scored or not _answers(scored[0], self.threshold):
            return Draft(refusal_text(question), [], True, self.name,
                         notes={"best_score": scored[0].score if scored else 0.0})
        chosen = _choose(scored, self.max_sentences)
        citations = CitationList()
        parts = []
        for group in chosen:
            markers = "".join(f"[{citations.add(s.sentence)}]" for s in group)
            parts.append(f"{group[0].sentence.text} {markers}")
        if question_type(question) == "date":
            parts += self._resolved_dates(chosen[0][0].sentence, citations)
        return Draft(" ".join(parts), citations.items, False, self.name, kept=len(parts),
                     notes={"best_score": scored[0].score})

    def _resolved_dates(self, s: Sentence, citations: CitationList) -> list[str]:
        """'on Monday' → the calendar date, citing where the article gives its date."""
        text = self.files.text(s.passage.source)
        anchor = _anchor(text) if text else None
        if text is None or anchor is None:
            return []
        is_pub = anchor.is_publication
        out = []
        for _, _, weekday in bare_weekdays(s.text)[:2]:
            day = resolve_weekday(weekday, anchor.date, is_pub)
            for ss, se in sentence_spans(text):
                if ss <= anchor.start and anchor.end <= se:
                    n = citations.add(Sentence(s.passage, ss, se, text[ss:se]))
                    basis = "the article's date" if is_pub else "the date the article gives"
                    out.append(f"{WEEKDAYS[weekday].capitalize()} here is "
                               f"{day.strftime('%B')} {day.day}, {day.year}, going by {basis} [{n}].")
                    break
        return out

    def __repr__(self) -> str:
        return f"ExtractiveGenerator(threshold={self.threshold})"


@lru_cache(maxsize=256)
def _anchor(text: str) -> Anchor | None:
    return anchor_date(text)


def _answers(best: Scored, threshold: float) -> bool:
    return best.typed and best.lexical >= 0.34 and best.score >= threshold


def _choose(scored: list[Scored], limit: int) -> list[list[Scored]]:
    """Best sentences, each with the agreeing sentences of other articles folded in."""
    top = scored[0]
    groups: list[list[Scored]] = []
    for cand in scored:
        if cand.score < top.score - 0.12 or not cand.typed:
            continue
        same = next((g for g in groups if _overlap(g[0].sentence.text, cand.sentence.text) >= 0.6),
                    None)
        if same is not None:
            if all(s.sentence.passage.source != cand.sentence.passage.source for s in same):
                same.append(cand)
            continue
        if len(groups) < limit:
            groups.append([cand])
    return groups


def _overlap(a: str, b: str) -> float:
    ta, tb = set(content_terms(a)), set(content_terms(b))
    return len(ta & tb) / max(1, min(len(ta), len(tb)))


def _term_weights(q_terms: list[str], docs: list[list[str]]) -> dict[str, float]:
    """IDF of each question term over the candidate sentences: rare terms matter more."""
    n = len(docs)
    sets = [set(d) for d in docs]
    return {t: math.log(1 + (n + 1) / (1 + sum(t in s for s in sets))) for t in set(q_terms)}


def _cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    na = math.sqrt(sum(x * x for x in a)) or 1.0
    nb = math.sqrt(sum(y * y for y in b)) or 1.0
    return dot / (na * nb)
