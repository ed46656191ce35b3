"""The Timeline view: its HTML from made-up events, then in a real Chromium against a real
`newsdesk chat` on the seed articles."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from newsdesk.types import Citation, Event
from newsdesk.web.chat import article_id
from newsdesk.web.timeline import SHOWN, timeline_html
from tests.fakes import HOSTILE_SCRIPT
from tests.webserver import SCREENSHOTS, audit


def _ref(source: str, start: int, end: int) -> str:
    return f"{article_id(source)}:{start}:{end}"


def test_timeline_html_shows_dates_quotes_spellings_and_markup_as_text() -> None:
    events = [
        Event("2024-03-05", "day", f"Mayor Anna Kowalczyk met Piotr Nowak {HOSTILE_SCRIPT}.",
              [Citation(1, "a.txt", "Mayor Anna Kowalczyk met Piotr Nowak.", 10, 47, "Talks",
                        "2024-03-07", "Harbour Times"),
               Citation(2, "b.txt", "Anna Kowalczik and Piotr Nowak met.", 0, 35)],
              [["Anna Kowalczyk", "Anna Kowalczik"], ["Piotr Nowak"]],
              "Tuesday counted from the article's date (2024-03-07)"),
        Event("", "undated", "Anna Kowalczyk met Piotr Nowak on Friday.",
              [Citation(3, "c.txt", "Anna Kowalczyk met Piotr Nowak on Friday.", 0, 41)],
              [["Anna Kowalczyk"], ["Piotr Nowak"]]),
    ]
    markup = timeline_html(events, _ref, "strike <b>talks</b>")
    parsed = audit(markup)
    assert HOSTILE_SCRIPT in parsed.text
    assert "strike <b>talks</b>" in parsed.text
    assert parsed.text.index("Mar 5, 2024") < parsed.text.index("undated")
    assert "Names spelled more than one way: Kowalczyk / Kowalczik" in parsed.text
    assert parsed.tags.count("button") == 3  # one per report, each opening its quote
    assert f'value="{_ref("b.txt", 0, 35)}"' in markup


def test_a_long_timeline_is_cut_with_a_note() -> None:
    events = [Event(f"2024-01-{1 + i % 28:02d}", "day", f"Event {i}.",
                    [Citation(i + 1, "a.txt", f"Event {i}.", i, i + 5)]) for i in range(301)]
    parsed = audit(timeline_html(events, _ref))
    assert parsed.tags.count("li") == 2 * SHOWN  # an event and its one report each
    assert f"The first {SHOWN} are shown" in parsed.text


def test_an_empty_timeline_says_so() -> None:
    assert "No dated events on “nothing”" in audit(timeline_html([], _ref, "nothing")).text


# ---- in the browser --------------------------------------------------------------------
@pytest.fixture
def page(browser: Any, chat_server: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    opened = context.new_page()
    opened.goto(chat_server.url)
    opened.wait_for_selector("#nd-question textarea")
    yield opened
    context.close()


@pytest.mark.browser
def test_the_timeline_view_lists_the_seed_meetings_and_opens_their_quotes(page: Any) -> None:
    from playwright.sync_api import expect

    page.locator("#nd-timeline-box").get_by_text("Timeline").first.click()
    page.locator("#nd-timeline-topic textarea, #nd-timeline-topic input").first.fill(
        "Iran Russia military meetings")
    page.locator("#nd-timeline-go").click()
    events = page.locator("#nd-timeline li.nd-tl-event")
    expect(events.first).to_be_visible(timeout=120_000)
    dates = [d.strip() for d in page.locator("#nd-timeline .nd-tl-date").all_text_contents()]
    for day in ("Oct 18, 2021", "Oct 19, 2021", "Sep 19, 2023", "Sep 20, 2023"):
        assert day in dates
    assert dates.index("Oct 18, 2021") < dates.index("Sep 19, 2023")
    assert dates[-1] == "undated"  # Heidari's "on Monday": an article without a date
    names = page.locator("#nd-timeline .nd-tl-names").text_content() or ""
    assert "Baqeri" in names
    assert "Bagheri" in names
    monday = events.nth(dates.index("Oct 18, 2021"))
    assert monday.locator("button.nd-cite").count() == 2  # Tehran Times and Tasnim
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "20-timeline.png"))
    note = monday.locator("button.nd-cite").nth(1)
    quote = note.locator(".nd-quote").text_content()  # the other report's own words
    assert quote
    assert quote != monday.locator(".nd-tl-text").text_content()
    note.click()
    mark = page.locator("#nd-viewer mark.nd-hl")
    expect(mark).to_have_count(1)
    assert mark.text_content() == quote
    expect(page.locator("#nd-viewer .nd-article-file")).to_have_text(
        (note.locator(".nd-note-file").text_content() or "").split(" · ")[0])
    page.screenshot(path=str(SCREENSHOTS / "21-timeline-quote.png"))


@pytest.mark.browser
def test_a_history_question_in_the_chat_is_answered_line_by_line(page: Any) -> None:
    from playwright.sync_api import expect

    box = page.locator("#nd-question textarea")
    box.fill("How have Iran–Russia military ties developed since 2021?")
    box.press("Enter")
    answer = page.locator("#nd-chat .nd-answer:not(.nd-pending)").first
    expect(answer).to_be_visible(timeout=120_000)
    lines = [line for line in answer.locator(".nd-text").inner_text().splitlines() if line]
    assert len(lines) >= 4  # one line per event, each shown on its own
    assert lines[0].startswith("Oct 17, 2021:")
    assert any(line.startswith("Sep 20, 2023:") for line in lines)
    assert answer.locator(".nd-meta").text_content().startswith("timeline")
    answer.locator("button.nd-note-btn").first.click()
    expect(page.locator("#nd-viewer mark.nd-hl")).to_have_count(1)
    page.screenshot(path=str(SCREENSHOTS / "22-history-answer.png"))
