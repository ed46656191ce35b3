"""The header `newsdesk add` writes above a web page's text, and how it is read back.

    Port strike ends after nine days
    URL: https://harbour.example/news/strike
    Published: 2024-03-05
    By: Jane Doe
    Outlet: Harbour Times

    Dock workers in Zarnovia returned to work on Tuesday …

The title is the first line; the field lines follow it up to the first blank line, each
only when known. The header is part of the file, so offsets and citations are those of
the file as written; the cleaner keeps the field lines out of the searchable body.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

FIELDS = {"URL": "url", "Published": "published", "By": "author", "Outlet": "outlet"}
_FIELD = re.compile(r"^(URL|Published|By|Outlet): (\S.*)$")


@dataclass(frozen=True)
class Header:
    """What is known about an article besides its text; '' when unknown."""

    title: str
    url: str = ""
    published: str = ""  # YYYY-MM-DD
    author: str = ""
    outlet: str = ""


@dataclass(frozen=True)
class ParsedHeader:
    """A header found at the top of a file: its fields, where its field lines are, and
    where the body starts (offsets into the file's text)."""

    header: Header
    fields_start: int
    fields_end: int
    body_start: int


def host_of(url: str) -> str:
    """The site a URL names ("usatoday.com"), '' without one."""
    host = (urlsplit(url).hostname or "") if url else ""
    return host.removeprefix("www.")


def one_line(value: str, limit: int = 300) -> str:
    """`value` as one line of printable text: whitespace collapsed, controls removed."""
    kept = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in value)
    kept = " ".join(kept.split())
    return kept if len(kept) <= limit else kept[: limit - 1].rstrip() + "…"


def render(header: Header, body: str) -> str:
    """The article file: the header lines, a blank line, the body, a final newline."""
    lines = [one_line(header.title) or "Untitled"]
    for label, attr in FIELDS.items():
        value = one_line(getattr(header, attr), 2000 if label == "URL" else 300)
        if value:
            lines.append(f"{label}: {value}")
    return "\n".join(lines) + "\n\n" + body.strip("\n") + "\n"


def parse(text: str) -> ParsedHeader | None:
    """The header at the top of `text`, if it has a title line and at least one field line."""
    first_end = text.find("\n")
    if first_end <= 0:
        return None
    values: dict[str, str] = {}
    pos = first_end + 1
    while pos < len(text):
        end = text.find("\n", pos)
        end = len(text) if end < 0 else end
        match = _FIELD.match(text[pos:end].rstrip("\r"))
        if match is None or FIELDS[match.group(1)] in values:
            break
        values[FIELDS[match.group(1)]] = match.group(2).strip()
        pos = end + 1
    if not values:
        return None
    fields_end = pos
    while pos < len(text) and text[pos] in "\r\n":
        pos += 1
    title = text[:first_end].strip().lstrip("\ufeff")
    return ParsedHeader(Header(title, **values), first_end + 1, fields_end, pos)


def body_of(text: str) -> str:
    """The text after the header (all of it when there is none)."""
    parsed = parse(text)
    return text[parsed.body_start :] if parsed else text
