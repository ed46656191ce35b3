"""BM25 that finds a name however the corpus spells it ("Baqeri" finds "Bagheri").

A question's names (its capitalised words) are looked up in the BM25 vocabulary for
other spellings (`nlp.names`). All spellings of a name then count as one term: a passage
scores by whichever it holds, weighted by the name's IDF over all of them, so a rare
spelling is not worth more than the usual one. Only spellings the corpus writes as names
(never in lower case) are taken: "Most" and "must" are not one name.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from typing import TYPE_CHECKING, Any

from newsdesk.nlp.answer_types import entities
from newsdesk.nlp.names import VariantIndex, same_word
from newsdesk.nlp.text import content_terms, stem

if TYPE_CHECKING:
    import numpy as np

_TOKEN = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")


class NameVariants:
    """Other spellings of a question's names in one BM25 index, and the scores they give."""

    def __init__(self, model: Any, texts: list[str]):
        self.model = model
        self.texts = texts
        self._index: VariantIndex | None = None
        self._lock = threading.Lock()
        self._is_name: dict[str, bool] = {}
        self._written: dict[str, str] = {}  # term -> how the passages write it

    def groups(self, query: str, terms: list[str]) -> dict[str, list[str]]:
        """{question term: its other spellings in the corpus} for the question's names.

        Terms are stems; each spelling is confirmed on the words as written, since a
        stem may have lost what tells two names apart ("Christine" -> "christin")."""
        asked = {t[0]: w for run in entities(query) for w in run
                 if len(t := content_terms(w)) == 1}
        found = {}
        for term in dict.fromkeys(t for t in terms if t in asked):
            if self._frequency(term) and not self._written_as_name(term):
                continue  # the corpus writes it in lower case too: a word, not a name
            spellings = [v for v in self._vocabulary().variants(term)
                         if self._written_as_name(v) and same_word(asked[term], self._written[v])]
            if spellings:
                found[term] = spellings
        return found

    def respell(self, query: str) -> str:
        """The query with each name written as most passages write it ("Who did Baqeri
        meet?" -> "Who did Bagheri meet?"), so every spelling asks the same question."""
        groups = self.groups(query, content_terms(query))
        for word in dict.fromkeys(w for run in entities(query) for w in run):
            term = content_terms(word)
            if len(term) != 1 or term[0] not in groups:
                continue
            usual = max([term[0], *groups[term[0]]], key=self._frequency)  # ties: as asked
            if usual != term[0]:
                query = re.sub(rf"(?<![\w-]){re.escape(word)}(?![\w-])", self._written[usual],
                               query)
        return query

    def scores(self, terms: list[str], groups: dict[str, list[str]]) -> np.ndarray:
        """BM25 scores of every passage, each name group counted as one term."""
        import numpy as np

        plain = [t for t in terms if t not in groups]
        total = self.model.get_scores(plain) if plain else np.zeros(len(self.texts))
        for term, spellings in groups.items():
            rows = [self.model.get_scores([t]) for t in [term, *spellings]]
            holds = np.stack(rows) > 0
            union = _idf(int(holds.any(axis=0).sum()), len(self.texts))
            # A term's BM25 score is its IDF times its frequency part: swap in the group's IDF.
            weighted = [row * (union / _idf(int(h.sum()), len(self.texts)))
                        for row, h in zip(rows, holds, strict=True) if h.any()]
            if weighted:
                total = total + np.max(np.stack(weighted), axis=0)
        return total

    def _vocabulary(self) -> VariantIndex:
        with self._lock:  # built on the first question with a name: ~0.3 s at 34,000 terms
            if self._index is None:
                self._index = VariantIndex(str(t) for t in self.model.vocab_dict if t)
            return self._index

    def _frequency(self, term: str) -> int:
        """How many passages hold the term."""
        return int((self.model.get_scores([term]) > 0).sum())

    def _written_as_name(self, term: str) -> bool:
        """The passages that hold the term write it capitalised, never in lower case."""
        if term not in self._is_name:
            rows = self.model.get_scores([term]).nonzero()[0]
            forms = Counter(w for i in rows[:50] for w in _TOKEN.findall(self.texts[i])
                            if w[0].lower() == term[0] and stem([w.lower()])[0] == term)
            self._is_name[term] = bool(forms) and all(w[0].isupper() for w in forms)
            if forms:
                self._written[term] = forms.most_common(1)[0][0]
        return self._is_name[term]


def _idf(df: int, n: int) -> float:
    """BM25's IDF as bm25s computes it by default (Lucene's)."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))
