#!/usr/bin/env python3
"""Choose the retrieval fusion weight on a training split (RealTimeQA train by default).

    python scripts/fit_fusion.py [--train ../shared/bench/rtqa_train] [--index-root DIR]

For each question, BM25 and vector search each return their candidates once; weighted
reciprocal-rank fusion is then replayed for every vector weight of the grid, and the
fused pool (before the answer scorer re-ranks it) is scored by Hit@5, Hit@POOL and MRR@10
against the question's gold files. The weight with the best MRR@10 (ties: Hit@POOL)
replaces `retrieval.retriever.VECTOR_WEIGHT` only when a paired bootstrap over the
questions (2,000 resamples, seed 0) puts its MRR@10 gain above zero with 95% confidence:
a weight at the edge of the grid that wins by a question or two is noise, not signal.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TRAIN = ROOT.parent / "shared" / "bench" / "rtqa_train"
GRID = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, None)  # None: vector alone


def rank_of(sources: list[str], gold: set[str], depth: int) -> int | None:
    for i, source in enumerate(sources[:depth]):
        if source in gold:
            return i + 1
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--train", type=Path, default=DEFAULT_TRAIN)
    parser.add_argument("--index-root", type=Path, default=ROOT / "work" / "fit-index")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

    from newsdesk import Assistant
    from newsdesk.assistant import POOL
    from newsdesk.evaluation.run import load_questions
    from newsdesk.retrieval.retriever import CANDIDATES, fuse

    assistant = Assistant.from_settings(corpus=args.train / "corpus",
                                        index=args.index_root / args.train.name)
    assistant.ensure_index(progress=True)
    retriever = assistant.retriever()
    questions = [q for q in load_questions(args.train / "questions.jsonl") if q.sources]
    pools = [(retriever.vector(q.question, CANDIDATES), retriever.bm25(q.question, CANDIDATES),
              set(q.sources)) for q in questions]
    rows, per_question = [], {}
    for weight in GRID:
        ranks_5, ranks_pool, rr = 0, 0, 0.0
        per_question[weight] = []
        for vector, bm25, gold in pools:
            fused = vector if weight is None else fuse([vector, bm25], [weight, 1.0])
            sources = [p.source for p in fused]
            r = rank_of(sources, gold, 10)
            ranks_5 += r is not None and r <= 5
            ranks_pool += rank_of(sources, gold, POOL) is not None
            rr += 1 / r if r else 0.0
            per_question[weight].append(1 / r if r else 0.0)
        n = len(pools)
        rows.append({"vector_weight": weight, "hit_at_5": round(ranks_5 / n, 4),
                     f"hit_at_{POOL}": round(ranks_pool / n, 4), "mrr_at_10": round(rr / n, 4)})
    for row in rows:
        print(json.dumps(row))
    fused_rows = [r for r in rows if r["vector_weight"] is not None]
    best = max(fused_rows, key=lambda r: (r["mrr_at_10"], r[f"hit_at_{POOL}"]))
    print(f"best vector weight on {args.train.name} ({len(pools)} questions with sources): "
          f"{best['vector_weight']}")
    import numpy as np

    from newsdesk.retrieval.retriever import VECTOR_WEIGHT

    gain = np.array(per_question[best["vector_weight"]]) - np.array(per_question[VECTOR_WEIGHT])
    rng = np.random.default_rng(0)
    means = [gain[rng.integers(0, len(gain), len(gain))].mean() for _ in range(2000)]
    low, high = np.percentile(means, [2.5, 97.5])
    keep = low <= 0
    print(f"MRR@10 gain over the current weight {VECTOR_WEIGHT}: {gain.mean():+.4f} "
          f"(95% interval {low:+.4f} .. {high:+.4f}): "
          + (f"keep {VECTOR_WEIGHT}" if keep else f"use {best['vector_weight']}"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
