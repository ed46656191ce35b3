"""What an evaluation writes: results.jsonl lines, metrics.json, report.md and report.png."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from dataclasses import asdict, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsdesk.answer.extractive import GENERATE_STAGES
from newsdesk.evaluation.markdown import cell, table
from newsdesk.evaluation.records import (
    RANK_DEPTH,
    SHORT_LOSSES,
    ChanceBin,
    CurvePoint,
    Evidence,
    Metrics,
    QuestionResult,
    Rates,
)

if TYPE_CHECKING:
    from newsdesk.answer.extractive import ExtractiveGenerator
    from newsdesk.types import Passage

STAGES = ("rewrite", "retrieve", "generate", "total")
# generate's parts, in the order the generator names them ("read": the opt-in reader's);
# the latency table lists them right after generate, marked as its parts.
PARTS = (*GENERATE_STAGES, "read")
CURVE_GRID = tuple(round(0.05 * i, 2) for i in range(17))  # refusal thresholds 0.00 … 0.80
_CHART = (("accuracy", "accuracy"), ("hit_at_5", "Hit@5"), ("mrr_at_10", "MRR@10"),
          ("citation_recall", "citation recall"), ("refusal_rate", "refusal (unanswerable)"))


def best_evidence(gen: ExtractiveGenerator, question: str, passages: list[Passage],
                  as_of: str = "") -> Evidence | None:
    """Re-score as the generator did (it caches its scores) and keep the best sentence."""
    day = dt.date.fromisoformat(as_of) if as_of else None
    scored = gen.score(question, passages, day)
    if not scored:
        return None
    best = scored[0]
    # Its own refusal rule with the threshold out of the way: the curve sweeps that offline.
    gate_open = gen.on_topic(question, passages) and gen.answers(replace(best, confidence=math.inf))
    return Evidence(best.confidence, best.lexical, best.semantic, float(best.typed), gate_open,
                    best.sentence.passage.source, best.sentence.text)


# -- metrics ----------------------------------------------------------------------------
def _mean(values: Sequence[float | bool]) -> float | None:
    return round(sum(values) / len(values), 4) if values else None


def rates(results: Sequence[QuestionResult]) -> Rates:
    """The headline metrics of these results."""
    answerable = [r for r in results if r.question.answerable]
    unanswerable = [r for r in results if not r.question.answerable]
    ranked = [r.scores for r in results if r.question.sources]
    cited = sum(len(s.cited) for s in ranked)
    citations = sum(len(r.answer.citations) for r in results)
    invalid = sum(len(r.scores.invalid_quotes) for r in results)
    return Rates(
        questions=len(results), answerable=len(answerable), unanswerable=len(unanswerable),
        errors=sum(r.scores.errored for r in results), with_sources=len(ranked),
        hit_at_1=_mean([s.hit_rank == 1 for s in ranked]),
        hit_at_5=_mean([s.hit_rank is not None and s.hit_rank <= 5 for s in ranked]),
        mrr_at_10=_mean([1 / s.hit_rank if s.hit_rank else 0.0 for s in ranked]),
        recall_at_5=_mean([s.recall_at_5 or 0.0 for s in ranked]),
        accuracy=_mean([bool(r.scores.correct) for r in answerable]),
        f1=_mean([r.scores.f1 or 0.0 for r in answerable]),
        citation_precision=round(sum(s.cited_gold for s in ranked) / cited, 4) if cited else None,
        citation_recall=_mean([r.scores.cited_gold > 0 for r in answerable if r.question.sources]),
        citations=citations, invalid_quotes=invalid,
        quote_validity=round((citations - invalid) / citations, 4) if citations else None,
        refusal_rate=_mean([r.answer.refused for r in unanswerable]),
        false_refusal_rate=_mean([r.answer.refused for r in answerable]),
        **_short_rates(results),
        short_losses=short_losses(results),
        **_model_rates(results),
    )


def _gauged(results: Sequence[QuestionResult]) -> list[tuple[float | None, bool, float]]:
    """Each short answer given with a chance: its exact match (None without a gold
    answer), whether it is shown as uncertain, and its chance."""
    return [(r.scores.short_em, short.uncertain(), short.probability) for r in results
            if (short := r.answer.short_answer) is not None and short.probability is not None
            and not r.answer.refused]


def chance_bins(results: Sequence[QuestionResult]) -> list[ChanceBin]:
    """The short answers with a chance and a gold answer, by quarter of their chance: a
    reliability table of the calibration (`ShortModel.chance`); [] when none has both."""
    scored = [(p, em) for em, _, p in _gauged(results) if em is not None]
    if not scored:
        return []
    quarters: list[list[tuple[float, float]]] = [[], [], [], []]
    for p, em in scored:
        quarters[min(int(p * 4), 3)].append((p, em))  # a chance of 1.0 joins the top one
    return [ChanceBin(k / 4, (k + 1) / 4, len(q), _mean([p for p, _ in q]),
                      _mean([em for _, em in q])) for k, q in enumerate(quarters)]


def _short_rates(results: Sequence[QuestionResult]) -> dict[str, float | None]:
    """Exact match and F1 of the short answers, over gold-answered and answerable
    questions; and how often a short answer shown plainly, or as uncertain, was right."""
    gold = [r.scores for r in results if r.scores.short_em is not None]
    answerable = [r.scores for r in results
                  if r.question.answerable and r.scores.short_em is not None]
    gauged = _gauged(results)
    scored = [(p, em) for em, _, p in gauged if em is not None]

    def right(uncertain: bool) -> float | None:
        return _mean([bool(em) for em, u, _ in gauged if u == uncertain and em is not None])

    return {"short_exact_match": _mean([s.short_em or 0.0 for s in gold]),
            "short_f1": _mean([s.short_f1 or 0.0 for s in gold]),
            "short_exact_match_answerable": _mean([s.short_em or 0.0 for s in answerable]),
            "short_f1_answerable": _mean([s.short_f1 or 0.0 for s in answerable]),
            "short_uncertain_share": _mean([u for _, u, _ in gauged]),
            "short_exact_match_sure": right(False),
            "short_exact_match_uncertain": right(True),
            "short_chance_mean": _mean([p for p, _ in scored]),
            "short_chance_brier": _mean([(p - em) ** 2 for p, em in scored])}


def short_losses(results: Sequence[QuestionResult]) -> dict[str, int] | None:
    """How many gold-answered questions stand where (`SHORT_LOSSES`, every key); None
    when none has a gold answer."""
    losses = [r.scores.short_loss for r in results if r.scores.short_loss is not None]
    if not losses:
        return None
    return {key: losses.count(key) for key in SHORT_LOSSES}


def _model_rates(results: Sequence[QuestionResult]) -> dict[str, float | None]:
    """How much of what a language model wrote survived verification."""
    written = [r.answer for r in results
               if not r.scores.errored and r.answer.generator != "extractive"]
    kept = sum(a.kept_sentences for a in written if not a.generator.startswith("extractive"))
    dropped = sum(a.dropped_sentences for a in written)
    fallback = [a.generator.startswith("extractive") for a in written]
    return {"dropped_sentence_rate": round(dropped / (kept + dropped), 4) if kept + dropped
            else None, "fallback_rate": _mean(fallback)}


def latency(results: Sequence[QuestionResult]) -> dict[str, dict[str, float]]:
    """p50/p95/max milliseconds of each stage in `Answer.timings` (linear interpolation),
    and `n`, the answers that timed it (a stage that did not run is not timed: the
    reader skips the questions its gate leaves unread, a refusal has no short answer)."""
    import numpy as np

    timed = [r.answer.timings for r in results if not r.scores.errored]
    out = {}
    known = (*STAGES[:-1], *PARTS, STAGES[-1])
    for stage in (*known, *sorted({k for t in timed for k in t} - set(known))):
        if ms := [t[stage] * 1000 for t in timed if stage in t]:
            p50, p95, top = (round(float(v), 1) for v in np.percentile(ms, [50, 95, 100]))
            out[stage] = {"n": len(ms), "p50": p50, "p95": p95, "max": top}
    return out


def refusal_curve(results: Sequence[QuestionResult],
                  threshold: float) -> tuple[list[CurvePoint], int]:
    """Refusal rates across thresholds replayed from each question's best evidence, and how
    many questions the replay gets wrong at the configured threshold (0: it is faithful)."""
    scored = [r for r in results if not r.scores.errored]

    def refused(r: QuestionResult, t: float) -> bool:
        return r.evidence is None or not r.evidence.gate_open or r.evidence.score < t

    points = [CurvePoint(t, _mean([refused(r, t) for r in scored if not r.question.answerable]),
                         _mean([refused(r, t) for r in scored if r.question.answerable]))
              for t in sorted({*CURVE_GRID, threshold})]
    return points, sum(refused(r, threshold) != r.answer.refused for r in scored)


def summarize(results: Sequence[QuestionResult], generator: str, questions_file: str,
              corpus: str, threshold: float, seconds: float, reader: str = "") -> Metrics:
    """All metrics of an evaluation run; the refusal curve only for the extractive generator."""
    types = dict.fromkeys(r.question.type for r in results)
    curve, mismatches = (refusal_curve(results, threshold) if generator == "extractive"
                         else ([], None))
    return Metrics(rates(results), {t: rates([r for r in results if r.question.type == t])
                                    for t in types}, latency(results), generator, questions_file,
                   corpus, round(seconds, 2), threshold, curve, mismatches, reader,
                   chance_bins(results))


# -- results.jsonl ----------------------------------------------------------------------
def result_line(r: QuestionResult) -> dict[str, Any]:
    """One results.jsonl line: the question's fields, the Answer's fields, then the scores."""
    q, rank = r.question, r.scores.hit_rank
    ranked = {"hit_at_1": rank == 1, "hit_at_5": rank is not None and rank <= 5,
              "reciprocal_rank": 1 / rank if rank else 0.0} if q.sources else {}
    # `type` as the loader read it, also for a file that leaves it out (`newsdesk compare`
    # counts changes per type).
    return {**q.fields, "id": q.id, "type": q.type, **r.answer.to_dict(), **asdict(r.scores),
            **ranked,
            "answerable": q.answerable, "failure": r.failure(),
            "evidence": asdict(r.evidence) if r.evidence else None}


# -- report.md --------------------------------------------------------------------------
def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def headline(m: Metrics) -> list[str]:
    """The headline metrics as a markdown table (report.md and the terminal)."""
    o = m.overall
    ranked, answerable = f"{o.with_sources} with sources", f"{o.answerable} answerable"
    rows = [("Hit@1", o.hit_at_1, ranked), ("Hit@5", o.hit_at_5, ranked),
            ("MRR@10", o.mrr_at_10, ranked), ("Recall@5", o.recall_at_5, ranked),
            ("answer accuracy", o.accuracy, answerable), ("token F1", o.f1, answerable),
            ("citation precision", o.citation_precision, "cited files"),
            ("citation recall", o.citation_recall, answerable),
            ("quote validity", o.quote_validity, f"{o.citations} citations"),
            ("refusal rate", o.refusal_rate, f"{o.unanswerable} unanswerable"),
            ("false-refusal rate", o.false_refusal_rate, answerable),
            ("short answer exact match", o.short_exact_match, "with a gold answer"),
            ("short answer F1", o.short_f1, "with a gold answer"),
            ("short answer exact match", o.short_exact_match_answerable, answerable),
            ("short answer F1", o.short_f1_answerable, answerable)]
    if o.short_uncertain_share is not None:
        rows += [("short answers shown as uncertain", o.short_uncertain_share,
                  "short answers given"),
                 ("short answer exact match, shown plainly", o.short_exact_match_sure,
                  "those with a gold answer"),
                 ("short answer exact match, shown as uncertain",
                  o.short_exact_match_uncertain, "those with a gold answer"),
                 ("short answer chance, mean", o.short_chance_mean,
                  "those with a gold answer"),
                 ("short answer chance, Brier score", o.short_chance_brier,
                  "those with a gold answer")]
    if o.dropped_sentence_rate is not None or o.fallback_rate is not None:
        rows += [("model sentences dropped by verification", o.dropped_sentence_rate,
                  "sentences the model wrote"),
                 ("answers that fell back to extractive", o.fallback_rate, "model answers")]
    return table(("metric", "value", "over"), [(n, _fmt(v), w) for n, v, w in rows])


def _sections(m: Metrics, chart: str) -> list[str]:
    lat = [(f"… {s}" if s in PARTS else s, f"{v.get('n', '')}",
            *(f"{v[k]:.1f}" for k in ("p50", "p95", "max"))) for s, v in m.latency_ms.items()]
    by_type = [(t, str(r.questions), *map(_fmt, (
        r.accuracy, r.f1, r.hit_at_5, r.mrr_at_10, r.citation_recall, r.refusal_rate,
        r.false_refusal_rate))) for t, r in m.by_type.items()]
    curve = [(f"**{p.threshold:.2f}** (configured)" if p.threshold == m.threshold
              else f"{p.threshold:.2f}", _fmt(p.refusal_rate), _fmt(p.false_refusal_rate))
             for p in m.curve]
    bins = [(f"{b.low:.2f}–{b.high:.2f}", str(b.answers), _fmt(b.mean_chance),
             _fmt(b.exact_match)) for b in m.short_chance_bins]
    lost = m.overall.short_losses or {}
    gold = sum(lost.values())
    losses = [(SHORT_LOSSES[k], str(n), _fmt(n / gold)) for k, n in lost.items()]
    return [
        "## Latency (ms, models loaded)", "", *table(("stage", "n", "p50", "p95", "max"), lat), "",
        *(["## Where short answers are lost", "",
           f"Each of the {gold} questions with a gold answer, by the first that applies "
           f"(ranked passages: the best {RANK_DEPTH} retrieval gives).", "",
           *table(("short answer", "questions", "share"), losses), ""]
          if lost else []),
        *(["## How sure: short answers by their chance", "",
           "Short answers with a chance and a gold answer; below 0.50 they are shown as "
           "uncertain. Where the chance means what it says, its mean and the exact match "
           "agree.", "",
           *table(("chance", "short answers", "mean chance", "exact match"), bins), ""]
          if bins else []),
        "## By question type", "",
        *table(("type", "n", "accuracy", "F1", "Hit@5", "MRR@10", "citation recall",
                "refusal", "false refusal"), by_type),
        "", f"![per-type metrics]({chart})", "",
        "## Refusal trade-off", "",
        *([f"Replayed from each question's best sentence; {m.curve_mismatches} question(s) "
           "differ from the real run at the configured threshold.", "",
           *table(("threshold", "refusal rate (unanswerable)", "false-refusal rate"), curve)]
          if m.curve else [f"Only for the extractive generator (this run: {m.generator})."]),
    ]


def report_lines(m: Metrics, results: Sequence[QuestionResult], chart: str) -> list[str]:
    """report.md, line by line."""
    from newsdesk import __version__

    failed = [(cell(r.question.id, 40), r.question.type, cell(r.question.question),
               cell(" / ".join(r.question.answers) or "a refusal", 80),
               "(refused)" if r.answer.refused and not r.scores.errored
               else cell(r.answer.answer), cell(r.failure(), 80))
              for r in results if r.failure()]
    return [
        "# newsdesk evaluation", "",
        f"- questions: `{m.questions_file}` ({m.overall.questions}, {m.overall.errors} errors)",
        f"- corpus: `{m.corpus}`", f"- generator: {m.generator}"
        + (f" (short answers with the reader {m.reader})" if m.reader else ""),
        f"- run: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, newsdesk {__version__}, "
        f"{m.seconds:.1f} s", "", *headline(m), "", *_sections(m, chart), "",
        f"## Failures ({len(failed)})", "",
        *(table(("id", "type", "question", "expected", "got", "why"), failed) if failed
          else ["None."]),
    ]


# -- report.png -------------------------------------------------------------------------
def draw_chart(m: Metrics, path: Path) -> None:
    """Per-type metrics as grouped bars, beside the refusal trade-off curve and the short
    answers' reliability (`chance_bins`) when there are those."""
    chart(m).savefig(path, dpi=110)


