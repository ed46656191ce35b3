"""Incremental, idempotent ingest against a real Chroma store.

Most tests use a deterministic hash embedder (the logic under test is which chunks get
embedded, kept and deleted, not the vectors); one uses the real packaged model.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path
from typing import Any

import pytest

from newsdesk.errors import ConfigError, IndexBusy, IngestFailed
from newsdesk.index.store import Manifest, close_client, get_collection, manifest_path, open_client
from newsdesk.index.store import write_lock as lock
from newsdesk.ingest.pipeline import ingest
from newsdesk.settings import Settings, load_settings
from tests.ingest_support import (
    SEED_QUESTION,
    SEED_SOURCE,
    SEEDS,
    SharedModelAssistant,
    assert_consistent,
    hash_embedder,
    make_corpus,
    probe_store,
    stored,
)

SECOND = "001_78cf9b93ba7c4104.txt"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in SEEDS.glob("*.txt"):
        shutil.copy(path, corpus / path.name)
    return load_settings(corpus=corpus, index=tmp_path / "index")


@pytest.fixture
def no_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip the subprocess health probe (tested on its own below) to keep these tests fast."""
    monkeypatch.setattr("newsdesk.ingest.pipeline.probe", lambda settings: "")


def test_unchanged_corpus_embeds_nothing_and_changes_nothing(settings: Settings,
                                                             no_probe: None) -> None:
    first = ingest(settings, hash_embedder())
    assert len(first.files_added) == 5
    assert first.chunks_added == first.chunks_total > 0
    before = stored(settings)
    calls: list[int] = []
    again = ingest(settings, hash_embedder(calls))
    assert calls == [], "the embedding model was loaded for an unchanged corpus"
    assert (again.chunks_added, again.chunks_removed) == (0, 0)
    assert len(again.files_unchanged) == 5
    assert again.chunks_unchanged == first.chunks_total
    assert stored(settings) == before
    assert_consistent(settings)


def test_changed_file_has_exactly_its_chunks_replaced(settings: Settings, no_probe: None) -> None:
    ingest(settings, hash_embedder())
    before = stored(settings)
    path = settings.corpus / SECOND
    path.write_text(path.read_text(encoding="utf-8") + "\nA late paragraph was added.\n",
                    encoding="utf-8")
    report = ingest(settings, hash_embedder())
    after = stored(settings)
    old = {c for c, (_, m, _) in before.items() if m["source"] == SECOND}
    new = {c for c, (_, m, _) in after.items() if m["source"] == SECOND}
    assert report.files_updated == [SECOND]
    assert len(report.files_unchanged) == 4
    assert (report.chunks_added, report.chunks_removed) == (len(new), len(old))
    assert not old & new
    assert {c: v for c, v in before.items() if c not in old} == {
        c: v for c, v in after.items() if c not in new}
    assert_consistent(settings)


def test_deleted_file_loses_its_chunks_and_an_added_one_gains_them(settings: Settings,
                                                                    no_probe: None) -> None:
    ingest(settings, hash_embedder())
    (settings.corpus / SECOND).unlink()
    (settings.corpus / "sub").mkdir()
    (settings.corpus / "sub" / "new.md").write_text(
        "Harbour reopens\n\nThe old harbour in Port Ellis reopened on Friday after repairs.\n",
        encoding="utf-8")
    report = ingest(settings, hash_embedder())
    assert report.files_removed == [SECOND]
    assert report.files_added == ["sub/new.md"]
    assert all(m["source"] != SECOND for _, m, _ in stored(settings).values())
    assert_consistent(settings)


def test_touching_a_file_embeds_nothing(settings: Settings, no_probe: None) -> None:
    ingest(settings, hash_embedder())
    later = time.time() + 60
    for path in settings.corpus.iterdir():
        os.utime(path, (later, later))
    calls: list[int] = []
    report = ingest(settings, hash_embedder(calls))
    assert calls == []
    assert report.chunks_added == 0
    assert len(report.files_unchanged) == 5


class Explodes(Exception):
    pass


