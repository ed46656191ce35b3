"""Read a sample of the timeline's merges: `python scripts/timeline_merges.py CORPUS SEED N`.

Draws the whole-corpus timeline of a folder of articles (each file's body below the header
`newsdesk add` writes, as the index holds it) and prints N events, drawn with SEED, that
merge reports from more than one article, each report's quote beside it, for a reader to
judge whether they are one event (BENCHMARKS.md, "Timeline check (issue 14)").
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

from newsdesk.answer.cite import FileCache
from newsdesk.answer.timeline import build_timeline, render_day
from newsdesk.types import Passage


def bodies(root: Path, files: FileCache) -> list[Passage]:
    """Each article's body as one passage (the header's fields are not article text)."""
    out = []
    for path in sorted(root.iterdir()):
        text = files.text(path.name) if path.suffix in (".txt", ".md") else None
        if text:
            start = text.index("\n\n") + 2 if "\nPublished:" in text[:400] else 0
            out.append(Passage(path.name, text[start:], 1.0, start, len(text)))
    return out


def main(corpus: str, seed: str, n: str) -> None:
    root = Path(corpus)
    files = FileCache(root)
    passages = bodies(root, files)
    t0 = time.perf_counter()
    events = build_timeline(passages, files)
    seconds = time.perf_counter() - t0
    merged = [e for e in events if len({c.source for c in e.citations}) > 1]
    print(f"{len(passages)} articles, {len(events)} events, {len(merged)} merging several "
          f"articles, {seconds:.1f} s")
    random.seed(int(seed))
    for i, event in enumerate(random.sample(merged, min(int(n), len(merged)))):
        print(i, "==", render_day(event))
        seen: set[str] = set()
        for c in event.citations:
            if c.source not in seen:
                seen.add(c.source)
                print("   ", c.source, c.quote[:140])


if __name__ == "__main__":
    main(*sys.argv[1:4])
