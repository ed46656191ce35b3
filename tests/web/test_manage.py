"""The chat's Add, Remove and Re-index handlers on a real assistant, index and news site:
an upload is answerable without a restart; bad input is a status line; who may edit."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from newsdesk.settings import load_settings
from newsdesk.web.access import Access
from newsdesk.web.chat import WebChat
from newsdesk.web.manage import NOT_ALLOWED, NOT_HERE, ArticleDesk
from tests.fakes import TALKS_SOURCE, talks_corpus
from tests.ingest_support import SharedModelAssistant
from tests.news_site import STRIKE_ANSWER, STRIKE_PAGE, STRIKE_QUESTION, NewsSite
from tests.webserver import audit

STRIKE_FILE = "2024-03-05-port-strike-in-kestrel-bay-ends-after-nine-days.txt"
LOOPBACK = Access()
EXPOSED = Access(exposed=True, users={"ann": "pbkdf2_sha256$1$x$y"}, allow_private_urls=False)


@pytest.fixture(scope="module")
def assistant(tmp_path_factory: pytest.TempPathFactory) -> SharedModelAssistant:
    root = tmp_path_factory.mktemp("manage")
    corpus = root / "corpus"
    corpus.mkdir()
    talks_corpus(corpus)
    (corpus / "ferry.txt").write_text(
        "Ferry timetable\nThe Kestrel Bay ferry will leave at nine every morning from pier "
        "two during the summer, the harbour office said on Friday.\n", encoding="utf-8")
    assistant = SharedModelAssistant(load_settings(corpus=corpus, index=root / "index"))
    assistant.ingest()
    return assistant


def desk(assistant: SharedModelAssistant, access: Access = LOOPBACK) -> ArticleDesk:
    web = WebChat(assistant, access)  # type: ignore[arg-type]
    web.articles.refresh()
    return ArticleDesk(web, access)


def status_text(markup: str) -> str:
    return audit(markup).text


def upload(folder: Path, name: str, content: bytes) -> str:
    """A file as Gradio hands an upload to a handler: a server-side path with its name."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content)
    return str(path)


def test_an_uploaded_page_is_answerable_without_a_restart(assistant: SharedModelAssistant,
                                                          tmp_path: Path) -> None:
    d = desk(assistant)
    corpus, docs, status = d.add([upload(tmp_path / "u1", "strike.html", STRIKE_PAGE.encode())],
                                 "", None)
    assert f"added {STRIKE_FILE}  (from strike.html)" in status_text(status)
    assert "files: 1 added" in status_text(status)
    assert STRIKE_FILE in audit(docs).text
    assert ">3<" in corpus  # three articles now
    answer = assistant.ask(STRIKE_QUESTION)
    assert STRIKE_ANSWER in answer.answer
    assert answer.citations[0].source == STRIKE_FILE
    again = d.add([upload(tmp_path / "u2", "strike.html", STRIKE_PAGE.encode())], "", None)[2]
    assert f"already there: strike.html is {STRIKE_FILE} (same text)" in status_text(again)
    assert "files:" not in status_text(again)  # nothing new: no re-index


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00IHDR", "photo.txt: binary file, not text"),
    ("passwd", b"root:x:0:0:root:/root:/bin/bash\n", "passwd: not an article file type"),
    ("notes.docx", b"PK\x03\x04", "notes.docx: not an article file type (.docx)"),
])
def test_a_bad_upload_is_a_status_line_and_nothing_changes(
        assistant: SharedModelAssistant, tmp_path: Path, name: str, content: bytes,
        reason: str) -> None:
    before = sorted(p.name for p in assistant.settings.corpus.iterdir())
    status = desk(assistant).add([upload(tmp_path, name, content)], "", None)[2]
    assert "nd-error" in status
    assert f"failed: {reason}" in status_text(status)
    assert sorted(p.name for p in assistant.settings.corpus.iterdir()) == before