def test_a_run_that_dies_mid_write_is_resumed_not_redone(settings: Settings,
                                                          no_probe: None,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches stored before the failure are kept; the next run embeds only the rest."""
    monkeypatch.setattr("newsdesk.ingest.pipeline.WRITE_BATCH", 4)
    embedded: list[str] = []
    factory = hash_embedder()

    def failing() -> Any:
        model = factory()
        real = model.get_text_embedding_batch

        def batch(texts: list[str], **kw: Any) -> list[list[float]]:
            if len(embedded) >= 8:
                raise Explodes("killed")
            embedded.extend(texts)
            return real(texts, **kw)

        object.__setattr__(model, "get_text_embedding_batch", batch)
        return model

    with pytest.raises(Explodes):
        ingest(settings, failing)
    assert len(stored(settings)) == 8
    report = ingest(settings, hash_embedder())
    assert report.chunks_added == report.chunks_total - 8
    assert_consistent(settings)


def test_stray_chunks_are_deleted(settings: Settings, no_probe: None) -> None:
    ingest(settings, hash_embedder())
    client = open_client(settings)
    get_collection(client, settings.collection).upsert(
        ids=["stray"], embeddings=[[1.0] * 64], documents=["gone"],
        metadatas=[{"source": "deleted-long-ago.txt"}])
    close_client(client)
    report = ingest(settings, hash_embedder())
    assert report.chunks_removed == 1
    assert report.files_removed == ["deleted-long-ago.txt"]
    assert_consistent(settings)


def test_lost_manifest_is_rebuilt_from_the_store_without_embedding(settings: Settings,
                                                                    no_probe: None) -> None:
    ingest(settings, hash_embedder())
    first = manifest_path(settings).read_text(encoding="utf-8")
    manifest_path(settings).write_text("{not json", encoding="utf-8")
    calls: list[int] = []
    report = ingest(settings, hash_embedder(calls))
    assert calls == []
    assert not report.rebuilt
    assert manifest_path(settings).read_text(encoding="utf-8") == first


def test_changed_chunking_settings_rebuild_everything(settings: Settings, no_probe: None) -> None:
    ingest(settings, hash_embedder())
    smaller = load_settings(corpus=settings.corpus, index=settings.index, chunk_size=96)
    report = ingest(smaller, hash_embedder())
    assert report.rebuilt
    assert "chunk_size" in report.rebuild_reason
    assert report.chunks_added == report.chunks_total
    assert len(report.files_added) == 5
    assert_consistent(smaller)


def test_a_second_writer_fails_at_once_naming_the_first(settings: Settings) -> None:
    with lock(settings):
        t0 = time.monotonic()
        busy = rf"being written by newsdesk ingest \(pid {os.getpid()}"
        with pytest.raises(IndexBusy, match=busy):
            ingest(settings, hash_embedder())
        assert time.monotonic() - t0 < 5


def test_empty_corpus_is_refused_and_the_index_kept(settings: Settings, no_probe: None) -> None:
    ingest(settings, hash_embedder())
    before = stored(settings)
    for path in settings.corpus.iterdir():
        path.unlink()
    (settings.corpus / "blank.txt").write_text("  \n", encoding="utf-8")
    with pytest.raises(IngestFailed, match="blank.txt: empty"):
        ingest(settings, hash_embedder())
    assert stored(settings) == before


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
    monkeypatch.setattr("newsdesk.index.repair._PROBE", "import os, signal\n"
                        "os.kill(os.getpid(), signal.SIGSEGV)\n")
    assert_rebuilt_after_damage(settings)
    assert "SIGSEGV" in ingest(settings, hash_embedder()).rebuild_reason


def test_real_model_ingest_answers_and_reingests_for_free(tmp_path: Path) -> None:
    """The packaged MiniLM end to end: index, answer with a verified quote, re-run for free."""
    assistant = SharedModelAssistant.from_settings(corpus=SEEDS, index=tmp_path / "index")
    first = assistant.ingest()
    assert first.chunks_added == first.chunks_total > 0
    assert len(stored(assistant.settings)[next(iter(stored(assistant.settings)))][2]) == 384
    answer = assistant.ask(SEED_QUESTION)
    assert "Salyukov" in answer.answer
    assert SEED_SOURCE in {c.source for c in answer.citations}
    calls: list[int] = []
    again = ingest(assistant.settings, hash_embedder(calls))
    assert calls == []
    assert again.chunks_added == 0


def test_page_furniture_only_file_is_reported_and_not_reembedded(settings: Settings,
                                                                 no_probe: None) -> None:
    (settings.corpus / "furniture.txt").write_text(
        "Photo: Reuters\nShare this article\nhttps://example.com/x\n", encoding="utf-8")
    report = ingest(settings, hash_embedder())
    assert "furniture.txt" not in report.files_added
    assert [s.reason for s in report.skipped if s.source == "furniture.txt"] == [
        "no article text found after removing page furniture"]
    manifest = Manifest.load(manifest_path(settings))
    assert manifest is not None
    assert manifest.files["furniture.txt"].chunk_ids == []  # so readers do not see it as stale
    assert_consistent(settings)


def test_a_collection_name_chroma_rejects_is_a_config_error(tmp_path: Path) -> None:
    settings = load_settings(corpus=SEEDS, index=tmp_path, collection="x")
    client = open_client(settings)
    try:
        with pytest.raises(ConfigError, match="collection: .*3-512 characters"):
            get_collection(client, settings.collection)
    finally:
        close_client(client)


def test_an_open_reader_survives_a_rebuild_of_its_collection(settings: Settings,
                                                            no_probe: None) -> None:
    ingest(settings, hash_embedder())
    client = open_client(settings)
    try:
        reader = get_collection(client, settings.collection)
        before = reader.count()
        smaller = load_settings(corpus=settings.corpus, index=settings.index, chunk_size=96)
        report = ingest(smaller, hash_embedder())  # drops and re-creates the collection
        assert report.rebuilt
        assert reader.count() == report.chunks_total != before
    finally:
        close_client(client)
