"""Compare vector, BM25 and fused rankings, and the evidence re-ranking `ask` applies to
the fused pool, on a question set (the tables in BENCHMARKS.md).

    python scripts/retrieval_sweep.py --corpus seeds --questions seeds/questions.jsonl \
        --index /tmp/ix
Ranks the raw question (no follow-up rewriting) and counts a passage as relevant when
its file is in the question's `sources`.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

from newsdesk import Assistant, Passage
from newsdesk.retrieval.retriever import dedupe, fuse

Ranker = Callable[[list[Passage], list[Passage]], list[Passage]]


def score(cases: list[tuple[dict, list[Passage], list[Passage]]], rank: Ranker) -> str:
    hit1 = hit5 = mrr = 0.0
    for q, vec, bm in cases:
        ranked = dedupe(rank(vec, bm), 10)
        hits = [i for i, p in enumerate(ranked) if p.source in q["sources"]]
        if hits:
            hit1 += hits[0] == 0
            hit5 += hits[0] < 5
            mrr += 1 / (hits[0] + 1)
    n = len(cases)
    return f"Hit@1 {hit1 / n:.3f}  Hit@5 {hit5 / n:.3f}  MRR@10 {mrr / n:.3f}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--questions", type=Path, required=True)
    ap.add_argument("--index", type=Path, required=True)
    args = ap.parse_args()
    assistant = Assistant.from_settings(corpus=args.corpus, index=args.index)
    assistant.ensure_index()
    retriever = assistant.retriever()
    rows = [json.loads(line) for line in args.questions.open(encoding="utf-8") if line.strip()]
    cases = [(q, retriever.vector(q["question"], 40), retriever.bm25(q["question"], 40))
             for q in rows if q.get("sources")]
    question = {id(v): q["question"] for q, v, _ in cases}

    def reranked(v: list[Passage], b: list[Passage]) -> list[Passage]:
        return assistant.rank(question[id(v)], fuse([v, b], [0.5, 1.0]), 10)

    rankers: dict[str, Ranker] = {
        "vector": lambda v, b: v,
        "bm25": lambda v, b: b,
        "rrf (1:1)": lambda v, b: fuse([v, b]),
        "rrf (vector 0.5 : bm25 1)": lambda v, b: fuse([v, b], [0.5, 1.0]),
        "rrf (vector 2 : bm25 1)": lambda v, b: fuse([v, b], [2.0, 1.0]),
        "rrf 0.5:1 + learned scorer": reranked,
    }
    for name, rank in rankers.items():
        print(f"{name:34s} {score(cases, rank)}")


if __name__ == "__main__":
    main()
