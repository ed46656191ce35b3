"""A damaged or crashing store is moved aside and rebuilt by the next ingest."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newsdesk.ingest.pipeline import ingest
from newsdesk.settings import Settings, load_settings
from tests.fakes import hash_embedder
from tests.ingest_support import assert_consistent, make_corpus, probe_store


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


