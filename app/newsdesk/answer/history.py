"""History questions ("How have … developed since 2021?", "timeline of …", "list the
meetings …"): told apart by their wording, and answered with the topic's timeline."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from newsdesk.answer.base import Draft
from newsdesk.answer.cite import CitationList
from newsdesk.answer.timeline import UNDATED, render_day
from newsdesk.nlp.dates import MONTHS
from newsdesk.types import Event

MAX_EVENTS = 25  # events told in an answer; `newsdesk timeline` lists them all
# Plural nouns for things that happen: "list the meetings …" asks for a history;
# "list the countries …" does not.
_HAPPENINGS = (r"meetings|visits|talks|events|attacks|strikes|protests|elections|incidents|"
               r"summits|negotiations|developments|milestones|trips|exercises|encounters|"
               r"steps|rounds|clashes|announcements|decisions|agreements|deals|contacts")
_VERBS = r"developed|evolved|changed|progressed|unfolded|grown|deepened|shifted|moved"
_PATTERNS = (
    re.compile(r"^(?:(?:please )?(?:give|show|make|draw|tell)(?: me| us)? |what (?:is|was) |"
               r"what's )?(?:a |the )?(?:timeline|chronology|history) (?:of|for|on) "
               r"(?P<topic>.+)$", re.IGNORECASE),
    re.compile(rf"^how (?:have|has|had|did) (?P<topic>.+?) (?:{_VERBS})\b(?P<rest>.*)$",
               re.IGNORECASE),
    re.compile(rf"^(?:please )?(?:list|name|enumerate|show(?: me)?|what (?:are|were)) "
               rf"(?:all |every )?(?:of )?(?:the )?(?P<topic>(?:[\w-]+ ){{0,3}}(?:{_HAPPENINGS})"
               rf"\b.*)$", re.IGNORECASE),
    re.compile(r"^what (?:has|have) happened (?:to|with|in|between|among) (?P<topic>.+)$",
               re.IGNORECASE),
)
_SINCE = re.compile(rf"\b(?:since|from) (?:(?:early|mid|late)[\s-]+)?(?:(?P<month>"
                    rf"{'|'.join(sorted(MONTHS, key=len, reverse=True))})\.? )?"
                    r"(?P<year>(?:19|20)\d{2})\b(?: (?:on|onwards?|to now))?", re.IGNORECASE)
_TAIL = re.compile(r"\s*(?:,?\s*(?:in (?:chronological|date) order|in order|over time|so far|"
                   r"to date|until now|oldest first|over the years))+\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class HistoryQuestion:
    """What a history question is about, and from when ("since 2021")."""

    topic: str
    since: dt.date | None = None


def history_question(question: str) -> HistoryQuestion | None:
    """The topic of a question that asks for a history, or None for any other question."""
    text = " ".join(question.split()).rstrip("?.! ")
    for pattern in _PATTERNS:
        m = pattern.match(text)
        if m is None:
            continue
        topic = m.group("topic") + " " + (m.groupdict().get("rest") or "")
        since = None
        found = _SINCE.search(topic)
        if found:
            month = MONTHS[found.group("month").lower()] if found.group("month") else 1
            since = dt.date(int(found.group("year")), month, 1)
            topic = topic[: found.start()] + topic[found.end():]
        topic = _TAIL.sub("", " ".join(topic.split())).strip(" ,;:")
        topic = re.sub(r"^(?:the|a|an)\s+", "", topic, flags=re.IGNORECASE)
        if topic:
            return HistoryQuestion(topic, since)
    return None


def since(events: list[Event], day: dt.date | None) -> list[Event]:
    """The events from `day` on (a month or year that ends after it counts), undated ones
    kept: they may be from any time."""
    if day is None:
        return events
    return [e for e in events if e.precision == UNDATED or not e.date or _end(e) >= day]


def _end(e: Event) -> dt.date:
    start = dt.date.fromisoformat(e.date)
    match e.precision:
        case "year":
            return dt.date(start.year, 12, 31)
        case "month":
            return dt.date(start.year + start.month // 12, start.month % 12 + 1, 1) - dt.timedelta(
                days=1)
        case "week":
            return start + dt.timedelta(days=6)
    return start


def timeline_draft(events: list[Event]) -> Draft:
    """The events as an answer: one line per event, oldest first, its date and its quote,
    with a marker for each report of it."""
    citations = CitationList()
    lines = []
    for event in events[:MAX_EVENTS]:
        markers = "".join(f"[{citations.add_citation(c)}]" for c in event.citations)
        lines.append(f"{render_day(event)}: {event.text} {markers}")
    if len(events) > MAX_EVENTS:
        lines.append(f"(and {len(events) - MAX_EVENTS} more: see the Timeline view or "
                     "`newsdesk timeline`)")
    return Draft("\n".join(lines), citations.items, False, "timeline", kept=len(lines))
