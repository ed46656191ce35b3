"""Citations: quotes are cut from the file by offsets and checked against it before use."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

from newsdesk.nlp.text import content_terms, sentence_spans, words
from newsdesk.types import MARKER, Citation, Passage, marker_numbers

MIN_CLAIM_TERMS = 3


class FileCache:
    """Article texts read exactly as a user's check would: `open(path, encoding="utf-8").read()`."""

    def __init__(self, root: Path):
        self.root = root.resolve()
        self._cache: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def text(self, source: str) -> str | None:
        path = (self.root / source).resolve()
        if not path.is_relative_to(self.root):
            return None
        try:
            mtime = os.stat(path).st_mtime_ns
            with self._lock:
                hit = self._cache.get(source)
                if hit and hit[0] == mtime:
                    return hit[1]
            with open(path, encoding="utf-8") as fh:
                text = fh.read()
        except (OSError, UnicodeDecodeError):
            return None
        with self._lock:
            self._cache[source] = (mtime, text)
        return text

    def verifies(self, source: str, quote: str, start: int, end: int) -> bool:
        text = self.text(source)
        return text is not None and 0 <= start <= end <= len(text) and text[start:end] == quote


@dataclass(frozen=True)
class Sentence:
    """A sentence of a retrieved passage, with file offsets."""

    passage: Passage
    start: int
    end: int
    text: str


def passage_sentences(passage: Passage) -> list[Sentence]:
    return [
        Sentence(passage, passage.start + s, passage.start + e, passage.text[s:e])
        for s, e in sentence_spans(passage.text)
    ]


def citation_for(n: int, s: Sentence) -> Citation:
    p = s.passage
    return Citation(n, p.source, s.text, s.start, s.end, p.title, p.published, p.outlet)


class CitationList:
    """Numbers quotes in order of first use; the same quote keeps its number."""

    def __init__(self) -> None:
        self.items: list[Citation] = []
        self._by_key: dict[tuple[str, int, int], int] = {}

    def add(self, s: Sentence) -> int:
        key = (s.passage.source, s.start, s.end)
        if key not in self._by_key:
            self._by_key[key] = len(self.items) + 1
            self.items.append(citation_for(len(self.items) + 1, s))
        return self._by_key[key]

    def add_citation(self, c: Citation) -> int:
        key = (c.source, c.start, c.end)
        if key not in self._by_key:
            self._by_key[key] = len(self.items) + 1
            self.items.append(Citation(len(self.items) + 1, c.source, c.quote, c.start, c.end,
                                       c.title, c.published, c.outlet))
        return self._by_key[key]


def support(claim: str, quote: str) -> float:
    """Share of the claim's content words (stemmed) that the quote contains."""
    claim_terms = set(content_terms(claim))
    if not claim_terms:
        return 0.0
    return len(claim_terms & set(content_terms(quote))) / len(claim_terms)


def _numbers(text: str) -> set[str]:
    return {w for w in words(text) if any(ch.isdigit() for ch in w)}


def split_claims(text: str) -> list[tuple[str, list[int]]]:
    """Model output as (sentence without markers, cited passage numbers)."""
    claims = []
    for s, e in sentence_spans(text):
        sentence = text[s:e]
        cited = [n for m in MARKER.finditer(sentence) for n in marker_numbers(m.group(1))]
        bare = MARKER.sub("", sentence).strip()
        if bare and any(ch.isalnum() for ch in bare):
            claims.append((bare, cited))
        elif cited and claims:  # a marker on its own line belongs to the sentence before
            claims[-1][1].extend(cited)
    return claims


def verify_generated(
    text: str, passages: list[Passage], min_support: float = 0.6
) -> tuple[str, list[Citation], int, int]:
    """Keep only model sentences that cite a passage holding their words and numbers.

    Returns (answer text with renumbered markers, citations, kept, dropped).
    """
    citations = CitationList()
    out: list[str] = []
    dropped = 0
    for claim, cited in split_claims(text):
        if len(set(content_terms(claim))) < MIN_CLAIM_TERMS:
            dropped += 1  # a fragment ("Shoigu said: “") states nothing worth a citation
            continue
        best: tuple[float, Sentence] | None = None
        for n in dict.fromkeys(cited):
            if not 1 <= n <= len(passages):
                continue
            for s in passage_sentences(passages[n - 1]):
                score = support(claim, s.text)
                if _numbers(claim) - _numbers(s.text):
                    continue  # a number the quote does not state is not supported
                if best is None or score > best[0]:
                    best = (score, s)
        if best is None or best[0] < min_support:
            dropped += 1
            continue
        out.append(f"{claim} [{citations.add(best[1])}]")
    return " ".join(out), citations.items, len(out), dropped
