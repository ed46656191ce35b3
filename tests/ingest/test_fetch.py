"""Fetching pages: http(s) only, bounded time, size and redirects, private addresses refused
when asked; every message names the URL and the reason. A real server on 127.0.0.1."""

from __future__ import annotations

import time

import pytest

from newsdesk.errors import FetchFailed
from newsdesk.ingest.fetch import USER_AGENT, Fetcher, FetchPolicy, normal_url, private_address
from tests.news_site import SLOW_SECONDS, STRIKE_TITLE, NewsSite


def fetcher(**policy: object) -> Fetcher:
    return Fetcher(FetchPolicy(**policy))  # type: ignore[arg-type]


def failure(url: str, **policy: object) -> str:
    with pytest.raises(FetchFailed) as caught:
        fetcher(**policy).get(url)
    return str(caught.value)


def test_a_page_is_fetched_with_newsdesks_user_agent(news_site: NewsSite) -> None:
    page = fetcher().get(news_site.at("/news/strike"))
    assert STRIKE_TITLE.encode() in page.body
    assert page.content_type == "text/html"
    assert page.charset == "utf-8"
    assert USER_AGENT.startswith("newsdesk/")


@pytest.mark.parametrize(("url", "reason"), [
    ("file:///etc/passwd", "only http:// and https:// URLs are fetched, not file:"),
    ("ftp://example.org/news.txt", "not ftp:"),
    ("javascript:alert(1)", "not javascript:"),
    ("www.example.org/news", "not no scheme"),
    ("http://user:secret@example.org/", "user name or password"),
    ("http:///nohost", "no host name"),
])
def test_other_schemes_are_refused_before_any_request(url: str, reason: str) -> None:
    message = failure(url)
    assert message.startswith(url)
    assert reason in message


def test_redirects_are_followed_up_to_the_limit(news_site: NewsSite) -> None:
    page = fetcher().get(news_site.at("/redirect/4"))
    assert page.url == news_site.at("/news/strike")
    message = failure(news_site.at("/redirect/5"))
    assert message == f"{news_site.at('/redirect/5')}: refused: it redirects more than 4 times"


@pytest.mark.parametrize(("path", "target"), [("/to-file", "file:///etc/passwd"),
                                              ("/to-javascript", "javascript:alert(1)")])
def test_a_redirect_to_another_scheme_is_refused(news_site: NewsSite, path: str,
                                                 target: str) -> None:
    message = failure(news_site.at(path))
    assert f"refused: it redirects to {target}" in message
    assert "only http:// and https://" in message


def test_a_slow_page_times_out_with_the_setting_named(news_site: NewsSite) -> None:
    t0 = time.monotonic()
    message = failure(news_site.at("/slow"), timeout=1.0)
    assert time.monotonic() - t0 < SLOW_SECONDS
    assert message == f"{news_site.at('/slow')}: timed out after 1 s (setting fetch_timeout)"


def test_a_missing_page_names_the_status(news_site: NewsSite) -> None:
    assert failure(news_site.at("/missing")) == (
        f"{news_site.at('/missing')}: the server answered HTTP 404 Not Found")


@pytest.mark.parametrize("path", ["/huge", "/huge-chunked"])
def test_a_page_over_the_size_limit_is_refused_without_reading_it_all(news_site: NewsSite,
                                                                       path: str) -> None:
    message = failure(news_site.at(path), max_bytes=5_000_000)
    assert "refused: the page is too large" in message
    assert "the limit is 5.0 MB, setting max_page_bytes" in message
    if path == "/huge":  # the declared length is enough to refuse
        assert "(20.0 MB;" in message


def test_nothing_listens_is_a_message(news_site: NewsSite) -> None:
    message = failure("http://127.0.0.1:9/")
    assert message.startswith("http://127.0.0.1:9/: cannot fetch it (")


def test_private_addresses_are_refused_when_asked(news_site: NewsSite) -> None:
    message = failure(news_site.at("/news/strike"), allow_private=False)
    assert "refused: 127.0.0.1 is a private or local address (127.0.0.1)" in message
    assert "--allow-private-urls" in message
    assert private_address("localhost", 80)
    assert private_address("10.1.2.3", 80) == "10.1.2.3"
    assert private_address("169.254.169.254", 80) == "169.254.169.254"  # cloud metadata
    assert private_address("::ffff:192.168.0.1", 80) == "192.168.0.1"
    assert private_address("8.8.8.8", 80) == ""  # a literal address: no lookup needed


def test_urls_are_normalised_for_comparison() -> None:
    assert normal_url(" HTTPS://Example.ORG:443/a?b=1#top ") == "https://example.org/a?b=1"
    assert normal_url("http://example.org") == "http://example.org/"
    assert normal_url("http://example.org:8080/x") == "http://example.org:8080/x"
