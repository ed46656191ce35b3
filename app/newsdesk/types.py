"""Typed values that cross module boundaries: passages, citations, answers, reports.

The JSON field names of `Answer`, `Citation` and `Passage` are a public contract
(`ask --json`, `eval` results): add fields, never rename them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from typing import Any

# A citation marker in answer text, with the space before it: " [1]", "[2, 3]", "[1; 4]".
# Group 1 holds the numbers; `marker_numbers` reads them.
MARKER = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_YEAR = re.compile(r"\b\d{4}\b")


def day_label(day: dt.date) -> str:
    """'Oct 18, 2021': how answers, date notes and the timeline spell a calendar day."""
    return f"{day.strftime('%b')} {day.day}, {day.year}"


def marker_numbers(group: str) -> list[int]:
    """The citation numbers of one marker's group 1: "2, 3" -> [2, 3]."""
    return [int(n) for n in re.split(r"[,;\s]+", group) if n]


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk: `text == file[start:end]` of `source` in the corpus folder."""

    source: str
    text: str
    score: float
    start: int
    end: int
    chunk_id: str = ""
    title: str = ""
    published: str = ""
    outlet: str = ""


@dataclass(frozen=True)
class Citation:
    """A verified quote: `quote == file[start:end]` of `source`; `n` matches `[n]` in the answer."""

    n: int
    source: str
    quote: str
    start: int
    end: int
    title: str = ""
    published: str = ""
    outlet: str = ""


@dataclass(frozen=True)
class ShortAnswer:
    """The name, date, number or phrase that answers: `text == file[start:end]` of `source`,
    inside one of the answer's cited quotes."""

    text: str
    source: str
    start: int
    end: int
    kind: str = ""  # name, date, number or phrase
    # The calendar day it names (YYYY-MM-DD): as written, or counted from its article's
    # date ("Tuesday", "October 17", "yesterday"); "" when it names no single day.
    date: str = ""
    # The chance that it is the answer, as the span model's calibration on held-out
    # training picks puts it (`ShortModel.chance`); None where no calibration applies.
    probability: float | None = None

    def uncertain(self) -> bool:
        """The span model puts the chance that this is the answer below even: shown as
        such. Held out on rtqa_train, such picks were right about three times in ten,
        the others about seven in ten (BENCHMARKS.md, "How sure")."""
        return self.probability is not None and self.probability < 0.5

    def percent(self) -> str:
        """The chance in whole percent ('35%'); '' without one."""
        return "" if self.probability is None else f"{round(100 * self.probability)}%"

    def hedge(self) -> str:
        """'uncertain: 35% likely' to show beside an uncertain short answer; '' otherwise."""
        if not self.uncertain():
            return ""
        return f"uncertain: {self.percent()} likely"

    def aside(self) -> str:
        """What plain text shows in parentheses after the value: the day it names and its
        hedge ('Sep 19, 2023; uncertain: 38% likely'), '' when neither applies."""
        return "; ".join(x for x in (self.date_label(), self.hedge()) if x)

    def date_label(self) -> str:
        """'Sep 19, 2023' when the short answer names a day without writing its year
        ("Tuesday", "October 17"), to show beside it; '' otherwise."""
        if not self.date or _YEAR.search(self.text):
            return ""
        return day_label(dt.date.fromisoformat(self.date))


@dataclass(frozen=True)
class Report:
    """One article's report of the answer (`corroboration`) or of a value that differs
    from it (`conflicts`); `n` is the number of the citation quoting it."""

    n: int
    source: str
    title: str = ""
    outlet: str = ""
    published: str = ""
    text: str = ""  # the value the article states (its `file[start:end]`)
    start: int = 0
    end: int = 0
    copy_of: str = ""  # a near-duplicate of this source's text (a wire copy): counted once


def _shortened(title: str, limit: int = 48) -> str:
    return title if len(title) <= limit else title[: limit - 1].rsplit(" ", 1)[0] + "…"


