"""`newsdesk ingest --watch`: re-index whenever the corpus folder changes, by polling it."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from newsdesk.errors import ConfigError, IndexBusy, NewsdeskError
from newsdesk.ingest.corpus import scan
from newsdesk.types import IngestReport

if TYPE_CHECKING:
    from newsdesk.ingest.add import AddReport, Library

log = logging.getLogger(__name__)


def _log_report(report: IngestReport) -> None:
    log.info("%s", report.summary())


def _log_error(message: str) -> None:
    # With no handler set up, Python's last-resort handler writes the message alone to
    # stderr: what `newsdesk ingest --watch` shows.
    log.warning("%s", message)


def watch(
    corpus: Path,
    run: Callable[[], IngestReport],
    interval: float = 5.0,
    on_report: Callable[[IngestReport], None] = _log_report,
    on_error: Callable[[str], None] = _log_error,
    stop: threading.Event | None = None,
    poll: Callable[[], None] | None = None,
) -> int:
    """Ingest now and after every change to the corpus, until `stop` is set or Ctrl-C.

    Reports and errors go to `on_report` and `on_error`; by default they are logged.
    `poll` runs first in every round (e.g. a `FeedPoller` adding new feed entries).
    """
    if not interval > 0:
        raise ConfigError(f"watch: the interval must be a positive number of seconds, not "
                          f"{interval!r}")
    stop = stop or threading.Event()
    seen: dict[str, tuple[int, int]] | None = None
    try:
        while not stop.is_set():
            _poll(poll, on_error)
            # Sizes and mtimes are compared, not contents: a touched file costs one
            # ingest run, which finds the same hash and embeds nothing.
            current = scan(corpus)
            if current != seen:
                try:
                    on_report(run())
                    seen = current
                except IndexBusy as exc:  # another writer: try again next round
                    on_error(f"newsdesk: {exc}; retrying in {interval:g} s")
                except NewsdeskError as exc:  # e.g. an empty corpus: wait for it to change
                    on_error(f"newsdesk: {exc}")
                    seen = current
            stop.wait(interval)
    except KeyboardInterrupt:
        pass
    return 0


def _poll(poll: Callable[[], None] | None, on_error: Callable[[str], None]) -> None:
    try:
        if poll is not None:
            poll()
    except NewsdeskError as exc:  # e.g. a feeds file that went away: keep watching
        on_error(f"newsdesk: {exc}")


class FeedPoller:
    """Adds what is new in a list of feeds to the corpus, at most once every `every` s;
    `watch` calls it each round, and sees the new files as a corpus change."""

    def __init__(self, library: Library, feeds: list[str], limit: int, every: float,
                 on_report: Callable[[AddReport], None]):
        self.library = library
        self.feeds = feeds
        self.limit = limit
        self.every = every
        self.on_report = on_report
        self._next = 0.0

    def __call__(self) -> None:
        if time.monotonic() < self._next:
            return
        self._next = time.monotonic() + self.every
        for url in self.feeds:
            self.on_report(self.library.add_feed(url, self.limit))
