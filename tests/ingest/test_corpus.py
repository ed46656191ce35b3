"""Reading the corpus folder: links inside it followed, unreadable files skipped with the reason."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from newsdesk.ingest.corpus import read_corpus


def test_symlink_inside_the_corpus_is_indexed_under_its_own_name(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("An article about the harbour.", encoding="utf-8")
    (tmp_path / "b.txt").symlink_to(tmp_path / "a.txt")
    files, skipped = read_corpus(tmp_path, 1000)
    assert [f.source for f in files] == ["a.txt", "b.txt"]
    assert skipped == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a file whatever its permissions")
def test_unreadable_file_is_skipped_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "locked.txt"
    path.write_text("Secret.", encoding="utf-8")
    path.chmod(0)
    files, skipped = read_corpus(tmp_path, 1000)
    assert files == []
    assert [(s.source, s.reason) for s in skipped] == [("locked.txt",
                                                        "unreadable: Permission denied")]


