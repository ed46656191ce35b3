"""The day a sentence's event happened on, or why it cannot be told safely.

A news sentence dates its event with a full date ("Sunday, October 17"), a date without
its year ("23 October"), a month ("in October 2020"), a year ("established in 1992"), a
weekday ("on Monday") or a word relative to the day it was written ("yesterday", "last
week"). The last two are counted from the article's date (`dates.anchor_date`), as
when-answers do. A weekday or relative word is left unresolved rather than guessed when
it may not be the event's day: the article gives no date to count from; it sits inside a
quotation (the speaker's "today", not the article's); the sentence speaks of the future
("will meet on Monday": the plan, or the day it was announced?); it is part of a name
("Black Friday", "the Sunday Times") or a recurring day ("every Monday").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from newsdesk.nlp.dates import (
    MONTHS,
    WEEKDAYS,
    Anchor,
    bare_weekdays,
    day_month,
    find_dates,
    nearest_year,
    resolve_weekday,
)

PRECISIONS = ("year", "month", "week", "day")  # coarse to fine

_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_MONTH_YEAR = re.compile(rf"\b(?P<month>{_MONTH_NAMES})\.?,?\s+(?:of\s+)?"
                         r"(?P<year>(?:19|20)\d{2})\b(?![-–]\d)", re.IGNORECASE)
_MONTH_ONLY = re.compile(rf"\b(?:in|during|since|until|by|early|mid|late)[\s-]+(?P<month>"
                         rf"{_MONTH_NAMES})\b(?!\.?\s*\d)", re.IGNORECASE)
# "in 1992", "during early 2022": a year as the time of something, not "Army-2023" or
# "Vision 2030" (names) or "2021-22" (a season).
_YEAR = re.compile(r"\b(?:in|during)\s+(?:(?:early|mid|late)[\s-]+)?(?P<year>(?:19|20)\d{2})\b"
                   r"(?![-–/]\d)")
_RELATIVE = re.compile(
    r"\b(?P<word>yesterday|today|tonight|tomorrow|last night|this morning|this afternoon|"
    r"this evening|(?:earlier |later )?this (?:week|month|year)|(?:last|next) (?:week|month|year)|"
    r"(?P<n>\d{1,2}|two|three|four|five|six|seven|eight|nine|ten) (?P<unit>days?|weeks?) ago)\b",
    re.IGNORECASE,
)
_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten".split())}
# A sentence about what is to come: its weekday may be the plan's day or the announcement's.
_FUTURE = re.compile(
    r"\b(will|shall|won't|(?:is|are|was|were) (?:due|expected|set|scheduled|slated|going) to|"
    r"plans? to|planning to|to be held|intends? to|upcoming)\b", re.IGNORECASE)
# "Black Friday", "Super Tuesday", "Easter Sunday": a named day, not a weekday of the story.
_NAMED_DAY = frozenset("""black cyber good holy easter palm ash maundy super bloody blue giving
    shrove fat whit low travel small""".split())
# Every time expression above has a digit or one of these words in it.
_ANY_TIME = re.compile(r"\d|" + "|".join([_MONTH_NAMES, *WEEKDAYS, "yesterday", "today", "tonight",
                       "tomorrow", "last night", "week", "month", "year", "ago"]), re.IGNORECASE)
# Words that may follow a date that dates something ("on May 13 for …", "until Nov. 12 to
# arrive"); any other word after a date without its year makes the date part of a name.
_LINKS = frozenset("""at for to in on and or with when after before from as by amid of
    during while but was is were will would around until through since than that which
    where who whose if so""".split())
_OPEN_QUOTE = re.compile(r"(?:^|(?<=[\s(\[—–-]))[\"'“‘«]")
_CLOSE_QUOTE = re.compile(r"[\"'”’»](?=[\s,.;:!?)\]—–-]|$)")


@dataclass(frozen=True)
class EventDate:
    """A resolved date: the first day of the period the sentence names, how much of it is
    known, and how it was found (`basis`, for the reader)."""

    day: dt.date
    precision: str  # day, week, month or year
    basis: str
    start: int  # the time words' span in the sentence
    end: int


@dataclass(frozen=True)
class Unresolved:
    """Time words the sentence dates its event with that cannot be resolved safely."""

    reason: str
    start: int
    end: int
    weekday: int | None = None  # a bare weekday: another report of the event may date it


def sentence_date(sentence: str, anchor: Anchor | None, today: dt.date
                  ) -> EventDate | Unresolved | None:
    """The date of the event the sentence reports (the first time expression in it that
    dates something), `Unresolved` when it has one that cannot be resolved safely, or
    None when it names no time at all. `today` bounds years inferred from weekdays."""
    found = time_expressions(sentence, anchor, today)
    if not found:
        return None
    return next((f for f in found if isinstance(f, EventDate)), found[0])


def time_expressions(sentence: str, anchor: Anchor | None, today: dt.date
                     ) -> list[EventDate | Unresolved]:
    """Every time expression in the sentence that dates something, resolved or with why
    not, in reading order."""
    if not _ANY_TIME.search(sentence):
        return []  # most sentences name no time: skip the finders
    found: list[EventDate | Unresolved] = []
    for finder in (_full_dates, _months, _years, _weekdays, _relatives):
        found += finder(sentence, anchor, today)
    return sorted(found, key=lambda f: f.start)


def span_date(sentence: str, start: int, end: int, anchor: Anchor | None, today: dt.date
              ) -> EventDate | Unresolved | None:
    """The time expression that `sentence[start:end]` (a short answer) is, or is part of:
    the one that overlaps it most, resolved as `sentence_date` resolves it (a weekday
    inside a quotation stays unresolved); None when the span names no time."""
    overlap = [(min(end, f.end) - max(start, f.start), f)
               for f in time_expressions(sentence, anchor, today)]
    best = max(overlap, key=lambda x: x[0], default=(0, None))
    return best[1] if best[0] > 0 else None


def _in_quote(sentence: str, start: int) -> bool:
    """Inside quotation marks: the last mark before is an opening one, or the first after
    is a closing one (quotes run across sentences)."""
    marks = sorted([(m.start(), "open") for m in _OPEN_QUOTE.finditer(sentence)]
                   + [(m.start(), "close") for m in _CLOSE_QUOTE.finditer(sentence)])
    before = [kind for pos, kind in marks if pos < start]
    after = [kind for pos, kind in marks if pos > start]
    return bool(before and before[-1] == "open") or bool(after and after[0] == "close")


def _full_dates(sentence: str, anchor: Anchor | None, today: dt.date
                ) -> list[EventDate | Unresolved]:
    out: list[EventDate | Unresolved] = []
    for m in find_dates(sentence, today):
        if m.date is not None:
            basis = "stated" if m.has_year or m.weekday is None else "stated; year from its weekday"
            out.append(EventDate(m.date, "day", basis, m.start, m.end))
            continue
        follows = re.match(r"\s+([A-Za-z]+)", sentence[m.end:])
        if follows and (follows.group(1)[0].isupper() or follows.group(1) not in _LINKS):
            continue  # "the January 6 committee", "January 6 attack": a name, not a day
        known = day_month(sentence[m.start:m.end])
        if known and anchor is not None:
            day = nearest_year(known[1], known[0], anchor.date)
            if day is not None:
                out.append(EventDate(day, "day", "stated; year from the article's date",
                                     m.start, m.end))
                continue
        out.append(Unresolved("a date without its year in an undated article", m.start, m.end))
    return out


def _months(sentence: str, anchor: Anchor | None, today: dt.date
            ) -> list[EventDate | Unresolved]:
    out: list[EventDate | Unresolved] = []
    for m in _MONTH_YEAR.finditer(sentence):
        month = MONTHS[m.group("month").lower()]
        out.append(EventDate(dt.date(int(m.group("year")), month, 1), "month", "stated",
                             m.start(), m.end()))
    for m in _MONTH_ONLY.finditer(sentence):
        if m.group("month")[0].islower():
            continue  # "in march", "by may": not the month
        month = MONTHS[m.group("month").lower()]
        if anchor is None:
            out.append(Unresolved("a month without its year in an undated article",
                                  m.start("month"), m.end()))
            continue
        year = anchor.date.year if month <= anchor.date.month else anchor.date.year - 1
        out.append(EventDate(dt.date(year, month, 1), "month", "year from the article's date",
                             m.start("month"), m.end()))
    return out


def _years(sentence: str, anchor: Anchor | None, today: dt.date
           ) -> list[EventDate | Unresolved]:
    taken = [(m.start(), m.end()) for m in _MONTH_YEAR.finditer(sentence)]
    return [EventDate(dt.date(int(m.group("year")), 1, 1), "year", "stated", m.start("year"),
                      m.end("year"))
            for m in _YEAR.finditer(sentence)
            if not any(s <= m.start("year") < e for s, e in taken)]


def _weekdays(sentence: str, anchor: Anchor | None, today: dt.date
              ) -> list[EventDate | Unresolved]:
    out: list[EventDate | Unresolved] = []
    for start, end, weekday in bare_weekdays(sentence):
        reason = _weekday_doubt(sentence, start, end)
        if reason == "not a date":
            continue
        if reason:
            out.append(Unresolved(reason, start, end))
        elif anchor is None:
            out.append(Unresolved("a weekday in an article without a date to count from",
                                  start, end, weekday))
        else:
            day = resolve_weekday(weekday, anchor.date, anchor.is_publication)
            if day == anchor.date and re.search(r"\blast\s*$", sentence[:start], re.I):
                day -= dt.timedelta(days=7)  # "last Monday" written on a Monday
            basis = ("the article's date" if anchor.is_publication
                     else "the date the article gives")
            out.append(EventDate(day, "day", f"{WEEKDAYS[weekday].capitalize()} counted from "
                                 f"{basis} ({anchor.date.isoformat()})", start, end))
    return out


def _weekday_doubt(sentence: str, start: int, end: int) -> str:
    """Why this weekday may not be the day of the sentence's event ('' when it is)."""
    before = sentence[:start]
    word_before = re.search(r"([A-Za-z]+)\W*$", before)
    if word_before and word_before.group(1).lower() in _NAMED_DAY:
        return "not a date"
    if re.search(r"\b(every|each)\s*$", before, re.IGNORECASE) or sentence[end:end + 1] == "s":
        return "not a date"  # a recurring day
    after = sentence[end:]
    prep = re.search(r"\b(on|last|by|until|since|from|before|after|through)\s*$", before,
                     re.IGNORECASE)
    if re.match(r"\s+[A-Z][a-z]", after) and not prep and not re.match(
            rf"\s+(?:{_MONTH_NAMES})\b", after, re.IGNORECASE):
        return "not a date"  # "the Sunday Times"
    if re.search(r"\b(next|this|coming|following)\s*$", before, re.IGNORECASE):
        return "a weekday counted from another day"
    if _in_quote(sentence, start):
        return "a weekday inside a quotation"
    if _FUTURE.search(sentence):
        return "a weekday in a sentence about the future"
    return ""


