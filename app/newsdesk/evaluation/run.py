"""Score newsdesk on a question file: retrieval, answers, citations, refusals and latency.

The file is the contract, one JSON object a line: {"id", "question", "answers", "sources",
"type", "history"}; unknown fields are carried into results.jsonl. No `answers`, or
`"type": "no-evidence"` (a quiz answer no article states): scored as unanswerable.
What `evaluate` writes (results.jsonl, metrics.json, report.md, report.png) is
`newsdesk.evaluation.report`.
"""

from __future__ import annotations

import json
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Collection, Sequence
from contextlib import redirect_stdout, suppress
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from newsdesk.answer.followup import as_turns
from newsdesk.assistant import POOL, Assistant
from newsdesk.errors import BadQuestion, QuestionFileError
from newsdesk.evaluation.records import (
    RANK_DEPTH,
    EvalQuestion,
    EvalResult,
    QuestionResult,
    Scores,
)
from newsdesk.evaluation.report import best_evidence, headline, summarize, write_all
from newsdesk.types import MARKER, Answer, Citation, Passage

if TYPE_CHECKING:
    import argparse

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "″": '"',
                         "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'"})
_TOKEN = re.compile(r"\w+")
_ARTICLES = frozenset({"a", "an", "the"})


# -- the question file ------------------------------------------------------------------
def load_questions(path: Path) -> list[EvalQuestion]:
    """Every question of a JSONL file; a bad file raises `QuestionFileError` naming the line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        why = "does not exist" if isinstance(exc, FileNotFoundError) else f"cannot be read: {exc}"
        raise QuestionFileError(f"question file {path} {why}") from None
    questions: list[EvalQuestion] = []
    first: dict[str, int] = {}
    # split("\n"), not splitlines(): JSON strings may hold a raw U+2028.
    for n, raw in enumerate(text.split("\n"), start=1):
        if raw.strip():
            q = parse_question(raw, n, f"{path}, line {n}")
            if q.id in first:
                raise QuestionFileError(f"{path}, line {n}: id {q.id!r} repeats line {first[q.id]}")
            first[q.id] = n
            questions.append(q)
    if not questions:
        raise QuestionFileError(f"question file {path} holds no questions")
    return questions


def parse_question(raw: str, line: int, where: str) -> EvalQuestion:
    """One question line; `where` ("FILE, line N") starts every error message."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise QuestionFileError(
            f"{where}: not valid JSON ({exc.msg}, column {exc.colno})") from None
    if not isinstance(data, dict):
        raise QuestionFileError(f"{where}: expected a JSON object, got {type(data).__name__}")
    if not isinstance(data.get("question"), str):
        raise QuestionFileError(f'{where}: "question" must be a string')
    answers = _strings(data, "answers", where)
    qtype = data.get("type", "answerable" if answers else "unanswerable")
    if not isinstance(qtype, str) or not qtype.strip() or (qtype == "unanswerable" and answers):
        raise QuestionFileError(f'{where}: "type" must be a non-empty string ("unanswerable" only '
                            'when "answers" is empty)')
    qid = data.get("id", f"line-{line}")
    if isinstance(qid, bool) or not isinstance(qid, str | int) or not str(qid).strip():
        raise QuestionFileError(f'{where}: "id" must be a non-empty string or a number')
    history = data.get("history") or []
    if not isinstance(history, list) or not all(isinstance(t, dict) for t in history):
        raise QuestionFileError(f'{where}: "history" must be a list of {{"question", "answer"}}')
    sources = tuple(PurePosixPath(s).as_posix() for s in _strings(data, "sources", where))
    return EvalQuestion(str(qid), data["question"], answers, sources, qtype,
                        tuple(as_turns(history)), data, line)


