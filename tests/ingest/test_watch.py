"""`newsdesk ingest --watch`: polling the corpus folder re-indexes it when it changes."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from newsdesk.errors import ConfigError
from newsdesk.ingest.pipeline import ingest
from newsdesk.ingest.watch import watch
from newsdesk.settings import Settings
from tests.fakes import ROOT, SECOND_SOURCE, hash_embedder
from tests.ingest_support import ctrl_c_stops, newsdesk_env


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


def test_watch_logs_by_default(settings: Settings, no_probe: None,
                               caplog: pytest.LogCaptureFixture) -> None:
    """Library code does not print: without callbacks, reports and errors are logged."""
    blank = settings.corpus / "blank.txt"
    for path in settings.corpus.iterdir():
        path.unlink()
    blank.write_text("  \n", encoding="utf-8")
    stop = threading.Event()
    caplog.set_level(logging.INFO, logger="newsdesk.ingest.watch")
    thread = threading.Thread(target=watch, args=(settings.corpus,
                              lambda: ingest(settings, hash_embedder()), 0.2),
                              kwargs={"stop": stop})
    thread.start()
    try:
        deadline = time.monotonic() + 60
        while not caplog.records and time.monotonic() < deadline:
            time.sleep(0.05)
        blank.write_text("Harbour reopens\n\nThe old harbour reopened on Friday.\n",
                         encoding="utf-8")
        while len(caplog.records) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(30)
    error, report = caplog.records[:2]
    assert error.levelno == logging.WARNING
    assert error.getMessage().startswith(
        f"newsdesk: nothing in {settings.corpus} could be indexed")
    assert report.levelno == logging.INFO
    assert "1 added" in report.getMessage()


def test_the_watch_command_shows_errors_on_stderr_as_before(tmp_path: Path) -> None:
    """`newsdesk ingest --watch` on an empty corpus: one plain line on stderr, and it waits."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "blank.txt").write_text("  \n", encoding="utf-8")
    out, err = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    with open(out, "w", encoding="utf-8") as stdout, open(err, "w", encoding="utf-8") as stderr:
        proc = subprocess.Popen([sys.executable, "-m", "newsdesk.cli", "ingest", "--watch",
                                 "0.2", "--corpus", str(corpus), "--index",
                                 str(tmp_path / "index")], stdout=stdout, stderr=stderr,
                                env=newsdesk_env(), cwd=ROOT, preexec_fn=ctrl_c_stops)
    try:
        deadline = time.monotonic() + 120
        while "could be indexed" not in err.read_text() and time.monotonic() < deadline:
            assert proc.poll() is None, err.read_text()
            time.sleep(0.1)
        time.sleep(1.0)  # a few more rounds: the unchanged corpus is not tried again
        assert proc.poll() is None, "the watch waits for the corpus to change"
    finally:
        proc.send_signal(signal.SIGINT)  # Ctrl-C, as a user stops it
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)
            pytest.fail(f"Ctrl-C did not stop the watch; stderr: {err.read_text()!r}")
    assert proc.returncode == 0
    assert out.read_text() == ""
    assert err.read_text().splitlines() == [
        f"newsdesk: nothing in {corpus} could be indexed (blank.txt: empty (no text))"]
