"""Find and read the articles of a corpus folder, rejecting bad files by name and reason."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from newsdesk.types import Skipped

ARTICLE_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".text"})
# Files that live beside articles without being articles (question sets, notes).
IGNORED_SUFFIXES = frozenset({".jsonl", ".json", ".csv", ".tsv", ".yaml", ".yml"})


@dataclass(frozen=True)
class SourceFile:
    """An article read from disk: `text` is exactly `open(path, encoding="utf-8").read()`."""

    source: str  # path relative to the corpus folder, with forward slashes
    text: str
    sha256: str
    size: int


def _source_name(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def _walk(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath) / name


def _decode_problem(data: bytes) -> str | None:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "not UTF-8: the file is UTF-16 (convert it: iconv -f UTF-16 -t UTF-8)"
    if data[:8] == b"\x89PNG\r\n\x1a\n" or b"\x00" in data[:8192]:
        return "binary file, not text"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return (
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "if it is Latin-1, convert it: iconv -f LATIN1 -t UTF-8"
        )
    return None


def read_corpus(root: Path, max_bytes: int) -> tuple[list[SourceFile], list[Skipped]]:
    """All readable articles under `root`, and every file skipped with its reason."""
    if not root.is_dir():
        return [], [Skipped(str(root), "corpus folder does not exist")]
    root = root.resolve()
    files: list[SourceFile] = []
    skipped: list[Skipped] = []
    for path in _walk(root):
        name = _source_name(path, root)
        suffix = path.suffix.lower()
        if suffix in IGNORED_SUFFIXES:
            continue
        if suffix not in ARTICLE_SUFFIXES:
            skipped.append(Skipped(name, f"not an article file type ({suffix or 'no suffix'})"))
            continue
        problem, article = _read_one(path, root, name, max_bytes)
        if problem:
            skipped.append(Skipped(name, problem))
        elif article:
            files.append(article)
    return files, skipped


def _read_one(
    path: Path, root: Path, name: str, max_bytes: int
) -> tuple[str | None, SourceFile | None]:
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(root):
            return f"symlink to {target}, outside the corpus folder: refused", None
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return (f"too large ({size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB, "
                    "setting max_file_bytes)"), None
        data = path.read_bytes()
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}", None
    problem = _decode_problem(data)
    if problem:
        return problem, None
    # Read exactly as a citation check will (universal newlines), so offsets agree.
    text = path.read_text(encoding="utf-8")
    if not text.strip():
        return "empty (no text)", None
    return None, SourceFile(name, text, hashlib.sha256(data).hexdigest(), size)
