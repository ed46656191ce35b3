"""Plain-text rendering of answers for the terminal."""

from __future__ import annotations

import textwrap

from newsdesk.types import Answer

BOLD, PLAIN = "\033[1m", "\033[0m"


def format_answer(answer: Answer, width: int = 88, bold: bool = False) -> str:
    """The answer for a terminal: the short answer first (in bold where `bold`), then the
    sentences with their markers, the quotes, and which generator answered how fast."""
    lines = []
    short = answer.short_answer
    if short is not None and not answer.refused:
        quote = answer.short_quote()
        shown = f"{BOLD}{short.text}{PLAIN}" if bold else short.text
        aside = short.aside()
        lines.append(f"Answer: {shown}" + (f" ({aside})" if aside else "")
                     + (f" [{quote.n}]" if quote else ""))
        if answer.corroboration is not None:
            lines.append(textwrap.fill(answer.corroboration.summary(), width))
    lines.append(fill_lines(answer.answer, width))
    if answer.error:
        lines.append(f"(note: {answer.error})")
    if answer.standalone_question:
        lines.append(f"(searched for: {answer.standalone_question})")
    if answer.citations:
        lines.append("")
        for c in answer.citations:
            where = c.source + (f", {c.title}" if c.title else "")
            lines.append(textwrap.fill(f"[{c.n}] {where}: “{c.quote}”", width,
                                       subsequent_indent="    "))
    elif answer.refused and answer.passages:
        lines.append("\nNearest evidence:")
        for p in answer.passages[:2]:
            snippet = " ".join(p.text.split())[:200]
            lines.append(textwrap.fill(f"- {p.source}: {snippet}…", width, subsequent_indent="  "))
    lines.append(f"\n({answer.generator}, {answer.timings.get('total', 0) * 1000:.0f} ms)")
    return "\n".join(lines)


def fill_lines(text: str, width: int) -> str:
    """Each line wrapped on its own: a timeline answer keeps one line per event."""
    return "\n".join(textwrap.fill(line, width) for line in text.splitlines() or [""])
