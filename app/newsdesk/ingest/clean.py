"""Strip web-page boilerplate from an article while keeping offsets into the original file.

Cleaning never rewrites text: it only decides which spans of the file are article body.
Chunks are cut inside those spans, so every chunk and every quote is a verbatim slice
of the file and its offsets verify against it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from newsdesk.ingest.header import host_of
from newsdesk.ingest.header import parse as parse_header
from newsdesk.nlp.dates import find_published
from newsdesk.nlp.text import DATELINE

# A line that starts a trailer of links to other stories ("Related Posts", "Read More:").
_TRAILER = re.compile(
    r"^(related( posts| news| articles| stories| content)?|read (more|also)|also read|"
    r"more (from|on|in|stories)|most (visited|read|popular|viewed)|top ([\w ]+ )?stories|"
    r"recommended( for you)?|you (may|might) (also )?like|trending( now)?|latest news|"
    r"popular posts|see also|further reading)\b[^.!?]{0,60}$",
    re.IGNORECASE,
)
# A line that is page furniture wherever it appears.
_FURNITURE = re.compile(
    r"^((photo|image|picture|video|credit|source)s?\s*(:|/|by\b)|source link$|"
    r"leave a (reply|comment)|share (this|on)\b|follow us\b|subscribe\b|sign up\b|"
    r"advertisement$|click here\b|(read|more) .*\b(telegram|twitter|facebook|whatsapp|channel)\b|"
    r"copyright\b|©|all rights reserved)",
    re.IGNORECASE,
)
_URL = re.compile(r"(https?://|www\.|t\.me/)\S+", re.IGNORECASE)
# "MNA/PressTV", "(AP)", "Reuters": a short agency credit line with no sentence in it.
_CREDIT = re.compile(r"^\(?[A-Z][A-Za-z]{1,15}(\s?/\s?[A-Z][A-Za-z]{1,15})+\)?$|^\([A-Z]{2,6}\)$")
_LEAD_OUTLET = re.compile(r"^(?P<outlet>[A-Z][A-Za-z]+(?: ?[A-Z][A-Za-z]+){0,2}):\s")
# Words that open a line as a label, not as the outlet's credit ("Published: 2022-12-08",
# "Opinion: Why ...", "Breaking News: ..."): general page furniture.
_LABELS = frozenset("""published updated posted modified date by url source opinion
    analysis breaking watch read listen editor note update photo photos video image""".split())


@dataclass(frozen=True)
class Article:
    """An article's body spans and metadata; offsets index the original text."""

    text: str
    blocks: list[tuple[int, int]]
    title: str = ""
    outlet: str = ""
    published: str = ""
    published_span: tuple[int, int] | None = None
    dropped: list[str] = field(default_factory=list)

    def body(self) -> str:
        return "\n\n".join(self.text[s:e] for s, e in self.blocks)


