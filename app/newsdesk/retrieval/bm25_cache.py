"""BM25 kept in the index folder, so a new process loads it instead of rebuilding it.

Building BM25 means reading every chunk back from Chroma and stemming it: 2 s at 1,000
articles, ~20 s at 10,000, paid by every `newsdesk ask` process and by the chat's first
question. The saved copy is keyed by the manifest (rewritten by every ingest) and the
chunk count (which moves during an ingest), so a changed index never serves stale terms.
Like everything in the index folder it is rebuildable: any problem means "build it".
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from typing import TYPE_CHECKING, Any

from newsdesk.index.store import manifest_path
from newsdesk.staging import staged

if TYPE_CHECKING:
    from pathlib import Path

    from newsdesk.settings import Settings

VERSION = 1  # bump when the saved layout or the tokenization of chunks changes


def cache_key(settings: Settings, count: int) -> str:
    """'' when there is nothing safe to key on (no manifest, or a shared Chroma server)."""
    if settings.chroma_url:  # another host's ingest would not touch our manifest
        return ""
    try:
        manifest = manifest_path(settings).read_bytes()
    except OSError:
        return ""
    digest = hashlib.sha256(manifest + f"\0{count}\0{VERSION}".encode()).hexdigest()
    return digest[:16]


def _folder(settings: Settings) -> Path:
    return settings.index / "bm25"


def load(settings: Settings, count: int) -> tuple[Any, list[str], list[str], list[Any]] | None:
    """(model, ids, texts, metadatas) saved for this index version, or None."""
    key = cache_key(settings, count)
    folder = _folder(settings) / key
    if not key or not folder.is_dir():
        return None
    import bm25s

    try:
        rows = json.loads((folder / "rows.json").read_text(encoding="utf-8"))
        model = bm25s.BM25.load(str(folder), mmap=True, show_progress=False)
        if len(rows["ids"]) != count:
            return None
        return model, rows["ids"], rows["texts"], rows["metas"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save(settings: Settings, count: int, model: Any, ids: list[str], texts: list[str],
         metas: list[Any]) -> None:
    """Keep this BM25 for the next process; silently skipped if the folder is not writable."""
    key = cache_key(settings, count)
    if not key or not ids:
        return
    root = _folder(settings)
    tmp = staged(root / key)
    try:
        model.save(str(tmp), show_progress=False)
        rows = {"ids": ids, "texts": texts, "metas": metas}
        (tmp / "rows.json").write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, root / key)  # fails if another process saved the same key first
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        return
    for old in root.iterdir():  # earlier versions of the index
        if old.name != key and not old.name.startswith("."):
            with contextlib.suppress(OSError):
                shutil.rmtree(old)
