"""Adding articles to the corpus folder: files, web pages, feeds; and removing them.

`.txt`/`.md` files are copied in byte for byte; an `.html` file or an http(s) URL
becomes a `.txt` article with a header (`ingest/header.py`) above the page's main text.
The same URL or the same text added twice is one article: the second add says where it
already is. A failure names the file or URL and the reason and writes nothing. Indexing
is the caller's next step (`Assistant.ingest`), once for everything added.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from newsdesk.errors import AddFailed
from newsdesk.ingest.corpus import ARTICLE_SUFFIXES, decode_problem, scan, too_large
from newsdesk.ingest.extract import extract_article, is_feed
from newsdesk.ingest.feeds import check_limit, parse_feed
from newsdesk.ingest.fetch import Fetcher, normal_url
from newsdesk.ingest.header import Header, render
from newsdesk.ingest.saving import Catalog, corpus_lock, safe_name, slug, text_key, write_new

PAGE_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
PAGE_TYPES = frozenset({"", "text/html", "application/xhtml+xml"})
FEED_ACCEPT = "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"
REMOVED = ".removed"  # hidden, so never indexed; a removed article can be moved back
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")

Status = Literal["added", "duplicate", "failed"]


@dataclass(frozen=True)
class Added:
    """What became of one thing given to `add`: the path, URL or upload name it was."""

    origin: str
    status: Status
    source: str = ""  # the corpus file it is in (added, or already there)
    detail: str = ""  # why it failed, or how it is a duplicate

    def line(self) -> str:
        if self.status == "added":
            return f"added {self.source}  (from {self.origin})"
        if self.status == "duplicate":
            return f"already there: {self.origin} is {self.source} ({self.detail})"
        return f"failed: {self.detail}"


@dataclass
class AddReport:
    """Everything one `add` did, and notes (feeds cut to --limit, entries without links)."""

    items: list[Added] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def added(self) -> list[str]:
        return [i.source for i in self.items if i.status == "added"]

    @property
    def failed(self) -> list[Added]:
        return [i for i in self.items if i.status == "failed"]

    def extend(self, other: AddReport) -> AddReport:
        self.items += other.items
        self.notes += other.notes
        return self

    def summary(self) -> str:
        return "\n".join([*self.notes, *(i.line() for i in self.items)])

    def to_dict(self) -> dict[str, Any]:
        return {"items": [asdict(i) for i in self.items], "notes": list(self.notes)}


def is_url(item: str) -> bool:
    """Whether `add` reads `item` as a URL (anything with a scheme) rather than a path."""
    return bool(_SCHEME.match(item.strip())) and not Path(item).exists()


class Library:
    """The corpus folder as a place articles are added to and removed from."""

    def __init__(self, corpus: Path, fetcher: Fetcher, max_file_bytes: int):
        self.corpus = corpus
        self.fetcher = fetcher
        self.max_file_bytes = max_file_bytes
        self.catalog = Catalog(corpus, max(max_file_bytes, fetcher.policy.max_bytes))

    # -- adding -----------------------------------------------------------------------
    def add(self, items: list[str]) -> AddReport:
        """Add each path or URL; one failure does not stop the others."""
        return AddReport([self.add_url(i) if is_url(i) else self.add_file(Path(i))
                          for i in items])

    def add_file(self, path: Path, name: str | None = None) -> Added:
        """Add a file; `name` is the name it had for its user (an upload's), else its own."""
        origin = name if name is not None else str(path)
        stored = safe_name(name if name is not None else path.name)
        suffix = Path(stored).suffix.lower()
        page = suffix in PAGE_SUFFIXES
        if not page and suffix not in ARTICLE_SUFFIXES:
            kind = suffix or "no suffix"
            return _failed(origin, f"not an article file type ({kind}): add .txt, .md or "
                                   ".html files")
        try:
            data = self._read(path, origin, page)
            if page:
                header, body = extract_article(data, origin)
                return self._save_article(origin, header, body)
            return self._save_text(origin, Path(stored).stem, suffix, data)
        except AddFailed as exc:
            return _failed(origin, str(exc))

    def add_url(self, url: str, hint: Header | None = None) -> Added:
        """Fetch a web page and add its article (`hint`: what a feed said about it)."""
        try:
            wanted = normal_url(url)
            if known := self.catalog.refresh().by_url(wanted):
                return Added(url, "duplicate", known, "same URL")
            page = self.fetcher.get(url)
            if is_feed(page.body, page.content_type):
                raise AddFailed(f"{url}: this is an RSS/Atom feed, not a web page: add it "
                                "with newsdesk add --feed")
            if page.content_type not in PAGE_TYPES:
                raise AddFailed(f"{url}: not a web page ({page.content_type}); download it "
                                "and add the file if it is an article")
            header, body = extract_article(page.body, url, page.url, page.charset)
        except AddFailed as exc:
            return _failed(url, str(exc))
        header = replace(header, url=page.url)
        if hint is not None:
            header = _fill(header, hint)
        return self._save_article(url, header, body)

    def add_feed(self, url: str, limit: int) -> AddReport:
        """Add the first `limit` entries of an RSS/Atom feed that are not in the corpus."""
        check_limit(limit)
        try:
            feed = parse_feed(self.fetcher.get(url, FEED_ACCEPT).body, url, limit)
        except AddFailed as exc:
            return AddReport([_failed(url, str(exc))])
        report = AddReport()
        linked = feed.total - len(feed.without_link)
        if linked > limit:
            report.notes.append(f"{url}: the feed has {linked:,} entries; taking the first "
                                f"{limit:,} (--limit)")
        if feed.without_link:
            shown = ", ".join(repr(t) for t in feed.without_link[:3])
            more = len(feed.without_link) - 3
            report.notes.append(f"{url}: skipped {len(feed.without_link):,} "
                                f"entr{'y' if len(feed.without_link) == 1 else 'ies'} without "
                                f"a link: {shown}{f' and {more:,} more' if more > 0 else ''}")
        report.items += [self.add_url(entry.url, entry) for entry in feed.entries]
        return report

    def _read(self, path: Path, origin: str, page: bool) -> bytes:
        limit = self.fetcher.policy.max_bytes if page else self.max_file_bytes
        try:
            st = path.stat()
            if not stat.S_ISREG(st.st_mode):
                raise AddFailed(f"{origin}: not a regular file")
            if st.st_size > limit:
                raise AddFailed(f"{origin}: {_too_large(st.st_size, limit, page)}")
            with open(path, "rb") as fh:
                data = fh.read(limit + 1)
        except OSError as exc:
            raise AddFailed(f"{origin}: cannot read it ({exc.strerror or exc})") from None
        if len(data) > limit:
            raise AddFailed(f"{origin}: {_too_large(len(data), limit, page)}")
        return data

    def _save_text(self, origin: str, stem: str, suffix: str, data: bytes) -> Added:
        problem = decode_problem(data)
        if problem is None and not data.decode("utf-8").strip():
            problem = "empty (no text)"
        if problem:
            return _failed(origin, f"{origin}: {problem}")
        text = data.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")
        return self._save(origin, stem, suffix, data, text_key(text), url="")

    def _save_article(self, origin: str, header: Header, body: str) -> Added:
        text = render(header, body)
        url = normal_url(header.url) if header.url else ""
        return self._save(origin, slug(header.title, header.published), ".txt",
                          text.encode("utf-8"), text_key(text), url)

    def _save(self, origin: str, stem: str, suffix: str, data: bytes, key: str,
              url: str) -> Added:
        """Write the article unless the corpus has it (by URL or text): under the lock."""
        try:
            with corpus_lock(self.corpus):
                catalog = self.catalog.refresh()
                if url and (known := catalog.by_url(url)):
                    return Added(origin, "duplicate", known, "same URL")
                if known := catalog.by_text(key):
                    return Added(origin, "duplicate", known, "same text")
                return Added(origin, "added", write_new(self.corpus, stem, suffix, data))
        except AddFailed as exc:
            return _failed(origin, f"{origin}: {exc}")
        except OSError as exc:
            return _failed(origin, f"{origin}: cannot write to {self.corpus} "
                                   f"({exc.strerror or exc})")

    # -- removing ---------------------------------------------------------------------
    def remove(self, source: str) -> Path:
        """Move an article out of the corpus into its hidden `.removed/` folder."""
        with corpus_lock(self.corpus):
            articles = scan(self.corpus)
            if source not in articles:
                raise AddFailed(f"{source}: not an article in {self.corpus}")
            if len(articles) == 1:
                raise AddFailed(f"{source}: it is the only article; add another before "
                                "removing it (the index needs at least one)")
            target = self.corpus / REMOVED / source
            if target.exists():
                stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
                target = target.with_name(f"{target.stem}.{stamp}{target.suffix}")
            target.parent.mkdir(parents=True, exist_ok=True)
            os.rename(self.corpus / source, target)
            return target


def _fill(header: Header, hint: Header) -> Header:
    """The page's own metadata, with what the feed says where the page says nothing."""
    return replace(header, title=header.title or hint.title,
                   published=header.published or hint.published,
                   author=header.author or hint.author, outlet=header.outlet or hint.outlet)


def _too_large(size: int, limit: int, page: bool) -> str:
    if not page:
        return too_large(size, limit)
    return (f"too large ({size / 1e6:.1f} MB; the limit is {limit / 1e6:.1f} MB, "
            "setting max_page_bytes)")


def _failed(origin: str, detail: str) -> Added:
    if not detail.startswith(origin):
        detail = f"{origin}: {detail}"
    return Added(origin, "failed", detail=detail)
