"""`newsdesk ask` with no question: a terminal chat that keeps history."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from newsdesk.cli.render import format_answer
from newsdesk.errors import BadQuestion
from newsdesk.types import Turn

if TYPE_CHECKING:
    from newsdesk.assistant import Assistant


def chat(assistant: Assistant) -> int:
    print("Ask about the articles. Empty line or Ctrl-D to quit; /clear forgets the conversation.")
    history: list[Turn] = []
    while True:
        try:
            question = input("\n> ").strip()
        except EOFError:
            print()
            return 0
        if not question:
            return 0
        if question == "/clear":
            history.clear()
            continue
        try:
            answer = assistant.ask(question, history=history)
        except BadQuestion as exc:
            print(exc)
            continue
        print(format_answer(answer, bold=sys.stdout.isatty()))
        history.append(Turn(question, answer.answer))
