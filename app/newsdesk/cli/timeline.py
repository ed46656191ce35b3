"""`newsdesk timeline [TOPIC] [--json]`: the dated events the articles report, oldest first."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Callable
from typing import Any

from newsdesk.types import Event


def add_timeline_command(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    p = sub.add_parser("timeline", help="dated events on a topic (or in every article), "
                                        "oldest first, each with its verified quotes")
    common(p)
    p.add_argument("topic", nargs="?", help="what the events are about (omit for every article)")
    p.add_argument("--json", action="store_true", help="print the events as a JSON list")
    p.add_argument("--as-of", metavar="YYYY-MM-DD",
                   help="as of this day: later articles are left out (default: today)")


def run_timeline(assistant: Any, args: argparse.Namespace) -> int:
    report = assistant.ensure_index(progress=sys.stderr.isatty())
    if report and not args.json:
        print(report.summary(), file=sys.stderr)
    events = assistant.timeline(args.topic, as_of=args.as_of)
    if args.json:
        print(json.dumps([e.to_dict() for e in events], ensure_ascii=False))
    else:
        print(format_timeline(events, args.topic))
    return 0


def format_timeline(events: list[Event], topic: str | None = None, width: int = 88) -> str:
    """Plain text: one block per event, its date, what happened, and each report's quote."""
    from newsdesk.answer.timeline import render_day, variants

    if not events:
        about = f" on {topic!r}" if topic else ""
        return f"No dated events{about} in the articles."
    lines = []
    for event in events:
        lines.append(textwrap.fill(f"{render_day(event)}  {event.text}", width,
                                   subsequent_indent="    "))
        for c in event.citations:
            where = ", ".join(x for x in (c.outlet, c.published) if x)
            lines.append(textwrap.fill(f"[{c.n}] {c.source}" + (f" ({where})" if where else ""),
                                       width, initial_indent="    ", subsequent_indent="      "))
        if event.basis and event.basis != "stated":
            lines.append(textwrap.fill(f"date: {event.basis}", width, initial_indent="    ",
                                       subsequent_indent="      "))
    spelled = variants(events)
    if spelled:
        lines.append("")
        lines.append("Names spelled more than one way: "
                     + "; ".join(" / ".join(group) for group in spelled))
    return "\n".join(lines)
