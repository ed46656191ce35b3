"""Two `newsdesk eval` runs side by side (`newsdesk compare BEFORE AFTER`).

Each pass of a change is judged by running `eval` before and after it. The headline
metrics alone hide two things: which questions moved (a gain of 0.01 can be five
questions won and four lost), and whether the move is more than noise. So this reads the
two output folders (`results.jsonl`, `metrics.json`) and gives

- every numeric metric both runs report, before, after and the change;
- per question, paired by id over the questions both runs asked: answers that became
  right or wrong (answerable questions), refusals that started or stopped (of questions
  that have an answer, and of those that have none), short answers that became exact or
  stopped being, each with the exact two-sided McNemar p-value of the two counts (the
  chance of a split at least this lopsided if each changed question were a coin toss);
- the same counts within each question type (the question file's `type`), when there
  are several;
- the changed questions themselves, with what each said before and after.

It reads only the two folders: no model, no index. Questions asked by one run only are
counted and named, not paired; a question whose text differs between the runs is paired
by id and flagged.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from newsdesk.errors import EvalOutputError
from newsdesk.evaluation.markdown import cell, table
from newsdesk.evaluation.records import NO_EVIDENCE

RESULTS, METRICS = "results.jsonl", "metrics.json"
_SHOWN_CHANGES = 40  # changed questions listed in the text report (all are in --json)


@dataclass(frozen=True)
class Run:
    """One `eval` output folder: its metrics and its per-question lines by id."""

    folder: Path
    metrics: dict[str, Any]
    lines: dict[str, dict[str, Any]]


@dataclass(frozen=True)
class Paired:
    """One yes/no measure over the questions both runs asked: how many turned to yes
    (`gained`), to no (`lost`), and the exact McNemar p-value of that split."""

    measure: str
    questions: int  # paired questions the measure applies to
    before: int  # of them, yes before
    after: int  # ... and after
    gained: int
    lost: int
    p_value: float


@dataclass(frozen=True)
class Change:
    """A question whose outcome differs between the runs."""

    id: str
    question: str
    measures: list[str]  # e.g. ["answer: wrong -> right", "short: not exact -> exact"]
    short_before: str
    short_after: str
    loss_before: str | None  # `short_loss` of each run (None: no gold answer)
    loss_after: str | None


@dataclass(frozen=True)
class Comparison:
    before: str
    after: str
    setup: dict[str, list[Any]]  # what each run was: questions file, generator, reader
    paired_questions: int
    only_before: list[str]
    only_after: list[str]
    text_changed: list[str]  # ids whose question text differs between the runs
    metrics: list[tuple[str, float, float]]  # name, before, after
    paired: list[Paired]
    changes: list[Change] = field(default_factory=list)
    # The same paired measures within each question type ("single", "followup", ...).
    paired_by_type: dict[str, list[Paired]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["metrics"] = [{"metric": m, "before": b, "after": a, "change": _delta(b, a)}
                           for m, b, a in self.metrics]
        return data


def load_run(folder: Path) -> Run:
    """Read an `eval` output folder; EvalOutputError names the folder and what is wrong."""
    folder = Path(folder)
    if not folder.is_dir():
        raise EvalOutputError(f"{folder}: no such folder (give two `newsdesk eval --out` "
                              "folders)")
    try:
        metrics = json.loads((folder / METRICS).read_text(encoding="utf-8"))
        raw = (folder / RESULTS).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise EvalOutputError(f"{folder}: cannot read an eval run ({exc.strerror}: "
                              f"{Path(exc.filename or folder).name})") from None
    except ValueError as exc:
        raise EvalOutputError(f"{folder / METRICS}: not JSON ({exc})") from None
    if not isinstance(metrics, dict):
        raise EvalOutputError(f"{folder / METRICS}: not a metrics object")
    lines: dict[str, dict[str, Any]] = {}
    for n, text in enumerate(raw, start=1):
        if not text.strip():
            continue
        try:
            line = json.loads(text)
        except ValueError as exc:
            raise EvalOutputError(f"{folder / RESULTS}, line {n}: not JSON ({exc})") from None
        if not isinstance(line, dict) or not str(line.get("id") or ""):
            raise EvalOutputError(f"{folder / RESULTS}, line {n}: no question id")
        qid = str(line["id"])
        if qid in lines:
            raise EvalOutputError(f"{folder / RESULTS}, line {n}: question id {qid!r} twice")
        lines[qid] = line
    return Run(folder, metrics, lines)


def mcnemar(gained: int, lost: int) -> float:
    """Exact two-sided McNemar p-value: of the questions that changed, the chance that a
    fair coin splits them at least this unevenly (1.0 when none changed)."""
    n = gained + lost
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, k) for k in range(min(gained, lost) + 1)) / 2**n
    return min(1.0, 2 * tail)


def _numeric(metrics: dict[str, Any]) -> dict[str, float]:
    """The top-level numbers of metrics.json, each stage's latency p50 and p95, and the
    short-loss counts."""
    out = {k: float(v) for k, v in metrics.items()
           if isinstance(v, int | float) and not isinstance(v, bool)}
    for stage, row in (metrics.get("latency_ms") or {}).items():
        if isinstance(row, dict):
            out |= {f"latency_ms.{stage}.{k}": float(row[k]) for k in ("p50", "p95")
                    if isinstance(row.get(k), int | float)}
    losses = metrics.get("short_losses")
    if isinstance(losses, dict):
        out |= {f"short_losses.{k}": float(v) for k, v in losses.items()
                if isinstance(v, int | float) and not isinstance(v, bool)}
    return out


def _delta(before: float, after: float) -> float:
    return round(after - before, 6)


def _short(line: dict[str, Any]) -> str:
    short = line.get("short_answer")
    return str(short.get("text") or "") if isinstance(short, dict) else ""


def _answerable(line: dict[str, Any]) -> bool:
    """The question has an answer the articles state: the line's `answerable`, or, in a
    run written before lines carried it, gold answers and a type other than no-evidence
    (`EvalQuestion.answerable`)."""
    if "answerable" in line:
        return bool(line["answerable"])
    return bool(line.get("answers")) and line.get("type") != NO_EVIDENCE


def _has_gold(line: dict[str, Any]) -> bool:
    """The question has a gold answer: its short answer was scored (None otherwise)."""
    return line.get("short_em") is not None


@dataclass(frozen=True)
class _Measure:
    """A yes/no outcome compared per question: its name, the questions it applies to (in
    both runs), its yes, and what a changed question's line says when it turned yes or no."""

    name: str
    applies: Callable[[dict[str, Any]], bool]
    yes: Callable[[dict[str, Any]], bool]
    turned_yes: str
    turned_no: str