def _strings(data: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise QuestionFileError(f'{where}: "{key}" must be a list of non-empty strings')
    return tuple(value)


def check_sources(questions: Sequence[EvalQuestion], corpus: Path, path: Path) -> None:
    """Fail early when a question's gold file is not in the corpus (wrong --corpus?)."""
    for q in questions:
        for source in q.sources:
            if not (corpus / source).is_file():
                raise QuestionFileError(
                    f"{path}, line {q.line}: source {source!r} is not a file in "
                    f"the corpus {corpus} (wrong --corpus or --questions?)")


# -- metrics of one answer --------------------------------------------------------------
def normalize_answer(text: str) -> str:
    """Without `[n]` markers; NFKC, curly quotes straight, case-folded, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", MARKER.sub("", text)).translate(_QUOTES).casefold()
    return " ".join(text.split())


def contains_answer(text: str, answers: Sequence[str]) -> bool:
    """Does the normalized text contain any normalized gold answer?"""
    got = normalize_answer(text)
    return any(normalize_answer(a) in got for a in answers)


def token_f1(text: str, answers: Sequence[str]) -> float:
    """SQuAD token F1 (no punctuation, no articles) against the best gold answer."""
    def tokens(s: str) -> Counter[str]:
        return Counter(t for t in _TOKEN.findall(normalize_answer(s)) if t not in _ARTICLES)

    got, best = tokens(text), 0.0
    for want in map(tokens, answers):
        common = sum((got & want).values())
        if common:
            precision, recall = common / got.total(), common / want.total()
            best = max(best, 2 * precision * recall / (precision + recall))
    return best


def exact_match(text: str, answers: Sequence[str]) -> bool:
    """SQuAD exact match: equal to a gold answer once case, punctuation and articles go."""
    got = _squad_tokens(text)
    return bool(got) and any(got == _squad_tokens(a) for a in answers)


def _squad_tokens(text: str) -> list[str]:
    return [t for t in _TOKEN.findall(normalize_answer(text)) if t not in _ARTICLES]


def hit_rank(passages: Sequence[Passage], sources: Collection[str]) -> int | None:
    """1-based rank of the first passage from a gold file within RANK_DEPTH; None if none."""
    return next((i for i, p in enumerate(passages[:RANK_DEPTH], 1) if p.source in sources), None)


class QuoteChecker:
    """Re-reads cited files as a user would, independently of newsdesk's own check."""

    def __init__(self, corpus: Path):
        self.root = corpus.resolve()
        self._texts: dict[str, str | None] = {}

    def valid(self, c: Citation) -> bool:
        """`open(corpus/source, encoding="utf-8").read()[start:end] == quote`, quote non-empty."""
        if c.source not in self._texts:
            path, self._texts[c.source] = (self.root / c.source).resolve(), None
            if path.is_relative_to(self.root):
                with suppress(OSError, UnicodeDecodeError), open(path, encoding="utf-8") as fh:
                    self._texts[c.source] = fh.read()
        text = self._texts[c.source]
        return (text is not None and bool(c.quote.strip()) and 0 <= c.start <= c.end <= len(text)
                and text[c.start:c.end] == c.quote)


def score_answer(q: EvalQuestion, answer: Answer, ranked: Sequence[Passage],
                 quotes: QuoteChecker, errored: bool = False) -> Scores:
    """Score one answer, given the passages retrieval ranked for it (none: an error, all miss)."""
    cited = sorted({c.source for c in answer.citations})
    short = answer.short_answer.text if answer.short_answer and not errored else ""
    answered, gold = not (answer.refused or errored), set(q.sources)
    return Scores(
        correct=(answered and contains_answer(answer.answer, q.answers)) if q.answerable else None,
        f1=(token_f1(answer.answer, q.answers) if answered else 0.0) if q.answerable else None,
        hit_rank=hit_rank(ranked, gold),
        recall_at_5=len(gold & {p.source for p in ranked[:5]}) / len(gold) if gold else None,
        retrieved=[p.source for p in ranked], cited=cited, cited_gold=len(gold.intersection(cited)),
        invalid_quotes=[c.n for c in answer.citations if not quotes.valid(c)], errored=errored,
        # RealTimeQA's count: every question with a gold answer, a refusal scoring 0.
        short_em=(float(exact_match(short, q.answers)) if short else 0.0) if q.answers else None,
        short_f1=(token_f1(short, q.answers) if short else 0.0) if q.answers else None,
        short_loss=short_loss(q, answer, ranked, errored) if q.answers else None,
    )


def short_loss(q: EvalQuestion, answer: Answer, ranked: Sequence[Passage],
               errored: bool = False) -> str:
    """Where a gold-answered question's short answer stands (a `SHORT_LOSSES` key, first
    that applies): what it would take to make it exact."""
    short = answer.short_answer.text if answer.short_answer else ""
    if errored or answer.refused:
        return "refused"
    if short and exact_match(short, q.answers):
        return "exact"
    if not short:
        return "no_short_answer"
    if contains_answer(short, q.answers):
        return "pick_holds_gold"
    if contains_answer(" ".join(c.quote for c in answer.citations), q.answers):
        return "quoted_not_picked"
    if contains_answer(" ".join(p.text for p in ranked), q.answers):
        return "ranked_not_quoted"
    return "not_ranked"


# -- running ----------------------------------------------------------------------------
def run_question(assistant: Assistant, q: EvalQuestion, generator: str,
                 quotes: QuoteChecker, as_of: str | None = None) -> QuestionResult:
    """Ask one question as of its `question_date` (else `as_of`, else today) and score the
    answer; a `BadQuestion` is recorded, not raised."""
    day = str(q.fields.get("question_date") or as_of or "") or None
    try:
        answer = assistant.ask(q.question, list(q.history), generator=generator, as_of=day)
    except BadQuestion as exc:
        answer = Answer(q.question, "", True, [], [], generator, error=str(exc))
        return QuestionResult(q, answer, score_answer(q, answer, [], quotes, errored=True))
    # The standalone question the assistant searched with, so ranks match its passages.
    standalone = answer.standalone_question or answer.question
    ranked = assistant.search(standalone, RANK_DEPTH, answer.as_of)
    evidence = None
    if generator == "extractive":
        pool = assistant.retriever().search_pool(standalone, POOL)
        evidence = best_evidence(assistant.extractive(), standalone, pool, answer.as_of)
    return QuestionResult(q, answer, score_answer(q, answer, ranked, quotes), evidence)


def evaluate(assistant: Assistant, questions_path: Path, out_dir: Path,
             generator: str | None = None, progress: bool = False,
             as_of: str | None = None) -> EvalResult:
    """Answer and score every question; write results.jsonl, metrics.json, report.md/.png."""
    from tqdm import tqdm

    questions = load_questions(questions_path)
    corpus, name = assistant.settings.corpus, generator or assistant.settings.generator
    check_sources(questions, corpus, questions_path)
    ingest = assistant.ensure_index(progress=progress)
    # Load the models and the BM25 index now, so that no question's latency is a load time.
    assistant.generator(name)
    assistant.retriever().search("warm up", 1)
    reader = assistant.extractive().reader
    if reader is not None:  # the reader's model too
        reader.read("warm up", ["warm up"])
    quotes, started = QuoteChecker(corpus), time.perf_counter()
    bar = tqdm(questions, desc="eval", unit="q", file=sys.stderr, disable=not progress)
    results = [run_question(assistant, q, name, quotes, as_of) for q in bar]
    metrics = summarize(results, generator=name, questions_file=str(questions_path),
                        corpus=str(corpus), threshold=assistant.extractive().threshold,
                        seconds=time.perf_counter() - started,
                        reader=reader.model if reader else "")
    out_dir.mkdir(parents=True, exist_ok=True)
    result = EvalResult(metrics, results, out_dir / "results.jsonl", out_dir / "metrics.json",
                        out_dir / "report.md", out_dir / "report.png", ingest)
    write_all(metrics, results, result.results_path, result.metrics_path, result.report_path,
              result.chart_path)
    return result


def run_cli(assistant: Assistant, args: argparse.Namespace) -> int:
    """`newsdesk eval`: evaluate, then print the headline table (or only metrics.json)."""
    questions = args.questions or assistant.settings.corpus / "questions.jsonl"
    # With --json, stdout carries metrics.json alone: stray library prints go to stderr.
    with redirect_stdout(sys.stderr):
        result = evaluate(assistant, questions, args.out, progress=True, as_of=args.as_of)
        if result.ingest is not None:
            print(result.ingest.summary())
    if args.json:
        print(json.dumps(result.metrics.to_dict(), indent=2))
    else:
        print("\n".join(headline(result.metrics)))
        print(f"\nwrote results.jsonl, metrics.json, report.md, report.png in {args.out}")
    return 0
