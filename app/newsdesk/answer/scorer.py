"""The learned answer scorer: the probability that a sentence states the answer.

A logistic regression over evidence features (meaning, shared words, the asked kind of
answer, the article's date against the question's, how many articles repeat the same
name or number, ...). The weights are fitted on the RealTimeQA train split by
`scripts/fit_scorer.py` (seeded) and shipped beside this module as `scorer.json`; the
refusal threshold is fitted with them. `features` is the one definition of each feature,
used by both the fitting script and `ExtractiveGenerator`.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsdesk.nlp.answer_types import entities

MODEL_FILE = Path(__file__).with_name("scorer.json")

# Order matters: it is the column order of the weight vector in scorer.json.
FEATURES = (
    "semantic",  # cosine of question and sentence (or the sentence read with the one before)
    "own_coverage",  # share of the question's concepts (IDF-weighted) the sentence states
    "window_coverage",  # ... the sentence with its neighbours and the article title
    "title_coverage",  # ... the article title alone
    "typed",  # holds a new thing of the asked kind (a date for when, a person for who)
    "untyped_question",  # the question asks for no particular kind of answer
    "conflict",  # names another year, edition or season than the question does
    "rank",  # log(1 + the passage's fused retrieval rank), 0 for the best
    "position",  # how far into the article the sentence starts (log characters / 10)
    "novel",  # states a name or number the question does not
    "support",  # share of the other retrieved articles that repeat its new name or number
    "age",  # log(1 + days from article date to question date), less the newest article's
    "undated",  # the article states no publication date
    "after",  # the article is dated after the question's date
    "recency_age",  # log(1 + days), for questions about now ("this week", "latest")
    "is_question",  # the sentence is itself a question
    "fragment",  # a snippet cut mid-sentence ("…")
    "length",  # log words in the sentence
    # The same measures against the question's best sentence (0 for the best): a sentence
    # is chosen among the others retrieved for the same question, so how it compares counts.
    "semantic_gap",
    "own_coverage_gap",
    "window_coverage_gap",
    "typed_gap",
    "support_gap",
)
_RELATIVE = ("semantic", "own_coverage", "window_coverage", "typed", "support")

# What the refusal looks at: the best sentence's absolute evidence (the gaps above are 0
# for it by definition), its score and its lead over the runner-up.
CONFIDENCE_FEATURES = (
    "top_logit", "margin", "semantic", "own_coverage", "window_coverage", "title_coverage",
    "typed", "support", "conflict", "recency_age", "rank",
)


def confidence_row(rows: Sequence[Sequence[float]], logits: Sequence[float]) -> list[float]:
    """CONFIDENCE_FEATURES of a question, from its sentences' rows and logits."""
    order = sorted(range(len(logits)), key=lambda i: -logits[i])
    top = order[0]
    margin = logits[top] - logits[order[1]] if len(order) > 1 else 5.0
    named = dict(zip(FEATURES, rows[top], strict=True))
    return [logits[top], margin] + [named[n] for n in CONFIDENCE_FEATURES[2:]]


