"""What the web chat does, apart from its layout: sessions, article ids, answering, re-indexing."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsdesk.assistant import available_generators
from newsdesk.errors import ConfigError, NewsdeskError
from newsdesk.types import Answer, Turn
from newsdesk.web import render
from newsdesk.web.access import Access

if TYPE_CHECKING:
    from newsdesk.assistant import Assistant

log = logging.getLogger(__name__)

Message = dict[str, str]
Update = tuple[str, list[Message], "ChatSession"]  # (input box, chat messages, session)

SEED_EXAMPLES = (
    "Which Russian general did Mohammad Bagheri meet on Monday?",
    "Which Russian general did the Iranian commander Heidari meet with in Moscow?",
    "What did Iran put on display at the Army-2023 forum?",
    "At whose invitation did Bagheri travel to Moscow in October 2021?",
)
HISTORY_TURNS = 6  # earlier turns kept per session; the follow-up rewrite reads the last two
EXPORT_ANSWERS = 200  # answers kept per session for the conversation export
_REF = re.compile(r"^([0-9a-f]{16}):(\d{1,12}):(\d{1,12})$")


def article_id(source: str) -> str:
    """A stable id for an article: the same file keeps it across re-indexing."""
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


class Articles:
    """The corpus as the browser may name it: by server-issued ids, never by paths."""

    def __init__(self, assistant: Assistant):
        self._assistant = assistant
        self._lock = threading.Lock()
        self._sources: dict[str, str] = {}
        self._titles: dict[str, str] = {}

    def refresh(self) -> dict[str, Any]:
        """Re-read the index manifest; returns `Assistant.corpus_info()`."""
        info = self._assistant.corpus_info()
        titles = dict(info.get("titles", {}))
        with self._lock:
            self._titles = titles
            self._sources = {article_id(s): s for s in titles}
        return info

    def titles(self) -> dict[str, str]:
        with self._lock:
            return dict(self._titles)

    def title(self, source: str) -> str:
        with self._lock:
            return self._titles.get(source, "")

    def ref(self, source: str, start: int, end: int) -> str | None:
        """The reference a footnote carries for `source[start:end]`, if the article is indexed."""
        with self._lock:
            known = source in self._titles
        if not known and source not in self.refresh().get("titles", {}):
            return None
        return f"{article_id(source)}:{start}:{end}"

    def resolve(self, ref: str) -> tuple[str, int, int] | None:
        """(source, start, end) for a reference this server issued; None for anything else."""
        match = _REF.match(ref)
        if match is None:
            return None
        with self._lock:
            source = self._sources.get(match.group(1))
        if source is None:
            return None
        return source, int(match.group(2)), int(match.group(3))


def example_questions(corpus: Path, limit: int = 4) -> list[str]:
    """A few questions from `<corpus>/questions.jsonl` (one per article), else the seed ones."""
    found: list[str] = []
    seen_sources: set[str] = set()
    try:
        lines = (corpus / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        lines = []
    for line in lines:
        try:
            item = json.loads(line)
        except ValueError:
            continue
        question = item.get("question") if isinstance(item, dict) else None
        sources = tuple(item.get("sources") or ()) if isinstance(item, dict) else ()
        if isinstance(question, str) and 10 < len(question) <= 120 and not (
                set(sources) & seen_sources):
            found.append(question)
            seen_sources.update(sources)
        if len(found) == limit:
            break
    return found or list(SEED_EXAMPLES[:limit])


@dataclass
class ChatSession:
    """One browser tab's conversation: what its chat shows and what its follow-ups build on."""

    messages: list[Message] = field(default_factory=list)
    turns: list[Turn] = field(default_factory=list)
    answers: list[Answer] = field(default_factory=list)  # for the export, newest last


class WebChat:
    """The chat's event handlers, shared by every session; each call gets its own session."""

    def __init__(self, assistant: Assistant, access: Access | None = None):
        self.assistant = assistant
        self.access = access or Access()
        self.articles = Articles(assistant)
        self.generators = available_generators(assistant.settings)
        configured = assistant.settings.generator
        self.default_generator = configured if configured in self.generators else "extractive"

    def chat(self, question: str, generator: str | None,
             session: ChatSession | None) -> Iterator[Update]:
        """Stream one exchange into the session: the question, the growing answer, the result."""
        session = session if isinstance(session, ChatSession) else ChatSession()
        question = question if isinstance(question, str) else ""
        if not question.strip():
            yield "", list(session.messages), session
            return
        session.messages = [*session.messages, _user(render.question_html(question)),
                            _bot(render.pending_html(""))]
        yield "", list(session.messages), session
        for content in self._answer(question, generator, session):
            session.messages = [*session.messages[:-1], _bot(content)]
            yield "", list(session.messages), session

    def _answer(self, question: str, generator: str | None,
                session: ChatSession) -> Iterator[str]:
        """HTML for the answer message, each time it changes."""
        text = ""
        try:
            name = self._generator(generator)
            for item in self.assistant.stream(question, session.turns, generator=name):
                if isinstance(item, Answer):
                    session.turns = [*session.turns, Turn(item.question, item.answer)]
                    session.turns = session.turns[-HISTORY_TURNS:]
                    session.answers = [*session.answers, item][-EXPORT_ANSWERS:]
                    yield render.answer_html(item, self.articles.ref)
                    return
                text += item
                yield render.pending_html(text)
        except NewsdeskError as exc:
            yield render.error_html(str(exc))
        except Exception:
            # The UI boundary: a bug must end as a message in the chat, not a spinner
            # that never stops; the traceback goes to the server log.
            log.exception("answering %r failed", question[:200])
            yield render.error_html("Something went wrong while answering; the details are "
                                    "in the server log. Please try again.")

    def _generator(self, name: str | None) -> str:
        if not name:
            return self.default_generator
        if name not in self.generators:
            raise ConfigError(f"generator {name!r} is not available here; choose one of "
                              f"{', '.join(self.generators)}")
        return name

    def open_ref(self, ref: Any) -> str:
        """The article panel for a footnote's reference."""
        found = self.articles.resolve(ref) if isinstance(ref, str) else None
        if found is None:
            return render.viewer_notice_html("That article is not in the index (any more).")
        source, start, end = found
        text = self.assistant.files.text(source)
        if text is None:
            return render.viewer_notice_html(f"The article {source} can no longer be read.")
        if not 0 <= start <= end <= len(text):
            start = end = 0
        return render.article_html(self.articles.title(source), source, text, start, end)

    def panel(self) -> tuple[str, str]:
        """(corpus facts, article list) as of now."""
        info = self.articles.refresh()
        return (render.corpus_html(info, self.generators),
                render.articles_html(self.articles.titles(), self.articles.ref,
                                     removable=self.access.editable))

    def reindex(self, progress: Callable[..., Any] | None = None) -> tuple[str, str, str]:
        """Re-index the corpus; returns the refreshed panel and a status line."""
        if progress is not None:
            progress(0, desc="Reading the articles…")
        try:
            report = self.assistant.ingest(progress=True)
            status = render.status_html(report.summary())
        except NewsdeskError as exc:
            status = render.status_html(str(exc), ok=False)
        return (*self.panel(), status)


def _user(content: str) -> Message:
    return {"role": "user", "content": content}


def _bot(content: str) -> Message:
    return {"role": "assistant", "content": content}