def test_a_private_url_is_refused_from_an_exposed_chat(assistant: SharedModelAssistant,
                                                       news_site: NewsSite) -> None:
    url = news_site.at("/news/strike")
    status = desk(assistant, EXPOSED).add(None, url, "ann")[2]
    assert (f"failed: {url}: refused: 127.0.0.1 is a private or local address (127.0.0.1); "
            "a chat reachable from other machines fetches only public addresses (start it "
            "with --allow-private-urls to allow this)") in status_text(status)


def test_only_users_who_may_edit_can_add_remove_or_reindex(assistant: SharedModelAssistant,
                                                           tmp_path: Path) -> None:
    exposed_without_login = Access(exposed=True, allow_private_urls=False)
    page = upload(tmp_path, "strike.html", STRIKE_PAGE.encode())
    for access, user, refusal in ((EXPOSED, None, NOT_ALLOWED),
                                  (exposed_without_login, None, NOT_HERE)):
        d = desk(assistant, access)
        ref = d.web.articles.ref(TALKS_SOURCE, 0, 0)
        for status in (d.add([page], "", user)[2], d.remove(ref, user)[2],
                       d.reindex(user)[2]):
            assert status_text(status) == refusal
        assert ("nd-remove" in d.web.panel()[1]) is access.editable
    assert (assistant.settings.corpus / TALKS_SOURCE).exists()
    assert "nd-remove" in desk(assistant).web.panel()[1]  # loopback: the local user may


def test_remove_takes_the_article_out_of_corpus_and_index(assistant: SharedModelAssistant
                                                          ) -> None:
    d = desk(assistant)
    ref = d.web.articles.ref("ferry.txt", 0, 0)
    corpus, docs, status = d.remove(ref, None)
    assert "removed ferry.txt (moved to .removed/ in the corpus folder)" in status_text(status)
    assert "1 removed" in status_text(status)
    assert "ferry.txt" not in audit(docs).text
    assert not (assistant.settings.corpus / "ferry.txt").exists()
    assert (assistant.settings.corpus / ".removed" / "ferry.txt").exists()
    answer = assistant.ask("When will the Kestrel Bay ferry leave every morning?")
    assert all(c.source != "ferry.txt" for c in answer.citations)
    assert all(p.source != "ferry.txt" for p in answer.passages)
    assert "not in the index" in status_text(d.remove(ref, None)[2])  # a stale button
    assert "not in the index" in status_text(d.remove("../../etc/passwd:0:0", None)[2])


def test_two_sessions_uploading_the_same_file_at_once_make_one_article(
        assistant: SharedModelAssistant, tmp_path: Path) -> None:
    page = (b"<html><head><title>Choir concert moves</title></head><body><article><h1>Choir "
            b"concert moves</h1><p>The harbour choir will sing its spring concert in the old "
            b"boathouse on May 4, because the town hall roof is being repaired this spring."
            b"</p><p>Tickets bought for the town hall stay valid, the choir's director Eva "
            b"Lind said on Thursday.</p></article></body></html>")
    uploads = [upload(tmp_path / f"tab{i}", "choir.html", page) for i in range(2)]
    d = desk(assistant)
    statuses: list[str] = []
    start = threading.Barrier(2)

    def add(path: str) -> None:
        start.wait()
        statuses.append(status_text(d.add([path], "", None)[2]))

    threads = [threading.Thread(target=add, args=(p,)) for p in uploads]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert sorted(s.split(" ", 1)[0] for s in statuses) == ["added", "already"]
    files = [p.name for p in assistant.settings.corpus.iterdir() if "choir" in p.name]
    assert files == ["choir-concert-moves.txt"]


def test_export_writes_markdown_and_json(assistant: SharedModelAssistant,
                                         tmp_path: Path) -> None:
    d = desk(assistant)
    assert d.export([]) == (None, None)
    markdown, data = d.export([assistant.ask(STRIKE_QUESTION)], tmp_path / "out")
    assert markdown is not None
    assert data is not None
    assert Path(markdown).read_text(encoding="utf-8").startswith("# newsdesk conversation")
    assert Path(data).read_text(encoding="utf-8").lstrip().startswith("[")
