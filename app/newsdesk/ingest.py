"""Write path: read → clean → chunk → embed → upsert, incrementally and crash-safely.

Chunk ids are derived from (file path, file hash, position), so re-running on an
unchanged corpus embeds nothing, a changed file has exactly its chunks replaced, and
a run killed half-way is repaired by the next one: chunks already stored are kept,
missing ones embedded, strays deleted, and the manifest written only for files whose
chunks are all stored.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from newsdesk.clean import Article, clean
from newsdesk.corpus import SourceFile, read_corpus
from newsdesk.dates import anchor_date
from newsdesk.errors import IngestFailed
from newsdesk.store import (
    FileEntry,
    Manifest,
    drop_collection,
    get_collection,
    manifest_path,
    open_client,
    write_lock,
)
from newsdesk.types import IngestReport

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection
    from llama_index.core.base.embeddings.base import BaseEmbedding

    from newsdesk.settings import Settings

CLEANER_VERSION = 3
WRITE_BATCH = 256  # chunks embedded and upserted together
MANIFEST_EVERY = 2.0  # seconds between manifest checkpoints during a long ingest


@dataclass(frozen=True)
class Chunk:
    id: str
    source: str
    text: str
    start: int
    end: int
    metadata: dict[str, str | int | float | bool]


def fingerprint(settings: Settings) -> dict[str, Any]:
    """What must match for stored vectors to be reusable."""
    from newsdesk.embed import model_name

    return {
        "embed_model": model_name(settings),
        "chunk_size": settings.chunk_size,
        "chunk_overlap": settings.chunk_overlap,
        "cleaner": CLEANER_VERSION,
    }


def chunk_id(source: str, sha256: str, position: int) -> str:
    return hashlib.sha1(f"{source}\0{sha256}\0{position}".encode()).hexdigest()


def make_splitter(settings: Settings):  # type: ignore[no-untyped-def]
    from llama_index.core.node_parser import SentenceSplitter

    from newsdesk.embed import count_tokens_fn

    return SentenceSplitter(
        chunk_size=settings.chunk_size,
        chunk_overlap=settings.chunk_overlap,
        tokenizer=count_tokens_fn(settings.embed_model_path()),
        include_metadata=True,
        include_prev_next_rel=False,
    )


def chunk_file(file: SourceFile, article: Article, splitter: Any) -> list[Chunk]:
    """Cut each body block of the article into sentence-aligned, verbatim chunks."""
    from llama_index.core import Document
    from llama_index.core.ingestion import IngestionPipeline

    anchor = anchor_date(file.text)
    meta: dict[str, str | int | float | bool] = {
        "source": file.source,
        "file_sha": file.sha256,
        "title": article.title,
        "outlet": article.outlet,
        "published": article.published,
        "anchor": anchor.date.isoformat() if anchor else "",
        "anchor_is_published": bool(anchor and anchor.is_publication),
        "anchor_start": anchor.start if anchor else -1,
        "anchor_end": anchor.end if anchor else -1,
    }
    docs = [
        Document(text=file.text[s:e], metadata={"block_start": s}, excluded_embed_metadata_keys=[
            "block_start"], excluded_llm_metadata_keys=["block_start"])
        for s, e in article.blocks
    ]
    nodes = IngestionPipeline(transformations=[splitter]).run(documents=docs)
    chunks: list[Chunk] = []
    for node in nodes:
        text = node.get_content()
        offset = int(node.metadata["block_start"])
        if node.start_char_idx is None:
            continue
        start = offset + node.start_char_idx
        end = start + len(text)
        if file.text[start:end] != text:  # never store a chunk whose offsets do not verify
            continue
        position = len(chunks)
        cid = chunk_id(file.source, file.sha256, position)
        chunks.append(Chunk(cid, file.source, text, start, end,
                            {**meta, "start": start, "end": end, "position": position}))
    return chunks


def stored_ids(collection: Collection) -> dict[str, str]:
    """Every chunk id in the collection with its source file."""
    out: dict[str, str] = {}
    total = collection.count()
    for offset in range(0, total, 5000):
        got = collection.get(include=["metadatas"], limit=5000, offset=offset)
        for cid, meta in zip(got["ids"], got["metadatas"] or [], strict=False):
            out[cid] = str((meta or {}).get("source", ""))
    return out


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


def ingest(
    settings: Settings,
    embedder: Callable[[], BaseEmbedding],
    progress: bool = False,
) -> IngestReport:
    """Bring the index in line with the corpus folder; see the module docstring."""
    t0 = time.perf_counter()
    with write_lock(settings):
        files, skipped = read_corpus(settings.corpus, settings.max_file_bytes)
        client = open_client(settings)
        mpath = manifest_path(settings)
        manifest = Manifest.load(mpath)
        fp = fingerprint(settings)
        rebuilt, reason = False, ""
        if manifest is None or manifest.fingerprint != fp:
            if manifest is not None:
                rebuilt = True
                changed = [k for k in fp if manifest.fingerprint.get(k) != fp[k]]
                reason = f"settings changed ({', '.join(changed)}); re-embedding everything"
            drop_collection(client, settings.collection)
            manifest = Manifest(fingerprint=fp)
        collection = get_collection(client, settings.collection)
        present = stored_ids(collection)
        present_sources = set(present.values())
        wanted = {f.source for f in files}

        added, updated, unchanged, todo = [], [], [], []
        for f in files:
            entry = manifest.files.get(f.source)
            if entry and entry.sha256 == f.sha256 and all(c in present for c in entry.chunk_ids):
                unchanged.append(f.source)
            else:
                (updated if entry or f.source in present_sources else added).append(f.source)
                todo.append(f)
        removed = sorted((set(manifest.files) | present_sources) - wanted - {""})
        for source in removed:
            manifest.files.pop(source, None)

        keep_ids = {c for s in unchanged for c in manifest.files[s].chunk_ids}
        chunks_added = _write(settings, collection, manifest, todo, present, embedder, progress)
        keep_ids |= {c for f in todo for c in manifest.files[f.source].chunk_ids}
        chunks_removed = _delete(collection, [c for c in present if c not in keep_ids])
        manifest.save(mpath)
        total = collection.count()
    if not files:
        reasons = "; ".join(f"{s.source}: {s.reason}" for s in skipped) or "no article files"
        raise IngestFailed(f"nothing in {settings.corpus} could be indexed ({reasons})")
    return IngestReport(
        files_added=added, files_updated=updated, files_removed=removed,
        files_unchanged=unchanged, skipped=skipped, chunks_added=chunks_added,
        chunks_removed=chunks_removed, chunks_unchanged=len(keep_ids) - chunks_added,
        chunks_total=total, rebuilt=rebuilt, rebuild_reason=reason,
        seconds=time.perf_counter() - t0,
    )


def _write(
    settings: Settings,
    collection: Collection,
    manifest: Manifest,
    todo: list[SourceFile],
    present: dict[str, str],
    embedder: Callable[[], BaseEmbedding],
    progress: bool,
) -> int:
    """Chunk, embed and upsert the files in `todo`; record each in the manifest once stored."""
    from tqdm import tqdm

    if not todo:
        return 0
    splitter = make_splitter(settings)
    planned = [(f, article, chunk_file(f, article, splitter)) for f in todo
               for article in [clean(f.text)]]
    need = sum(1 for _, _, chunks in planned for c in chunks if c.id not in present)
    model = embedder() if need else None
    bar = tqdm(total=need, unit="chunk", desc="embedding", disable=not progress, leave=False)
    pending: list[tuple[SourceFile, Article, list[Chunk]]] = []
    batch: list[Chunk] = []
    added = 0
    last_save = time.monotonic()

    def flush() -> None:
        nonlocal added, last_save
        if batch:
            assert model is not None
            vectors = model.get_text_embedding_batch([c.text for c in batch])
            _upsert(collection, batch, vectors)
            added += len(batch)
            bar.update(len(batch))
            batch.clear()
        for f, article, chunks in pending:
            manifest.files[f.source] = FileEntry(f.sha256, [c.id for c in chunks], article.title,
                                                 article.outlet, article.published)
        pending.clear()
        if time.monotonic() - last_save > MANIFEST_EVERY:
            manifest.save(manifest_path(settings))
            last_save = time.monotonic()

    for f, article, chunks in planned:
        batch.extend(c for c in chunks if c.id not in present)
        pending.append((f, article, chunks))
        if len(batch) >= WRITE_BATCH:
            flush()
    flush()
    bar.close()
    return added
