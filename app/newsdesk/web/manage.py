"""The chat's "Add articles" and "Remove": write the corpus folder, then re-index it.

Uploads and URLs go through the same `Library` as `newsdesk add` (safe names, size and
type checks, duplicates told, nothing half-written). Only a user who may edit (`Access`)
gets here; the browser names an article to remove by its server-issued id, never a path.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsdesk.errors import NewsdeskError
from newsdesk.ingest.add import AddReport, Library
from newsdesk.web import render
from newsdesk.web.export import write_exports

if TYPE_CHECKING:
    from newsdesk.types import Answer
    from newsdesk.web.access import Access
    from newsdesk.web.chat import WebChat

log = logging.getLogger(__name__)

Panel = tuple[str, str, str]  # (corpus facts, article list, status)
MAX_UPLOADS = 20  # files in one "Add"
NOT_ALLOWED = "Log in to add, remove or re-index articles."
NOT_HERE = ("Adding, removing and re-indexing are off: this chat is reachable from other "
            "machines without a login (started with --no-auth).")


class ArticleDesk:
    """Adds uploads and URLs to the corpus, removes articles, and re-indexes after."""

    def __init__(self, web: WebChat, access: Access):
        self.web = web
        self.access = access
        self._library: Library | None = None

    @property
    def library(self) -> Library:
        """The corpus folder (made on first use: a chat that never adds needs none)."""
        if self._library is None:
            self._library = self.web.assistant.library(
                allow_private_urls=self.access.allow_private_urls)
        return self._library

    def refusal(self, username: str | None) -> str:
        """Why this user may not change the corpus ('' when they may)."""
        if self.access.may_edit(username):
            return ""
        return NOT_ALLOWED if self.access.login else NOT_HERE

    def add(self, files: Sequence[Any] | None, url: str | None, username: str | None,
            progress: Callable[..., Any] | None = None) -> Panel:
        """Add the uploaded files and the URL, then re-index; the status says what happened."""
        if refused := self.refusal(username):
            return (*self.web.panel(), render.status_html(refused, ok=False))
        paths = [_path(f) for f in (files or [])]
        url = (url or "").strip()
        if not paths and not url:
            return (*self.web.panel(), render.status_html(
                "Choose .txt, .md or .html files, or type a web address, then press Add.",
                ok=False))
        if len(paths) > MAX_UPLOADS:
            return (*self.web.panel(), render.status_html(
                f"At most {MAX_UPLOADS} files at a time, please ({len(paths)} chosen).",
                ok=False))
        report = AddReport()
        for i, path in enumerate(paths):
            if progress is not None:
                progress(i / max(1, len(paths) + bool(url)), desc=f"Adding {path.name}…")
            report.items.append(self.library.add_file(path, name=path.name))
        if url:
            if progress is not None:
                progress(len(paths) / (len(paths) + 1), desc=f"Fetching {url[:80]}…")
            report.extend(self.library.add([url]))
        return self._reindexed(report.summary(), bool(report.added), not report.failed,
                               progress)

    def remove(self, ref: Any, username: str | None,
               progress: Callable[..., Any] | None = None) -> Panel:
        """Remove the article a Remove button names from the corpus, then re-index."""
        if refused := self.refusal(username):
            return (*self.web.panel(), render.status_html(refused, ok=False))
        found = self.web.articles.resolve(ref) if isinstance(ref, str) else None
        if found is None:
            return (*self.web.panel(), render.status_html(
                "That article is not in the index (any more).", ok=False))
        source = found[0]
        try:
            moved = self.library.remove(source)
        except NewsdeskError as exc:
            return (*self.web.panel(), render.status_html(str(exc), ok=False))
        log.info("removed %s from the corpus (moved to %s)", source, moved)
        return self._reindexed(f"removed {source} (moved to {moved.parent.name}/ in the "
                               "corpus folder)", True, True, progress)

    def reindex(self, username: str | None,
                progress: Callable[..., Any] | None = None) -> Panel:
        """Re-index the corpus as it is (the Re-index button)."""
        if refused := self.refusal(username):
            return (*self.web.panel(), render.status_html(refused, ok=False))
        return self.web.reindex(progress)

    def _reindexed(self, message: str, changed: bool, ok: bool,
                   progress: Callable[..., Any] | None) -> Panel:
        if not changed:
            return (*self.web.panel(), render.status_html(message, ok=ok))
        corpus, docs, status = self.web.reindex(progress)
        return corpus, docs, render.status_html(message, ok=ok) + status

    def export(self, answers: Sequence[Answer], folder: Path | None = None
               ) -> tuple[str | None, str | None]:
        """(Markdown file, JSON file) of a conversation; (None, None) before any answer."""
        if not answers:
            return None, None
        folder = folder or Path(tempfile.mkdtemp(prefix="newsdesk-export-"))
        markdown, data = write_exports(answers, folder)
        return str(markdown), str(data)


def _path(upload: Any) -> Path:
    """An upload's server-side path (Gradio gives a path string, or an object with .name)."""
    return Path(upload if isinstance(upload, str | Path) else getattr(upload, "name", ""))
