"""A web page's article: main text, title, author, date and site, by trafilatura.

A page with too little running text to be an article (a navigation page, a login or
paywall form, an error page) is refused with the reason, never saved as an "article".
"""

from __future__ import annotations

import datetime as dt
import re

from newsdesk.errors import AddFailed
from newsdesk.ingest.header import Header, host_of, one_line

# Enough running text to be an article: a news brief has two or three sentences.
MIN_SENTENCE_WORDS = 25
_SENTENCE_LINE = re.compile(r"[.!?\"”’')]\s*$")
_PASSWORD_FIELD = re.compile(rb"<input[^>]+type\s*=\s*[\"']?password", re.IGNORECASE)
_LOGIN_WORDS = re.compile(
    r"\b(log ?in|sign ?in|subscribe|subscription|register|create an account|paywall)\b",
    re.IGNORECASE)
# "Save page as" in Chrome and Edge marks the page with where it came from.
_SAVED_FROM = re.compile(rb"<!--\s*saved from url=\(\d+\)(https?://[^\s>]+?)\s*-->")
_FEED_START = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(rss|feed|rdf:RDF)\b",
                         re.DOTALL)


def is_feed(data: bytes, content_type: str = "") -> bool:
    """Whether `data` is an RSS or Atom document rather than a web page."""
    kind = content_type.lower()
    return ("rss" in kind or "atom" in kind or _FEED_START.match(data[:4096]) is not None)


def extract_article(data: bytes, where: str, url: str = "",
                    charset: str | None = None) -> tuple[Header, str]:
    """(header, body text) of the article in an HTML page; `where` names it in messages."""
    import trafilatura

    if is_feed(data):
        raise AddFailed(f"{where}: this is an RSS/Atom feed, not a web page: add it with "
                        "newsdesk add --feed")
    html: str | bytes = data.decode(charset, errors="replace") if charset else data
    saved = _SAVED_FROM.search(data[:2048])
    url = url or (saved.group(1).decode("ascii", "replace") if saved else "")
    doc = trafilatura.bare_extraction(
        html, url=url or None, with_metadata=True, include_comments=False,
        include_tables=False, include_images=False, include_links=False, deduplicate=False)
    text = str(getattr(doc, "text", "") or "") if doc is not None else ""
    title = one_line(str(getattr(doc, "title", "") or ""))
    body = _body(text, title)
    if _sentence_words(body) < MIN_SENTENCE_WORDS:
        raise AddFailed(f"{where}: {_why_no_article(data, body)}")
    return Header(
        title=title or _first_words(body),
        url=str(getattr(doc, "url", "") or url or ""),
        published=_iso_date(str(getattr(doc, "date", "") or "")),
        author=one_line(str(getattr(doc, "author", "") or "")),
        outlet=one_line(str(getattr(doc, "sitename", "") or "")) or host_of(url),
    ), body


def _body(text: str, title: str) -> str:
    """Paragraphs separated by blank lines, without a first line that repeats the title."""
    paragraphs = [one_line(p, 100_000) for p in text.splitlines()]
    paragraphs = [p for p in paragraphs if p]
    if paragraphs and title and paragraphs[0].casefold() == title.casefold():
        paragraphs = paragraphs[1:]
    return "\n\n".join(paragraphs)


def _sentence_words(body: str) -> int:
    """Words in paragraphs that read as sentences (end like one, six words or more)."""
    total = 0
    for paragraph in body.split("\n\n"):
        n = len(paragraph.split())
        if n >= 6 and _SENTENCE_LINE.search(paragraph):
            total += n
    return total


def _why_no_article(data: bytes, body: str) -> str:
    if _PASSWORD_FIELD.search(data) or (_LOGIN_WORDS.search(body) and len(body) < 2000):
        return ("no article text: the page is a login or subscription wall; if you can read "
                "it in your browser, save the page there (Save page as… .html) and add the file")
    if not body:
        return "no article text found on the page"
    return ("no article text found on the page (only navigation, links or headlines; "
            "is this a section front rather than an article?)")


def _iso_date(value: str) -> str:
    try:
        return dt.date.fromisoformat(value.strip()[:10]).isoformat()
    except ValueError:
        return ""


def _first_words(body: str, limit: int = 80) -> str:
    first = body.split("\n", 1)[0]
    return first if len(first) <= limit else first[: limit - 1].rsplit(" ", 1)[0] + "…"
