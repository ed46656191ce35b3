"""`newsdesk ingest --watch --feeds FILE`: new feed entries are added, then indexed."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from newsdesk.errors import ConfigError
from newsdesk.ingest.add import AddReport, Library
from newsdesk.ingest.feeds import read_feed_list
from newsdesk.ingest.fetch import Fetcher, FetchPolicy
from newsdesk.ingest.pipeline import ingest
from newsdesk.ingest.watch import FeedPoller, watch
from newsdesk.settings import Settings
from tests.fakes import hash_embedder
from tests.news_site import NewsSite


def test_watch_adds_new_feed_entries_and_indexes_them(settings: Settings, no_probe: None,
                                                      news_site: NewsSite) -> None:
    library = Library(settings.corpus, Fetcher(FetchPolicy()), settings.max_file_bytes)
    added: list[AddReport] = []
    poller = FeedPoller(library, [news_site.at("/feed.xml")], limit=2, every=3600,
                        on_report=added.append)
    reports: list[Any] = []
    stop = threading.Event()
    thread = threading.Thread(target=watch, kwargs={
        "corpus": settings.corpus, "run": lambda: ingest(settings, hash_embedder()),
        "interval": 0.2, "on_report": reports.append, "on_error": reports.append,
        "stop": stop, "poll": poller})
    thread.start()
    try:
        deadline = time.monotonic() + 120
        while not reports and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        thread.join(60)
    assert len(added) == 1  # polled once: the next look is an hour away
    assert len(added[0].added) == 2  # --limit 2
    indexed = set(reports[0].files_added)
    assert set(added[0].added) <= indexed


def test_a_feed_list_is_one_url_per_line(tmp_path: Path) -> None:
    feeds = tmp_path / "feeds.txt"
    feeds.write_text("# local news\nhttp://127.0.0.1:8/feed.xml\n\n  https://x.example/rss#top\n")
    assert read_feed_list(feeds) == ["http://127.0.0.1:8/feed.xml", "https://x.example/rss#top"]
    feeds.write_text("# nothing yet\n")
    with pytest.raises(ConfigError, match="lists no feed URLs"):
        read_feed_list(feeds)
    with pytest.raises(ConfigError, match="--feeds: cannot read"):
        read_feed_list(tmp_path / "missing.txt")
