"""The chat leaves no conversation behind: a closed tab's export files go at once, and
every export and every copy Gradio made of an upload or a download when the server stops,
with a tab still open (here by SIGTERM, as a service manager stops it)."""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Any

import pytest

from tests.fakes import GERASIMOV_QUESTION
from tests.web.test_browser import Tab
from tests.webserver import running_chat_server

pytestmark = pytest.mark.browser

EXPORT = "newsdesk-conversation.md"


def _until(condition: Any, what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        time.sleep(0.25)


def _sessions(tmp: Path) -> set[str]:
    """The browser sessions that have export files in the server's temporary folder."""
    return {p.parent.name for p in tmp.glob(f"newsdesk-chat-*/exports/*/{EXPORT}")}


def test_closed_tabs_and_a_stopped_server_leave_no_conversation(
        browser: Any, tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    with running_chat_server(tmp_path / "chat", env={"TMPDIR": str(tmp)}) as server:
        tabs = [Tab(browser.new_page(), server.url) for _ in range(2)]
        for tab in tabs:
            tab.ask(GERASIMOV_QUESTION)
        _until(lambda: len(_sessions(tmp)) == 2, "both tabs' conversations exported")
        kept = _sessions(tmp)
        tabs[0].page.close()
        _until(lambda: len(_sessions(tmp)) == 1, "the closed tab's export removed")
        assert _sessions(tmp) < kept  # the open tab keeps its files
        # Gradio's copies for the download buttons are in the chat's own folder too.
        assert list(tmp.glob(f"newsdesk-chat-*/gradio/*/{EXPORT}"))
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=60) == 0, server.log_tail()
        tabs[1].page.close()
    assert not list(tmp.glob("newsdesk-chat-*")), server.log_tail()
    # Libraries leave their own (empty folders, onnxruntime's small `.ses`); none of it
    # holds the conversation.
    asked = GERASIMOV_QUESTION.encode()
    left = [str(p) for p in tmp.rglob("*") if p.is_file() and asked in p.read_bytes()]
    assert not left, f"the conversation is left in {left}"
