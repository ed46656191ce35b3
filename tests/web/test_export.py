"""A conversation's export: Markdown footnotes keep quote, file, title and date; the JSON
is a list of answers in the answer contract."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

from newsdesk.types import Answer, Citation, Corroboration, Passage, Report, ShortAnswer
from newsdesk.web.export import conversation_json, conversation_markdown, write_exports
from tests.fakes import gerasimov_answer

WHEN = dt.datetime(2024, 3, 12, 9, 30)
QUOTE = "The harbour master of Kestrel Bay, Ilse Brandt, said the backlog would be cleared."


def strike_answer() -> Answer:
    cite = Citation(1, "strike.txt", QUOTE, 120, 120 + len(QUOTE), "Port strike ends",
                    "2024-03-05", "Harbour Times")
    return Answer(question="Who is the harbour master?", answer=f"{QUOTE} [1]", refused=False,
                  citations=[cite], passages=[], generator="extractive",
                  timings={"total": 0.5}, standalone_question="")


def test_markdown_keeps_every_footnote_with_quote_file_title_and_date() -> None:
    follow = gerasimov_answer("What did he say?", standalone="What did Bagheri say?")
    text = conversation_markdown([strike_answer(), follow], WHEN)
    assert text.startswith("# newsdesk conversation\n\nExported 2024-03-12 09:30 · 2 questions\n")
    assert "## 1. Who is the harbour master?" in text
    assert f"{QUOTE}[^1-1]" in text
    assert (f"[^1-1]: “{QUOTE}” — *Port strike ends*, Harbour Times, 2024-03-05; "
            f"file `strike.txt`, characters 120–{120 + len(QUOTE)}.") in text
    assert "## 2. What did he say?" in text
    assert "*Searched for: What did Bagheri say?*" in text
    assert "[^2-1]: “General Valery Gerasimov met Mohammad Bagheri on Monday.” — *Moscow talks*;" \
        in text


def test_the_short_answer_comes_first_in_bold_with_its_day_and_footnote() -> None:
    answer = gerasimov_answer()
    quote = answer.citations[0]
    at = quote.start + quote.quote.index("Monday")
    short = ShortAnswer("Monday", quote.source, at, at + 6, "date", "2021-10-18")
    reports = [Report(1, quote.source, outlet="Tasnim")]
    text = conversation_markdown(
        [replace(answer, short_answer=short, corroboration=Corroboration(1, reports))], WHEN)
    first = text.split("## 1. Who did Bagheri meet?\n\n")[1]
    assert first.startswith("**Monday** (Oct 18, 2021)[^1-1]\n\nReported by 1 article: Tasnim\n\n"
                            "General Valery Gerasimov met")
    # Below an even chance it is hedged, as in the chat.
    unsure = replace(answer, short_answer=replace(short, probability=0.38))
    assert "**Monday** (Oct 18, 2021; uncertain: 38% likely)[^1-1]" in conversation_markdown(
        [unsure], WHEN)
    # A short answer outside every cited quote, or a refusal, has no such line.
    stray = replace(answer, short_answer=replace(short, start=0, end=3))
    assert "**" not in conversation_markdown([stray], WHEN)
    refused = replace(answer, short_answer=short, refused=True)
    assert "**" not in conversation_markdown([refused], WHEN)


def test_a_refusal_lists_the_nearest_evidence() -> None:
    refused = replace(strike_answer(), answer="The articles don't say.", refused=True,
                      citations=[], passages=[Passage("ferry.txt", "The ferry\nleaves at nine.",
                                                      0.4, 10, 35, "c1", "Ferry", "", "")])
    text = conversation_markdown([refused], WHEN)
    assert "The articles don't say.\n\nNearest evidence:\n" in text
    assert "- “The ferry leaves at nine.” (*Ferry*; `ferry.txt` [10:35])" in text
    assert "[^" not in text


def test_json_is_the_answer_contract(tmp_path: Path) -> None:
    answers = [strike_answer(), gerasimov_answer()]
    data = json.loads(conversation_json(answers))
    assert [Answer.from_dict(d) for d in data] == answers
    markdown, as_json = write_exports(answers, tmp_path / "x")
    assert markdown.name == "newsdesk-conversation.md"
    assert json.loads(as_json.read_text(encoding="utf-8")) == data
