"""Read path: find the passages that bear on a question (vector, BM25, or both fused)."""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from newsdesk.nlp.text import content_terms, normalize
from newsdesk.retrieval.variants import NameVariants
from newsdesk.types import Passage

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection

    from newsdesk.models.embed import QueryEmbedder
    from newsdesk.settings import Settings

RRF_K = 60  # the usual reciprocal-rank-fusion constant
CANDIDATES = 30  # hits taken from each retriever before fusion
# BM25 counts double the vector ranking. On the RealTimeQA train split
# (`scripts/fit_fusion.py`) no other weight beats it with 95% confidence (BENCHMARKS.md,
# "Retrieval fusion on the train split"); it was first chosen on the seeds and RGB.
VECTOR_WEIGHT = 0.5


@dataclass
class _Bm25:
    model: Any
    ids: list[str]
    texts: list[str]
    metadatas: list[dict[str, Any]]
    count: int
    names: NameVariants = field(init=False)

    def __post_init__(self) -> None:
        self.names = NameVariants(self.model, self.texts)


def passage_from(cid: str, text: str, meta: dict[str, Any], score: float) -> Passage:
    return Passage(
        source=str(meta.get("source", "")), text=text, score=round(float(score), 6),
        start=int(meta.get("start", 0)), end=int(meta.get("end", 0)), chunk_id=cid,
        title=str(meta.get("title", "")), published=str(meta.get("published", "")),
        outlet=str(meta.get("outlet", "")),
    )


class Retriever:
    """Searches one Chroma collection; safe to share between threads."""

    def __init__(self, settings: Settings, collection: Collection, embedder: QueryEmbedder):
        self.settings = settings
        self.collection = collection
        self.embedder = embedder
        self._bm25: _Bm25 | None = None
        self._lock = threading.Lock()
        self.metadata_by_id: dict[str, dict[str, Any]] = {}

    def search(self, query: str, k: int) -> list[Passage]:
        """The k best passages for the query, best first, near-duplicates folded together."""
        return self.shown(self.search_pool(query, max(k, CANDIDATES)), k)

    def search_pool(self, query: str, k: int) -> list[Passage]:
        """The k best passages, best first, duplicates included (they add supporting files)."""
        mode = self.settings.retrieval
        pools = []
        if mode in ("vector", "hybrid"):
            pools.append(self.vector(query, max(k, CANDIDATES)))
        if mode in ("bm25", "hybrid"):
            pools.append(self.bm25(query, max(k, CANDIDATES)))
        ranked = pools[0] if len(pools) == 1 else fuse(pools, [VECTOR_WEIGHT, 1.0])
        return ranked[:k]

    @staticmethod
    def shown(pool: list[Passage], k: int) -> list[Passage]:
        return dedupe(pool, k)

    def respell(self, query: str) -> str:
        """The query with its names spelled as most passages spell them (`variants`)."""
        if self.settings.retrieval == "vector" or not query.strip():
            return query
        index = self._bm25_index()
        return index.names.respell(query) if index.ids else query

    def vector(self, query: str, k: int) -> list[Passage]:
        import numpy as np

        # Chroma directly, not through llama-index's VectorStoreIndex: the same hits and
        # scores, without importing llama_index.core (1-3 s) on the query path.
        count = self.collection.count()
        if not count:
            return []
        vector = np.asarray([self.embedder.get_query_embedding(query)], dtype=np.float32)
        got = self.collection.query(
            query_embeddings=vector, n_results=max(1, min(k, count)),
            include=["documents", "metadatas", "distances"],
        )
        ids, docs = got["ids"][0], (got["documents"] or [[]])[0]
        metas, dists = (got["metadatas"] or [[]])[0], (got["distances"] or [[]])[0]
        # exp(-distance) is the score llama-index's ChromaVectorStore gives (cosine space).
        return [passage_from(cid, doc or "", dict(meta or {}), math.exp(-dist))
                for cid, doc, meta, dist in zip(ids, docs, metas, dists, strict=True)]

    def bm25(self, query: str, k: int) -> list[Passage]:
        import numpy as np

        index = self._bm25_index()
        terms = content_terms(query)
        if not terms or not index.ids:
            return []
        # Every spelling of the question's names counts ("Baqeri" finds "Bagheri").
        groups = index.names.groups(query, terms)
        scores = index.names.scores(terms, groups) if groups else index.model.get_scores(terms)
        top = np.argsort(-scores)[:k]
        return [passage_from(index.ids[i], index.texts[i], index.metadatas[i], scores[i])
                for i in top if scores[i] > 0]

    def _bm25_index(self) -> _Bm25:
        with self._lock:
            count = self.collection.count()
            if self._bm25 is None or self._bm25.count != count:
                self._bm25 = build_bm25(self.collection, self.settings)
            return self._bm25

    def invalidate(self) -> None:
        """Forget cached state after the collection changed."""
        with self._lock:
            self._bm25 = None


def build_bm25(collection: Collection, settings: Settings | None = None) -> _Bm25:
    import bm25s

    from newsdesk.retrieval import bm25_cache

    total = collection.count()
    saved = bm25_cache.load(settings, total) if settings else None
    if saved is not None:  # built by an earlier process for this very index version
        return _Bm25(*saved, total)
    ids: list[str] = []
    texts: list[str] = []
    metas: list[dict[str, Any]] = []
    for offset in range(0, total, 5000):
        got = collection.get(include=["documents", "metadatas"], limit=5000, offset=offset)
        ids += got["ids"]
        texts += [d or "" for d in got["documents"] or []]
        metas += [dict(m or {}) for m in got["metadatas"] or []]
    model = bm25s.BM25()
    if ids:
        corpus = [content_terms(_with_title(t, m)) or ["\u2205"]
                  for t, m in zip(texts, metas, strict=True)]
        model.index(corpus, show_progress=False)
    if settings:
        bm25_cache.save(settings, total, model, ids, texts, metas)
    return _Bm25(model, ids, texts, metas, total)


def _with_title(text: str, meta: dict[str, Any]) -> str:
    return f"{meta.get('title', '')}\n{text}"


def fuse(pools: list[list[Passage]], weights: list[float] | None = None) -> list[Passage]:
    """Weighted reciprocal rank fusion; a passage keeps the text/offsets of its first pool."""
    scores: dict[str, float] = {}
    first: dict[str, Passage] = {}
    for pool, weight in zip(pools, weights or [1.0] * len(pools), strict=True):
        for rank, passage in enumerate(pool):
            gain = weight / (RRF_K + rank + 1)
            scores[passage.chunk_id] = scores.get(passage.chunk_id, 0.0) + gain
            first.setdefault(passage.chunk_id, passage)
    order = sorted(scores, key=lambda c: -scores[c])
    return [_rescored(first[c], scores[c]) for c in order]


def _rescored(p: Passage, score: float) -> Passage:
    from dataclasses import replace

    return replace(p, score=round(score, 6))


def dedupe(passages: list[Passage], k: int, threshold: float = 0.8) -> list[Passage]:
    """Drop passages whose words mostly repeat a better one (several outlets, one wire story)."""
    kept: list[Passage] = []
    kept_terms: list[set[str]] = []
    for p in passages:
        terms = set(normalize(p.text).split())
        if any(len(terms & t) / max(1, min(len(terms), len(t))) >= threshold for t in kept_terms):
            continue
        kept.append(p)
        kept_terms.append(terms)
        if len(kept) == k:
            break
    return kept
