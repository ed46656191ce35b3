"""Dates in news text: publication dates, and the day a bare "on Monday" refers to."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

MONTHS = {
    m: i
    for i, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")],
        start=1,
    )
    for m in names
}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_MONTH = (
    r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_PATTERNS = [
    re.compile(r"\b(?P<day>\d{1,2})\.(?P<mon>\d{1,2})\.(?P<year>(?:19|20)\d{2})\b"),
    re.compile(r"\b(?P<year>(?:19|20)\d{2})-(?P<mon>\d{2})-(?P<day>\d{2})\b"),
    re.compile(
        rf"(?:{_WEEKDAY},?\s+)?{_MONTH}\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\b"
        r"(?:,?\s+(?:of\s+)?(?P<year>(?:19|20)\d{2}))?"
    ),
    re.compile(
        rf"(?:{_WEEKDAY},?\s+)?(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH}\b"
        r"(?:,?\s+(?:of\s+)?(?P<year>(?:19|20)\d{2}))?"
    ),
]
_BARE_WEEKDAY = re.compile(rf"\b(?:on|last|this|next)?\s*{_WEEKDAY}\b")


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    date: dt.date | None  # None when the year cannot be told
    weekday: int | None
    has_year: bool


def _infer_year(month: int, day: int, weekday: int, today: dt.date) -> int | None:
    """The latest year, not after today's, in which month/day fell on that weekday."""
    for year in range(today.year, today.year - 30, -1):
        try:
            if dt.date(year, month, day).weekday() == weekday:
                return year
        except ValueError:
            return None
    return None


def find_dates(text: str, today: dt.date | None = None) -> list[DateMention]:
    """Every calendar date written in the text, years inferred from weekdays where possible."""
    today = today or dt.date.today()
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            groups = m.groupdict()
            month = int(groups["mon"]) if groups.get("mon") else MONTHS[groups["month"].lower()]
            day = int(groups["day"])
            weekday = WEEKDAYS.index(groups["weekday"].lower()) if groups.get("weekday") else None
            year = int(groups["year"]) if groups.get("year") else None
            if year is None and weekday is not None:
                year = _infer_year(month, day, weekday, today)
            try:
                date = dt.date(year, month, day) if year else None
            except ValueError:
                continue
            taken.append((m.start(), m.end()))
            found.append(DateMention(m.start(), m.end(), date, weekday, bool(groups.get("year"))))
    return sorted(found, key=lambda d: d.start)


def find_published(text: str) -> tuple[str, tuple[int, int] | None]:
    """ISO publication date when the page's first lines state one with a year."""
    head = text[:400]
    for mention in find_dates(head):
        if mention.date and mention.has_year and head.count("\n", 0, mention.start) <= 4:
            return mention.date.isoformat(), (mention.start, mention.end)
    return "", None


@dataclass(frozen=True)
class Anchor:
    """The date bare weekdays in an article are relative to, and where the article states it."""

    date: dt.date
    is_publication: bool
    start: int
    end: int


@lru_cache(maxsize=512)
def anchor_date(text: str) -> Anchor | None:
    """The publication date if the page's head gives one, else the first weekday-dated event.
    Cached: answering, date notes, agreement and the timeline all ask of the same articles."""
    published, span = find_published(text)
    if published and span:
        return Anchor(dt.date.fromisoformat(published), True, *span)
    for mention in find_dates(text):
        if mention.date and mention.weekday is not None:
            return Anchor(mention.date, False, mention.start, mention.end)
    return None


def resolve_weekday(weekday: int, anchor: dt.date, is_publication: bool) -> dt.date:
    """The day "on <weekday>" means: the latest such day not after publication, or the
    nearest one to an event date the article gives."""
    back = (anchor.weekday() - weekday) % 7
    if is_publication or back <= 3:
        return anchor - dt.timedelta(days=back)
    return anchor + dt.timedelta(days=7 - back)


def bare_weekdays(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, int]]:
    """(start, end, weekday) of weekday names not already part of a full date."""
    end = len(text) if end is None else end
    full = [(d.start, d.end) for d in find_dates(text[start:end])]
    out = []
    for m in _BARE_WEEKDAY.finditer(text, start, end):
        ws, we = m.start("weekday"), m.end("weekday")
        if any(s <= ws - start < e for s, e in full):
            continue
        out.append((ws, we, WEEKDAYS.index(m.group("weekday").lower())))
    return out


def day_month(text: str) -> tuple[int, int] | None:
    """(day, month) of a date written without its year ("November 17", "23 October")."""
    probe = find_dates(f"{text}, 2000")
    if probe and probe[0].date:
        return probe[0].date.day, probe[0].date.month
    return None


def nearest_year(month: int, day: int, anchor: dt.date) -> dt.date | None:
    """The date of that month and day nearest the anchor (a year either side)."""
    options = []
    for year in (anchor.year - 1, anchor.year, anchor.year + 1):
        try:
            options.append(dt.date(year, month, day))
        except ValueError:
            continue
    return min(options, key=lambda d: abs((d - anchor).days), default=None)
