"""The Chroma store: names Chroma rejects become configuration errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newsdesk.errors import ConfigError
from newsdesk.index.store import close_client, get_collection, open_client, remove_leftovers
from newsdesk.settings import load_settings
from tests.fakes import SEEDS, dead_pid


def test_a_collection_name_chroma_rejects_is_a_config_error(tmp_path: Path) -> None:
    settings = load_settings(corpus=SEEDS, index=tmp_path, collection="x")
    client = open_client(settings)
    try:
        with pytest.raises(ConfigError, match="collection: .*3-512 characters"):
            get_collection(client, settings.collection)
    finally:
        close_client(client)


def test_leftovers_of_dead_processes_go_and_live_ones_stay(tmp_path: Path) -> None:
    dead, live = dead_pid(), os.getppid()
    settings = load_settings(corpus=SEEDS, index=tmp_path / "index")
    index = settings.index
    for folder in ("onnx", "bm25", "chroma"):
        (index / folder).mkdir(parents=True)
    export = index / f".onnx-k2j3h_x9.{dead}.tmp"
    export.mkdir()
    (export / "model.onnx").write_bytes(b"x" * 1000)
    gone = [export, index / f".manifest.json.{dead}.tmp",
            index / "onnx" / f".model.onnx.{dead}.tmp",
            index / "bm25" / f".0123456789abcdef.{dead}.tmp"]
    kept = [index / f".manifest.json.{live}.tmp", index / f".onnx-abc.{os.getpid()}.tmp",
            index / "chroma" / f".x.{dead}.tmp", index / ".lock", index / "manifest.json",
            index / f"manifest.{dead}.tmp", index / f".{dead}.tmp"]
    for path in gone[1:] + kept:
        path.write_text("{}")
    assert remove_leftovers(settings) == (4, 1000 + 3 * 2)
    assert not [p for p in gone if p.exists()]
    assert all(p.exists() for p in kept)
    assert remove_leftovers(settings) == (0, 0)
    assert remove_leftovers(load_settings(corpus=SEEDS, index=tmp_path / "none")) == (0, 0)

