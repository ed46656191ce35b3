"""`newsdesk ingest --watch`: re-index whenever the corpus folder changes, by polling it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path

from newsdesk.errors import ConfigError, IndexBusy, NewsdeskError
from newsdesk.ingest.corpus import scan
from newsdesk.types import IngestReport

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
) -> int:
    """Ingest now and after every change to the corpus, until `stop` is set or Ctrl-C.

    Reports and errors go to `on_report` and `on_error`; by default they are logged.
    """
    if not interval > 0:
        raise ConfigError(f"watch: the interval must be a positive number of seconds, not "
                          f"{interval!r}")
    stop = stop or threading.Event()
    seen: dict[str, tuple[int, int]] | None = None
    try:
        while not stop.is_set():
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
