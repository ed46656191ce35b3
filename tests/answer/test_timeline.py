"""Timelines: made-up articles for the rules (weekdays, one event from several reports,
nothing dated from a weekday that cannot be counted), then the seed articles' meetings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from newsdesk.answer.cite import FileCache
from newsdesk.answer.timeline import UNDATED, build_timeline, render_day, variants
from newsdesk.types import Event, Passage
from tests.fakes import SEEDS, file_slice

TALKS = """Harbour strike talks end in Kestrel Bay
Published: 2024-03-07
Outlet: Harbour Times

Mayor Anna Kowalczyk met union leader Piotr Nowak at the town hall on Tuesday to end the port strike.
Fire chief Marta Lis opened the new fire station in Kestrel Bay on Tuesday.
The mayor will visit the docks on Monday.
Cyber Monday sales at the harbour shops rose by a third.
'We start the repairs today,' the mayor said.
The strike began on 24 February 2024.
"""  # noqa: E501
SAME_TALKS = """Port strike over after the mayor's talks
Published: 2024-03-06
Outlet: Bay Courier

Mayor Anna Kowalczik and Piotr Nowak met on Tuesday and agreed to end the port strike.
"""
UNDATED_TALKS = """Strike talks

The mayor, Anna Kowalczyk, met Piotr Nowak on Tuesday to end the port strike, the ferry company said.
Anna Kowalczyk met Piotr Nowak again on Friday.
"""  # noqa: E501
ARTICLES = {"a-talks.txt": TALKS, "b-same-talks.txt": SAME_TALKS,
            "c-undated.txt": UNDATED_TALKS}


def body_passage(folder: Path, name: str) -> Passage:
    """The article's body (below its header) as one indexed passage would hold it."""
    text = (folder / name).read_text(encoding="utf-8")
    start = text.index("\n\n") + 2
    head = text[:start].splitlines()
    published = next((line.split(": ")[1] for line in head if line.startswith("Published")), "")
    return Passage(name, text[start:], 1.0, start, len(text), f"{name}#0", head[0], published)


@pytest.fixture
def talks(tmp_path: Path) -> tuple[list[Passage], FileCache]:
    for name, text in ARTICLES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return [body_passage(tmp_path, n) for n in ARTICLES], FileCache(tmp_path)


def on(events: list[Event], day: str) -> list[Event]:
    return [e for e in events if e.date == day]


def sources(event: Event) -> set[str]:
    return {c.source for c in event.citations}


def test_weekdays_are_counted_from_each_articles_date(talks: Any) -> None:
    events = build_timeline(*talks)
    fire = next(e for e in events if "fire station" in e.text)
    assert (fire.date, fire.precision) == ("2024-03-05", "day")  # Tuesday before Thu 7 March
    assert "Tuesday counted from the article's date (2024-03-07)" in fire.basis
    began = next(e for e in events if "began" in e.text)
    assert (began.date, began.basis) == ("2024-02-24", "stated")
    assert render_day(began) == "Feb 24, 2024"


def test_one_event_reported_by_two_articles_is_one_entry(talks: Any, tmp_path: Path) -> None:
    events = build_timeline(*talks)
    tuesday = on(events, "2024-03-05")
    talks_event = next(e for e in tuesday if "Nowak" in e.text)
    # Thursday's "on Tuesday" and Wednesday's "on Tuesday" are the same day, the same people
    # (one spelled two ways) and the same talks; the fire station that day is another event.
    assert sources(talks_event) >= {"a-talks.txt", "b-same-talks.txt"}
    assert len(tuesday) == 2
    assert ["Kowalczyk", "Kowalczik"] in variants(events)
    for e in events:
        for c in e.citations:
            assert file_slice(tmp_path, c.source, c.start, c.end) == c.quote
    numbers = [c.n for e in events for c in e.citations]
    assert numbers == list(range(1, len(numbers) + 1))


def test_no_event_is_dated_from_a_weekday_that_cannot_be_counted(talks: Any) -> None:
    events = build_timeline(*talks)
    texts = " ".join(e.text for e in events)
    assert "will visit the docks" not in texts  # the future: the plan's day or the news's?
    assert "Cyber Monday" not in texts  # a name, not a day of the story
    assert "repairs today" not in texts  # the speaker's today, inside a quotation
    # The undated article's Tuesday joins the one dated report of those talks on a
    # Tuesday; its Friday has no such report, so it is listed undated, last.
    talks_event = next(e for e in on(events, "2024-03-05") if "Nowak" in e.text)
    assert "c-undated.txt" in sources(talks_event)
    friday = next(e for e in events if "on Friday" in e.text)
    assert (friday.date, friday.precision) == ("", UNDATED)
    assert events[-1] == friday
    dated = [e.date for e in events if e.date]
    assert dated == sorted(dated)


def test_as_of_leaves_later_articles_out(talks: Any) -> None:
    events = build_timeline(*talks, as_of=dt.date(2024, 3, 6))
    assert all("a-talks.txt" not in sources(e) for e in events)
    assert any("b-same-talks.txt" in sources(e) for e in on(events, "2024-03-05"))


