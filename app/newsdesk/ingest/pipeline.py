"""Write path: read → clean → chunk → embed → upsert, incrementally and crash-safely.

The Chroma collection is the only source of truth. Chunk ids are derived from (file
path, file hash, position) and every chunk records how many chunks its file has, so a
file is unchanged exactly when all of its chunks are stored. Re-running on an unchanged
corpus therefore embeds nothing; a changed file has exactly its chunks replaced; a run
killed half-way is repaired by the next one (stored chunks kept, missing ones embedded,
strays deleted). The collection's metadata records how its vectors were made; when the
settings no longer match, it is rebuilt. The manifest is written, atomically, only from
a finished run, for readers that want to know what the index holds without opening it.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from newsdesk.errors import ConfigError, IngestFailed
from newsdesk.index.repair import probe, quarantine
from newsdesk.index.store import (
    FINGERPRINT_KEY,
    FileEntry,
    Manifest,
    close_client,
    drop_collection,
    get_collection,
    manifest_path,
    open_client,
    remove_leftovers,
    write_lock,
)
from newsdesk.ingest.chunking import Chunk, chunk_file, chunk_id, make_splitter
from newsdesk.ingest.corpus import SourceFile, read_corpus
from newsdesk.types import IngestReport, Skipped

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection
    from llama_index.core.base.embeddings.base import BaseEmbedding

    from newsdesk.settings import Settings

CLEANER_VERSION = 5  # 4: a page naming no outlet is known by its site; labels are no outlet
# 5: a dateline naming only a place yields to the page's site
STORE_LAYOUT = 2  # 2: chunks carry file_chunks, the collection carries its fingerprint
WRITE_BATCH = 32  # chunks embedded and upserted together: the most a crash can waste

log = logging.getLogger(__name__)


@dataclass
class Plan:
    """How the corpus differs from the store."""

    complete: dict[tuple[str, str], FileEntry]  # what the store holds in full
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: dict[str, str] = field(default_factory=dict)  # source → sha256
    removed: list[str] = field(default_factory=list)
    todo: list[SourceFile] = field(default_factory=list)


def fingerprint(settings: Settings) -> dict[str, Any]:
    """What must match for stored vectors to be reusable."""
    from newsdesk.models.embed import model_name

    return {
        "embed_model": model_name(settings),
        "chunk_size": settings.chunk_size,
        "chunk_overlap": settings.chunk_overlap,
        "cleaner": CLEANER_VERSION,
        "layout": STORE_LAYOUT,
    }


def inventory(collection: Collection) -> dict[str, dict[str, Any]]:
    """Every stored chunk id with its metadata."""
    out: dict[str, dict[str, Any]] = {}
    total = collection.count()
    for offset in range(0, total, 5000):
        got = collection.get(include=["metadatas"], limit=5000, offset=offset)
        for cid, meta in zip(got["ids"], got["metadatas"] or [], strict=False):
            out[cid] = dict(meta or {})
    return out


def complete_files(stored: dict[str, dict[str, Any]]) -> dict[tuple[str, str], FileEntry]:
    """(source, sha256) → entry with chunk ids in order, for each file with all chunks stored."""
    found: dict[tuple[str, str], dict[int, str]] = {}
    metas: dict[tuple[str, str], dict[str, Any]] = {}
    for cid, meta in stored.items():
        key = (str(meta.get("source", "")), str(meta.get("file_sha", "")))
        position = int(meta.get("position", -1))
        if cid == chunk_id(*key, position):
            found.setdefault(key, {})[position] = cid
            metas[key] = meta
    out: dict[tuple[str, str], FileEntry] = {}
    for key, ids in found.items():
        meta = metas[key]
        if set(ids) == set(range(int(meta.get("file_chunks", -1)))):
            out[key] = FileEntry(key[1], [ids[i] for i in range(len(ids))],
                                 str(meta.get("title", "")), str(meta.get("outlet", "")),
                                 str(meta.get("published", "")))
    return out


def ingest(
    settings: Settings,
    embedder: Callable[[], BaseEmbedding],
    progress: bool = False,
) -> IngestReport:
    """Bring the index in line with the corpus folder; see the module docstring."""
    t0 = time.perf_counter()
    with write_lock(settings):
        removed, freed = remove_leftovers(settings)
        if removed:
            log.info("newsdesk: removed %d leftover(s) of killed runs from %s (%.1f MB)",
                     removed, settings.index, freed / 1e6)
        files, skipped = read_corpus(settings.corpus, settings.max_file_bytes)
        if not files:
            reasons = "; ".join(f"{s.source}: {s.reason}" for s in skipped) or "no article files"
            raise IngestFailed(f"nothing in {settings.corpus} could be indexed ({reasons})")
        rebuild_reason = ""
        broken = probe(settings)
        if broken:
            rebuild_reason = quarantine(settings, broken)
            # The report carries the reason; someone watching a progress bar is told now,
            # before a rebuild that can take minutes (with no handler set up, Python's
            # last-resort handler writes a warning's message alone to stderr).
            log.log(logging.WARNING if progress else logging.INFO, "newsdesk: %s",
                    rebuild_reason)
        client = open_client(settings)
        try:
            report = _sync(settings, client, files, embedder, progress, rebuild_reason)
        finally:
            close_client(client)
    return IngestReport(**{**report, "skipped": skipped + report["skipped"],
                           "seconds": time.perf_counter() - t0})


def _open_matching(settings: Settings, client: ClientAPI) -> tuple[Collection, str]:
    """The collection, emptied first if its vectors were made with other settings."""
    fp = fingerprint(settings)
    wanted = json.dumps(fp, sort_keys=True)
    collection = get_collection(client, settings.collection, wanted)
    stored = (collection.metadata or {}).get(FINGERPRINT_KEY)
    if stored == wanted:
        return collection, ""
    reason = ""
    if collection.count():
        try:
            old = json.loads(stored) if stored else {}
        except ValueError:
            old = {}
        changed = [k for k in fp if old.get(k) != fp[k]]
        reason = (f"settings changed ({', '.join(changed)})" if old
                  else "the index was made by an older newsdesk") + "; re-embedding everything"
        if settings.chroma_url:  # a shared index: one misconfigured host must not wipe it
            raise ConfigError(
                f"collection {settings.collection!r} on the Chroma server at "
                f"{settings.chroma_url} was built with other settings "
                f"({', '.join(changed) or 'unknown'}); not rebuilding a shared index: "
                "use the same settings, or build a new one under another collection name "
                "(NEWSDESK_COLLECTION) and switch to it")
    drop_collection(client, settings.collection)
    collection = get_collection(client, settings.collection, wanted)
    if (collection.metadata or {}).get(FINGERPRINT_KEY) != wanted:
        # A reader re-created it between the drop and our create; claim it. (Only the
        # fingerprint: Chroma refuses any mention of the distance after creation.)
        collection.modify(metadata={FINGERPRINT_KEY: wanted})
    return collection, reason


def _sync(
    settings: Settings, client: ClientAPI, files: list[SourceFile],
    embedder: Callable[[], BaseEmbedding], progress: bool, rebuild_reason: str,
) -> dict[str, Any]:
    collection, settings_reason = _open_matching(settings, client)
    stored = inventory(collection)
    plan = make_plan(files, stored)
    planned: dict[str, list[Chunk]] = {}
    if plan.todo:
        splitter = make_splitter(settings)
        planned = {f.source: chunk_file(f, splitter) for f in plan.todo}
    entries = {s: plan.complete[(s, sha)] for s, sha in plan.unchanged.items()}
    entries |= {f.source: _entry(f, planned[f.source]) for f in plan.todo}
    keep = {c for e in entries.values() for c in e.chunk_ids}
    # Strays first: they are old versions whose quotes no longer verify anyway.
    removed = _delete(collection, [c for c in stored if c not in keep])
    missing = [c for chunks in planned.values() for c in chunks if c.id not in stored]
    added = _write(collection, missing, embedder, progress)
    Manifest(fingerprint(settings), {f.source: entries[f.source] for f in files}).save(
        manifest_path(settings))
    empty = {s for s, chunks in planned.items() if not chunks}
    return {
        "files_added": [s for s in plan.added if s not in empty],
        "files_updated": [s for s in plan.updated if s not in empty],
        "files_removed": plan.removed, "files_unchanged": list(plan.unchanged),
        "skipped": [Skipped(s, "no article text found after removing page furniture")
                    for s in sorted(empty)],
        "chunks_added": added, "chunks_removed": removed,
        "chunks_unchanged": len(keep) - added, "chunks_total": collection.count(),
        "rebuilt": bool(rebuild_reason or settings_reason),
        "rebuild_reason": rebuild_reason or settings_reason,
    }


def _entry(file: SourceFile, chunks: list[Chunk]) -> FileEntry:
    meta = chunks[0].metadata if chunks else {}
    return FileEntry(file.sha256, [c.id for c in chunks], str(meta.get("title", "")),
                     str(meta.get("outlet", "")), str(meta.get("published", "")))


def make_plan(files: list[SourceFile], stored: dict[str, dict[str, Any]]) -> Plan:
    """Sort the corpus files into added, updated and unchanged; list files gone from it."""
    plan = Plan(complete=complete_files(stored))
    stored_sources = {str(m.get("source", "")) for m in stored.values()}
    for f in files:
        if (f.source, f.sha256) in plan.complete:
            plan.unchanged[f.source] = f.sha256
            continue
        (plan.updated if f.source in stored_sources else plan.added).append(f.source)
        plan.todo.append(f)
    plan.removed = sorted(stored_sources - {f.source for f in files} - {""})
    return plan


def _upsert(collection: Collection, chunks: list[Chunk], vectors: list[list[float]]) -> None:
    from llama_index.core.schema import TextNode
    from llama_index.core.vector_stores.utils import node_to_metadata_dict

    metadatas = []
    for chunk in chunks:
        node = TextNode(id_=chunk.id, text=chunk.text, metadata=dict(chunk.metadata),
                        start_char_idx=chunk.start, end_char_idx=chunk.end)
        metadatas.append(node_to_metadata_dict(node, remove_text=True, flat_metadata=True))
    collection.upsert(
        ids=[c.id for c in chunks],
        embeddings=vectors,  # type: ignore[arg-type]
        documents=[c.text for c in chunks],
        metadatas=metadatas,  # type: ignore[arg-type]
    )


def _delete(collection: Collection, ids: Iterable[str]) -> int:
    ids = list(ids)
    for i in range(0, len(ids), 1000):
        collection.delete(ids=ids[i : i + 1000])
    return len(ids)


def _write(
    collection: Collection, chunks: list[Chunk], embedder: Callable[[], BaseEmbedding],
    progress: bool,
) -> int:
    """Embed and upsert `chunks` in batches; each batch is durable once upserted."""
    from tqdm import tqdm

    if not chunks:
        return 0
    model = embedder()
    # Longest first, so each batch pads to about its own length, as one encode over all
    # chunks would (the floor); file order pads ~9% more tokens on article-length text.
    chunks = sorted(chunks, key=lambda c: -len(c.text))
    with tqdm(total=len(chunks), unit="chunk", desc="embedding", disable=not progress,
              leave=False) as bar:
        for i in range(0, len(chunks), WRITE_BATCH):
            batch = chunks[i : i + WRITE_BATCH]
            _upsert(collection, batch, model.get_text_embedding_batch([c.text for c in batch]))
            bar.update(len(batch))
    return len(chunks)