def _relatives(sentence: str, anchor: Anchor | None, today: dt.date
               ) -> list[EventDate | Unresolved]:
    out: list[EventDate | Unresolved] = []
    for m in _RELATIVE.finditer(sentence):
        if m.group()[0].isupper() and sentence[:m.start()].strip(" \"'“‘(—–-"):
            continue  # capitalized inside a sentence: a name ("USA Today", "Today show")
        if anchor is None or not anchor.is_publication:
            out.append(Unresolved("a relative date in an article without a publication date",
                                  m.start(), m.end()))
        elif _in_quote(sentence, m.start()):
            out.append(Unresolved("a relative date inside a quotation", m.start(), m.end()))
        else:
            day, precision = _relative_day(m, anchor.date)
            out.append(EventDate(day, precision, f"“{m.group()}” counted from the article's "
                                 f"date {anchor.date.isoformat()}", m.start(), m.end()))
    return out


def _relative_day(m: re.Match[str], published: dt.date) -> tuple[dt.date, str]:
    word = " ".join(m.group("word").lower().split())
    if m.group("n"):
        n = _NUMBER_WORDS.get(m.group("n").lower()) or int(m.group("n"))
        days = n * (7 if m.group("unit").startswith("week") else 1)
        return published - dt.timedelta(days=days), "day" if days < 7 else "week"
    shift = -1 if word.startswith("last") and word != "last night" else (
        1 if word.startswith("next") else 0)
    if word.endswith("week"):
        monday = published - dt.timedelta(days=published.weekday())
        return monday + dt.timedelta(weeks=shift), "week"
    if word.endswith("month"):
        month = published.month + shift
        year = published.year + (month - 1) // 12
        return dt.date(year, (month - 1) % 12 + 1, 1), "month"
    if word.endswith("year"):
        return dt.date(published.year + shift, 1, 1), "year"
    offset = {"yesterday": -1, "last night": -1, "tomorrow": 1}.get(word, 0)
    return published + dt.timedelta(days=offset), "day"

