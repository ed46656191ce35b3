"""The values an evaluation passes between running, scoring and reporting.

`run` produces them and `report` writes them; both import this module, never each other.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from newsdesk.types import Answer, IngestReport, Turn

NO_EVIDENCE = "no-evidence"  # question type: the corpus has no page that states the answer
RANK_DEPTH = 10  # passages ranked per question: MRR@10
# Where a gold-answered question's short answer stands, first that applies (`short_loss`):
# it is exact; the question was refused (or rejected); the answer has no short answer; the
# short answer holds a gold answer in more words ("Sunday, October 17"); a cited quote
# holds a gold answer but another value was picked; a ranked passage holds one but no
# quote does; no ranked passage does (`RANK_DEPTH`). "Holds" is `run.contains_answer`'s
# match, so a pick in another spelling than the gold one's counts where that spelling is.
# Each names the part to improve: the refusal, the pick, the sentences chosen, retrieval.
SHORT_LOSSES = {
    "exact": "exact match",
    "refused": "refused (or rejected)",
    "no_short_answer": "answered without a short answer",
    "pick_holds_gold": "the short answer holds the gold one in more words",
    "quoted_not_picked": "a cited quote holds the gold answer, another value was picked",
    "ranked_not_quoted": "a ranked passage holds the gold answer, no cited quote does",
    "not_ranked": "no ranked passage holds the gold answer",
}


@dataclass(frozen=True)
class Rates:
    """The headline metrics over a set of questions (all, or one type); None: nothing to score."""

    questions: int
    answerable: int
    unanswerable: int
    errors: int  # questions newsdesk rejected (BadQuestion): scored as refusals
    with_sources: int
    hit_at_1: float | None  # over questions with sources
    hit_at_5: float | None
    mrr_at_10: float | None
    recall_at_5: float | None
    accuracy: float | None  # over answerable questions; refusals are wrong
    f1: float | None
    citation_precision: float | None  # cited files in sources / cited files, summed
    citation_recall: float | None  # answerable questions citing a gold file
    citations: int
    invalid_quotes: int
    quote_validity: float | None  # citations whose quote is the file's text at its offsets
    refusal_rate: float | None  # over unanswerable questions
    false_refusal_rate: float | None  # over answerable questions
    # The short answer, SQuAD-style, over every question with a gold answer (refusals
    # score 0, as RealTimeQA counts) and over the answerable ones.
    short_exact_match: float | None = None
    short_f1: float | None = None
    short_exact_match_answerable: float | None = None
    short_f1_answerable: float | None = None
    # How sure: the share of short answers shown as uncertain (`ShortAnswer.uncertain`),
    # and exact match among those given, shown plainly and shown as uncertain.
    short_uncertain_share: float | None = None
    short_exact_match_sure: float | None = None
    short_exact_match_uncertain: float | None = None
    # Whether the chance means what it says, over the short answers with a chance and a
    # gold answer: its mean (against their exact match) and its Brier score (the mean
    # squared gap between the chance and exact match, 0 at best; a constant chance at
    # the right rate r scores r(1 - r)).
    short_chance_mean: float | None = None
    short_chance_brier: float | None = None
    # How many gold-answered questions stand where (`SHORT_LOSSES`), every key present;
    # None without a gold answer.
    short_losses: dict[str, int] | None = None
    # Model generators only (None for extractive): the share of the model's sentences that
    # verification dropped, and of answers where it kept none and extractive answered.
    dropped_sentence_rate: float | None = None
    fallback_rate: float | None = None


@dataclass(frozen=True)
class CurvePoint:
    """Refusal rates had the extractive generator used this threshold."""

    threshold: float
    refusal_rate: float | None
    false_refusal_rate: float | None


@dataclass(frozen=True)
class ChanceBin:
    """Short answers (with a gold answer) whose chance lies in [low, high): how many, their
    mean chance and their exact match. Where the chance means what it says, the two agree."""

    low: float
    high: float
    answers: int
    mean_chance: float | None
    exact_match: float | None


@dataclass(frozen=True)
class Metrics:
    """Everything metrics.json holds; `curve_mismatches` is None when there is no curve."""

    overall: Rates
    by_type: dict[str, Rates]
    latency_ms: dict[str, dict[str, float]]  # stage -> n (answers timed), p50, p95, max
    generator: str
    questions_file: str
    corpus: str
    seconds: float
    threshold: float
    curve: list[CurvePoint]
    curve_mismatches: int | None  # questions whose replayed refusal differs from the real one
    reader: str = ""  # the opt-in short-answer reader's model file; "" when it is off
    short_chance_bins: list[ChanceBin] = field(default_factory=list)  # by quarter of chance

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        return {**data.pop("overall"), **data}


@dataclass(frozen=True)
class Evidence:
    """The extractive generator's best sentence for a question: what its refusal looks at."""

    score: float
    lexical: float
    semantic: float
    typed: float
    gate_open: bool  # would it answer with this sentence at some threshold?
    source: str
    sentence: str


@dataclass(frozen=True)
class EvalQuestion:
    """One line of a question file; `fields` is the whole line as read, unknown keys included."""

    id: str
    question: str
    answers: tuple[str, ...]
    sources: tuple[str, ...]
    type: str
    history: tuple[Turn, ...] = ()
    fields: dict[str, Any] = field(default_factory=dict)
    line: int = 0

    @property
    def answerable(self) -> bool:
        """The articles hold an answer. A `no-evidence` question keeps its quiz answer but
        no article states it, so it is scored like an unanswerable one: refusing is right."""
        return bool(self.answers) and self.type != NO_EVIDENCE


@dataclass(frozen=True)
class Scores:
    """How one answer fared; `None` where a score does not apply (no sources, unanswerable)."""

    correct: bool | None  # a refusal is never correct
    f1: float | None
    hit_rank: int | None  # 1-based rank of the first gold-file passage in the top RANK_DEPTH
    recall_at_5: float | None
    retrieved: list[str]  # files of the ranked passages, best first
    cited: list[str]  # distinct cited files
    cited_gold: int
    invalid_quotes: list[int]  # numbers of citations whose quote is not the file's text
    errored: bool = False
    # The short answer against the gold answers (None: the question has none); 0 if refused.
    short_em: float | None = None
    short_f1: float | None = None
    short_loss: str | None = None  # a `SHORT_LOSSES` key; None: no gold answer


@dataclass(frozen=True)
class QuestionResult:
    """A question, newsdesk's answer, its scores and (extractive only) its best evidence."""

    question: EvalQuestion
    answer: Answer
    scores: Scores
    evidence: Evidence | None = None

    def failure(self) -> str:
        """Why this result counts against newsdesk ('' when it does not)."""
        s, why = self.scores, []
        if s.errored:
            why.append(f"error: {self.answer.error}")
        elif self.question.answerable and not s.correct:
            why.append("refused" if self.answer.refused else "wrong answer")
        elif not self.question.answerable and not self.answer.refused:
            why.append("answered an unanswerable question")
        return "; ".join(why + ([f"invalid quotes {s.invalid_quotes}"] if s.invalid_quotes else []))


@dataclass(frozen=True)
class EvalResult:
    """What `evaluate` measured, and the files it wrote."""

    metrics: Metrics
    results: list[QuestionResult]
    results_path: Path
    metrics_path: Path
    report_path: Path
    chart_path: Path
    ingest: IngestReport | None = None
