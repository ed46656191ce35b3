"""Timelines: the dated events the articles report, oldest first, one entry per event.

An event is a sentence that dates what it reports (`nlp.event_dates`): an explicit date,
or a weekday or "yesterday" counted from the article's own date, as when-answers do.
Reports of one event by several articles (the same day, a person in common, and words
in common for what happened: `same_event`) become one `Event` with a citation each. A weekday in an
article that gives no date to count from takes the day of the one dated report of the
same event on that weekday, if there is exactly one; otherwise the event is listed
undated, at the end, never placed on a guessed day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from newsdesk.answer.cite import FileCache, Sentence
from newsdesk.nlp.answer_types import ORG_WORDS, entities
from newsdesk.nlp.dates import MONTHS, WEEKDAYS, Anchor, anchor_date
from newsdesk.nlp.event_dates import PRECISIONS, EventDate, Unresolved, sentence_date
from newsdesk.nlp.names import TITLES, name_clusters, same_name
from newsdesk.nlp.text import content_terms, sentence_spans
from newsdesk.types import Citation, Event, Passage, day_label

NameMatch = Callable[[str, str], bool]
UNDATED = "undated"
TOPIC_SHARE = 0.5  # a sentence is on topic when it has half the topic's words (or names)
# Words that name a ministry's field in a title ("Minister of Defence and Armed Forces
# Logistics Mohammad-Reza Ashtiani"): not part of a person's name.
_OFFICES = frozenset("""defence defense logistics interior foreign affairs finance economy
    justice health education energy intelligence trade industry culture armed""".split())
_NOT_ACTION = frozenset(content_terms(" ".join([*WEEKDAYS, *MONTHS, "today", "yesterday",
                                                "week", "month", "year"])))


@dataclass
class _Report:
    """One sentence that reports a dated (or undatable) event."""

    sentence: Sentence
    when: EventDate | None
    doubt: Unresolved | None
    people: list[str]
    names: list[str]  # people, places and organisations
    terms: frozenset[str]  # what happened: content words that are neither names nor dates


@dataclass
class _Group:
    reports: list[_Report] = field(default_factory=list)
    when: EventDate | None = None
    dated_by_another: bool = False


class Topic:
    """What a timeline is about: a sentence is on topic when it has enough of its words,
    a word matching its longer forms ("Iran" in "Iranian") and a name its other spellings."""

    def __init__(self, text: str, same: NameMatch = same_name):
        self.same = same
        self.concepts = [(w, content_terms(w)[0]) for w in dict.fromkeys(
            w for w in _surface_words(text, whole=False) if content_terms(w))]

    def covers(self, sentence: str) -> bool:
        if not self.concepts:
            return True
        stems = {s for w in _surface_words(sentence) for s in content_terms(w)}
        surface = _surface_words(sentence)
        hit = sum(1 for w, stem in self.concepts if _has(stem, stems) or (
            w[:1].isupper() and any(self.same(w, s) for s in surface if s[:1].isupper())))
        return hit / len(self.concepts) >= TOPIC_SHARE


def build_timeline(passages: Iterable[Passage], files: FileCache, topic: str | None = None,
                   as_of: dt.date | None = None, same: NameMatch = same_name) -> list[Event]:
    """The events the passages' sentences report (on `topic` when given), oldest first,
    undated ones last; every quote verified against its file."""
    today = as_of or dt.date.today()
    same = lru_cache(maxsize=65536)(same)  # the same few names meet again and again
    found = _reports(passages, files, today)
    groups = _merge([r for r in found if r.when], same)
    undated = _attach([r for r in found if r.when is None], groups, same)
    groups.sort(key=lambda g: _order(g))
    # An event is on topic when one of its reports is: an off-topic report still dates
    # ("on Monday") and corroborates an on-topic one of the same event.
    about = Topic(topic, same) if topic else None
    events: list[Event] = []
    n = 0
    for group in groups + undated:
        if about is not None and not any(about.covers(r.sentence.text) for r in group.reports):
            continue
        event = _event(group, files, n)
        if event is not None:
            events.append(event)
            n += len(event.citations)
    return events


def _reports(passages: Iterable[Passage], files: FileCache, today: dt.date) -> list[_Report]:
    """Every dated sentence of the passages, each once (chunks overlap), in file order."""
    by_source: dict[str, list[Passage]] = {}
    for p in passages:
        by_source.setdefault(p.source, []).append(p)
    out: list[_Report] = []
    for source, group in sorted(by_source.items()):
        text = files.text(source)
        if text is None:
            continue
        anchor = anchor_date(text)
        if _published_after(group[0], anchor, today):
            continue  # as of `today` this article was not out yet
        spans = sorted((p.start, p.end) for p in group)
        for s, e in sentence_spans(text):
            if not any(a <= s and e <= b for a, b in spans) or text[s:e].endswith("?"):
                continue
            when = sentence_date(text[s:e], anchor, today)
            if when is None or isinstance(when, Unresolved) and not _undated_article(when):
                continue
            sentence = Sentence(group[0], s, e, text[s:e])
            out.append(_report(sentence, when))
    return out



def _published_after(p: Passage, anchor: Anchor | None, today: dt.date) -> bool:
    published = p.published or (anchor.date.isoformat() if anchor and anchor.is_publication
                                 else "")
    return bool(published) and published > today.isoformat()


def _undated_article(doubt: Unresolved) -> bool:
    """An event the article dates in words it gives no date for ("on Monday"): listed,
    undated. Other doubts (a quotation, the future, a named day) are no event date."""
    return "undated article" in doubt.reason or "without a" in doubt.reason


def _report(sentence: Sentence, when: EventDate | Unresolved) -> _Report:
    people, names = names_in(sentence.text)
    name_terms = {t for n in names for t in content_terms(n)}
    terms = frozenset(content_terms(sentence.text)) - name_terms - _NOT_ACTION
    dated = when if isinstance(when, EventDate) else None
    doubt = when if isinstance(when, Unresolved) else None
    return _Report(sentence, dated, doubt, people, names, terms)


def names_in(sentence: str) -> tuple[list[str], list[str]]:
    """(people, every name) in a sentence: capitalized runs; a person is what follows the
    last title or institution word ("Chief of Staff … Major General Mohammad Bagheri")."""
    people: list[str] = []
    names: list[str] = []
    for run in entities(sentence):
        tokens = [t.removesuffix("’s").removesuffix("'s") for t in run]
        if all(t.isupper() for t in tokens):
            continue  # "TEHRAN –": a dateline, or an acronym
        cut = max((i for i, t in enumerate(tokens)
                   if t.lower() in TITLES or t.lower() in ORG_WORDS
                   or t.lower() in _OFFICES), default=-1)
        tail = tokens[cut + 1:]
        if len(tail) >= 3 and f"of {tail[0]} " in sentence:
            tail = tail[1:]  # "President of Iran Ebrahim Raisi"
        names.append(" ".join(tokens))
        if len(tail) >= 2 or (tail and cut >= 0):
            people.append(" ".join(tail))
    return people, names


def same_event(a: _Report, b: _Report, same: NameMatch, weekday_agrees: bool = False) -> bool:
    """Two reports of one event: a person in common (or, when one names nobody, any name)
    and two words in common for what happened, or one when they also share two names or
    name the same weekday ("met … on Monday" and "held a meeting with … on
    Monday"); one word and one name alone ("Biden announced …") are too common."""
    shared = len(a.terms & b.terms)
    if not shared:
        return False
    pool_a, pool_b = (a.people, b.people) if a.people and b.people else (a.names, b.names)
    common = sum(1 for x in pool_a if any(same(x, y) for y in pool_b))
    return common >= 1 and (shared >= 2 or common >= 2 or weekday_agrees)


def _key(when: EventDate) -> tuple[dt.date, str]:
    return when.day, when.precision


def _merge(reports: list[_Report], same: NameMatch) -> list[_Group]:
    groups: list[_Group] = []
    by_key: dict[tuple[dt.date, str], list[_Group]] = {}
    for r in reports:
        assert r.when is not None
        same_day = by_key.setdefault(_key(r.when), [])
        if r.when.precision == "day":
            home = next((g for g in same_day
                         if any(same_event(r, m, same) for m in g.reports)), None)
        else:  # "in 2020", "last month" hold many events: more in common, with the first
            home = next((g for g in same_day if len(r.terms & g.reports[0].terms) >= 4
                         and same_event(r, g.reports[0], same)), None)
        if home is None:
            home = _Group([], r.when)
            groups.append(home)
            same_day.append(home)
        home.reports.append(r)
    return groups


def _attach(pending: list[_Report], groups: list[_Group], same: NameMatch) -> list[_Group]:
    """Undated weekday reports join the one dated report of their event on that weekday;
    the rest are returned as undated events."""
    by_weekday: dict[int, list[_Group]] = {}
    for g in groups:
        if g.when and g.when.precision == "day":
            by_weekday.setdefault(g.when.day.weekday(), []).append(g)
    undated: list[_Group] = []
    for r in pending:
        weekday = r.doubt.weekday if r.doubt else None
        fits = [g for g in by_weekday.get(-1 if weekday is None else weekday, []) if any(
            m.when and m.sentence.passage.source != r.sentence.passage.source
            and same_event(r, m, same, weekday_agrees=True) for m in g.reports)]
        if len(fits) == 1:
            fits[0].reports.append(r)
            fits[0].dated_by_another = True
        else:
            undated.append(_Group([r]))
    return undated


def _order(g: _Group) -> tuple[dt.date, int, str, int]:
    assert g.when is not None
    first = g.reports[0].sentence
    return g.when.day, PRECISIONS.index(g.when.precision), first.passage.source, first.start


def _event(group: _Group, files: FileCache, numbered: int) -> Event | None:
    citations: list[Citation] = []
    for r in group.reports:
        s, p = r.sentence, r.sentence.passage
        if files.verifies(p.source, s.text, s.start, s.end) and all(
                (c.source, c.start) != (p.source, s.start) for c in citations):
            citations.append(Citation(numbered + len(citations) + 1, p.source, s.text, s.start,
                                      s.end, p.title, p.published, p.outlet))
    if not citations:
        return None
    lead = group.reports[0]
    people = name_clusters(n for r in group.reports for n in r.people)
    if group.when is None:
        reason = lead.doubt.reason if lead.doubt else ""
        return Event("", UNDATED, lead.sentence.text, citations, people, reason)
    basis = group.when.basis
    if group.dated_by_another:
        basis += "; a report from an undated article joined on the same weekday"
    return Event(group.when.day.isoformat(), group.when.precision, lead.sentence.text,
                 citations, people, basis)


def _surface_words(text: str, whole: bool = True) -> list[str]:
    """Words as written (case kept), hyphenated ones also in parts ("Iran-Russia"); with
    `whole` False, only their parts."""
    out: list[str] = []
    for token in text.replace("–", "-").replace("—", " ").split():
        token = token.strip(".,;:!?()[]\"'“”‘’").removesuffix("’s").removesuffix("'s")
        parts = [part for part in token.split("-") if part]
        if token and (whole or len(parts) == 1):
            out.append(token)
        if len(parts) > 1:
            out += parts
    return out


def _has(stem: str, stems: set[str]) -> bool:
    """The stem, or a word it begins or that begins it ("iran" / "iranian"), at 4+ letters."""
    if stem in stems:
        return True
    return len(stem) >= 4 and any(len(s) >= 4 and (s.startswith(stem) or stem.startswith(s))
                                  for s in stems)


def render_day(event: Event) -> str:
    """'Oct 18, 2021', 'week of Mar 4, 2024', 'October 2020', '1992' or 'undated'."""
    if event.precision == UNDATED or not event.date:
        return "undated"
    day = dt.date.fromisoformat(event.date)
    match event.precision:
        case "year":
            return str(day.year)
        case "month":
            return f"{day.strftime('%B')} {day.year}"
        case "week":
            return f"week of {day_label(day)}"
    return day_label(day)


def variants(events: Iterable[Event]) -> list[list[str]]:
    """The spellings of each person's name across the events, for people written more
    than one way ("Bagheri", "Baqeri"): surnames as the articles spell them."""
    found = name_clusters(n for e in events for group in e.people for n in group)
    out = []
    for group in found:
        surnames = list(dict.fromkeys(n.split()[-1] for n in group))
        if len(surnames) > 1:
            out.append(surnames)
    return out

