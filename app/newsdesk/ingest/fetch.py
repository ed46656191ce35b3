"""Fetch web pages and feeds for `newsdesk add`: http(s) only, bounded in time, size and hops.

Every hop of a redirect chain is checked like the first URL (scheme, and for an exposed
chat the address the host name resolves to), so a public page cannot redirect the server
to `file:` or into the private network. A refusal or failure is a `FetchFailed` whose
message names the URL and the reason.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit, urlunsplit

from newsdesk.errors import FetchFailed

if TYPE_CHECKING:
    import httpx

SCHEMES = ("http", "https")
MAX_REDIRECTS = 4  # sites need one to three (http→https→www→canonical); five is a loop


def _user_agent() -> str:
    try:
        own = version("newsdesk")
    except PackageNotFoundError:  # running from a source tree that was never installed
        own = "dev"
    return f"newsdesk/{own} (article importer for a local question-answering assistant)"


USER_AGENT = _user_agent()


@dataclass(frozen=True)
class FetchPolicy:
    """What a fetch may do: total seconds, body bytes, redirects, and private addresses."""

    timeout: float = 20.0
    max_bytes: int = 5_000_000
    max_redirects: int = MAX_REDIRECTS
    allow_private: bool = True  # False in a chat reachable from other machines


@dataclass(frozen=True)
class Page:
    """A fetched body: `url` is where it was found after redirects."""

    url: str
    body: bytes
    content_type: str  # e.g. "text/html", lower case, without parameters
    charset: str | None


def normal_url(url: str) -> str:
    """`url` checked to be http(s) with a host, its scheme and host lower case, no fragment."""
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise FetchFailed(f"{text}: not a valid URL ({exc})") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        shown = f"{scheme}:" if scheme else "no scheme"
        raise FetchFailed(f"{text}: refused: only http:// and https:// URLs are fetched, "
                          f"not {shown}")
    host = (parts.hostname or "").lower()
    if not host:
        raise FetchFailed(f"{text}: not a valid URL (no host name)")
    if parts.username or parts.password:
        raise FetchFailed(f"{text}: refused: a URL with a user name or password in it")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != {"http": 80, "https": 443}[scheme]:
        netloc += f":{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def private_address(host: str, port: int) -> str:
    """The first non-public address `host` resolves to ('' when all are public)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchFailed(f"cannot resolve the host name {host} ({exc})") from None
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            return str(address)
    return ""


class Fetcher:
    """GETs URLs under a `FetchPolicy`, with newsdesk's User-Agent."""

    def __init__(self, policy: FetchPolicy, transport: httpx.BaseTransport | None = None):
        self.policy = policy
        self._transport = transport

    def get(self, url: str, accept: str = "text/html, */*;q=0.5") -> Page:
        """The body at `url` after at most `max_redirects` redirects, or a `FetchFailed`."""
        import httpx

        given = url.strip()
        deadline = time.monotonic() + self.policy.timeout
        timeout = httpx.Timeout(self.policy.timeout, connect=min(10.0, self.policy.timeout))
        headers = {"User-Agent": USER_AGENT, "Accept": accept}
        with httpx.Client(timeout=timeout, follow_redirects=False, headers=headers,
                          transport=self._transport,
                          event_hooks={"response": [_stop_at_redirect]}) as client:
            current = normal_url(given)
            for _ in range(self.policy.max_redirects + 1):
                self._check_address(current)
                try:
                    return self._one(client, current, deadline)
                except _Redirect as hop:
                    current = self._redirect(given, current, hop.location)
                except httpx.TimeoutException:
                    raise FetchFailed(self._timed_out(given)) from None
                except httpx.HTTPError as exc:
                    raise FetchFailed(f"{given}: cannot fetch it ({_reason(exc)})") from None
        raise FetchFailed(f"{given}: refused: it redirects more than "
                          f"{self.policy.max_redirects} times")

    def _one(self, client: httpx.Client, url: str, deadline: float) -> Page:
        with client.stream("GET", url) as response:
            if response.status_code >= 400:
                raise FetchFailed(f"{url}: the server answered HTTP {response.status_code} "
                                  f"{response.reason_phrase}".rstrip())
            body = self._body(url, response, deadline)
            kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
            return Page(str(response.url), body, kind, response.charset_encoding)

    def _body(self, url: str, response: httpx.Response, deadline: float) -> bytes:
        limit = self.policy.max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchFailed(self._too_large(url, int(declared)))
        data = bytearray()
        for piece in response.iter_bytes():
            data += piece
            if len(data) > limit:
                raise FetchFailed(self._too_large(url, len(data), more=True))
            if time.monotonic() > deadline:  # a page that trickles in never times out alone
                raise FetchFailed(self._timed_out(url))
        return bytes(data)

    def _redirect(self, given: str, current: str, location: str) -> str:
        if not location:
            raise FetchFailed(f"{given}: the server redirected without saying where to")
        target = urljoin(current, location)
        try:
            return normal_url(target)
        except FetchFailed as exc:
            reason = str(exc).split(": ", 1)[-1].removeprefix("refused: ")
            raise FetchFailed(f"{given}: refused: it redirects to {target} ({reason})") from None

    def _check_address(self, url: str) -> None:
        if self.policy.allow_private:
            return
        parts = urlsplit(url)
        host = parts.hostname or ""
        found = private_address(host, parts.port or (443 if parts.scheme == "https" else 80))
        if found:
            raise FetchFailed(
                f"{url}: refused: {host} is a private or local address ({found}); a chat "
                "reachable from other machines fetches only public addresses (start it "
                "with --allow-private-urls to allow this)")

    def _timed_out(self, url: str) -> str:
        return (f"{url}: timed out after {self.policy.timeout:g} s "
                "(setting fetch_timeout)")

    def _too_large(self, url: str, size: int, more: bool = False) -> str:
        over = "over " if more else ""
        return (f"{url}: refused: the page is too large ({over}{size / 1e6:.1f} MB; the limit "
                f"is {self.policy.max_bytes / 1e6:.1f} MB, setting max_page_bytes)")


class _Redirect(Exception):  # noqa: N818 - a signal, not an error
    """A redirect response, seen before httpx parses its Location (it rejects some that
    must be refused by name, e.g. `javascript:`)."""

    def __init__(self, location: str):
        super().__init__(location)
        self.location = location


def _stop_at_redirect(response: httpx.Response) -> None:
    if response.has_redirect_location:
        raise _Redirect(response.headers.get("location", ""))


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text.split("\n")[0][:200]
