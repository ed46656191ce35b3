"""Fast reading: a vector only for the sentences that can win.

Embedding every sentence of the passage pool (~65 a question, ~0.45 s on two cores) was
nearly all of an extractive answer's time. The learned scorer first ranks the sentences on
everything but their meaning (shared words, the asked kind of answer, passage rank, dates,
support: about a millisecond); only the best `sentences` of them get a vector. Each other
sentence counts as meaning no more than the least of those: the scorer is linear and its
meaning terms weigh the same for every sentence, so each unmeasured sentence scores at
most as high as some measured one, and the best sentence is always a measured one.

How many is fitted on RealTimeQA train by `scripts/fit_budget.py` (the smallest budget
whose answers match reading every sentence on enough training questions) and shipped
beside this module as `budget.json`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BUDGET_FILE = Path(__file__).with_name("budget.json")


@dataclass(frozen=True)
class SentenceBudget:
    """How many distinct sentences a question embeds (0: every one), and how it was fitted."""

    sentences: int
    meta: dict[str, Any]

    @classmethod
    def load(cls, path: Path = BUDGET_FILE) -> SentenceBudget:
        data = json.loads(path.read_text(encoding="utf-8"))
        sentences = data.get("sentences")
        if not isinstance(sentences, int) or sentences < 0:
            raise ValueError(f"{path}: 'sentences' must be a whole number ≥ 0, not "
                             f"{sentences!r}; refit with scripts/fit_budget.py")
        return cls(sentences, dict(data.get("meta", {})))


def pick(texts: Sequence[str], prior: Sequence[float], budget: int) -> list[str]:
    """The distinct texts of the best `budget` sentences by `prior` (earlier wins a tie);
    every text when `budget` is 0 or covers them all."""
    distinct = list(dict.fromkeys(texts))
    if budget <= 0 or len(distinct) <= budget:
        return distinct
    best: dict[str, float] = {}
    for text, value in zip(texts, prior, strict=True):
        best[text] = max(value, best.get(text, value))
    order = sorted(range(len(distinct)), key=lambda i: (-best[distinct[i]], i))
    return [distinct[i] for i in order[:budget]]
