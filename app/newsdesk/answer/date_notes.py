"""Calendar dates for when-answers: "on Monday" and "November 17" made into full dates.

News text dates events relative to the article ("on Monday") or without a year
("November 17"). Where the article states its own date, the answer gives the full date
and cites the sentence that states it, so the inference can be checked like any claim.
"""

from __future__ import annotations

import datetime as dt

from newsdesk.answer.cite import CitationList, FileCache, Sentence
from newsdesk.nlp.dates import (
    WEEKDAYS,
    Anchor,
    anchor_date,
    bare_weekdays,
    day_month,
    find_dates,
    nearest_year,
    resolve_weekday,
)
from newsdesk.nlp.event_dates import EventDate, span_date
from newsdesk.nlp.text import content_terms, sentence_spans
from newsdesk.types import day_label


def render(day: dt.date) -> str:
    """'Oct 18, 2021 (2021-10-18)': a spelling people read and one scripts parse."""
    return f"{day_label(day)} ({day.isoformat()})"



def short_date(sentence: Sentence, start: int, end: int, files: FileCache,
               today: dt.date) -> str:
    """The calendar day (YYYY-MM-DD) that a short answer, `file[start:end]` inside
    `sentence`, names: as written, or counted from its article's date ("Tuesday",
    "October 17", "yesterday") as the timeline counts it. '' when it names no single day,
    or the day cannot be told safely (a weekday inside a quotation, an undated article)."""
    text = files.text(sentence.passage.source)
    anchor = anchor_date(text) if text else None
    found = span_date(sentence.text, start - sentence.start, end - sentence.start, anchor,
                      today)
    if isinstance(found, EventDate) and found.precision == "day":
        return found.day.isoformat()
    return ""


class DateNotes:
    """Builds the parenthetical date notes that follow a when-answer."""

    def __init__(self, files: FileCache, citations: CitationList):
        self.files = files
        self.citations = citations

    def notes(self, chosen: list[Sentence], candidates: list[Sentence]) -> list[str]:
        out: list[str] = []
        for s in chosen:
            for line in (self._weekday(s, corroborated=False), self._partial(s)):
                if line and line not in out:
                    out.append(line)
        if not out and chosen and bare_weekdays(chosen[0].text):
            line = self._corroborate(chosen[0], candidates)
            if line:
                out.append(line)
        return out[:2]

    def _anchor_citation(self, s: Sentence) -> tuple[Anchor, str] | None:
        """The article's anchor date and a citation marker for the sentence stating it."""
        text = self.files.text(s.passage.source)
        anchor = anchor_date(text) if text else None
        if text is None or anchor is None:
            return None
        span = next(((a, b) for a, b in sentence_spans(text)
                     if a <= anchor.start and anchor.end <= b), None)
        if span is None:
            return None
        dated = Sentence(s.passage, span[0], span[1], text[span[0] : span[1]])
        return anchor, f"[{self.citations.add(dated)}]"

    def _weekday(self, s: Sentence, corroborated: bool) -> str:
        days = bare_weekdays(s.text)
        found = self._anchor_citation(s) if days else None
        if not days or found is None:
            return ""
        anchor, marker = found
        weekday = days[0][2]
        day = resolve_weekday(weekday, anchor.date, anchor.is_publication)
        basis = "the article's date" if anchor.is_publication else "the date it gives"
        if corroborated:
            marker = f"[{self.citations.add(s)}]{marker}"
            basis = f"another report of it and {basis}"
        name = WEEKDAYS[weekday].capitalize()
        return f"({name} there is {render(day)}, going by {basis} {marker}.)"

    def _partial(self, s: Sentence) -> str:
        """'November 21 of 1998' → its full date; 'November 17' → with the article's year."""
        for mention in find_dates(s.text):
            if mention.weekday is not None and not mention.has_year:
                continue  # a weekday-dated mention already states its day
            if mention.date is not None:
                return f"({render(mention.date)}.)"
            known = day_month(s.text[mention.start : mention.end])
            found = self._anchor_citation(s) if known else None
            if known and found:
                anchor, marker = found
                day = nearest_year(known[1], known[0], anchor.date)
                if day:
                    return f"({render(day)}, the year going by the article's date {marker}.)"
        return ""

    def _corroborate(self, best: Sentence, candidates: list[Sentence]) -> str:
        """Another article reporting the same event on the same weekday, and dated."""
        weekday = bare_weekdays(best.text)[0][2]
        for s in candidates[:25]:
            if (s.passage.source != best.passage.source and _same_event(best.text, s.text)
                    and any(w == weekday for _, _, w in bare_weekdays(s.text))):
                line = self._weekday(s, corroborated=True)
                if line:
                    return line
        return ""


def _same_event(a: str, b: str) -> bool:
    """Two sentences share at least two content words besides weekdays."""
    days = set(content_terms(" ".join(WEEKDAYS)))
    return len((set(content_terms(a)) & set(content_terms(b))) - days) >= 2
