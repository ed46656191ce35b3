"""Which articles state the short answer, which are copies, and where sources differ.

News repeats itself: several outlets report one fact, wire copies repeat one text, and
outlets sometimes disagree (a number, a date, a name). Given the picked short answer and
the other candidates (`answer.short`), this module says how many distinct articles state
the answer (near-duplicate copies count once, and are named as copies) and whether
another article states a different value for the same thing.

An article supports the answer when one of the best sentences states the value and
covers the question's words about as well as the answer's sentence (CONFLICT_LEXICAL).
"The same thing": the other sentence covers the question's words about as well as the
answer's sentence (`lexical`, within CONFLICT_LEXICAL) and shares most of its other
words (CONFLICT_OVERLAP); without that, a different name is another fact, not a dispute.
"Different": not the same name spelled another way (`nlp.names.same_name`), not one
contained in the other ("Shoigu" in "Sergei Shoigu"), not the same number or day.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from newsdesk.answer.cite import Sentence
from newsdesk.answer.short import CONFLICT_SHARE, SPAN_FEATURES, Candidate, Span
from newsdesk.models.parser import PERSON_LABELS, parse
from newsdesk.nlp.dates import anchor_date, bare_weekdays, find_dates, resolve_weekday
from newsdesk.nlp.names import same_name
from newsdesk.nlp.text import content_terms, words

COPY_JACCARD = 0.5  # articles sharing this share of their 5-word shingles are copies
CONFLICT_LEXICAL = 0.1  # the other sentence covers the question at most this much less
CONFLICT_OVERLAP = 0.6  # and shares this share of the smaller one's other words
# ... and its value is at least CONFLICT_SHARE as likely as the answer (defined beside the
# short answer's pick, whose slot fits are measured as far as this test needs)
_DIGITS = re.compile(r"\d[\d,]*(?:\.\d+)?")
_YEAR = re.compile(r"\b(?:1[89]|20)\d{2}\b")


@dataclass(frozen=True)
class Side:
    """One article's statement: its value (file offsets) and the sentence stating it."""

    text: str
    start: int
    end: int
    sentence: Sentence

    @property
    def source(self) -> str:
        return self.sentence.passage.source


@dataclass(frozen=True)
class Agreement:
    """The answer's supporting articles (copies folded into their original) and, when
    sources differ, each side (the answer's first)."""

    support: list[Side]
    copies: list[tuple[str, str]]  # (source, the source it copies)
    conflicts: list[Side]


def agreement(pick: Candidate, found: Sequence[Candidate], lexical: dict[tuple[str, int], float],
              text_of: Callable[[str], str | None], qtype: str | None,
              question: str = "") -> Agreement:
    """`lexical` maps (source, sentence start) to the sentence's question coverage;
    `text_of(source)` reads an article; `qtype` is what the question asks for
    (`nlp.answer_types.question_type`): only a date, a number or a name can differ;
    the people `question` names tell a report about someone else."""
    first = pick.best.sentence
    base = lexical.get((first.passage.source, first.start), 0.0)
    day = _day(pick.best, text_of)
    support: list[Side] = []
    for span in pick.spans:  # best sentence first; one per article
        sentence = span.sentence
        if (all(s.source != sentence.passage.source for s in support) and (
                not support or lexical.get((sentence.passage.source, sentence.start), 0.0)
                >= base - CONFLICT_LEXICAL)
                # "Tuesday" in two articles is one value only if it is one day.
                and (span.kind != "date" or _day(span, text_of) == day)):
            support.append(_side(span))
    copies = _copies([s.source for s in support], text_of)
    conflicts: list[Side] = []
    if qtype is not None:
        asked_people = _people(question) if question else []
        sources = {s.source for s in support}
        for c in found:
            span = c.best
            sentence = span.sentence
            if (c is pick or sentence.passage.source in sources
                    or c.probability < CONFLICT_SHARE * pick.probability
                    or span.kind != pick.best.kind or not _comparable(c, pick, qtype)
                    or _same_value(c, pick)
                    or lexical.get((sentence.passage.source, sentence.start), 0.0)
                    < base - CONFLICT_LEXICAL
                    or not _same_statement(first.text, pick.best.text,
                                           sentence.text, span.text)
                    or _about_someone_else(asked_people, span)):
                continue
            if all(s.source != sentence.passage.source for s in conflicts):
                conflicts.append(_side(span))
                sources.add(sentence.passage.source)
        if conflicts:
            conflicts.insert(0, support[0])
    return Agreement(support, copies, conflicts)


