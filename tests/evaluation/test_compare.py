"""`newsdesk compare`: two eval output folders side by side, written by the eval's own writer."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from newsdesk.errors import EvalOutputError
from newsdesk.evaluation.compare import compare, load_run, mcnemar, render
from newsdesk.evaluation.records import QuestionResult
from newsdesk.evaluation.report import summarize, write_all
from newsdesk.evaluation.run import QuoteChecker, score_answer
from newsdesk.types import ShortAnswer
from tests.evaluation.test_run import answer, cite, corpus, four_results, passages, question

__all__ = ["corpus"]  # the fixture, used by name


def write_run(folder: Path, results: list[QuestionResult], corpus: Path,
              reader: str = "") -> Path:
    """An eval output folder as `newsdesk eval` writes it."""
    folder.mkdir()
    metrics = summarize(results, "extractive", "q.jsonl", str(corpus), 0.35, 1.0, reader)
    write_all(metrics, results, folder / "results.jsonl", folder / "metrics.json",
              folder / "report.md", folder / "report.png")
    return folder


def after_results(corpus: Path) -> list[QuestionResult]:
    """four_results changed: s1 now refused (right -> wrong), s2 answered right with an
    exact short answer (wrong -> right), u2 now refused, u1 dropped and n1 new."""
    quotes = QuoteChecker(corpus)
    before = {r.question.id: r for r in four_results(corpus)}
    shown = cite(1, "b.txt", "The Ababil missile was shown at Patriot Park.", 0)
    s2 = replace(answer("The Ababil missile was shown at Patriot Park. [1]", shown),
                 short_answer=ShortAnswer("Ababil", "b.txt", 4, 10, "name"))
    cases = [
        (before["s1"].question, answer("No.", refused=True), passages("a.txt")),
        (before["s2"].question, s2, passages("b.txt")),
        (before["u2"].question, answer("No.", refused=True), passages("b.txt")),
        (question("n1", ("Moscow",), ("a.txt",)), answer("No.", refused=True),
         passages("a.txt")),
    ]
    return [QuestionResult(q, a, score_answer(q, a, ranked, quotes)) for q, a, ranked in cases]


def test_paired_changes_are_counted_per_question(corpus: Path, tmp_path: Path) -> None:
    before = write_run(tmp_path / "before", four_results(corpus), corpus)
    after = write_run(tmp_path / "after", after_results(corpus), corpus, reader="m.gguf")
    c = compare(load_run(before), load_run(after))
    assert c.paired_questions == 3
    assert (c.only_before, c.only_after, c.text_changed) == (["u1"], ["n1"], [])
    assert c.setup["reader"] == ["", "m.gguf"]
    paired = {p.measure: (p.questions, p.before, p.after, p.gained, p.lost) for p in c.paired}
    assert paired == {
        "answer right (answerable)": (2, 1, 1, 1, 1),
        "short answer exact (gold answer)": (2, 0, 1, 1, 0),
        "refused (answerable)": (2, 1, 1, 1, 1),
        "refused (unanswerable)": (1, 0, 1, 1, 0),
    }
    assert list(c.paired_by_type) == ["single", "unanswerable"]
    by_type = {k: {p.measure: (p.questions, p.gained, p.lost) for p in rows}
               for k, rows in c.paired_by_type.items()}
    assert by_type["single"]["answer right (answerable)"] == (2, 1, 1)
    assert by_type["unanswerable"]["refused (unanswerable)"] == (1, 1, 0)
    assert by_type["unanswerable"]["answer right (answerable)"] == (0, 0, 0)
    changed = {ch.id: ch.measures for ch in c.changes}
    assert changed == {
        "s1": ["answer: right -> wrong", "refused"],
        "s2": ["answer: wrong -> right", "short: not exact -> exact", "answered"],
        "u2": ["unanswerable: answered -> refused"],
    }
    s2 = next(ch for ch in c.changes if ch.id == "s2")
    assert (s2.short_before, s2.short_after) == ("", "Ababil")
    assert (s2.loss_before, s2.loss_after) == ("refused", "exact")
    metrics = {m: (b, a) for m, b, a in c.metrics}
    assert metrics["questions"] == (4.0, 4.0)
    assert metrics["short_losses.exact"] == (0.0, 1.0)
    assert "latency_ms.total.p50" not in metrics  # the hand-made answers timed nothing


def test_the_report_names_every_change_and_the_json_keeps_the_numbers(
        corpus: Path, tmp_path: Path) -> None:
    before = write_run(tmp_path / "before", four_results(corpus), corpus)
    after = write_run(tmp_path / "after", after_results(corpus), corpus)
    c = compare(load_run(before), load_run(after))
    text = "\n".join(render(c))
    assert "3 questions in both runs; only before: 1 (u1); only after: 1 (n1)" in text
    assert "| short answer exact (gold answer) | 2 | 0 | 1 | 1 | 0 | 1 |" in text
    assert '- s2: answer: wrong -> right, short: not exact -> exact, answered; short "" -> ' \
           '"Ababil"' in text
    assert "3 questions changed:" in text
    assert "| single | 1 / 1 | 1 / 0 | 1 / 1 | – |" in text  # per type: s1, s2 paired
    assert "| unanswerable | – | – | – | 1 / 0 |" in text
    data = json.loads(json.dumps(c.to_dict()))
    row = next(m for m in data["metrics"] if m["metric"] == "short_exact_match")
    assert (row["before"], row["after"], row["change"]) == (0.0, 0.3333, 0.3333)  # s2 of 3
    assert len(data["changes"]) == 3


def test_a_run_against_itself_changes_nothing(corpus: Path, tmp_path: Path) -> None:
    run = write_run(tmp_path / "run", four_results(corpus), corpus)
    c = compare(load_run(run), load_run(run))
    assert (c.changes, c.only_before, c.only_after) == ([], [], [])
    assert all(p.gained == p.lost == 0 and p.p_value == 1.0 for p in c.paired)
    text = "\n".join(render(c))
    assert "| (every metric is the same) |  |  |  |" in text
    assert "0 questions changed." in text


@pytest.mark.parametrize(("gained", "lost", "p"), [
    (0, 0, 1.0), (4, 0, 0.125), (0, 10, 2 / 1024), (5, 4, 1.0), (1, 1, 1.0),
    (8, 2, 2 * (1 + 10 + 45) / 1024),
])
def test_mcnemar_is_the_exact_two_sided_binomial(gained: int, lost: int, p: float) -> None:
    assert mcnemar(gained, lost) == pytest.approx(p)


def test_bad_folders_are_named_with_what_is_wrong(corpus: Path, tmp_path: Path) -> None:
    with pytest.raises(EvalOutputError, match="no such folder"):
        load_run(tmp_path / "nope")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(EvalOutputError, match=r"empty: cannot read an eval run .*metrics.json"):
        load_run(empty)
    run = write_run(tmp_path / "run", four_results(corpus), corpus)
    lines = (run / "results.jsonl").read_text(encoding="utf-8").splitlines()
    (run / "results.jsonl").write_text("\n".join([*lines, lines[0]]), encoding="utf-8")
    with pytest.raises(EvalOutputError, match="line 5: question id 's1' twice"):
        load_run(run)
    (run / "results.jsonl").write_text(lines[0] + "\n{oops\n", encoding="utf-8")
    with pytest.raises(EvalOutputError, match="results.jsonl, line 2: not JSON"):
        load_run(run)
    (run / "metrics.json").write_text("[1]", encoding="utf-8")
    with pytest.raises(EvalOutputError, match="metrics.json: not a metrics object"):
        load_run(run)


def test_cli_prints_the_comparison_and_names_a_bad_folder(
        corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from newsdesk.cli.main import main

    before = write_run(tmp_path / "before", four_results(corpus), corpus)
    after = write_run(tmp_path / "after", after_results(corpus), corpus)
    assert main(["compare", str(before), str(after)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"before: {before}\nafter:  {after}\n")
    assert "- u2: unanswerable: answered -> refused" in out
    assert main(["compare", str(before), str(after), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["paired_questions"] == 3
    code = main(["compare", str(before), str(tmp_path / "missing")])
    captured = capsys.readouterr()
    assert code == 2
    assert "missing: no such folder" in captured.err
    assert "Traceback" not in captured.err


def test_cli_compares_without_loading_the_assistant_or_models(corpus: Path,
                                                              tmp_path: Path) -> None:
    """A fresh interpreter: comparing reads two folders, so the ~10 s stack stays unloaded."""
    run = write_run(tmp_path / "run", four_results(corpus), corpus)
    probe = ("import sys; from newsdesk.cli.main import main; "
             f"code = main(['compare', {str(run)!r}, {str(run)!r}]); "
             "print(code, sorted(m for m in ('torch', 'chromadb', 'gradio', "
             "'llama_index', 'sentence_transformers', 'onnxruntime') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout.strip().splitlines()[-1] == "0 []"


def test_lines_without_answerable_are_read_by_their_answers_and_type(
        corpus: Path, tmp_path: Path) -> None:
    """A run written before result lines said `answerable`: it is worked out as the
    question file's loader does (gold answers, not no-evidence)."""
    before = write_run(tmp_path / "before", four_results(corpus), corpus)
    after = write_run(tmp_path / "after", after_results(corpus), corpus)
    gold = {"s1": ["Salyukov"], "s2": ["Ababil"], "u2": ["a missile"]}
    kind = {"u2": "no-evidence"}
    for run in (before, after):
        lines = [json.loads(x) for x in (run / "results.jsonl").read_text().splitlines()]
        for line in lines:
            del line["answerable"]
            line["answers"] = gold.get(line["id"], [])
            line["type"] = kind.get(line["id"], "single")
        (run / "results.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    c = compare(load_run(before), load_run(after))
    paired = {p.measure: (p.questions, p.gained, p.lost) for p in c.paired}
    assert paired["answer right (answerable)"] == (2, 1, 1)  # s1, s2
    assert paired["refused (unanswerable)"] == (1, 1, 0)  # u2, no-evidence
    assert {ch.id: ch.measures[0] for ch in c.changes}["u2"] == "unanswerable: answered -> refused"