_MEASURES = (
    _Measure("answer right (answerable)", _answerable, lambda x: bool(x.get("correct")),
             "answer: wrong -> right", "answer: right -> wrong"),
    _Measure("short answer exact (gold answer)", _has_gold, lambda x: bool(x.get("short_em")),
             "short: not exact -> exact", "short: exact -> not exact"),
    _Measure("refused (answerable)", _answerable, lambda x: bool(x.get("refused")),
             "refused", "answered"),
    _Measure("refused (unanswerable)", lambda x: not _answerable(x),
             lambda x: bool(x.get("refused")),
             "unanswerable: answered -> refused", "unanswerable: refused -> answered"),
)


def _paired(pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> list[Paired]:
    """Each of `_MEASURES` over `pairs` (before, after): counts and the McNemar p-value."""
    out = []
    for m in _MEASURES:
        both = [(b, a) for b, a in pairs if m.applies(b) and m.applies(a)]
        gained = sum(1 for b, a in both if not m.yes(b) and m.yes(a))
        lost = sum(1 for b, a in both if m.yes(b) and not m.yes(a))
        out.append(Paired(m.name, len(both), sum(1 for b, _ in both if m.yes(b)),
                          sum(1 for _, a in both if m.yes(a)), gained, lost,
                          round(mcnemar(gained, lost), 4)))
    return out


def _said(b: dict[str, Any], a: dict[str, Any]) -> list[str]:
    """What changed for one question: each measure that applies in both runs and flipped."""
    return [m.turned_yes if m.yes(a) else m.turned_no for m in _MEASURES
            if m.applies(b) and m.applies(a) and m.yes(b) != m.yes(a)]


def compare(before: Run, after: Run) -> Comparison:
    """What changed from `before` to `after`, question by question."""
    ids = [i for i in before.lines if i in after.lines]
    pairs = [(before.lines[i], after.lines[i]) for i in ids]
    old, new = _numeric(before.metrics), _numeric(after.metrics)
    paired = _paired(pairs)
    kinds = dict.fromkeys(str(a.get("type") or "") for _, a in pairs)
    by_type = {k: _paired([(b, a) for b, a in pairs if str(a.get("type") or "") == k])
               for k in kinds if k}
    changes = [Change(qid, str(a.get("question") or ""), said, _short(b), _short(a),
                      b.get("short_loss"), a.get("short_loss"))
               for qid, (b, a) in zip(ids, pairs, strict=True) if (said := _said(b, a))]
    keys = ("questions_file", "generator", "reader", "corpus")
    return Comparison(
        before=str(before.folder), after=str(after.folder),
        setup={k: [before.metrics.get(k), after.metrics.get(k)] for k in keys},
        paired_questions=len(ids),
        only_before=[i for i in before.lines if i not in after.lines],
        only_after=[i for i in after.lines if i not in before.lines],
        text_changed=[i for i, (b, a) in zip(ids, pairs, strict=True)
                      if b.get("question") != a.get("question")],
        metrics=[(m, old[m], new[m]) for m in old if m in new],
        paired=paired, changes=changes, paired_by_type=by_type)


def _number(x: float) -> str:
    return f"{x:g}" if x == int(x) and abs(x) >= 1 else f"{x:.4g}"


def render(c: Comparison) -> list[str]:
    """The comparison as plain-text lines (Markdown tables)."""
    out = [f"before: {c.before}", f"after:  {c.after}"]
    for key, (b, a) in c.setup.items():
        if b != a:
            out.append(f"  {key} differs: {b!r} -> {a!r}")
    out.append(f"{c.paired_questions} questions in both runs"
               + (f"; only before: {len(c.only_before)} ({', '.join(c.only_before[:10])})"
                  if c.only_before else "")
               + (f"; only after: {len(c.only_after)} ({', '.join(c.only_after[:10])})"
                  if c.only_after else ""))
    if c.text_changed:
        out.append(f"question text differs for {len(c.text_changed)}: "
                   + ", ".join(c.text_changed[:10]))
    moved = [(m, _number(b), _number(a), f"{_delta(b, a):+.4g}")
             for m, b, a in c.metrics if _delta(b, a)]
    out += ["", *table(("metric", "before", "after", "change"),
                       moved or [("(every metric is the same)", "", "", "")])]
    out += ["", *table(("per question (paired)", "of", "before", "after", "gained", "lost",
                        "p (McNemar)"),
                       [(p.measure, *map(str, (p.questions, p.before, p.after, p.gained,
                                               p.lost)), f"{p.p_value:.3g}")
                        for p in c.paired])]
    if len(c.paired_by_type) > 1:
        header = ("question type", *(f"{p.measure}: gained / lost" for p in c.paired))
        by_type = [(cell(kind, 40),
                    *(f"{p.gained} / {p.lost}" if p.questions else "–" for p in rows))
                   for kind, rows in c.paired_by_type.items()]
        out += ["", *table(header, by_type)]
    out += ["", f"{len(c.changes)} questions changed"
            + (f" (the first {_SHOWN_CHANGES} below; --json lists all)"
               if len(c.changes) > _SHOWN_CHANGES else "") + (":" if c.changes else ".")]
    for ch in c.changes[:_SHOWN_CHANGES]:
        short = (f'; short "{ch.short_before}" -> "{ch.short_after}"'
                 if ch.short_before != ch.short_after else "")
        out.append(f"- {ch.id}: {', '.join(ch.measures)}{short}  ({_clip(ch.question)})")
    return out


def _clip(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
