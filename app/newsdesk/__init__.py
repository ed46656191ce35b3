"""newsdesk: answers questions about a folder of news articles, with verified quoted citations.

    from newsdesk import Assistant
    assistant = Assistant.from_settings(corpus="seeds/")
    answer = assistant.ask("Which Russian general did Mohammad Bagheri meet on Monday?")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["Answer", "Assistant", "Citation", "IngestReport", "Passage", "Settings", "Turn"]
__version__ = "0.1.0"

if TYPE_CHECKING:
    from newsdesk.assistant import Assistant
    from newsdesk.settings import Settings
    from newsdesk.types import Answer, Citation, IngestReport, Passage, Turn


def __getattr__(name: str) -> Any:
    # Lazy: `import newsdesk` stays cheap; the model stack loads when first used.
    if name == "Assistant":
        from newsdesk.assistant import Assistant

        return Assistant
    if name == "Settings":
        from newsdesk.settings import Settings

        return Settings
    if name in {"Answer", "Citation", "IngestReport", "Passage", "Turn"}:
        from newsdesk import types

        return getattr(types, name)
    raise AttributeError(f"module 'newsdesk' has no attribute {name!r}")
