"""The read path's search: BM25 and vector search fused by reciprocal rank, duplicates folded."""
