"""Concurrent chat sessions against a real `newsdesk chat` server, through gradio_client.

A benchmark more than a timed test: it asserts no errors and verified citations, and
prints p50/p95 latency and questions per minute (`pytest -s` shows them).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.fakes import ROOT

if importlib.util.find_spec("newsdesk.web.app") is None:
    pytest.skip("the web chat (newsdesk.web.app) does not exist yet", allow_module_level=True)


def load_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("load_bench", ROOT / "scripts" / "load_bench.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["load_bench"] = module  # dataclasses look their module up while executing
    spec.loader.exec_module(module)
    return module


def run_sessions(server: Any, sessions: int, per_session: int) -> dict[str, Any]:
    bench = load_bench()
    questions = bench.load_questions(server.corpus, None)
    summary = bench.run(server.url, sessions, per_session, server.corpus, questions)
    print(json.dumps({k: v for k, v in summary.items() if k != "results"}))
    problems = [r for r in summary["results"] if r["error"] or r["bad_citations"]]
    assert summary["questions"] == sessions * per_session
    assert summary["errors"] == 0, problems
    assert summary["bad_citations"] == 0, problems
    # Every session got real answers, so the check above had citations to verify.
    sessions_answered = {r["session"] for r in summary["results"] if r["citations"]}
    assert sessions_answered == set(range(sessions)), summary["results"]
    return summary


def test_three_concurrent_sessions(chat_server: Any) -> None:
    run_sessions(chat_server, sessions=3, per_session=4)


@pytest.mark.slow
def test_twenty_five_concurrent_sessions(chat_server: Any) -> None:
    run_sessions(chat_server, sessions=25, per_session=4)


def test_the_citation_check_catches_a_wrong_quote(tmp_path: Path) -> None:
    """The benchmark's verdict means something: a footnote off by one character fails."""
    from newsdesk.types import Answer, Citation
    from newsdesk.web.render import answer_html

    (tmp_path / "a.txt").write_text("Alpha beta gamma. Delta epsilon.", encoding="utf-8")
    good = Citation(1, "a.txt", "Delta epsilon.", 18, 32)
    bad = Citation(2, "a.txt", "Alpha beta gamma", 1, 17)
    answer = Answer("q", "Delta epsilon. [1] Alpha [2]", False, [good, bad], [], "extractive")
    message = {"role": "assistant", "content": answer_html(answer, lambda s, a, b: f"x:{a}:{b}")}
    error, count, wrong = load_bench().check_answer(tmp_path, message)
    assert (error, count) == ("", 2)
    assert len(wrong) == 1
    assert "Alpha beta gamma" in wrong[0]
