"""The BM25 cache: saved per index version, missed when the index changes."""

from __future__ import annotations

from pathlib import Path


def test_bm25_is_kept_per_index_version(tmp_path: Path) -> None:
    """A saved BM25 comes back equal; a new manifest or chunk count makes it miss."""
    import bm25s

    from newsdesk.retrieval import bm25_cache
    from newsdesk.settings import load_settings

    settings = load_settings(index=tmp_path / "index")
    settings.index.mkdir()
    (settings.index / "manifest.json").write_text('{"version": 1}', encoding="utf-8")
    texts = ["moscow talks on defence", "tehran ground forces", "storm near tampa"]
    model = bm25s.BM25()
    model.index([t.split() for t in texts], show_progress=False)
    metas = [{"source": f"{i}.txt", "start": 0} for i in range(3)]
    bm25_cache.save(settings, 3, model, ["a", "b", "c"], texts, metas)
    loaded = bm25_cache.load(settings, 3)
    assert loaded is not None
    again, ids, got_texts, got_metas = loaded
    assert (ids, got_texts, got_metas) == (["a", "b", "c"], texts, metas)
    assert list(again.get_scores(["tehran"])) == list(model.get_scores(["tehran"]))
    assert bm25_cache.load(settings, 4) is None  # an ingest is adding chunks
    (settings.index / "manifest.json").write_text('{"version": 2}', encoding="utf-8")
    assert bm25_cache.load(settings, 3) is None  # the index changed since
    bm25_cache.save(settings, 3, model, ["a", "b", "c"], texts, metas)
    assert len(list((settings.index / "bm25").iterdir())) == 1  # the old version is gone


