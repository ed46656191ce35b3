"""Detect an embedded Chroma store that would crash its next user, and move it aside.

A process killed while Chroma flushes a vector segment can leave files that make the
next process segfault on open (chroma-core issues 7238, 7069), which no `try` can catch.
So the store is opened in a throwaway subprocess first; if that dies, the store is
renamed out of the way and ingest rebuilds it from the articles. Chroma rewrites its
segment files whenever a process opens the store (readers too), so there is no cheap
"unchanged since last time" test: every ingest probes (about two seconds).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING

from newsdesk.index.store import chroma_path, manifest_path

if TYPE_CHECKING:
    from newsdesk.settings import Settings

PROBE_TIMEOUT = 120.0  # seconds; a store that takes longer to open is treated as broken

# Loads every part of a collection a query touches: metadata, the vector segment, the graph.
PROBE_SCRIPT = """
import sys
import chromadb
from chromadb.config import Settings
from chromadb.errors import NotFoundError
client = chromadb.PersistentClient(sys.argv[1], settings=Settings(anonymized_telemetry=False))
try:
    col = client.get_collection(sys.argv[2])
except NotFoundError:
    sys.exit(0)
if col.count():
    got = col.get(limit=1, include=["embeddings"])
    col.query(query_embeddings=[list(got["embeddings"][0])], n_results=min(5, col.count()))
"""


def probe(settings: Settings) -> str:
    """Why the embedded store cannot be opened and queried by a fresh process ('' if it can)."""
    path = chroma_path(settings)
    if settings.chroma_url or not (path / "chroma.sqlite3").is_file():
        return ""
    cmd = [sys.executable, "-c", PROBE_SCRIPT, str(path), settings.collection]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=PROBE_TIMEOUT)
    except subprocess.TimeoutExpired:
        return f"opening it took longer than {PROBE_TIMEOUT:.0f} s"
    if proc.returncode == 0:
        return ""
    if proc.returncode < 0:
        return f"opening it killed the process with {signal.Signals(-proc.returncode).name}"
    lines = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()]
    return f"opening it failed: {lines[-1] if lines else f'exit status {proc.returncode}'}"


def quarantine(settings: Settings, why: str) -> str:
    """Move the broken store aside (keeping only the newest such copy); say what was done."""
    from chromadb.api.shared_system_client import SharedSystemClient

    path = chroma_path(settings)
    for old in settings.index.glob("chroma.broken-*"):
        shutil.rmtree(old, ignore_errors=True)
    dest = path.with_name(f"chroma.broken-{time.strftime('%Y%m%d-%H%M%S')}")
    os.replace(path, dest)
    manifest_path(settings).unlink(missing_ok=True)
    # Chroma caches one open system per path in this process; it must not reuse the old one.
    SharedSystemClient.clear_system_cache()
    return (f"the vector store at {path} is damaged ({why}); moved it to {dest} "
            "and rebuilt the index from the articles")
