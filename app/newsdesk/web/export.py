"""A chat conversation as files to download: Markdown with footnotes, and JSON answers.

The Markdown gives each answer's short answer first, in bold, as the chat does, and keeps
every answer's citations as footnotes (quote, title, outlet, date, file and offsets), so
a reader can check each quote against the corpus file. The JSON is
a list of answers in the answer contract (the fields of `newsdesk ask --json`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from pathlib import Path

from newsdesk.types import MARKER, Answer, Citation, marker_numbers

EVIDENCE_SHOWN = 2  # nearest passages listed under a refusal
_SPACES = re.compile(r"\s+")


def conversation_markdown(answers: Sequence[Answer], when: dt.datetime | None = None) -> str:
    """The conversation as Markdown: each question, its answer with `[^q-n]` footnotes."""
    when = when or dt.datetime.now()
    count = f"{len(answers)} question{'s' if len(answers) != 1 else ''}"
    parts = [f"# newsdesk conversation\n\nExported {when:%Y-%m-%d %H:%M} · {count}\n"]
    for number, answer in enumerate(answers, start=1):
        parts.append(_answer_markdown(number, answer))
    return "\n".join(parts)


def _answer_markdown(number: int, answer: Answer) -> str:
    lines = [f"## {number}. {_flat(answer.question)}", ""]
    if answer.standalone_question:
        lines += [f"*Searched for: {_flat(answer.standalone_question)}*", ""]
    cited = {c.n for c in answer.citations}

    def footnote(match: re.Match[str]) -> str:
        ns = [n for n in marker_numbers(match.group(1)) if n in cited]
        return "".join(f"[^{number}-{n}]" for n in ns)

    short, quote = answer.short_answer, answer.short_quote()
    if short is not None and quote is not None and not answer.refused:
        # First, as the chat shows it: the value in bold, the day it names, its quote.
        aside = short.aside()
        lines += [f"**{_flat(short.text)}**{f' ({aside})' if aside else ''}"
                  f"[^{number}-{quote.n}]", ""]
        if answer.corroboration is not None:
            lines += [_flat(answer.corroboration.summary()), ""]
    lines += [MARKER.sub(footnote, answer.answer).strip(), ""]
    if answer.refused and answer.passages:
        lines.append("Nearest evidence:")
        for p in answer.passages[:EVIDENCE_SHOWN]:
            lines.append(f"- “{_flat(p.text)}” ({_where(p.title, p.outlet, p.published)}"
                         f"`{p.source}` [{p.start}:{p.end}])")
        lines.append("")
    for c in answer.citations:
        lines.append(_footnote(number, c))
    if answer.citations:
        lines.append("")
    return "\n".join(lines)


def _footnote(number: int, c: Citation) -> str:
    return (f"[^{number}-{c.n}]: “{_flat(c.quote)}” — {_where(c.title, c.outlet, c.published)}"
            f"file `{c.source}`, characters {c.start}–{c.end}.")


def _where(title: str, outlet: str, published: str) -> str:
    known = [f"*{_flat(title)}*" if title else "", _flat(outlet), published]
    shown = ", ".join(k for k in known if k)
    return f"{shown}; " if shown else ""


def _flat(text: str) -> str:
    """One line: a footnote or list item ends at a newline."""
    return _SPACES.sub(" ", text).strip()


def conversation_json(answers: Sequence[Answer]) -> str:
    """The answers as a JSON list, each in the answer contract."""
    return json.dumps([a.to_dict() for a in answers], ensure_ascii=False, indent=2)


def write_exports(answers: Sequence[Answer], folder: Path) -> tuple[Path, Path]:
    """Write `newsdesk-conversation.md` and `.json` into `folder`; returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    markdown = folder / "newsdesk-conversation.md"
    data = folder / "newsdesk-conversation.json"
    markdown.write_text(conversation_markdown(answers), encoding="utf-8")
    data.write_text(conversation_json(answers) + "\n", encoding="utf-8")
    return markdown, data
