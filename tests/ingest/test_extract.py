"""Web pages to article files: trafilatura's text and metadata under newsdesk's header,
read back by the cleaner so that title, date and outlet reach the index."""

from __future__ import annotations

import pytest

from newsdesk.errors import AddFailed
from newsdesk.ingest.clean import clean
from newsdesk.ingest.extract import extract_article, is_feed
from newsdesk.ingest.header import Header, body_of, parse, render
from newsdesk.nlp.dates import find_published
from tests.news_site import LOGIN_PAGE, NAV_PAGE, STRIKE_PAGE, STRIKE_TITLE, rss


def test_a_news_page_gives_its_text_and_metadata_without_furniture() -> None:
    header, body = extract_article(STRIKE_PAGE.encode(), "strike.html",
                                   url="https://harbour.example/news/strike")
    assert header == Header(STRIKE_TITLE, "https://harbour.example/news/strike", "2024-03-05",
                            "Jane Doe", "Harbour Times")
    assert body.startswith("Dock workers in Kestrel Bay returned to work on Tuesday")
    assert "Ilse Brandt" in body
    assert STRIKE_TITLE not in body  # the title is in the header, once
    for furniture in ("Sport", "Weather", "Related stories", "Ferry timetable", "Copyright"):
        assert furniture not in body
    assert "\n\n" in body  # paragraphs stay paragraphs


def test_a_page_saved_by_a_browser_keeps_the_url_it_came_from() -> None:
    saved = ("<!-- saved from url=(0034)https://harbour.example/strike -->\n"
             + STRIKE_PAGE).encode()
    header, _ = extract_article(saved, "strike.html")
    assert header.url == "https://harbour.example/strike"


@pytest.mark.parametrize(("page", "reason"), [
    (NAV_PAGE, "no article text found on the page (only navigation, links or headlines"),
    (LOGIN_PAGE, "no article text: the page is a login or subscription wall"),
    ("<html><body></body></html>", "no article text found on the page"),
])
def test_a_page_without_an_article_is_refused_with_the_reason(page: str, reason: str) -> None:
    with pytest.raises(AddFailed) as caught:
        extract_article(page.encode(), "http://127.0.0.1:1/page")
    assert str(caught.value).startswith(f"http://127.0.0.1:1/page: {reason}")


def test_a_feed_is_not_taken_for_a_page() -> None:
    feed = rss([("One", "http://x/1")]).encode()
    assert is_feed(feed)
    assert is_feed(b"", "application/atom+xml")
    assert not is_feed(STRIKE_PAGE.encode(), "text/html")
    with pytest.raises(AddFailed, match="add it with newsdesk add --feed"):
        extract_article(feed, "feed.xml")


def test_the_header_round_trips_and_the_cleaner_reads_it() -> None:
    header = Header("Port strike ends", "https://harbour.example/s", "2024-03-05", "Jane Doe",
                    "Harbour Times")
    body = ("Dock workers returned to work on Tuesday after nine days.\n\n"
            "The harbour master said the backlog would be cleared within two weeks.")
    text = render(header, body)
    assert text.startswith("Port strike ends\nURL: https://harbour.example/s\n"
                           "Published: 2024-03-05\nBy: Jane Doe\nOutlet: Harbour Times\n\n")
    parsed = parse(text)
    assert parsed is not None
    assert parsed.header == header
    assert body_of(text) == body + "\n"
    article = clean(text)
    assert article.title == "Port strike ends"
    assert article.outlet == "Harbour Times"  # not "Published" or "URL"
    assert article.published == "2024-03-05" == find_published(text)[0]
    kept = article.body()
    assert "URL:" not in kept
    assert "Published:" not in kept
    assert "By: Jane Doe" not in kept
    assert "Dock workers returned" in kept


def test_unknown_fields_are_left_out_and_values_stay_on_one_line() -> None:
    text = render(Header("A title\nwith a break", author="Ann\x00 Lee"), "Body text.")
    assert text == "A title with a break\nBy: Ann Lee\n\nBody text.\n"


def test_an_ordinary_article_has_no_header() -> None:
    assert parse("Moscow talks\nGeneral Gerasimov met Bagheri.\n") is None
    assert parse("no newline at all") is None
