"""`newsdesk eval`: the metric functions on hand-made answers, and a real run on the seed set."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import fields, replace
from pathlib import Path

import pytest

from newsdesk.errors import QuestionFileError
from newsdesk.evaluation.records import EvalQuestion, EvalResult, Evidence, QuestionResult
from newsdesk.evaluation.report import (
    chance_bins,
    chart,
    latency,
    rates,
    refusal_curve,
    report_lines,
    result_line,
    summarize,
    write_all,
)
from newsdesk.evaluation.run import (
    QuoteChecker,
    contains_answer,
    evaluate,
    exact_match,
    hit_rank,
    load_questions,
    normalize_answer,
    score_answer,
    token_f1,
)
from newsdesk.types import Answer, Citation, Passage, ShortAnswer
from tests.evaluation.thresholds import (
    SEED_MAXIMUMS,
    SEED_MINIMUMS,
    SEED_SHORT_MINIMUM,
    single_fact_shorts,
)
from tests.fakes import SEEDS, file_slice

ANSWER_FIELDS = {f.name for f in fields(Answer)}
ARTICLE_A = "Gen. Oleg Salyukov met Heidari in Moscow.\nThey spoke for an hour.\n"
ARTICLE_B = "The Ababil missile was shown at Patriot Park.\n"


# -- hand-made answers --------------------------------------------------------------------
def passages(*sources: str) -> list[Passage]:
    return [Passage(s, "text", 1.0 / (i + 1), 0, 4, chunk_id=f"{s}#{i}")
            for i, s in enumerate(sources)]


def cite(n: int, source: str, quote: str, start: int) -> Citation:
    return Citation(n, source, quote, start, start + len(quote))


def answer(text: str, *citations: Citation, refused: bool = False,
           timings: dict[str, float] | None = None) -> Answer:
    return Answer("q", text, refused, list(citations), [], "extractive", timings or {})


def question(qid: str, answers: tuple[str, ...] = (), sources: tuple[str, ...] = (),
             qtype: str = "single") -> EvalQuestion:
    return EvalQuestion(qid, f"question {qid}?", answers, sources, qtype)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text(ARTICLE_A, encoding="utf-8")
    (folder / "b.txt").write_text(ARTICLE_B, encoding="utf-8")
    (tmp_path / "outside.txt").write_text(ARTICLE_A, encoding="utf-8")
    return folder


def test_normalization_folds_case_space_width_quotes_and_markers() -> None:
    assert normalize_answer("  Oleg\n\tSALYUKOV [1][2, 3] ") == "oleg salyukov"
    assert normalize_answer("ＡＢＣ “Ababil” O’Brien") == 'abc "ababil" o\'brien'
    assert contains_answer("He met Gen. Oleg  Salyukov [1].", ["oleg salyukov"])
    assert contains_answer("the “Sayayd” system", ['"Sayayd"'])
    assert not contains_answer("He met Gerasimov.", ["Salyukov", "Shoigu"])


def test_token_f1_takes_the_best_gold_answer() -> None:
    assert token_f1("Patriot Park [1]", ["Patriot Park"]) == 1.0
    assert token_f1("the Patriot Park near Moscow", ["Kubinka", "Patriot Park"]) == pytest.approx(
        2 * (2 / 4) * 1.0 / (2 / 4 + 1.0))
    assert token_f1("nothing in common", ["Patriot Park"]) == 0.0
    assert token_f1("anything", []) == 0.0


def test_exact_match_is_squads() -> None:
    assert exact_match("The Patriot Park.", ["Patriot Park"])
    assert exact_match("giving  tuesday", ["Black Friday", "Giving Tuesday"])
    assert not exact_match("Patriot Park near Moscow", ["Patriot Park"])
    assert not exact_match("", ["Patriot Park"])
    assert not exact_match("the", ["a"])


def test_short_answers_score_over_every_gold_answered_question(corpus: Path) -> None:
    quotes = QuoteChecker(corpus)
    good = cite(1, "a.txt", "Gen. Oleg Salyukov met Heidari in Moscow.", 0)
    short = ShortAnswer("Oleg Salyukov", "a.txt", 5, 18, "name")
    cases = [
        (question("s1", ("Salyukov",), ("a.txt",)),
         Answer("q", "Gen. Oleg Salyukov met Heidari in Moscow. [1]", False, [good], [],
                "extractive", short_answer=short)),
        (question("s2", ("Oleg Salyukov",), ("a.txt",)),
         Answer("q", "Gen. Oleg Salyukov met Heidari in Moscow. [1]", False, [good], [],
                "extractive", short_answer=short)),
        (question("s3", ("Ababil",), ("b.txt",)), answer("No.", refused=True)),
        (question("n1", ("Kubinka",), (), qtype="no-evidence"), answer("No.", refused=True)),
        (question("u1", qtype="unanswerable"), answer("No.", refused=True)),
    ]
    results = [QuestionResult(q, a, score_answer(q, a, [], quotes)) for q, a in cases]
    assert [r.scores.short_em for r in results] == [0.0, 1.0, 0.0, 0.0, None]
    r = rates(results)
    # Four questions have a gold answer (the no-evidence one too: RealTimeQA counts it);
    # refusals score 0. Three of them are answerable.
    assert r.short_exact_match == 0.25
    assert r.short_exact_match_answerable == pytest.approx(
        1 / 3, abs=1e-4)
    assert r.short_f1 == pytest.approx((2 / 3 + 1) / 4, abs=1e-4)
    assert r.short_uncertain_share is None  # no short answer carries a chance
    assert r.short_chance_mean is None
    assert r.short_chance_brier is None


def test_each_gold_answered_question_says_where_its_short_answer_is_lost(
        corpus: Path, tmp_path: Path) -> None:
    """Exact, refused, no short answer, a pick holding the gold answer in more words, a
    cited quote holding it under another pick, a ranked passage holding it unquoted, or
    none holding it: the first that applies, counted in metrics.json and report.md."""
    quotes = QuoteChecker(corpus)
    met = cite(1, "a.txt", "Gen. Oleg Salyukov met Heidari in Moscow.", 0)
    body = "Gen. Oleg Salyukov met Heidari in Moscow. [1]"
    ranked = [Passage("b.txt", ARTICLE_B, 1.0, 0, len(ARTICLE_B))]

    def said(qid: str, gold: str, short: ShortAnswer | None, refused: bool = False,
             qtype: str = "single") -> tuple[EvalQuestion, Answer]:
        return (question(qid, (gold,), ("a.txt",), qtype),
                Answer("q", "" if refused else body, refused, [] if refused else [met], [],
                       "extractive", short_answer=short))

    name = ShortAnswer("Oleg Salyukov", "a.txt", 5, 18, "name")
    place = ShortAnswer("Moscow", "a.txt", 34, 40, "name")
    cases = [said("exact", "Moscow", place), said("wider", "Salyukov", name),
             said("other", "Heidari", name), said("ranked", "Patriot Park", name),
             said("none", "Kubinka", name), said("bare", "Moscow", None),
             said("refused", "Moscow", None, refused=True),
             said("gone", "Kubinka", None, refused=True, qtype="no-evidence"),
             (question("u1", qtype="unanswerable"), answer("No.", refused=True))]
    results = [QuestionResult(q, a, score_answer(q, a, ranked, quotes)) for q, a in cases]
    assert [r.scores.short_loss for r in results] == [
        "exact", "pick_holds_gold", "quoted_not_picked", "ranked_not_quoted", "not_ranked",
        "no_short_answer", "refused", "refused", None]
    r = rates(results)
    assert r.short_losses == {"exact": 1, "refused": 2, "no_short_answer": 1,
                              "pick_holds_gold": 1, "quoted_not_picked": 1,
                              "ranked_not_quoted": 1, "not_ranked": 1}
    assert rates(results[-1:]).short_losses is None  # no gold answer: nothing to lose
    bad = Answer("q", "", True, [], [], "extractive", error="empty")
    assert score_answer(question("x", ("Moscow",)), bad, [], quotes,
                        errored=True).short_loss == "refused"  # rejected: counted so
    metrics = summarize(results, "extractive", "q.jsonl", "c", 0.35, 1.0)
    out = [tmp_path / name for name in ("r.jsonl", "m.json", "report.md", "chart.png")]
    write_all(metrics, results, *out)
    assert json.loads(out[1].read_text(encoding="utf-8"))["short_losses"]["refused"] == 2
    assert [json.loads(line)["short_loss"] for line in
            out[0].read_text(encoding="utf-8").splitlines()][:2] == ["exact", "pick_holds_gold"]
    report = out[2].read_text(encoding="utf-8")
    assert "Each of the 8 questions with a gold answer" in report
    assert "| refused (or rejected) | 2 | 0.250 |" in report
    assert "| no ranked passage holds the gold answer | 1 | 0.125 |" in report


def test_short_answers_shown_as_uncertain_are_scored_apart(corpus: Path) -> None:
    """How sure: exact match among short answers shown plainly and among those shown as
    uncertain (below an even chance), over the answers that carry a chance."""
    quotes = QuoteChecker(corpus)
    good = cite(1, "a.txt", "Gen. Oleg Salyukov met Heidari in Moscow.", 0)

    def said(qid: str, gold: str, chance: float | None) -> tuple[EvalQuestion, Answer]:
        short = ShortAnswer("Oleg Salyukov", "a.txt", 5, 18, "name", probability=chance)
        return (question(qid, (gold,), ("a.txt",)),
                Answer("q", "Gen. Oleg Salyukov met Heidari in Moscow. [1]", False, [good],
                       [], "extractive", short_answer=short))

    cases = [said("a", "Oleg Salyukov", 0.8), said("b", "Heidari", 0.7),
             said("c", "Oleg Salyukov", 0.3), said("d", "Moscow", 0.2),
             said("e", "Moscow", 0.1), said("f", "Moscow", None)]
    results = [QuestionResult(q, a, score_answer(q, a, [], quotes)) for q, a in cases]
    r = rates(results)
    assert r.short_uncertain_share == 0.6
    assert r.short_exact_match_sure == 0.5
    assert r.short_exact_match_uncertain == pytest.approx(1 / 3, abs=1e-4)
    # The chance against what happened, over the five with a chance: right, wrong,
    # right, wrong, wrong.
    assert r.short_chance_mean == pytest.approx(0.42, abs=1e-4)
    assert r.short_chance_brier == pytest.approx(
        (0.2**2 + 0.7**2 + 0.7**2 + 0.2**2 + 0.1**2) / 5, abs=1e-4)
    # The reliability table: by quarter of chance, how many, their mean chance, how many
    # were right.
    bins = [(b.low, b.high, b.answers, b.mean_chance, b.exact_match)
            for b in chance_bins(results)]
    assert bins == [(0.0, 0.25, 2, 0.15, 0.0), (0.25, 0.5, 1, 0.3, 1.0),
                    (0.5, 0.75, 1, 0.7, 0.0), (0.75, 1.0, 1, 0.8, 1.0)]
    assert chance_bins(results[5:]) == []  # no chance given: no table
    metrics = summarize(results, "extractive", "q.jsonl", "c", 0.35, 1.0)
    report = "\n".join(report_lines(metrics, results, "chart.png"))
    assert "## How sure: short answers by their chance" in report
    assert "| 0.25–0.50 | 1 | 0.300 | 1.000 |" in report
    # report.png plots them (mean chance against exact match) beside the per-type bars.
    axes = chart(metrics).axes
    assert [a.get_title() for a in axes][-1] == "How sure: short answers by their chance"
    assert [tuple(x) for x in axes[-1].collections[0].get_offsets()] == [
        (0.15, 0.0), (0.3, 1.0), (0.7, 0.0), (0.8, 1.0)]


def test_hit_rank_is_the_first_gold_passage_within_ten() -> None:
    assert hit_rank(passages("x", "b.txt", "a.txt"), {"a.txt", "b.txt"}) == 2
    assert hit_rank(passages(*["x"] * 10, "a.txt"), {"a.txt"}) is None
    assert hit_rank(passages("a.txt"), set()) is None


def test_quote_checker_rereads_the_file(corpus: Path) -> None:
    check = QuoteChecker(corpus)
    assert check.valid(cite(1, "a.txt", "Gen. Oleg Salyukov met Heidari in Moscow.", 0))
    assert check.valid(cite(1, "a.txt", "They spoke for an hour.", 42))
    assert not check.valid(cite(1, "a.txt", "They spoke for an hour.", 41))  # off by one
    assert not check.valid(Citation(1, "a.txt", "", 3, 3))  # an empty quote proves nothing
    assert not check.valid(Citation(1, "a.txt", "x", -1, 0))
    assert not check.valid(cite(1, "missing.txt", "Gen.", 0))
    assert not check.valid(cite(1, "../outside.txt", "Gen.", 0))  # not in the corpus


def four_results(corpus: Path) -> list[QuestionResult]:
    """Two answerable questions (one right, one refused) and two unanswerable (one answered)."""
    quotes = QuoteChecker(corpus)
    good = cite(1, "a.txt", "Gen. Oleg Salyukov met Heidari in Moscow.", 0)
    bad = cite(1, "b.txt", "The Ababil missile was shown", 1)
    cases = [
        (question("s1", ("Salyukov",), ("a.txt",)), answer("Oleg Salyukov. [1]", good),
         passages("a.txt", "b.txt")),
        (question("s2", ("Ababil",), ("b.txt", "c.txt")), answer("No.", refused=True),
         passages("a.txt", "x", "c.txt")),
        (question("u1", qtype="unanswerable"), answer("No.", refused=True), passages("a.txt")),
        (question("u2", qtype="unanswerable"), answer("A missile. [1]", bad), passages("b.txt")),
    ]
    return [QuestionResult(q, a, score_answer(q, a, ranked, quotes)) for q, a, ranked in cases]


def test_rates_on_hand_made_answers(corpus: Path) -> None:
    r = rates(four_results(corpus))
    assert (r.questions, r.answerable, r.unanswerable, r.with_sources) == (4, 2, 2, 2)
    assert (r.hit_at_1, r.hit_at_5) == (0.5, 1.0)
    assert r.mrr_at_10 == pytest.approx((1 + 1 / 3) / 2, abs=1e-4)
    assert r.recall_at_5 == 0.75  # s1 found its one file, s2 one of two
    assert r.accuracy == 0.5  # the refusal counts as wrong
    assert r.citation_precision == 1.0  # on questions with sources: s1 cites its gold file
    assert r.citation_recall == 0.5
    assert (r.citations, r.invalid_quotes, r.quote_validity) == (2, 1, 0.5)
    assert (r.refusal_rate, r.false_refusal_rate) == (0.5, 0.5)


def test_model_answers_report_what_verification_dropped(corpus: Path) -> None:
    assert rates(four_results(corpus)).dropped_sentence_rate is None  # extractive only
    quotes = QuoteChecker(corpus)
    written = [("local", 2, 1), ("local", 1, 0), ("extractive (fallback: local kept no sentence)",
                                                  0, 3)]
    results = []
    for i, (gen, kept, dropped) in enumerate(written):
        q, a = question(f"m{i}"), answer("x")
        a = replace(a, generator=gen, kept_sentences=kept, dropped_sentences=dropped)
        results.append(QuestionResult(q, a, score_answer(q, a, [], quotes)))
    r = rates(results)
    assert r.dropped_sentence_rate == round(4 / 7, 4)  # 4 of the 7 sentences written
    assert r.fallback_rate == pytest.approx(1 / 3, abs=1e-4)


def test_result_lines_keep_every_answer_field_and_say_why(corpus: Path) -> None:
    lines = [result_line(r) for r in four_results(corpus)]
    assert [line["id"] for line in lines] == ["s1", "s2", "u1", "u2"]
    # the loader's type, though these questions came from no file
    assert [line["type"] for line in lines] == ["single", "single", "unanswerable",
                                                "unanswerable"]
    assert all(ANSWER_FIELDS <= line.keys() for line in lines)
    assert [line["failure"] for line in lines] == [
        "", "refused", "", "answered an unanswerable question; invalid quotes [1]"]
    assert (lines[0]["correct"], lines[0]["hit_rank"], lines[0]["reciprocal_rank"]) == (True, 1, 1)
    assert lines[2]["correct"] is None
    assert "hit_at_5" not in lines[2]
    json.dumps(lines)  # the whole line is JSON


def test_latency_percentiles_interpolate() -> None:
    """Over the answers that timed a stage: the reader's `read` is absent where it skipped."""
    def timings(i: int) -> dict[str, float]:
        return {"total": i / 1000, **({"read": i / 1000} if i % 4 == 0 else {})}

    results = [QuestionResult(question(str(i)), answer("x", timings=timings(i)),
                              score_answer(question(str(i)), answer("x"), [], QuoteChecker(SEEDS)))
               for i in range(1, 102)]
    assert latency(results)["total"] == {"n": 101, "p50": 51.0, "p95": 96.0, "max": 101.0}
    assert latency(results)["read"] == {"n": 25, "p50": 52.0, "p95": 95.2, "max": 100.0}


