"""Cut an article into sentence-aligned chunks that are verbatim slices of its file."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newsdesk.ingest.clean import clean
from newsdesk.ingest.corpus import SourceFile
from newsdesk.nlp.dates import anchor_date

if TYPE_CHECKING:
    from llama_index.core.node_parser import SentenceSplitter

    from newsdesk.settings import Settings


@dataclass(frozen=True)
class Chunk:
    id: str
    source: str
    text: str
    start: int
    end: int
    metadata: dict[str, str | int | float | bool]


def chunk_id(source: str, sha256: str, position: int) -> str:
    """The id of a chunk: stable for the same file bytes, new when the file changes."""
    return hashlib.sha1(f"{source}\0{sha256}\0{position}".encode()).hexdigest()


def make_splitter(settings: Settings) -> SentenceSplitter:
    from llama_index.core.node_parser import SentenceSplitter

    from newsdesk.models.embed import count_tokens_fn

    return SentenceSplitter(
        chunk_size=settings.chunk_size,
        chunk_overlap=settings.chunk_overlap,
        tokenizer=count_tokens_fn(settings.embed_model_path()),
        include_metadata=True,
        include_prev_next_rel=False,
    )


def chunk_file(file: SourceFile, splitter: SentenceSplitter) -> list[Chunk]:
    """Cut each body block of the article into sentence-aligned, verbatim chunks."""
    from llama_index.core import Document
    from llama_index.core.ingestion import IngestionPipeline
    from llama_index.core.schema import TextNode

    article = clean(file.text)
    anchor = anchor_date(file.text)
    meta: dict[str, str | int | float | bool] = {
        "source": file.source, "file_sha": file.sha256, "title": article.title,
        "outlet": article.outlet, "published": article.published,
        "anchor": anchor.date.isoformat() if anchor else "",
        "anchor_is_published": bool(anchor and anchor.is_publication),
        "anchor_start": anchor.start if anchor else -1,
        "anchor_end": anchor.end if anchor else -1,
    }
    docs = [Document(text=file.text[s:e], metadata={"block_start": s},
                     excluded_embed_metadata_keys=["block_start"],
                     excluded_llm_metadata_keys=["block_start"])
            for s, e in article.blocks]
    spans: list[tuple[str, int]] = []
    for node in IngestionPipeline(transformations=[splitter]).run(documents=docs):
        if not isinstance(node, TextNode) or node.start_char_idx is None:
            continue
        text = node.get_content()
        start = int(node.metadata["block_start"]) + node.start_char_idx
        if file.text[start : start + len(text)] == text:  # never store unverifiable offsets
            spans.append((text, start))
    return [
        Chunk(chunk_id(file.source, file.sha256, i), file.source, text, start, start + len(text),
              {**meta, "start": start, "end": start + len(text), "position": i,
               "file_chunks": len(spans)})
        for i, (text, start) in enumerate(spans)
    ]
