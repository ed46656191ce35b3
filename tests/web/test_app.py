"""The Gradio app: a stable chat endpoint, a bounded queue, and the API of a real server."""

from __future__ import annotations

import html
import re
import threading
from pathlib import Path
from typing import Any

from tests.fakes import (
    GERASIMOV_QUESTION,
    ScriptedAssistant,
)
from tests.webserver import HOSTILE_QUESTION, audit


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
    a = [GERASIMOV_QUESTION, "What did he say about Iran?"]
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