def test_generate_parts_follow_generate_and_are_shown_under_it() -> None:
    stages = {"total": 0.4, "parse": 0.05, "generate": 0.3, "short_answer": 0.1,
              "retrieve": 0.02, "score": 0.15, "sentence_vectors": 0.1, "rewrite": 0.001,
              "zzz": 0.01}
    results = [QuestionResult(question("1"), answer("x", timings=stages),
                              score_answer(question("1"), answer("x"), [], QuoteChecker(SEEDS)))]
    lat = latency(results)
    assert list(lat) == ["rewrite", "retrieve", "generate", "score", "sentence_vectors",
                         "short_answer", "parse", "total", "zzz"]
    assert lat["parse"]["p50"] == 50.0


def test_refusal_curve_replays_the_gate(corpus: Path) -> None:
    results = four_results(corpus)
    ev = [Evidence(0.6, 0.5, 0.6, 1.0, True, "a.txt", "s"), Evidence(0.3, 0.5, 0.3, 1.0, True,
                                                                   "b.txt", "s"),
          Evidence(0.9, 0.1, 0.9, 0.0, False, "a.txt", "s"), Evidence(0.4, 0.5, 0.4, 1.0, True,
                                                                    "b.txt", "s")]
    replayed = [QuestionResult(r.question, r.answer, r.scores, e) for r, e in zip(results, ev,
                                                                                   strict=True)]
    points, mismatches = refusal_curve(replayed, 0.35)
    assert mismatches == 0  # at 0.35: s1 answers, s2 refuses, u1 refuses, u2 answers
    at = {p.threshold: (p.refusal_rate, p.false_refusal_rate) for p in points}
    assert at[0.0] == (0.5, 0.0)
    assert at[0.35] == (0.5, 0.5)
    assert at[0.45] == (1.0, 0.5)
    assert at[0.8] == (1.0, 1.0)
    assert refusal_curve(replayed, 0.25)[1] == 1  # at 0.25 the replay would answer s2


