"""A damaged or crashing store is moved aside and rebuilt by the next ingest."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from newsdesk.ingest.pipeline import ingest
from newsdesk.settings import Settings, load_settings
from tests.crash_support import hash_ingest, spawn_ingest
from tests.fakes import ROOT, hash_embedder
from tests.ingest_support import (
    assert_consistent,
    make_corpus,
    newsdesk_env,
    probe_store,
)


def assert_rebuilt_after_damage(settings: Settings) -> None:
    report = ingest(settings, hash_embedder())
    assert report.rebuilt
    assert "damaged" in report.rebuild_reason, report.rebuild_reason
    assert "moved it to" in report.rebuild_reason
    assert "rebuilt" in report.summary()
    assert len(list(settings.index.glob("chroma.broken-*"))) == 1
    assert report.files_updated == []
    assert report.chunks_added == report.chunks_total
    assert probe_store(settings.index)["count"] == report.chunks_total
    assert_consistent(settings)


def test_damaged_vector_segment_is_moved_aside_and_rebuilt(tmp_path: Path) -> None:
    """A vector segment cut short by a crash (Chroma flushes one past 1000 vectors)."""
    settings = load_settings(corpus=make_corpus(tmp_path / "corpus", generated=40),
                             index=tmp_path / "index", chunk_size=32, chunk_overlap=0)
    assert ingest(settings, hash_embedder()).chunks_total > 1000
    segment = next(p for p in (settings.index / "chroma").iterdir() if p.is_dir())
    (segment / "header.bin").write_bytes(os.urandom(100))
    assert_rebuilt_after_damage(settings)


def test_store_that_crashes_its_opener_is_moved_aside_and_rebuilt(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The chroma-core 7238 shape: opening the store kills the process with SIGSEGV."""
    ingest(settings, hash_embedder())
    monkeypatch.setattr("newsdesk.index.repair.PROBE_SCRIPT", "import os, signal\n"
                        "os.kill(os.getpid(), signal.SIGSEGV)\n")
    assert_rebuilt_after_damage(settings)
    assert "SIGSEGV" in ingest(settings, hash_embedder()).rebuild_reason




def test_on_a_terminal_the_rebuild_is_explained_before_it_starts(settings: Settings) -> None:
    """The reason is said at once where a progress bar is drawn; piped output is the report."""
    ingest(settings, hash_embedder())
    store = settings.index / "chroma" / "chroma.sqlite3"
    store.write_bytes(b"not a database" * 100)
    running = spawn_ingest(settings, hash_ingest)  # on a pseudo-terminal
    assert running.proc.wait(300) == 0, running.output[-2000:]
    deadline = time.monotonic() + 30
    while "embedding" not in running.output and time.monotonic() < deadline:
        time.sleep(0.05)
    said = running.output.find("newsdesk: the vector store at")
    assert said >= 0, running.output[-2000:]
    assert "is damaged (opening it failed" in running.output
    assert said < running.output.index("embedding"), "the reason comes before the progress bar"

    store.write_bytes(b"not a database" * 100)
    piped = subprocess.run(hash_ingest(settings, True), capture_output=True, text=True,
                           timeout=300, env=newsdesk_env(), cwd=ROOT)
    assert piped.returncode == 0, piped.stderr[-2000:]
    assert "damaged" in json.loads(piped.stdout)["rebuild_reason"]
    assert "newsdesk: the vector store" not in piped.stderr