@dataclass(frozen=True)
class Corroboration:
    """How many distinct articles state the answer (copies counted once), and each one."""

    articles: int
    reports: list[Report]

    def summary(self) -> str:
        """'Reported by 3 articles: Tasnim, Tehran Times, Iran Press' (copies named)."""
        names = {r.source: r.outlet or _shortened(r.title) or r.source for r in self.reports}
        own = [names[r.source] for r in self.reports if not r.copy_of]
        line = (f"Reported by {self.articles} article{'s' if self.articles != 1 else ''}: "
                + ", ".join(dict.fromkeys(own)))
        copies = [f"{names[r.source]} copies {names.get(r.copy_of, r.copy_of)}"
                  for r in self.reports if r.copy_of]
        return line + (f" ({'; '.join(copies)})" if copies else "")


@dataclass(frozen=True)
class Answer:
    """What newsdesk says to a question, with the evidence it used."""

    question: str
    answer: str
    refused: bool
    citations: list[Citation]
    passages: list[Passage]
    generator: str
    timings: dict[str, float] = field(default_factory=dict)
    standalone_question: str = ""
    dropped_sentences: int = 0
    kept_sentences: int = 0
    error: str = ""
    as_of: str = ""  # the day the question was answered as of (YYYY-MM-DD)
    short_answer: ShortAnswer | None = None  # None when refused or nothing short answers
    corroboration: Corroboration | None = None  # the articles stating the short answer
    conflicts: list[Report] = field(default_factory=list)  # sources differ: newest first

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def short_quote(self) -> Citation | None:
        """The cited quote the short answer is cut from."""
        s = self.short_answer
        if s is None:
            return None
        return next((c for c in self.citations
                     if c.source == s.source and c.start <= s.start and s.end <= c.end), None)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answer:
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        fields["citations"] = [Citation(**c) for c in data.get("citations", [])]
        fields["passages"] = [Passage(**p) for p in data.get("passages", [])]
        if data.get("short_answer"):
            fields["short_answer"] = ShortAnswer(**data["short_answer"])
        if data.get("corroboration"):
            c = data["corroboration"]
            fields["corroboration"] = Corroboration(
                c["articles"], [Report(**r) for r in c.get("reports", [])])
        fields["conflicts"] = [Report(**r) for r in data.get("conflicts", [])]
        return cls(**fields)


@dataclass(frozen=True)
class Event:
    """A dated event the articles report, with a verified quote from each report of it.

    `date` is ISO (`YYYY-MM-DD`): the day, or the first day of the week, month or year
    when `precision` says only that is known; `""` when `precision` is `undated` (the
    article dates it in words it gives no date for, e.g. "on Monday"). `people` holds
    each person's name as the reports spell it (`[["Mohammad Bagheri", "Baqeri"], …]`);
    `basis` says how the date was found.
    """

    date: str
    precision: str  # day, week, month, year or undated
    text: str
    citations: list[Citation]
    people: list[list[str]] = field(default_factory=list)
    basis: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Event:
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        fields["citations"] = [Citation(**c) for c in data.get("citations", [])]
        return cls(**fields)


@dataclass(frozen=True)
class Turn:
    """One earlier exchange of a conversation."""

    question: str
    answer: str = ""


@dataclass(frozen=True)
class Skipped:
    """An article that could not be indexed, and why."""

    source: str
    reason: str


@dataclass(frozen=True)
class IngestReport:
    """What one ingest run changed."""

    files_added: list[str] = field(default_factory=list)
    files_updated: list[str] = field(default_factory=list)
    files_removed: list[str] = field(default_factory=list)
    files_unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    chunks_added: int = 0
    chunks_removed: int = 0
    chunks_unchanged: int = 0
    chunks_total: int = 0
    rebuilt: bool = False
    rebuild_reason: str = ""
    seconds: float = 0.0

    @property
    def files_indexed(self) -> int:
        return len(self.files_added) + len(self.files_updated) + len(self.files_unchanged)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["files_indexed"] = self.files_indexed
        return data

    def summary(self) -> str:
        lines = [
            f"files: {len(self.files_added)} added, {len(self.files_updated)} updated, "
            f"{len(self.files_removed)} removed, {len(self.files_unchanged)} unchanged, "
            f"{len(self.skipped)} skipped",
            f"chunks: {self.chunks_added} embedded, {self.chunks_removed} removed, "
            f"{self.chunks_unchanged} unchanged, {self.chunks_total} in the index "
            f"({self.seconds:.1f} s)",
        ]
        if self.rebuilt:
            lines.insert(0, f"rebuilt the index: {self.rebuild_reason}")
        lines += [f"skipped {s.source}: {s.reason}" for s in self.skipped]
        return "\n".join(lines)