def test_report_files_show_the_failures(corpus: Path, tmp_path: Path) -> None:
    results = four_results(corpus)
    metrics = summarize(results, "local", "q.jsonl", str(corpus), 0.35, 1.0)
    out = [tmp_path / name for name in ("r.jsonl", "m.json", "report.md", "chart.png")]
    write_all(metrics, results, *out)
    assert len(out[0].read_text(encoding="utf-8").splitlines()) == 4
    assert json.loads(out[1].read_text(encoding="utf-8"))["accuracy"] == 0.5
    report = out[2].read_text(encoding="utf-8")
    assert "![per-type metrics](chart.png)" in report
    assert "## Failures (2)" in report
    assert "| u2 | unanswerable |" in report
    assert "Only for the extractive generator" in report
    assert "## How sure" not in report  # no short answer carries a chance
    assert out[3].read_bytes().startswith(b"\x89PNG")
    assert len(chart(metrics).axes) == 1


# -- the question file --------------------------------------------------------------------
@pytest.mark.parametrize(("content", "problem"), [
    ('{"id": "a", "question": "Q?"}\n\n{"id": "b", "question": "Q?"\n', "line 3: not valid JSON"),
    ('["a list"]\n', "line 1: expected a JSON object"),
    ('{"id": "a"}\n', 'line 1: "question" must be a string'),
    ('{"id": "a", "question": "Q?", "answers": "Salyukov"}\n', '"answers" must be a list'),
    ('{"id": "a", "question": "Q?", "answers": [""]}\n', "non-empty strings"),
    ('{"id": "a", "question": "Q?", "answers": ["x"], "type": "unanswerable"}\n', '"type"'),
    ('{"id": "a", "question": "Q?", "history": "earlier"}\n', '"history" must be a list'),
    ('{"id": "a", "question": "Q?"}\n{"id": "a", "question": "R?"}\n', "line 2: id 'a' repeats"),
    ("\n\n", "holds no questions"),
])
def test_bad_question_files_name_file_and_line(tmp_path: Path, content: str,
                                               problem: str) -> None:
    path = tmp_path / "questions.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(QuestionFileError, match=re.escape(str(path))) as err:
        load_questions(path)
    assert problem in str(err.value)