def chart(m: Metrics) -> Any:
    """report.png's figure (a matplotlib Figure on the Agg canvas)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    pts = [(p.false_refusal_rate, p.refusal_rate, p.threshold) for p in m.curve
           if p.false_refusal_rate is not None and p.refusal_rate is not None]
    bins = [b for b in m.short_chance_bins if b.answers]
    panels = 1 + bool(pts) + bool(bins)
    fig = Figure(figsize=(6.5 + 5.5 * (panels - 1), 4.2))
    FigureCanvasAgg(fig)  # Agg, without pyplot's global state
    axes = fig.subplots(1, panels, squeeze=False)[0]
    types, width = list(m.by_type), 0.8 / len(_CHART)
    for i, (key, label) in enumerate(_CHART):
        bars = [(j + (i - (len(_CHART) - 1) / 2) * width, getattr(m.by_type[t], key))
                for j, t in enumerate(types)]
        axes[0].bar([x for x, v in bars if v is not None], [v for _, v in bars if v is not None],
                    width, label=label)
    axes[0].set_xticks(range(len(types)), [f"{t}\n(n={m.by_type[t].questions})" for t in types])
    axes[0].set(ylim=(0, 1.25), title=f"By question type ({m.generator})")
    axes[0].legend(fontsize=7, loc="upper center", ncol=3)
    if pts:  # needs answerable and unanswerable questions
        axes[1].plot([x for x, _, _ in pts], [y for _, y, _ in pts], "o-", ms=3,
                     label=f"thresholds {pts[0][2]:.2f} to {pts[-1][2]:.2f}")
        axes[1].plot(*next((x, y) for x, y, t in pts if t == m.threshold), "r*", ms=12,
                     label=f"configured: {m.threshold:.2f}")
        axes[1].legend(fontsize=7, loc="lower right")
        axes[1].set(xlim=(-0.02, 1.02), ylim=(-0.02, 1.05), title="Refusal trade-off by threshold",
                    xlabel="false-refusal rate (answerable)", ylabel="refusal rate (unanswerable)")
    if bins:  # short answers with a chance and a gold answer
        ax = axes[-1]
        ax.plot([0, 1], [0, 1], ":", color="grey", label="chance means what it says")
        ax.scatter([b.mean_chance for b in bins], [b.exact_match for b in bins],
                   s=[20 + 8 * b.answers for b in bins], zorder=3, label="short answers")
        for b in bins:
            ax.annotate(str(b.answers), (b.mean_chance or 0.0, b.exact_match or 0.0),
                        textcoords="offset points", xytext=(8, -4), fontsize=7)
        ax.axvline(0.5, color="grey", lw=0.6)
        ax.legend(fontsize=7, loc="upper left")
        ax.set(xlim=(0, 1), ylim=(-0.02, 1.05), title="How sure: short answers by their chance",
               xlabel="mean chance (below 0.5: shown as uncertain)", ylabel="exact match")
    fig.tight_layout()
    return fig


def write_all(m: Metrics, results: Sequence[QuestionResult], results_path: Path,
              metrics_path: Path, report_path: Path, chart_path: Path) -> None:
    """Write the four output files (report.md embeds the chart by its name, report.png)."""
    results_path.write_text("".join(json.dumps(result_line(r), ensure_ascii=False) + "\n"
                                    for r in results), encoding="utf-8")
    metrics_path.write_text(json.dumps(m.to_dict(), indent=2) + "\n", encoding="utf-8")
    draw_chart(m, chart_path)
    lines = report_lines(m, results, chart_path.name)
    report_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
