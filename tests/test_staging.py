"""Staged names: what a killed writer left goes, a live writer's stays."""

from __future__ import annotations

import os
from pathlib import Path

from newsdesk.staging import LEGACY_AGE, STAGED, alive, staged, sweep
from tests.fakes import dead_pid


def test_a_staged_name_carries_the_writers_pid(tmp_path: Path) -> None:
    path = staged(tmp_path / "manifest.json")
    assert path.parent == tmp_path
    found = STAGED.match(path.name)
    assert found is not None
    assert int(found.group(1)) == os.getpid()
    assert alive(os.getpid())
    assert alive(os.getppid())
    assert not alive(dead_pid())


def test_sweep_removes_what_dead_writers_left_and_nothing_else(tmp_path: Path) -> None:
    dead = dead_pid()
    export = tmp_path / f".onnx-k2j3h_x9.{dead}.tmp"
    export.mkdir()
    (export / "model.onnx").write_bytes(b"x" * 1000)
    legacy_old, legacy_new = tmp_path / ".onnx-abcd_123", tmp_path / ".onnx-zz99zz99"
    legacy_old.mkdir()
    (legacy_old / "model.onnx").write_bytes(b"x" * 500)
    legacy_new.mkdir()
    stale = 1_000_000 - LEGACY_AGE
    os.utime(legacy_old, (stale, stale))
    gone = [export, legacy_old, tmp_path / f".model.onnx.{dead}.tmp"]
    kept = [legacy_new, tmp_path / f".model.onnx.{os.getpid()}.tmp",
            tmp_path / f".meta.json.{os.getppid()}.tmp", tmp_path / "model.onnx",
            tmp_path / f"model.onnx.{dead}.tmp", tmp_path / f".{dead}.tmp",
            tmp_path / ".onnx-short", tmp_path / ".onnx-abcd_1234"]
    for path in [gone[2], *kept[1:]]:
        path.write_text("{}")
    for path in kept[6:]:
        os.utime(path, (stale, stale))
    assert sweep(tmp_path) == (3, 1000 + 500 + 2)
    assert [p for p in gone if os.path.lexists(p)] == []
    assert all(p.exists() for p in kept)
    assert sweep(tmp_path) == (0, 0)
    assert sweep(tmp_path / "missing") == (0, 0)