def _day(span: Span, text_of: Callable[[str], str | None]) -> dt.date | None:
    """The calendar day a date value means: as written, or a weekday counted from its
    article's date (None when it cannot be told)."""
    found = find_dates(span.text)
    if found and found[0].date:
        return found[0].date
    weekdays = bare_weekdays(span.text)
    text = text_of(span.sentence.passage.source) if weekdays else None
    anchor = anchor_date(text) if text else None
    if not weekdays or anchor is None:
        return None
    return resolve_weekday(weekdays[0][2], anchor.date, anchor.is_publication)



def _side(span: Span) -> Side:
    return Side(span.text, span.start, span.end, span.sentence)


def _comparable(a: Candidate, b: Candidate, qtype: str | None) -> bool:
    """Values whose difference is a disagreement: numbers, dates that name a day or a
    year; names only when both are proper names (no word the articles also write in lower case, like
    "Chief", none the question gives) and, for a who-question, both name a person."""
    if a.best.kind == "number":
        return True
    if a.best.kind == "date":  # days or years, not "two years" against "12:00 a.m."
        return all(any(d.date for d in find_dates(c.best.text)) or _YEAR.search(c.best.text)
                   for c in (a, b))
    if a.best.kind != "name" or bool(a.best.parts) != bool(b.best.parts):
        return False  # a list of names ("Kroger and Albertsons") is no rival of one name
    rows = [dict(zip(SPAN_FEATURES, c.row, strict=True)) for c in (a, b)]
    return all(not r["common_words"] and not r["asked_name"]
               and (qtype != "person" or r["person_like"]) for r in rows)


def _same_value(a: Candidate, b: Candidate) -> bool:
    """One value written two ways: a name's spelling, one inside the other, the same
    number ("4,000" / "4000") or the same calendar day (on the month and day when one
    of the two is written without its year)."""
    ta, tb = a.best.text, b.best.text
    ka, kb = f" {a.key} ", f" {b.key} "
    if ka in kb or kb in ka or same_name(ta, tb):
        return True
    na, nb = _DIGITS.findall(ta), _DIGITS.findall(tb)
    if na and nb and [n.replace(",", "") for n in na] == [n.replace(",", "") for n in nb]:
        return True
    da, db = find_dates(ta), find_dates(tb)
    x, y = (da[0].date if da else None), (db[0].date if db else None)
    if x is None or y is None:
        return False
    if da[0].has_year and db[0].has_year:
        return x == y
    # "Sunday, November 17" is November 17, 2019 too: a date written without its year
    # agrees with one that has it on the month and day.
    return (x.month, x.day) == (y.month, y.day)


def _people(text: str) -> list[str]:
    """The people a text names (spaCy's PERSON entities)."""
    (tree,) = parse([text])
    return [text[p.start : p.end] for p in tree.phrases if p.label in PERSON_LABELS]


def _about_someone_else(asked: list[str], span: Span) -> bool:
    """The question names people and the sentence names none of them but another
    person besides its value: it reports someone else's doing ("Heidari met Salyukov"
    is no other answer to "whom did Bagheri meet")."""
    if not asked:
        return False
    people = _people(span.sentence.text)
    others = [p for p in people
              if not (p in span.text or span.text in p or same_name(p, span.text))]
    mentions = any(a in span.sentence.text or any(same_name(a, p) for p in people)
                   for a in asked)
    return bool(others) and not mentions


def _same_statement(a: str, value_a: str, b: str, value_b: str) -> bool:
    """Two sentences say the same thing but for their values: most of their other
    content words are shared."""
    ta = set(content_terms(a)) - set(content_terms(value_a))
    tb = set(content_terms(b)) - set(content_terms(value_b))
    if not ta or not tb:
        return False
    return len(ta & tb) / min(len(ta), len(tb)) >= CONFLICT_OVERLAP


def _copies(sources: list[str], text_of: Callable[[str], str | None]) -> list[tuple[str, str]]:
    """(copy, original) for each article that repeats an earlier one's text."""
    shingles: dict[str, set[tuple[str, ...]]] = {}
    out: list[tuple[str, str]] = []
    for source in sources:
        text = text_of(source) or ""
        tokens = words(text)
        mine = {tuple(tokens[i : i + 5]) for i in range(max(0, len(tokens) - 4))}
        for other, theirs in shingles.items():
            if any(c == other for c, _ in out):
                continue
            union = len(mine | theirs)
            if union and len(mine & theirs) / union >= COPY_JACCARD:
                out.append((source, other))
                break
        shingles[source] = mine
    return out
