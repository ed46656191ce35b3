"""Adding to the corpus folder: files, pages and feeds become article files; duplicates are
told; bad input gets a message naming it and leaves the folder as it was."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from newsdesk.errors import AddFailed, ConfigError
from newsdesk.ingest.add import REMOVED, Added, Library, is_url
from newsdesk.ingest.corpus import read_corpus
from newsdesk.ingest.fetch import Fetcher, FetchPolicy
from newsdesk.ingest.header import parse
from newsdesk.ingest.saving import safe_name
from tests.fakes import TALKS_ARTICLE, TALKS_SOURCE
from tests.news_site import (
    BRIDGE_TITLE,
    STRIKE_PAGE,
    STRIKE_TITLE,
    NewsSite,
)

STRIKE_FILE = "2024-03-05-port-strike-in-kestrel-bay-ends-after-nine-days.txt"


def library(corpus: Path, **policy: object) -> Library:
    return Library(corpus, Fetcher(FetchPolicy(**policy)), 5_000_000)  # type: ignore[arg-type]


def folder(corpus: Path) -> dict[str, bytes]:
    """Every file in the corpus folder (hidden ones too), by relative name."""
    return {p.relative_to(corpus).as_posix(): p.read_bytes()
            for p in sorted(corpus.rglob("*")) if p.is_file()}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / TALKS_SOURCE).write_text(TALKS_ARTICLE, encoding="utf-8")
    return folder


def test_a_text_file_is_copied_byte_for_byte(corpus: Path, tmp_path: Path) -> None:
    note = tmp_path / "harbour notes.md"
    note.write_bytes(b"\xef\xbb\xbfHarbour notes\r\nThe ferry leaves at nine.\r\n")
    result = library(corpus).add_file(note)
    assert result == Added(str(note), "added", "harbour notes.md")
    assert (corpus / "harbour notes.md").read_bytes() == note.read_bytes()


def test_a_saved_page_becomes_a_clean_article_the_index_reads(corpus: Path,
                                                              tmp_path: Path) -> None:
    page = tmp_path / "strike.html"
    page.write_text(STRIKE_PAGE, encoding="utf-8")
    result = library(corpus).add_file(page)
    assert result.status == "added"
    assert result.source == STRIKE_FILE
    text = (corpus / STRIKE_FILE).read_text(encoding="utf-8")
    assert text.startswith(f"{STRIKE_TITLE}\nPublished: 2024-03-05\nBy: Jane Doe\n"
                           "Outlet: Harbour Times\n\nDock workers in Kestrel Bay")
    files, skipped = read_corpus(corpus, 5_000_000)
    assert STRIKE_FILE in {f.source for f in files}
    assert skipped == []


def test_the_same_text_twice_is_one_article(corpus: Path, tmp_path: Path) -> None:
    page = tmp_path / "strike.html"
    page.write_text(STRIKE_PAGE, encoding="utf-8")
    copy = tmp_path / "talks copy.txt"
    copy.write_text(TALKS_ARTICLE.replace("\n", "\r\n"), encoding="utf-8")  # same text
    lib = library(corpus)
    lib.add_file(page)
    before = folder(corpus)
    again = lib.add_file(page, name="strike (1).html")
    assert again == Added("strike (1).html", "duplicate", STRIKE_FILE, "same text")
    assert again.line() == f"already there: strike (1).html is {STRIKE_FILE} (same text)"
    assert lib.add_file(copy).source == TALKS_SOURCE
    assert folder(corpus) == before


def test_a_different_article_never_overwrites_one_of_the_same_name(corpus: Path,
                                                                   tmp_path: Path) -> None:
    other = tmp_path / TALKS_SOURCE
    other.write_text("Other talks\nA different meeting happened in Minsk on Friday.\n",
                     encoding="utf-8")
    result = library(corpus).add_file(other)
    assert result.source == "talks-2.txt"
    assert (corpus / TALKS_SOURCE).read_text(encoding="utf-8") == TALKS_ARTICLE


@pytest.mark.parametrize(("name", "saved"), [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("/etc/cron.d/evil.md", "evil.md"),
    ("C:\\Users\\me\\news.txt", "news.txt"),
    (".hidden.txt", "hidden.txt"),
    ("-rf.txt", "rf.txt"),
    ("a\x00b\nc.txt", "abc.txt"),
    ("ünïcødé 名前 ✓.md", "ünïcødé 名前 ✓.md"),
])
def test_an_uploads_name_loses_its_folders(corpus: Path, tmp_path: Path, name: str,
                                           saved: str) -> None:
    upload = tmp_path / "upload.bin"
    upload.write_text(f"Upload {name!r}\nThe council met on Monday to plan the festival.\n",
                      encoding="utf-8")
    assert safe_name(name) == saved
    result = library(corpus).add_file(upload, name=name)
    assert result.status == "added"
    assert result.source == saved
    assert (corpus / saved).is_file()
    assert not Path("/etc/cron.d/evil.md").exists()


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("../../etc/passwd", b"root:x:0:0:root:/root:/bin/bash\n",
     "not an article file type (no suffix): add .txt, .md or .html files"),
    ("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file, not text"),
    ("report.pdf", b"%PDF-1.4", "not an article file type (.pdf)"),
    ("latin1.txt", "Café".encode("latin-1"), "not valid UTF-8 (byte 0xe9 at offset 3)"),
    ("empty.md", b"  \n\n", "empty (no text)"),
    ("login.html", b"<html><body><form><input type=password></form></body></html>",
     "login or subscription wall"),
])
def test_bad_files_are_refused_with_a_reason_and_nothing_written(
        corpus: Path, tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    upload = tmp_path / "upload.bin"
    upload.write_bytes(content)
    before = folder(corpus)
    result = library(corpus).add_file(upload, name=name)
    assert result.status == "failed"
    assert result.detail.startswith(f"{name}: ")
    assert reason in result.detail
    assert folder(corpus) == before


def test_a_50_mb_file_is_refused_without_being_read(corpus: Path, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    with open(big, "wb") as fh:
        fh.truncate(50_000_000)  # sparse: NUL bytes, which would also fail if read
    result = library(corpus).add_file(big)
    assert result.detail == (f"{big}: too large (50.0 MB; the limit is 5.0 MB, "
                             "setting max_file_bytes)")
    html = tmp_path / "big.html"
    os.link(big, html)
    assert "setting max_page_bytes" in library(corpus).add_file(html).detail


def test_a_missing_path_or_a_folder_is_a_message(corpus: Path, tmp_path: Path) -> None:
    lib = library(corpus)
    assert "cannot read it (No such file or directory)" in lib.add_file(tmp_path / "no.txt").detail
    (tmp_path / "dir.txt").mkdir()
    assert lib.add_file(tmp_path / "dir.txt").detail.endswith("dir.txt: not a regular file")


def test_a_url_becomes_an_article_and_the_same_url_is_not_fetched_twice(
        corpus: Path, news_site: NewsSite) -> None:
    url = news_site.at("/news/strike")
    lib = library(corpus)
    assert lib.add([url]).items == [Added(url, "added", STRIKE_FILE)]
    parsed = parse((corpus / STRIKE_FILE).read_text(encoding="utf-8"))
    assert parsed is not None
    assert parsed.header.url == url
    fetched = len(news_site.requests)
    assert lib.add_url(url + "#comments") == Added(url + "#comments", "duplicate", STRIKE_FILE,
                                                   "same URL")
    assert len(news_site.requests) == fetched  # known by its URL: not fetched again
    via = news_site.at("/redirect/2")  # lands on the same page: known once fetched
    assert lib.add_url(via) == Added(via, "duplicate", STRIKE_FILE, "same URL")


@pytest.mark.parametrize(("path", "reason"), [
    ("/redirect/5", "refused: it redirects more than 4 times"),
    ("/missing", "the server answered HTTP 404 Not Found"),
    ("/nav", "no article text found on the page (only navigation"),
    ("/login", "login or subscription wall"),
    ("/huge", "too large (20.0 MB; the limit is 5.0 MB, setting max_page_bytes)"),
    ("/to-file", "refused: it redirects to file:///etc/passwd"),
    ("/report.pdf", "not a web page (application/pdf)"),
    ("/feed.xml", "this is an RSS/Atom feed, not a web page: add it with newsdesk add --feed"),
])
def test_a_bad_page_names_the_url_and_reason_and_writes_nothing(
        corpus: Path, news_site: NewsSite, path: str, reason: str) -> None:
    before = folder(corpus)
    [result] = library(corpus).add([news_site.at(path)]).items
    assert result.status == "failed"
    assert result.detail.startswith(news_site.at(path))
    assert reason in result.detail
    assert folder(corpus) == before


def test_a_slow_page_times_out(corpus: Path, news_site: NewsSite) -> None:
    [result] = library(corpus, timeout=1.0).add([news_site.at("/slow")]).items
    assert result.detail == f"{news_site.at('/slow')}: timed out after 1 s (setting fetch_timeout)"


def test_other_schemes_are_urls_and_refused(corpus: Path) -> None:
    assert is_url("javascript:alert(1)")
    assert is_url("file:///etc/passwd")
    assert not is_url(str(corpus / TALKS_SOURCE))
    report = library(corpus).add(["file:///etc/passwd", "javascript:alert(1)"])
    assert [i.status for i in report.items] == ["failed", "failed"]
    assert "only http:// and https:// URLs are fetched, not file:" in report.items[0].detail


def test_a_feed_adds_its_new_entries_and_skips_those_without_a_link(
        corpus: Path, news_site: NewsSite) -> None:
    lib = library(corpus)
    report = lib.add_feed(news_site.at("/feed.xml"), limit=20)
    assert [i.status for i in report.items] == ["added", "added", "added"]
    assert report.notes == [f"{news_site.at('/feed.xml')}: skipped 1 entry without a link: "
                            "'An entry without a link'"]
    titles = {parse((corpus / s).read_text(encoding="utf-8")).header.title  # type: ignore[union-attr]
              for s in report.added}
    assert titles == {STRIKE_TITLE, BRIDGE_TITLE, "Kestrel Bay library to open late"}
    library_file = next(s for s in report.added if "library" in s)
    header = parse((corpus / library_file).read_text(encoding="utf-8")).header  # type: ignore[union-attr]
    assert header.author == ""  # the page names none, the feed entry neither
    assert header.published == "2024-03-11"
    again = lib.add_feed(news_site.at("/feed.xml"), limit=20)
    assert [i.status for i in again.items] == ["duplicate"] * 3
    assert {i.detail for i in again.items} == {"same URL"}


def test_a_feed_of_10000_entries_is_cut_to_the_limit(corpus: Path, news_site: NewsSite) -> None:
    report = library(corpus).add_feed(news_site.at("/big-feed.xml"), limit=3)
    assert report.notes == [f"{news_site.at('/big-feed.xml')}: the feed has 10,000 entries; "
                            "taking the first 3 (--limit)"]
    assert len(report.added) == 3
    assert sum(r.startswith("/story/") for r in news_site.requests) >= 3
    with pytest.raises(ConfigError, match="--limit: 100000 entries per feed is out of range"):
        library(corpus).add_feed(news_site.at("/big-feed.xml"), limit=100_000)


def test_a_page_is_not_a_feed(corpus: Path, news_site: NewsSite) -> None:
    report = library(corpus).add_feed(news_site.at("/nav"), limit=5)
    assert report.items[0].detail == f"{news_site.at('/nav')}: not an RSS or Atom feed"


def test_two_adds_of_the_same_file_at_once_make_one_article(corpus: Path,
                                                            tmp_path: Path) -> None:
    page = tmp_path / "strike.html"
    page.write_text(STRIKE_PAGE, encoding="utf-8")
    results: list[Added] = []
    start = threading.Barrier(4)

    def add() -> None:
        start.wait()
        results.append(library(corpus).add_file(page))

    threads = [threading.Thread(target=add) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(r.status for r in results) == ["added", "duplicate", "duplicate", "duplicate"]
    assert {r.source for r in results} == {STRIKE_FILE}
    assert sorted(folder(corpus)) == sorted([TALKS_SOURCE, STRIKE_FILE])  # no temp files left


def test_remove_moves_the_article_aside_and_keeps_the_last_one(corpus: Path,
                                                               tmp_path: Path) -> None:
    lib = library(corpus)
    note = tmp_path / "note.txt"
    note.write_text("A note\nThe ferry leaves at nine every morning from pier two.\n")
    lib.add_file(note)
    moved = lib.remove("note.txt")
    assert moved == corpus / REMOVED / "note.txt"
    assert moved.read_text() == note.read_text()
    assert [f.source for f in read_corpus(corpus, 5_000_000)[0]] == [TALKS_SOURCE]
    with pytest.raises(AddFailed, match="it is the only article"):
        lib.remove(TALKS_SOURCE)
    with pytest.raises(AddFailed, match="not an article in"):
        lib.remove("../outside.txt")
