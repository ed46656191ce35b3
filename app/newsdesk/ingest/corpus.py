"""Find and read the articles of a corpus folder, rejecting bad files by name and reason."""

from __future__ import annotations

import hashlib
import io
import os
import stat
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


def _walk(root: Path, skipped: list[Skipped]) -> Iterator[Path]:
    """Files under `root` in a stable order; hidden names and symlinked folders left out."""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(dirpath)
        for d in [d for d in dirnames if not d.startswith(".") and (here / d).is_symlink()]:
            skipped.append(Skipped((here / d).relative_to(root).as_posix(),
                                   "symlinked folder: not followed"))
        dirnames[:] = sorted(
            d for d in dirnames if not d.startswith(".") and not (here / d).is_symlink()
        )
        for name in sorted(filenames):
            if not name.startswith("."):
                yield here / name


def scan(root: Path) -> dict[str, tuple[int, int]]:
    """Each candidate article's (size, mtime) without reading it: a cheap change detector."""
    out: dict[str, tuple[int, int]] = {}
    if not root.is_dir():
        return out
    for path in _walk(root, []):
        if path.suffix.lower() in ARTICLE_SUFFIXES:
            try:
                st = path.stat()
            except OSError:
                continue
            out[path.relative_to(root).as_posix()] = (st.st_size, st.st_mtime_ns)
    return out


def decode_problem(data: bytes) -> str | None:
    """Why `data` cannot be an article's text (None when it can)."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "not UTF-8: the file is UTF-16 (convert it: iconv -f UTF-16 -t UTF-8)"
    # A NUL anywhere would be cut off by the store and break every offset after it.
    if data[:8] == b"\x89PNG\r\n\x1a\n" or b"\x00" in data:
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
    for path in _walk(root, skipped):
        name = path.relative_to(root).as_posix()
        suffix = path.suffix.lower()
        if suffix in IGNORED_SUFFIXES:
            continue
        if suffix not in ARTICLE_SUFFIXES:
            skipped.append(Skipped(_printable(name),
                                   f"not an article file type ({suffix or 'no suffix'})"))
            continue
        problem, article = _read_one(path, root, name, max_bytes)
        if problem:
            skipped.append(Skipped(_printable(name), problem))
        elif article:
            files.append(article)
    return files, skipped


def _printable(name: str) -> str:
    # Undecodable bytes in a file name arrive as lone surrogates, which no JSON or
    # terminal can carry; show them as \x.. escapes instead.
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _read_one(
    path: Path, root: Path, name: str, max_bytes: int
) -> tuple[str | None, SourceFile | None]:
    if _printable(name) != name:
        return "the file name is not valid UTF-8: rename the file", None
    if path.is_symlink():
        target = path.resolve()
        if not target.is_relative_to(root):
            return f"symlink to {target}, outside the corpus folder: refused", None
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):  # a FIFO or device would block or never end
            return "not a regular file", None
        if st.st_size > max_bytes:
            return too_large(st.st_size, max_bytes), None
        with open(path, "rb") as fh:
            data = fh.read(max_bytes + 1)  # the file may have grown since stat()
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}", None
    if len(data) > max_bytes:
        return too_large(len(data), max_bytes), None
    problem = decode_problem(data)
    if problem:
        return problem, None
    # Decode exactly as a citation check will (open() with universal newlines), from the
    # same bytes that were hashed, so offsets and hash describe one version of the file.
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8").read()
    if not text.strip():
        return "empty (no text)", None
    return None, SourceFile(name, text, hashlib.sha256(data).hexdigest(), len(data))


def too_large(size: int, max_bytes: int) -> str:
    """The message for an article over the `max_file_bytes` limit."""
    return (f"too large ({size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.1f} MB, "
            "setting max_file_bytes)")
