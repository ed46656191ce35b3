"""Markdown tables for the evaluation's text reports (report.md and `newsdesk compare`).

A module of its own so that `compare`, which reads two output folders and nothing else,
shares them without importing `report` (and through it the answer stack).
"""

from __future__ import annotations

from collections.abc import Sequence


def cell(text: str, limit: int = 160) -> str:
    """`text` fit for a table cell: one line, at most `limit` characters, pipes escaped."""
    text = " ".join(text.split())
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return text.replace("|", "\\|") or " "


def table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A Markdown table's lines: the head, its rule and one line per row."""
    return [f"| {' | '.join(head)} |", f"|{'---|' * len(head)}",
            *(f"| {' | '.join(row)} |" for row in rows)]