@dataclass(frozen=True)
class Linear:
    """sigmoid(bias + weights . (x - mean) / scale), fitted by scripts/fit_scorer.py."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    @classmethod
    def from_dict(cls, data: dict[str, Any], size: int, where: str) -> Linear:
        if {len(data[k]) for k in ("mean", "scale", "weights")} != {size}:
            raise ValueError(f"{where}: mean, scale and weights must have {size} values")
        return cls(tuple(data["mean"]), tuple(data["scale"]), tuple(data["weights"]),
                   float(data["bias"]))

    def logit(self, row: Sequence[float]) -> float:
        return self.bias + sum(w * (x - m) / s for w, x, m, s in
                               zip(self.weights, row, self.mean, self.scale, strict=True))

    def logits(self, rows: Sequence[Sequence[float]]) -> list[float]:
        """`logit` of each row, as one matrix product (a question has hundreds)."""
        import numpy as np

        if not rows:
            return []
        matrix = np.asarray(rows, dtype=np.float64)
        if matrix.shape[1] != len(self.weights):
            raise ValueError(f"rows of {matrix.shape[1]} values for {len(self.weights)} weights")
        scaled = (matrix - np.asarray(self.mean)) / np.asarray(self.scale)
        return (self.bias + scaled @ np.asarray(self.weights)).tolist()

    def to_dict(self) -> dict[str, Any]:
        return {"mean": list(self.mean), "scale": list(self.scale),
                "weights": list(self.weights), "bias": self.bias}


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

_RECENT = re.compile(
    r"\b(?:this|last|past)\s+(?:week|weekend|month|year)\b|\b(?:recent(?:ly)?|latest|newest|"
    r"currently|now|today|yesterday|new|announced|upcoming)\b",
    re.IGNORECASE,
)
_NUMBERISH = re.compile(r"\b\d[\d,.]*\b")


@dataclass(frozen=True)
class SentenceFacts:
    """What the generator measured about one sentence, before it becomes a feature row."""

    text: str
    source: str
    semantic: float
    own_coverage: float
    window_coverage: float
    title_coverage: float
    typed: float
    conflict: float
    rank: float
    start: int
    published: str


def asks_about_now(question: str) -> bool:
    """The question is about the present ("this week", "latest", "recently")."""
    return bool(_RECENT.search(question))


def novel_terms(sentence: str, question: str) -> set[str]:
    """Names (runs of capitalized words) and numbers of the sentence that the question
    does not contain: the candidate answers it states."""
    asked = question.lower()
    found = set(_NUMBERISH.findall(sentence)) | {" ".join(run) for run in entities(sentence)}
    return {t for t in found if t.lower() not in asked and len(t) > 1}


def support_shares(facts: Sequence[SentenceFacts], question: str,
                   texts: dict[str, str]) -> list[tuple[float, bool]]:
    """(support, novel) per sentence: the largest share of the other retrieved articles
    that contain one of its new names or numbers, and whether it has any."""
    sources = list(texts)
    out = []
    for f in facts:
        terms = novel_terms(f.text, question)
        others = [s for s in sources if s != f.source]
        if not terms or not others:
            out.append((0.0, bool(terms)))
            continue
        best = max(sum(t in texts[s] for s in others) for t in terms)
        out.append((best / len(others), True))
    return out


def age_days(published: str, as_of: dt.date | None) -> int | None:
    """Days from the article's date to the question's (negative: dated after it)."""
    if not published or as_of is None:
        return None
    try:
        return (as_of - dt.date.fromisoformat(published[:10])).days
    except ValueError:
        return None


def features(facts: Sequence[SentenceFacts], question: str, as_of: dt.date | None,
             texts: dict[str, str], untyped: bool) -> list[list[float]]:
    """One row of FEATURES per sentence. `texts` maps each retrieved source to the text
    retrieved from it (for `support`); `untyped`: the question asks for no kind of answer."""
    now = asks_about_now(question)
    rows: list[dict[str, float]] = []
    for f, (support, novel) in zip(facts, support_shares(facts, question, texts), strict=True):
        days = age_days(f.published, as_of)
        age = math.log1p(abs(days)) if days is not None else 0.0
        stripped = f.text.strip()
        row = {
            "semantic": f.semantic, "own_coverage": f.own_coverage,
            "window_coverage": f.window_coverage, "title_coverage": f.title_coverage,
            "typed": f.typed, "untyped_question": float(untyped), "conflict": f.conflict,
            "rank": f.rank,
            "position": math.log1p(f.start) / 10, "novel": float(novel), "support": support,
            "age": age, "undated": float(days is None), "after": float((days or 0) < 0),
            "recency_age": age if now else 0.0, "is_question": float(stripped.endswith("?")),
            "fragment": float(stripped.startswith(("...", "…"))
                              or stripped.endswith(("...", "…"))),
            "length": math.log1p(len(stripped.split())),
        }
        rows.append(row)
    # A corpus of old articles is no weaker evidence for a question about it: in general
    # only being older than the other retrieved articles counts; for a question about now
    # `recency_age` keeps the absolute age.
    newest = min((r["age"] for r in rows if not r["undated"]), default=0.0)
    for r in rows:
        r["age"] = 0.0 if r["undated"] else r["age"] - newest
    for name in _RELATIVE:
        best = max((r[name] for r in rows), default=0.0)
        for r in rows:
            r[f"{name}_gap"] = r[name] - best
    return [[r[name] for name in FEATURES] for r in rows]


@dataclass(frozen=True)
class AnswerScorer:
    """Two fitted linear models: `sentence` ranks a question's sentences (its probability
    is that the sentence states the answer); `confidence` is the probability that the
    best one does, and below `threshold` newsdesk refuses."""

    sentence: Linear
    confidence: Linear
    threshold: float
    meta: dict[str, Any]

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> AnswerScorer:
        """The fitted model in `path`; it must name exactly today's features, in order."""
        data = json.loads(path.read_text(encoding="utf-8"))
        for key, names in (("features", FEATURES),
                           ("confidence_features", CONFIDENCE_FEATURES)):
            if tuple(data.get(key, ())) != names:
                raise ValueError(f"{path}: fitted on {key} {data.get(key)}, the code computes "
                                 f"{names}; refit with scripts/fit_scorer.py")
        return cls(Linear.from_dict(data, len(FEATURES), str(path)),
                   Linear.from_dict(data["confidence"], len(CONFIDENCE_FEATURES), str(path)),
                   float(data["threshold"]), dict(data.get("meta", {})))

    @property
    def features(self) -> tuple[str, ...]:
        return FEATURES

    def probability(self, row: Sequence[float]) -> float:
        """P(this sentence states the answer)."""
        return sigmoid(self.sentence.logit(row))

    def answer_confidence(self, rows: Sequence[Sequence[float]]) -> float:
        """P(the question's best sentence states the answer); 0 without sentences."""
        return self.score_rows(rows)[1]

    def score_rows(self, rows: Sequence[Sequence[float]]) -> tuple[list[float], float]:
        """Each sentence's probability and the question's confidence, each logit once."""
        if not rows:
            return [], 0.0
        logits = self.sentence.logits(rows)
        confidence = sigmoid(self.confidence.logit(confidence_row(rows, logits)))
        return [sigmoid(z) for z in logits], confidence
