"""Incremental, idempotent ingest against a real Chroma store.

Most tests use a deterministic hash embedder (the logic under test is which chunks get
embedded, kept and deleted, not the vectors); one uses the real packaged model.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from newsdesk.errors import IndexBusy, IngestFailed
from newsdesk.index.store import Manifest, close_client, get_collection, manifest_path, open_client
from newsdesk.index.store import write_lock as lock
from newsdesk.ingest.pipeline import ingest
from newsdesk.settings import Settings, load_settings
from tests.fakes import SECOND_SOURCE, SEED_QUESTION, SEED_SOURCE, SEEDS, hash_embedder
from tests.ingest_support import (
    SharedModelAssistant,
    assert_consistent,
    stored,
)


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
    path = settings.corpus / SECOND_SOURCE
    path.write_text(path.read_text(encoding="utf-8") + "\nA late paragraph was added.\n",
                    encoding="utf-8")
    report = ingest(settings, hash_embedder())
    after = stored(settings)
    old = {c for c, (_, m, _) in before.items() if m["source"] == SECOND_SOURCE}
    new = {c for c, (_, m, _) in after.items() if m["source"] == SECOND_SOURCE}
    assert report.files_updated == [SECOND_SOURCE]
    assert len(report.files_unchanged) == 4
    assert (report.chunks_added, report.chunks_removed) == (len(new), len(old))
    assert not old & new
    assert {c: v for c, v in before.items() if c not in old} == {
        c: v for c, v in after.items() if c not in new}
    assert_consistent(settings)


def test_deleted_file_loses_its_chunks_and_an_added_one_gains_them(settings: Settings,
                                                                    no_probe: None) -> None:
    ingest(settings, hash_embedder())
    (settings.corpus / SECOND_SOURCE).unlink()
    (settings.corpus / "sub").mkdir()
    (settings.corpus / "sub" / "new.md").write_text(
        "Harbour reopens\n\nThe old harbour in Port Ellis reopened on Friday after repairs.\n",
        encoding="utf-8")
    report = ingest(settings, hash_embedder())
    assert report.files_removed == [SECOND_SOURCE]
    assert report.files_added == ["sub/new.md"]
    assert all(m["source"] != SECOND_SOURCE for _, m, _ in stored(settings).values())
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
