"""A real HTTP news site on 127.0.0.1 for the add/fetch/feed tests: never the internet.

Pages: two articles, a feed of three entries (one without a link), a feed of 10,000
entries, redirect chains, a redirect to `file:`, a slow page, a 404, a 20 MB page (with
and without Content-Length), a navigation-only page and a login wall.
"""

from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SLOW_SECONDS = 4.0
HUGE_BYTES = 20_000_000

STRIKE_QUESTION = "Who is the harbour master of Kestrel Bay?"
STRIKE_ANSWER = "Ilse Brandt"
BRIDGE_QUESTION = "Who opened the new footbridge over the Mirren river?"
BRIDGE_ANSWER = "Aldo Finch"
LIBRARY_QUESTION = "Until what time will the Kestrel Bay library stay open from April?"

_NAV = ('<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a> '
        '<a href="/weather">Weather</a></nav>')
_FOOTER = ('<footer><h3>Related stories</h3><ul><li><a href="/x">Ferry timetable changes</a>'
           '</li><li><a href="/y">Fish market reopens</a></li></ul><p>Copyright 2024 Harbour '
           "Times. All rights reserved.</p></footer>")


def article_html(title: str, paragraphs: list[str], published: str = "2024-03-05",
                 author: str = "Jane Doe", site: str = "Harbour Times") -> str:
    """A news page the way sites write them: metadata in <head>, furniture around it."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title} | {site}</title>"
            f'<meta property="og:title" content="{title}">'
            f'<meta property="og:site_name" content="{site}">'
            f'<meta name="author" content="{author}">'
            f'<meta property="article:published_time" content="{published}T09:30:00Z">'
            f"</head><body>{_NAV}<main><article><h1>{title}</h1>{body}</article></main>"
            f"{_FOOTER}</body></html>")


STRIKE_TITLE = "Port strike in Kestrel Bay ends after nine days"
STRIKE_PAGE = article_html(STRIKE_TITLE, [
    "Dock workers in Kestrel Bay returned to work on Tuesday after their union accepted a pay "
    "rise of 7 percent, ending a nine-day strike that had stranded forty ships in the bay.",
    "The harbour master of Kestrel Bay, Ilse Brandt, said the backlog of containers would be "
    "cleared within two weeks and that night shifts would be added to speed up the work.",
    "Union leader Tomas Wirth called the agreement a fair deal for every worker at the port "
    "and thanked the town's residents for their patience during the dispute.",
])
BRIDGE_TITLE = "Kestrel Bay opens its new footbridge"
BRIDGE_PAGE = article_html(BRIDGE_TITLE, [
    "The new footbridge over the Mirren river was opened by mayor Aldo Finch on Saturday, "
    "two years after building work began on the riverbank.",
    "The bridge cost 4.2 million euros and links the old town with the railway station, "
    "cutting the walk between them from twenty minutes to six.",
    "Cyclists will have to dismount on the bridge, the town council said in a statement.",
], published="2024-03-09", author="Piet Olsen")
LIBRARY_PAGE = article_html("Kestrel Bay library to open late", [
    "The Kestrel Bay library will stay open until 10 pm on weekdays from April, librarian "
    "Nora Quist announced at Monday's council meeting.",
    "The longer hours are paid for by a grant from the regional culture fund and will be "
    "reviewed after one year, the council said.",
], published="2024-03-11", author="")
NAV_PAGE = ("<html><head><title>Sections</title></head><body><nav><ul>"
            + "".join(f'<li><a href="/s{i}">Section {i}</a></li>' for i in range(40))
            + "</ul></nav></body></html>")
LOGIN_PAGE = ("<html><head><title>Sign in</title></head><body><h1>Subscribers only</h1>"
              "<form action='/login' method='post'><p>Log in to continue reading</p>"
              "<label>Email <input name='email'></label><label>Password "
              "<input type='password' name='password'></label><button>Sign in</button></form>"
              "<p>Not a subscriber? Subscribe now</p></body></html>")


def rss(items: list[tuple[str, str | None]], title: str = "Harbour Times") -> str:
    """An RSS 2.0 feed of (title, link) items; a None link leaves the <link> out."""
    out = []
    for name, link in items:
        link_tag = f"<link>{link}</link>" if link is not None else ""
        out.append(f"<item><title>{name}</title>{link_tag}"
                   "<pubDate>Mon, 11 Mar 2024 08:00:00 GMT</pubDate></item>")
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{title}</title><link>http://127.0.0.1/</link>{''.join(out)}"
            "</channel></rss>")


@dataclass
class NewsSite:
    """The running site: its base URL and every path requested, in order."""

    url: str
    requests: list[str] = field(default_factory=list)

    def at(self, path: str) -> str:
        return self.url + path


def _routes(base: str) -> dict[str, tuple[int, str, bytes, dict[str, str]]]:
    html = "text/html; charset=utf-8"
    feed = [("Port strike ends", f"{base}/news/strike"),
            ("A new footbridge", f"{base}/news/bridge"),
            ("The library opens late", "/news/library"),  # relative: to the feed
            ("An entry without a link", None)]
    return {
        "/news/strike": (200, html, STRIKE_PAGE.encode(), {}),
        "/news/bridge": (200, html, BRIDGE_PAGE.encode(), {}),
        "/news/library": (200, html, LIBRARY_PAGE.encode(), {}),
        "/nav": (200, html, NAV_PAGE.encode(), {}),
        "/login": (200, html, LOGIN_PAGE.encode(), {}),
        "/feed.xml": (200, "application/rss+xml", rss(feed).encode(), {}),
        "/big-feed.xml": (200, "application/rss+xml", rss(
            [(f"Story {i}", f"{base}/story/{i}") for i in range(10_000)]).encode(), {}),
        "/report.pdf": (200, "application/pdf", b"%PDF-1.4 not really", {}),
        "/to-file": (302, html, b"", {"Location": "file:///etc/passwd"}),
        "/to-javascript": (302, html, b"", {"Location": "javascript:alert(1)"}),
    }


class _Handler(BaseHTTPRequestHandler):
    site: NewsSite
    routes: dict[str, tuple[int, str, bytes, dict[str, str]]]

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        pass

    def do_GET(self) -> None:  # noqa: N802 - the base class's name
        self.site.requests.append(self.path)
        if match := re.fullmatch(r"/redirect/(\d+)", self.path):
            n = int(match.group(1))
            return self._send(302, "text/html", b"", {
                "Location": f"/redirect/{n - 1}" if n > 1 else "/news/strike"})
        if match := re.fullmatch(r"/story/(\d+)", self.path):
            page = article_html(f"Story number {match.group(1)}", [
                f"Story number {match.group(1)} tells how the harbour choir rehearsed "
                "its spring concert for the whole of the winter in the old boathouse.",
                "Tickets for the concert go on sale at the town hall next week."])
            return self._send(200, "text/html", page.encode(), {})
        if self.path == "/slow":
            time.sleep(SLOW_SECONDS)
            return self._send(200, "text/html", STRIKE_PAGE.encode(), {})
        if self.path in ("/huge", "/huge-chunked"):
            return self._huge(declared=self.path == "/huge")
        status, kind, body, headers = self.routes.get(
            self.path, (404, "text/html", b"<h1>Not found</h1>", {}))
        self._send(status, kind, body, headers)

    def _send(self, status: int, kind: str, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)  # a client that timed out has gone

    def _huge(self, declared: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        if declared:
            self.send_header("Content-Length", str(HUGE_BYTES))
        self.end_headers()
        block = b"<p>" + b"filler text " * 8000 + b"</p>"
        try:
            for _ in range(HUGE_BYTES // len(block) + 1):
                self.wfile.write(block)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading at its limit, as it should


@contextmanager
def running_news_site() -> Iterator[NewsSite]:
    """Serve the site on a free 127.0.0.1 port until the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    site = NewsSite(f"http://127.0.0.1:{server.server_address[1]}")
    handler = type("Handler", (_Handler,), {"site": site, "routes": _routes(site.url)})
    server.RequestHandlerClass = handler
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
