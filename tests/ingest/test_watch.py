"""`newsdesk ingest --watch`: polling the corpus folder re-indexes it when it changes."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from newsdesk.errors import ConfigError
from newsdesk.ingest.pipeline import ingest
from newsdesk.ingest.watch import watch
from newsdesk.settings import Settings
from tests.fakes import SECOND_SOURCE, hash_embedder


def test_watch_reindexes_when_the_corpus_changes(settings: Settings, no_probe: None) -> None:
    reports: list[Any] = []
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(settings.corpus,
                              lambda: ingest(settings, hash_embedder()), 0.2, reports.append,
                              reports.append, stop))
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not reports and time.monotonic() < deadline:
            time.sleep(0.1)
        (settings.corpus / SECOND_SOURCE).unlink()
        while len(reports) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        thread.join(30)
    assert len(reports) == 2, reports
    assert len(reports[0].files_added) == 5
    assert reports[1].files_removed == [SECOND_SOURCE]


def test_watch_refuses_a_non_positive_interval(settings: Settings) -> None:
    with pytest.raises(ConfigError, match="interval must be a positive number"):
        watch(settings.corpus, lambda: ingest(settings, hash_embedder()), 0)
