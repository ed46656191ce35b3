"""The web chat's handlers on a scripted assistant: sessions, errors, article references."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsdesk.errors import BadQuestion
from newsdesk.settings import load_settings
from newsdesk.types import Turn
from newsdesk.web.chat import (
    SEED_EXAMPLES,
    Articles,
    ChatSession,
    WebChat,
    article_id,
    available_generators,
    example_questions,
)
from tests.fakes import (
    TALKS_ARTICLE,
    TALKS_SOURCE,
    ScriptedAssistant,
    gerasimov_answer,
    span,
)
from tests.webserver import audit


def test_articles_resolve_only_the_references_they_issued(corpus: Path) -> None:
    articles = Articles(ScriptedAssistant(corpus))  # type: ignore[arg-type]
    articles.refresh()
    ref = articles.ref(TALKS_SOURCE, 3, 9)
    assert ref is not None
    assert TALKS_SOURCE not in ref
    assert articles.resolve(ref) == (TALKS_SOURCE, 3, 9)
    assert articles.ref("other.txt", 0, 1) is None
    for bad in ("../../etc/passwd:0:4", f"{TALKS_SOURCE}:0:4", "0123456789abcdef:0:4", "",
                "x" * 999):
        assert articles.resolve(bad) is None


def test_open_ref_shows_the_article_and_rejects_paths(corpus: Path) -> None:
    web = WebChat(ScriptedAssistant(corpus))  # type: ignore[arg-type]
    web.articles.refresh()
    start, end = span(TALKS_ARTICLE, "A banner read")
    parsed = audit(web.open_ref(web.articles.ref(TALKS_SOURCE, start, end)))
    assert parsed.marks == ["A banner read"]
    assert "not in the index" in web.open_ref("../talks.txt:0:5")
    assert "not in the index" in web.open_ref({"path": "/etc/passwd"})
    out_of_range = audit(web.open_ref(f"{article_id(TALKS_SOURCE)}:5:999999"))
    assert out_of_range.marks == []
    assert "Gerasimov" in out_of_range.text


def test_chat_streams_then_answers_and_keeps_the_session_history(corpus: Path) -> None:
    first, second = gerasimov_answer(), gerasimov_answer("What did he say?", "What did he say? "
                                                         "(Bagheri)")
    assistant = ScriptedAssistant(corpus, [first, second])
    web = WebChat(assistant)  # type: ignore[arg-type]
    updates = list(web.chat("Who did Bagheri meet?", "extractive", ChatSession()))
    box, messages, session = updates[-1]
    assert box == ""
    assert len(messages) == 2
    assert "Searching the articles" in updates[0][1][-1]["content"]
    assert any("nd-pending" in u[1][-1]["content"] and "Gerasimov" in u[1][-1]["content"]
               for u in updates[1:-1])  # the text appears before the footnotes
    assert "nd-notes" in messages[-1]["content"]
    list(web.chat("What did he say?", "extractive", session))
    assert assistant.histories[1] == [Turn(first.question, first.answer)]
    assert len(session.messages) == 4
    assert "Searched for: What did he say? (Bagheri)" in audit(session.messages[-1]["content"]).text


@pytest.mark.parametrize(("error", "shown"), [
    (BadQuestion("The question is too long (2,500 characters; the limit is 2,000)."), "too long"),
    (RuntimeError("boom"), "Something went wrong"),
])
def test_chat_shows_errors_as_messages(corpus: Path, error: Exception, shown: str) -> None:
    web = WebChat(ScriptedAssistant(corpus, [error]))  # type: ignore[arg-type]
    *_, (box, messages, session) = web.chat("q" * 50, "extractive", ChatSession())
    assert shown in messages[-1]["content"]
    assert "nd-error" in messages[-1]["content"]
    assert session.turns == []


def test_chat_refuses_unknown_generators_and_ignores_blank_input(corpus: Path) -> None:
    web = WebChat(ScriptedAssistant(corpus, [gerasimov_answer()]))  # type: ignore[arg-type]
    assert list(web.chat("   ", "extractive", ChatSession())) == [("", [], ChatSession())]
    *_, (_, messages, _) = web.chat("Who?", "gpt-9", ChatSession())
    assert "not available here" in messages[-1]["content"]


def test_generators_offered_match_the_setup(tmp_path: Path) -> None:
    plain = load_settings(corpus=tmp_path)
    assert available_generators(plain)[0] == "extractive"
    assert "openai" not in available_generators(plain)
    remote = load_settings(corpus=tmp_path, openai_base_url="http://127.0.0.1:9/v1",
                           openai_model="m")
    assert "openai" in available_generators(remote)
    missing = load_settings(corpus=tmp_path, local_model=tmp_path / "none.gguf")
    assert "local" not in available_generators(missing)


def test_example_questions_come_from_the_corpus_question_file(tmp_path: Path) -> None:
    assert example_questions(tmp_path) == list(SEED_EXAMPLES[:4])
    rows = [{"question": f"Question number {i} about things?", "sources": [f"{i % 3}.txt"]}
            for i in range(9)]
    (tmp_path / "questions.jsonl").write_text(
        "not json\n" + "\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    assert example_questions(tmp_path) == [f"Question number {i} about things?" for i in range(3)]




# -- the API of a real server ----------------------------------------------------------------







