"""`newsdesk add`, `newsdesk password` and the exposed-chat refusal, as the real command.

The end-to-end test is the issue's "done when": a new user adds a saved news page and a
local feed in one command and asks about both, with citations that verify.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest

from newsdesk.cli.main import main
from newsdesk.web.access import verify_password
from tests.fakes import file_slice
from tests.ingest_support import newsdesk
from tests.news_site import (
    BRIDGE_ANSWER,
    BRIDGE_QUESTION,
    STRIKE_ANSWER,
    STRIKE_PAGE,
    STRIKE_QUESTION,
    NewsSite,
)


def ask(corpus: Path, index: Path, question: str) -> dict:
    run = newsdesk(["ask", "--json", "--corpus", str(corpus), "--index", str(index), question])
    assert run.returncode == 0, run.stderr
    return dict(json.loads(run.stdout))


def test_a_new_user_adds_a_saved_page_and_a_feed_and_asks_about_both(
        tmp_path: Path, news_site: NewsSite) -> None:
    corpus, index = tmp_path / "news", tmp_path / "index"  # neither exists yet
    page = tmp_path / "Port strike ends - Harbour Times.html"
    page.write_text(STRIKE_PAGE, encoding="utf-8")
    feed = news_site.at("/feed.xml")
    run = newsdesk(["add", "--corpus", str(corpus), "--index", str(index), str(page),
                    "--feed", feed])
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert f"{feed}: skipped 1 entry without a link: 'An entry without a link'" in lines
    assert sum(line.startswith("added ") for line in lines) == 3  # page, bridge, library
    # The feed's strike story is the saved page's article: one article, and it says so.
    assert any(line.startswith(f"already there: {news_site.at('/news/strike')} is ")
               and line.endswith("(same text)") for line in lines)
    assert "files: 3 added" in run.stdout
    for question, answer in ((STRIKE_QUESTION, STRIKE_ANSWER), (BRIDGE_QUESTION, BRIDGE_ANSWER)):
        data = ask(corpus, index, question)
        assert answer in data["answer"]
        assert data["citations"]
        for c in data["citations"]:
            assert file_slice(corpus, c["source"], c["start"], c["end"]) == c["quote"]
        assert data["citations"][0]["published"].startswith("2024-03-")
        assert data["citations"][0]["outlet"] == "Harbour Times"


def test_add_reports_each_failure_and_writes_nothing(tmp_path: Path,
                                                     news_site: NewsSite) -> None:
    corpus = tmp_path / "news"
    corpus.mkdir()
    missing = news_site.at("/missing")
    run = newsdesk(["add", "--corpus", str(corpus), "--index", str(tmp_path / "index"),
                    missing, "file:///etc/passwd", news_site.at("/redirect/5")])
    assert run.returncode == 2
    assert f"newsdesk: {missing}: the server answered HTTP 404 Not Found" in run.stderr
    assert "newsdesk: file:///etc/passwd: refused: only http:// and https://" in run.stderr
    assert "redirects more than 4 times" in run.stderr
    assert "Traceback" not in run.stderr
    assert run.stdout.strip() == "nothing new to index"
    assert list(corpus.iterdir()) == []
    assert not (tmp_path / "index").exists()


def test_ingest_adds_the_new_entries_of_a_feeds_file_first(tmp_path: Path,
                                                            news_site: NewsSite) -> None:
    corpus, index = tmp_path / "news", tmp_path / "index"
    feeds = tmp_path / "feeds.txt"
    feeds.write_text(f"# harbour news\n{news_site.at('/feed.xml')}\n", encoding="utf-8")
    run = newsdesk(["ingest", "--feeds", str(feeds), "--limit", "2", "--corpus", str(corpus),
                    "--index", str(index)])
    assert run.returncode == 0, run.stderr
    assert run.stdout.count("added ") == 2
    assert "files: 2 added" in run.stdout
    assert len(list(corpus.glob("*.txt"))) == 2


def test_add_needs_something_to_add(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["add"]) == 2
    assert "add: give a file, a URL, or --feed URL" in capsys.readouterr().err


def test_password_prints_an_auth_file_line(monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("correct horse battery\n"))
    assert main(["password", "ann"]) == 0
    user, _, stored = capsys.readouterr().out.strip().partition(":")
    assert user == "ann"
    assert verify_password("correct horse battery", stored)
    assert not verify_password("wrong", stored)
    monkeypatch.setattr(sys, "stdin", io.StringIO("short\n"))
    assert main(["password", "ann"]) == 2
    assert "at least 8 characters" in capsys.readouterr().err


def test_an_exposed_chat_without_a_login_does_not_start(tmp_path: Path) -> None:
    index = tmp_path / "index"
    run = newsdesk(["chat", "--host", "0.0.0.0", "--index", str(index)], timeout=120,
                   NEWSDESK_CHAT_PASSWORD="")
    assert run.returncode == 2
    assert run.stderr.startswith("newsdesk: the chat on 0.0.0.0 would be reachable from other "
                                 "machines without a login: give --auth-file FILE")
    assert "--no-auth" in run.stderr
    assert not index.exists()  # refused before indexing anything
    bad = tmp_path / "users"
    bad.write_text("ann:plaintext\n")
    run = newsdesk(["chat", "--host", "0.0.0.0", "--auth-file", str(bad), "--index", str(index)],
                   timeout=120)
    assert run.returncode == 2
    assert f"--auth-file: {bad} line 1 is not user:password-hash" in run.stderr