def _lines(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            spans.append((pos + lead, pos + lead + len(stripped)))
        pos += len(line)
    return spans


def _is_headline(line: str) -> bool:
    """Short and with no sentence-final punctuation: a title or a teaser link."""
    return len(line) <= 160 and not re.search(r"[.!?:\"”’']\s*$", line) and len(line.split()) >= 2


def _is_teaser(line: str) -> bool:
    return _is_headline(line) or bool(DATELINE.match(line)) and len(line) < 400


def _is_sentence(line: str) -> bool:
    return bool(re.search(r"[.!?\"”’']\s*$", line)) and len(line.split()) >= 6


def clean(text: str) -> Article:
    """Find the article body, title, outlet and publication date in raw page text."""
    lines = _lines(text)
    header = parse_header(text)
    # The field lines of a header `newsdesk add` wrote (URL, Published, By, Outlet) are
    # metadata, not article text.
    keep = [not (header and header.fields_start <= s < header.fields_end) for s, _ in lines]
    dropped: list[str] = []
    title = outlet = ""
    seen: set[str] = set()
    in_trailer = False
    for i, (s, e) in enumerate(lines):
        line = text[s:e]
        if not keep[i]:
            continue
        if _TRAILER.match(line):
            in_trailer = True
            # A trailer in the last part of the page runs to its end; one mid-page
            # ("Related News:" between paragraphs) covers only the teaser lines after it.
            in_trailer_to_end = s > len(text) * 0.6
            keep[i] = False
            if in_trailer_to_end:
                for j in range(i, len(lines)):
                    keep[j] = False
                break
            continue
        if in_trailer and _is_teaser(line):
            keep[i] = False
            continue
        in_trailer = False
        if _FURNITURE.match(line) or (_URL.search(line) and len(_URL.sub("", line).split()) < 12):
            keep[i] = False
        elif _CREDIT.match(line):
            keep[i] = False
            outlet = outlet or line.strip("()")
        elif line in seen and _is_headline(line):
            keep[i] = False  # a repeated title
        elif re.fullmatch(r"[\d:.\s/-]+[•|·]?\s*", line):
            keep[i] = False  # a bare timestamp line; kept as metadata below
        seen.add(line)
    for i, (s, e) in enumerate(lines):
        if not keep[i]:
            dropped.append(text[s:e])
    kept = [span for span, k in zip(lines, keep, strict=True) if k]
    title = header.header.title if header else _find_title(text, lines, keep)
    # A page that names no outlet is known by its site ("usatoday.com"), as `newsdesk
    # add` names a page it fetched: from the header's URL or a bare URL line under the
    # title (a search result saved as title, URL, "Published:" line, text). A dateline
    # naming only a place ("NEW YORK —") says where, not who: the site comes first.
    site = host_of(header.header.url if header else _page_url(text, lines))
    credit, place = _find_outlet(text, kept, title)
    outlet = ((header and header.header.outlet) or credit or outlet or site or place)
    published, published_span = find_published(text)
    return Article(text, _blocks(text, kept), title, outlet, published, published_span, dropped)


def _find_title(text: str, lines: list[tuple[int, int]], keep: list[bool]) -> str:
    if not lines:
        return ""
    first = text[lines[0][0] : lines[0][1]]
    if _is_headline(first):
        return first
    # Some pages put the headline after the agency credit at the bottom ("MNA/PressTV").
    for i, (s, e) in enumerate(lines[:-1]):
        if _CREDIT.match(text[s:e]):
            nxt = text[lines[i + 1][0] : lines[i + 1][1]]
            if _is_headline(nxt) and not _TRAILER.match(nxt):
                return nxt
    match = DATELINE.match(first) or _LEAD_OUTLET.match(first)
    body = first[match.end() :] if match else first
    sentence = re.split(r"(?<=[.!?])\s", body, maxsplit=1)[0]
    return sentence if len(sentence) <= 120 else sentence[:117].rsplit(" ", 1)[0] + "…"


def _find_outlet(text: str, kept: list[tuple[int, int]], title: str = "") -> tuple[str, str]:
    """The credit a dateline or a lead credit in the first lines names ("KYIV (Reuters)",
    "Iran PressEurope: During the visit, ..."), or else the place a dateline with no
    credit names ("WASHINGTON —"): `(credit, "")`, `("", place)` or `("", "")`. A credit
    opens a sentence: the title ("Kyrie Irving: What to know") and a label ("Published:
    2022-12-08") are none."""
    for s, e in kept[:4]:
        line = text[s:e]
        match = DATELINE.match(line)
        if match and match.group("agency"):
            return f"{match.group('place')} ({match.group('agency')})", ""
        if match and match.group("place").isupper():
            return "", match.group("place")
        match = _LEAD_OUTLET.match(line)
        if (match and len(match.group("outlet")) < 30 and not (title and title in line)
                and match.group("outlet").split()[0].lower() not in _LABELS
                and _is_sentence(line[match.end() :])):
            return match.group("outlet"), ""
    return "", ""


def _page_url(text: str, lines: list[tuple[int, int]]) -> str:
    """A line under the title that is only a URL, '' without one."""
    for s, e in lines[1:3]:
        if _URL.fullmatch(text[s:e]) and host_of(text[s:e]):
            return text[s:e]
    return ""


def _blocks(text: str, kept: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge kept lines that are adjacent (only whitespace between) into blocks."""
    blocks: list[tuple[int, int]] = []
    for s, e in kept:
        if blocks and not text[blocks[-1][1] : s].strip():
            blocks[-1] = (blocks[-1][0], e)
        else:
            blocks.append((s, e))
    return blocks
