"""Writing articles into the corpus folder: safe names, no overwrite, nothing half-written.

A new article is written to a hidden temporary file (hidden names are never read as
articles), flushed to disk, then linked under its final name, which fails rather than
replace a file that is there: a crash or a failed step leaves no partial article. Writers
hold an exclusive lock on the folder, so two adds of the same article (two browsers, or
the chat and the command) find each other's file and the second one says "already there".
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import stat
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from newsdesk.errors import AddFailed, FetchFailed
from newsdesk.ingest.corpus import scan
from newsdesk.ingest.fetch import normal_url
from newsdesk.ingest.header import body_of, parse

MAX_STEM = 90  # characters of a file name before its suffix
_UNSAFE = re.compile(r'[<>:"|?*\\/]')


def safe_name(name: str) -> str:
    """The last component of `name`, as a plain file name: no folders (`../`, `/`, `C:\\`),
    no control characters, no leading dot or dash, at most MAX_STEM characters before its
    suffix. '' when nothing is left."""
    base = re.split(r"[/\\]", name)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = _UNSAFE.sub("_", base).strip().lstrip(".-").strip()
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = stem[:MAX_STEM].rstrip(" .")
    if not stem:
        return ""
    return f"{stem}.{suffix}" if suffix else stem


def slug(title: str, published: str = "") -> str:
    """A file stem for a titled article: `2024-03-05-port-strike-ends-after-nine-days`."""
    words = re.sub(r"[^\w]+", "-", title.casefold()).strip("-_")
    words = words[:70].rsplit("-", 1)[0] if len(words) > 70 else words
    stem = "-".join(part for part in (published, words) if part)
    return stem or "article"


def text_key(text: str) -> str:
    """What makes two articles "the same text": their bodies, whitespace aside."""
    body = " ".join(body_of(text).split())
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@contextlib.contextmanager
def corpus_lock(corpus: Path) -> Iterator[None]:
    """Hold the corpus folder's writer lock (waits for other writers; any process)."""
    corpus.mkdir(parents=True, exist_ok=True)
    fd = os.open(corpus, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def write_new(corpus: Path, stem: str, suffix: str, data: bytes) -> str:
    """Write `data` as `stem+suffix` (or `stem-2+suffix`, … if taken); returns the name.

    Call with `corpus_lock` held. Never replaces an existing file."""
    tmp = corpus / f".newsdesk-add-{uuid.uuid4().hex}.part"
    try:
        with open(tmp, "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        for n in range(1, 1000):
            name = f"{stem}{suffix}" if n == 1 else f"{stem}-{n}{suffix}"
            try:
                os.link(tmp, corpus / name)
            except FileExistsError:
                continue
            return name
        raise AddFailed(f"{stem}{suffix}: 999 files of that name are already in {corpus}")
    except OSError as exc:
        raise AddFailed(f"cannot write to {corpus}: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)


@dataclass(frozen=True)
class _Known:
    stamp: tuple[int, int]
    url: str
    key: str


class Catalog:
    """What the corpus already holds, by URL and by text, to tell a duplicate."""

    def __init__(self, corpus: Path, max_bytes: int):
        self.corpus = corpus
        self.max_bytes = max_bytes
        self._known: dict[str, _Known] = {}

    def refresh(self) -> Catalog:
        """Re-read the files that changed since the last look (by size and mtime)."""
        current = scan(self.corpus)
        known = {s: k for s, k in self._known.items() if current.get(s) == k.stamp}
        for source, stamp in current.items():
            if source not in known:
                found = _describe(self.corpus / source, stamp, self.max_bytes)
                if found is not None:
                    known[source] = found
        self._known = known
        return self

    def by_url(self, url: str) -> str:
        """The article fetched from `url` ('' when none is)."""
        return next((s for s, k in sorted(self._known.items()) if k.url and k.url == url), "")

    def by_text(self, key: str) -> str:
        """The article with this `text_key` ('' when none has it)."""
        return next((s for s, k in sorted(self._known.items()) if k.key == key), "")


def _describe(path: Path, stamp: tuple[int, int], max_bytes: int) -> _Known | None:
    try:
        # Only what ingest would read: a FIFO would block, a huge file is skipped anyway.
        if not stat.S_ISREG(path.stat().st_mode) or stamp[0] > max_bytes:
            return None
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError):
        return None  # not an article ingest can read either
    parsed = parse(text)
    url = ""
    if parsed and parsed.header.url:
        with contextlib.suppress(FetchFailed):
            url = normal_url(parsed.header.url)
    return _Known(stamp, url, text_key(text))