def test_missing_question_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(QuestionFileError, match="does not exist"):
        load_questions(tmp_path / "nope.jsonl")


def test_question_lines_keep_unknown_fields(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text('\ufeff{"question": "Who?", "answers": ["X"], "sources": ["./a.txt"], '
                    '"history": [{"question": "Before?", "answer": "Yes."}], "extra": [1]}\n'
                    '{"id": 7, "question": "Why?", "type": "unanswerable"}\n', encoding="utf-8")
    first, second = load_questions(path)
    assert (first.id, first.type, first.sources, first.fields["extra"]) == (
        "line-1", "answerable", ("a.txt",), [1])
    assert first.history[0].question == "Before?"
    assert first.answerable
    assert (second.id, second.answerable) == ("7", False)


def test_cli_reports_a_missing_file_without_traceback(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    from newsdesk.cli.main import main

    code = main(["eval", "--questions", str(tmp_path / "nope.jsonl"), "--index",
                 str(tmp_path / "index"), "--out", str(tmp_path / "out")])
    captured = capsys.readouterr()
    assert code == 2
    assert "nope.jsonl does not exist" in captured.err
    assert "Traceback" not in captured.err
    assert not captured.out


# -- a real run on the seed set -----------------------------------------------------------
@pytest.fixture(scope="module")
def seed_eval(tmp_path_factory: pytest.TempPathFactory,
              seed_index: Path) -> tuple[EvalResult, list[dict]]:
    """The seed set evaluated once: real Chroma in a temp dir, the packaged model."""
    from newsdesk import Assistant

    tmp = tmp_path_factory.mktemp("eval")
    shutil.copytree(seed_index, tmp / "index")  # the session's seed index, not re-embedded
    lines = (SEEDS / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    lines[0] = json.dumps({**first, "reviewer": {"note": "carried", "n": [1, 2]}})
    (tmp / "questions.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assistant = Assistant.from_settings(corpus=SEEDS, index=tmp / "index", generator="extractive")
    result = evaluate(assistant, tmp / "questions.jsonl", tmp / "out")
    return result, [json.loads(line) for line in lines if line.strip()]


def test_seed_set_meets_the_thresholds(seed_eval: tuple[EvalResult, list[dict]]) -> None:
    metrics = seed_eval[0].metrics.to_dict()
    below = {k: (metrics[k], floor) for k, floor in SEED_MINIMUMS.items() if metrics[k] < floor}
    assert not below, f"below the minimum (got, minimum): {below}"
    above = {k: (metrics[k], top) for k, top in SEED_MAXIMUMS.items() if metrics[k] > top}
    assert not above, f"above the maximum (got, maximum): {above}"
    assert metrics["errors"] == 0
    assert metrics["curve_mismatches"] == 0


def test_seed_short_answers_name_the_expected_thing(
        seed_eval: tuple[EvalResult, list[dict]]) -> None:
    """Correctly answered single-fact seed questions whose short answer holds a gold
    answer ("General Oleg Salyukov" for "Salyukov").

    Issue 13 asks for every one of them; the fitted span model reaches 16 of 41
    (BENCHMARKS.md, "Short answers"), so this is a floor against regressions, not the
    target: raise it when the span model improves."""
    right, answered, misses = single_fact_shorts(seed_eval[0].results)
    assert answered
    assert right / answered >= SEED_SHORT_MINIMUM, f"misses: {misses}"


def test_seed_answers_name_their_reporting_articles_and_differ_only_on_values(
        seed_eval: tuple[EvalResult, list[dict]]) -> None:
    """Every article an answer counts quotes the value itself (verified in the file);
    no answer calls two spellings of one name ("Shoigu", "Shoygu") a disagreement; and
    the seeds' repeated reports make some answers corroborated by several articles."""
    from itertools import combinations

    from newsdesk.nlp.names import same_name

    several = 0
    for r in seed_eval[0].results:
        a = r.answer
        cited = {c.n: c for c in a.citations}
        reports = (a.corroboration.reports if a.corroboration else []) + a.conflicts
        for rep in reports:
            quote = cited[rep.n]
            assert quote.source == rep.source
            assert quote.start <= rep.start < rep.end <= quote.end
            assert file_slice(SEEDS, rep.source, rep.start, rep.end) == rep.text
        assert not any(same_name(x.text, y.text) for x, y in combinations(a.conflicts, 2))
        several += bool(a.corroboration and a.corroboration.articles >= 2)
    assert several >= 3


def test_results_have_one_line_per_question(seed_eval: tuple[EvalResult, list[dict]]) -> None:
    result, questions = seed_eval
    lines = [json.loads(x) for x in result.results_path.read_text(encoding="utf-8").splitlines()]
    assert [x["id"] for x in lines] == [q["id"] for q in questions]
    assert all(ANSWER_FIELDS <= x.keys() for x in lines)
    assert lines[0]["reviewer"] == {"note": "carried", "n": [1, 2]}
    assert all(x["type"] == q["type"] and x["answers"] == q["answers"]
               for x, q in zip(lines, questions, strict=True))
    for x in lines:  # every quote re-read from the file, as a user would check it
        for c in x["citations"]:
            with open(SEEDS / c["source"], encoding="utf-8") as fh:
                assert fh.read()[c["start"]:c["end"]] == c["quote"]


def test_report_and_chart_are_written(seed_eval: tuple[EvalResult, list[dict]]) -> None:
    result = seed_eval[0]
    assert json.loads(result.metrics_path.read_text(encoding="utf-8")) == json.loads(
        json.dumps(result.metrics.to_dict()))
    report = result.report_path.read_text(encoding="utf-8")
    assert "![per-type metrics](report.png)" in report
    assert "| followup |" in report
    # The refusal threshold is the one fitted with the shipped scorer.
    from newsdesk.answer.scorer import AnswerScorer

    assert f"**{AnswerScorer.load().threshold:.2f}** (configured)" in report
    assert result.chart_path.read_bytes().startswith(b"\x89PNG")
    assert set(result.metrics.latency_ms) >= {"rewrite", "retrieve", "generate", "total"}


def test_cli_json_is_metrics_alone_and_bad_questions_are_recorded(
        seed_eval: tuple[EvalResult, list[dict]], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    from newsdesk.cli.main import main

    index = seed_eval[0].results_path.parents[1] / "index"
    shutil.copytree(index, tmp_path / "index")  # a fresh Assistant, the same index
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"id": "ok", "question": "Who did Heidari meet in Moscow?", '
                         '"answers": ["Salyukov"], "sources": ["000_104daa5c5d77a251.txt"]}\n'
                         '{"id": "empty", "question": " \\u200b ", "answers": ["x"]}\n',
                         encoding="utf-8")
    code = main(["eval", "--corpus", str(SEEDS), "--index", str(tmp_path / "index"),
                 "--questions", str(questions), "--out", str(tmp_path / "out"), "--json"])
    captured = capsys.readouterr()
    assert code == 0
    metrics = json.loads(captured.out)  # stdout is metrics.json and nothing else
    assert (metrics["questions"], metrics["errors"], metrics["accuracy"]) == (2, 1, 0.5)
    lines = (tmp_path / "out" / "results.jsonl").read_text(encoding="utf-8").splitlines()
    empty = json.loads(lines[1])
    assert empty["errored"]
    assert empty["refused"]
    assert "empty" in empty["error"]


def test_compare_reads_a_real_run(seed_eval: tuple[EvalResult, list[dict]],
                                  capsys: pytest.CaptureFixture[str]) -> None:
    """`newsdesk compare` on the seed run's own folder, against itself: every question
    paired, nothing changed, and its paired counts agree with the run's metrics."""
    from newsdesk.cli.main import main

    result, lines = seed_eval
    out = result.results_path.parent
    assert main(["compare", str(out), str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["paired_questions"], data["changes"]) == (len(lines), [])
    assert {"accuracy", "short_exact_match", "latency_ms.generate.p50",
            "short_losses.exact"} <= {m["metric"] for m in data["metrics"]}
    paired = {p["measure"]: p for p in data["paired"]}
    m = result.metrics.to_dict()
    right = paired["answer right (answerable)"]
    assert right["questions"] == m["answerable"]
    assert right["before"] == round(m["accuracy"] * m["answerable"])
    exact = paired["short answer exact (gold answer)"]
    assert exact["before"] == m["short_losses"]["exact"]
