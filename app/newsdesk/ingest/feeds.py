"""RSS and Atom feeds, read by feedparser from bytes newsdesk fetched itself.

feedparser is never given a URL or a file name: it would fetch or open it outside the
fetch policy (http(s) only, time and size limits, no private addresses when exposed).
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

from newsdesk.errors import AddFailed, ConfigError
from newsdesk.ingest.header import Header, one_line

DEFAULT_LIMIT = 20  # entries taken from one feed unless --limit says otherwise
MAX_LIMIT = 1000


@dataclass(frozen=True)
class Feed:
    """A feed's first `limit` entries that have a link, and what was left out. An entry is
    what the feed says about an article: its link (`url`), title, date, author and the
    feed's title as its outlet."""

    url: str
    title: str
    entries: list[Header]
    total: int  # entries in the feed, with and without links
    without_link: list[str] = field(default_factory=list)  # titles of entries with no link


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise ConfigError(f"--limit: {limit} entries per feed is out of range "
                          f"(1 to {MAX_LIMIT:,})")
    return limit


def parse_feed(data: bytes, url: str, limit: int = DEFAULT_LIMIT) -> Feed:
    """The feed in `data` (fetched from `url`), or `AddFailed` when it is not one."""
    import feedparser

    parsed = feedparser.parse(io.BytesIO(data), sanitize_html=False, resolve_relative_uris=False)
    if not parsed.get("version") and not parsed.entries:
        raise AddFailed(f"{url}: not an RSS or Atom feed")
    title = one_line(str(parsed.feed.get("title", "")))
    entries: list[Header] = []
    without: list[str] = []
    for number, item in enumerate(parsed.entries, start=1):
        name = one_line(str(item.get("title", ""))) or f"entry {number}"
        link = str(item.get("link", "") or "").strip()
        if not link:
            without.append(name)
            continue
        if len(entries) < limit:  # a relative link is relative to the feed
            author = one_line(str(item.get("author", "") or ""))
            entries.append(Header(name, urljoin(url, link), _date(item), author, title))
    return Feed(url, title, entries, len(parsed.entries), without)


def _date(item: dict) -> str:
    stamp = item.get("published_parsed") or item.get("updated_parsed")
    return time.strftime("%Y-%m-%d", stamp) if stamp else ""


def read_feed_list(path: Path) -> list[str]:
    """The feed URLs in a feeds file: one per line; blank lines and `#` comments ignored."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"--feeds: cannot read {path} ({exc})") from None
    urls = [line.strip() for line in lines]
    urls = [u for u in urls if u and not u.startswith("#")]
    if not urls:
        raise ConfigError(f"--feeds: {path} lists no feed URLs (one per line)")
    return urls