def test_a_topic_keeps_its_sentences_and_finds_other_spellings(talks: Any) -> None:
    events = build_timeline(*talks, topic="port strike")
    assert events
    assert all("fire station" not in e.text for e in events)
    spelled = build_timeline(*talks, topic="Kowalczik")  # as one article spells her
    assert {"a-talks.txt", "c-undated.txt"} <= {s for e in spelled for s in sources(e)}
    assert all("Lis" not in e.text for e in spelled)
    # Only the undated article's report says "ferry company": the event is on topic, and
    # still dated by the other reports of it (which are not).
    ferry = build_timeline(*talks, topic="ferry company")
    dated = next(e for e in ferry if "c-undated.txt" in sources(e) and "Tuesday" in e.text)
    assert dated.date == "2024-03-05"
    assert sources(dated) == {"a-talks.txt", "b-same-talks.txt", "c-undated.txt"}


# ---- the seed articles -----------------------------------------------------------------
GERASIMOV_TASNIM = "001_78cf9b93ba7c4104.txt"  # "on Monday"; the article gives no date
BAGHERI_TEHRAN_TIMES = "002_20b9d985dd24f0e7.txt"  # dates "Wednesday October 20" (2021)
SHOIGU_TEHRAN = "004_e31357a1d4343836.txt"  # published 20.09.2023, a Wednesday
HEIDARI = "000_104daa5c5d77a251.txt"  # "on Monday"; no date anywhere in the article
# Every meeting the seed articles report, read from them: (day, or "" where the articles
# give no date to count from; a source reporting it; a name in the quote).
SEED_MEETINGS = [
    # Baqeri met Gerasimov "on Monday" (Tasnim, undated); the Tehran Times reports the same
    # meeting "on Monday" of the week it dates by "Wednesday October 20": 18 October 2021.
    ("2021-10-18", GERASIMOV_TASNIM, "Gerasimov"),
    ("2021-10-18", BAGHERI_TEHRAN_TIMES, "Gerasimov"),
    # Bagheri and Shoigu "at a meeting in Moscow on Tuesday": 19 October 2021.
    ("2021-10-19", BAGHERI_TEHRAN_TIMES, "Shoigu"),
    # Shoigu's talks with Bagheri in Tehran "on Tuesday", before 20.09.2023.
    ("2023-09-19", SHOIGU_TEHRAN, "Bagheri"),
    # Shoigu's discussions with Defence Minister Ashtiani "on Wednesday", 20.09.2023.
    ("2023-09-20", SHOIGU_TEHRAN, "Ashtiani"),
    # Heidari met Salyukov in Moscow "on Monday": the article has no date to count from.
    ("", HEIDARI, "Salyukov"),
]


@pytest.fixture(scope="module")
def seed_timeline(assistant: Any) -> list[Event]:
    return assistant.timeline("Iran Russia military meetings")  # type: ignore[no-any-return]


@pytest.mark.parametrize(("day", "source", "name"), SEED_MEETINGS)
def test_the_seed_timeline_holds_every_meeting(seed_timeline: list[Event], day: str,
                                               source: str, name: str) -> None:
    found = [e for e in seed_timeline
             if any(c.source == source and name in c.quote for c in e.citations)]
    assert [e.date for e in found] == [day], [(e.date, e.text) for e in seed_timeline]


def test_the_seed_timeline_is_oldest_first_verified_and_never_misdated(
        seed_timeline: list[Event]) -> None:
    dated = [e.date for e in seed_timeline if e.date]
    assert dated == sorted(dated)
    assert all(not e.date for e in seed_timeline[len(dated):])  # undated ones last
    gerasimov = next(e for e in seed_timeline if e.date == "2021-10-18")
    assert {c.source for c in gerasimov.citations} == {GERASIMOV_TASNIM, BAGHERI_TEHRAN_TIMES}
    for e in seed_timeline:
        for c in e.citations:
            assert file_slice(SEEDS, c.source, c.start, c.end) == c.quote
        # No weekday in an article without a date is resolved on its own: an event from
        # the undated articles only is undated.
        if sources(e) <= {GERASIMOV_TASNIM, HEIDARI}:
            assert (e.date, e.precision) == ("", UNDATED), e
    spelled = variants(seed_timeline)
    assert any({"Bagheri", "Baqeri"} <= set(group) for group in spelled)


def test_the_whole_seed_corpus_timeline(assistant: Any) -> None:
    events = assistant.timeline()
    assert {"1992-01-01", "2020-10-01", "2021-10-17", "2021-10-18", "2021-10-19",
            "2023-09-19", "2023-09-20"} <= {e.date for e in events}
    arms = next(e for e in events if e.date == "2020-10-01")
    assert (arms.precision, render_day(arms)) == ("month", "October 2020")
    assert not any("Ababil" in e.text and e.date for e in events)  # "On Monday", undated
