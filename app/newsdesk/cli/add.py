"""`newsdesk add`, `newsdesk password`, and the feed and login options of `ingest`/`chat`."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsdesk.errors import ConfigError
from newsdesk.ingest.feeds import DEFAULT_LIMIT

if TYPE_CHECKING:
    from newsdesk.assistant import Assistant
    from newsdesk.ingest.add import AddReport
    from newsdesk.ingest.watch import FeedPoller

FEED_EVERY = 600.0  # seconds between two looks at the same feeds under --watch


def add_commands(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Register `add` and `password` on the command's subparsers."""
    p = sub.add_parser("add", help="add web pages, URLs, feeds or text files, then index them")
    common(p)
    p.add_argument("items", nargs="*", metavar="PATH_OR_URL",
                   help="an .html/.htm page or http(s) URL (saved as a clean article), or a "
                        ".txt/.md file (copied in)")
    p.add_argument("--feed", action="append", default=[], metavar="URL",
                   help="an RSS/Atom feed: add its new entries (may be repeated)")
    _limit(p)
    p.add_argument("--json", action="store_true", help="print what was added as JSON")

    p = sub.add_parser("password", help="print an --auth-file line (user:password-hash)")
    p.add_argument("user", help="the login name")


def add_ingest_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--feeds", type=Path, metavar="FILE",
                   help="a file of feed URLs (one per line): add their new entries first, "
                        "and with --watch every --feed-every seconds")
    p.add_argument("--feed-every", type=float, default=FEED_EVERY, metavar="SECONDS",
                   help=f"with --watch --feeds: seconds between feed checks "
                        f"(default {FEED_EVERY:g})")
    _limit(p)


def add_chat_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--auth-file", type=Path, metavar="FILE",
                   help="require a login: lines user:password-hash (newsdesk password USER)")
    p.add_argument("--no-auth", action="store_true",
                   help="serve a non-loopback --host without a login (nobody can then add, "
                        "remove or re-index)")
    p.add_argument("--allow-private-urls", action="store_true",
                   help="let a chat on a non-loopback --host fetch URLs on private addresses")


def _limit(p: argparse.ArgumentParser) -> None:
    p.add_argument("--limit", type=int, default=DEFAULT_LIMIT, metavar="N",
                   help=f"entries taken from each feed (default {DEFAULT_LIMIT})")


def run_add(assistant: Assistant, args: argparse.Namespace) -> int:
    """Add everything given, index once, and say what happened; exit 2 if anything failed."""
    if not args.items and not args.feed:
        raise ConfigError("add: give a file, a URL, or --feed URL")
    library = assistant.library()
    report = library.add(list(args.items))
    for url in args.feed:
        report.extend(library.add_feed(url, args.limit))
    # Index once for everything added; nothing added leaves the index as it is.
    indexed = assistant.ingest(progress=sys.stderr.isatty()) if report.added else None
    if args.json:
        print(json.dumps({**report.to_dict(), "ingest": indexed.to_dict() if indexed else None},
                         ensure_ascii=False))
    else:
        _print(report)
        print(indexed.summary() if indexed else "nothing new to index")
    return 2 if report.failed else 0


def _print(report: AddReport) -> None:
    for note in report.notes:
        print(note)
    for item in report.items:
        if item.status == "failed":
            print(f"newsdesk: {item.detail}", file=sys.stderr)
        else:
            print(item.line())


def feed_poller(assistant: Assistant, args: argparse.Namespace) -> FeedPoller | None:
    """What `ingest --watch --feeds FILE` runs each round (None without --feeds)."""
    if args.feeds is None:
        return None
    from newsdesk.ingest.feeds import check_limit, read_feed_list
    from newsdesk.ingest.watch import FeedPoller

    if not args.feed_every > 0:
        raise ConfigError(f"--feed-every: must be a positive number of seconds, not "
                          f"{args.feed_every!r}")
    return FeedPoller(assistant.library(), read_feed_list(args.feeds), check_limit(args.limit),
                      args.feed_every, on_report=_print)


def run_password(args: argparse.Namespace) -> int:
    """Ask for a password (twice on a terminal) and print `user:hash`."""
    from newsdesk.web.access import hash_password

    if ":" in args.user or not args.user.strip():
        raise ConfigError(f"password: {args.user!r} cannot be a login name (no ':' allowed)")
    if sys.stdin.isatty():
        password = getpass.getpass(f"password for {args.user}: ")
        if getpass.getpass("again: ") != password:
            raise ConfigError("password: the two passwords differ")
    else:
        password = sys.stdin.readline().rstrip("\n")
    if len(password) < 8:
        raise ConfigError("password: use at least 8 characters")
    print(f"{args.user}:{hash_password(password)}")
    return 0
