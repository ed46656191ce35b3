"""Benchmark corpora: the seeds, the RGB passages, and deterministic synthetic news articles.

Synthetic articles recombine sentences of the RGB passages and the seeds with a seeded
RNG, so every run on every machine builds the same files; article `i` is the same in
every size (the 1,000-article corpus is a prefix of the 10,000-article one). They are
written under the bench's output folder, never into the project.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
from dataclasses import dataclass
from pathlib import Path

from newsdesk.nlp.text import STOPWORDS, content_terms, words
from newsdesk.settings import PROJECT_ROOT

SEED = 20240521
GENERATOR_VERSION = 1  # bump when the generated text changes; regenerates cached corpora
RGB_DEFAULT = PROJECT_ROOT.parent / "shared" / "bench" / "rgb_en_fact" / "corpus"
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9“\"])")
_TOPICS = ("Markets", "Politics", "Science", "Sport", "World", "Technology", "Health", "Culture")


@dataclass(frozen=True)
class Corpus:
    """A folder of articles to benchmark, with a short label for tables."""

    label: str
    path: Path
    questions: list[str]


def rgb_path() -> Path:
    return Path(os.environ.get("NEWSDESK_BENCH_RGB", RGB_DEFAULT))


def seeds() -> Corpus:
    folder = PROJECT_ROOT / "seeds"
    return Corpus("seeds", folder, _questions(folder / "questions.jsonl"))


def rgb() -> Corpus | None:
    """The 969-passage RGB corpus, read where it lies; None when it is not on this machine."""
    folder = rgb_path()
    if not folder.is_dir():
        return None
    return Corpus("rgb", folder, _questions(folder.parent / "questions.jsonl"))


def folder(path: Path) -> Corpus:
    """Any folder of articles (real pages: `--corpus ../shared/bench/rtqa_dev/corpus`).

    Its questions are those of a `questions.jsonl` in the folder or beside it (a bench set
    keeps its pages in corpus/); without one, a question is made of each page's title.
    """
    path = path.resolve()
    label = path.parent.name if path.name == "corpus" else path.name  # rtqa_dev/corpus
    for candidate in (path / "questions.jsonl", path.parent / "questions.jsonl"):
        found = _questions(candidate)
        if found:
            return Corpus(label, path, found)
    return Corpus(label, path, title_questions(path))


def title_questions(path: Path, count: int = 40) -> list[str]:
    """'What about …?' from the first line of up to `count` pages, in name order."""
    out = []
    for page in sorted(p for p in path.rglob("*") if p.suffix in (".txt", ".md")):
        try:
            with page.open(encoding="utf-8", errors="replace") as handle:
                title = handle.readline()
        except OSError:
            continue
        terms = [w for w in words(title) if w not in STOPWORDS]
        if terms:
            out.append("What about " + " ".join(terms[:8]) + "?")
        if len(out) == count:
            break
    return out


def _questions(path: Path) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    return [json.loads(line)["question"] for line in lines if line.strip()]


def sentence_pool() -> list[str]:
    """Every usable sentence of the RGB passages and the seeds, in a fixed order."""
    texts = [p.read_text(encoding="utf-8") for p in sorted((PROJECT_ROOT / "seeds").glob("*.txt"))]
    folder = rgb_path()
    if folder.is_dir():
        texts += [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
    pool: list[str] = []
    for text in texts:
        for sentence in _SPLIT.split(" ".join(text.split())):
            if 40 <= len(sentence) <= 400 and len(content_terms(sentence)) >= 4:
                pool.append(sentence)
    return pool


def article(i: int, pool: list[str]) -> str:
    """Synthetic article `i`: a title, a dateline, and ~2-4 KB of recombined paragraphs."""
    rng = random.Random(f"{SEED}:{i}")
    target = rng.randint(2000, 4200)
    picked = rng.choice(pool)
    title = " ".join(picked.split()[:9]).rstrip(".,;:") + f" (report {i})"
    day = 1 + i % 28
    lines = [title, f"{_TOPICS[i % len(_TOPICS)]} desk, March {day}, 2023", ""]
    size = 0
    while size < target:
        paragraph = " ".join(rng.choice(pool) for _ in range(rng.randint(2, 5)))
        lines += [paragraph, ""]
        size += len(paragraph)
    return "\n".join(lines)


def synthetic(n: int, root: Path) -> Corpus:
    """The n-article synthetic corpus under `root`, generated unless already there."""
    pool = sentence_pool()
    tag = hashlib.sha1(json.dumps([GENERATOR_VERSION, SEED, len(pool)]).encode()).hexdigest()[:8]
    folder = root / f"synthetic-{n}-{tag}"
    done = folder / ".complete"
    if not done.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(n):
            (folder / f"syn_{i:05d}.txt").write_text(article(i, pool), encoding="utf-8")
        done.write_text(str(n), encoding="utf-8")
    return Corpus(f"synthetic-{n}", folder, synthetic_questions(n, pool))


def synthetic_questions(n: int, pool: list[str], count: int = 40) -> list[str]:
    """Questions made from words of sentences that the corpus contains."""
    rng = random.Random(f"{SEED}:questions:{n}")
    out = []
    for _ in range(count):
        body = article(rng.randrange(n), pool).split("\n")[3:]
        sentence = rng.choice(_SPLIT.split(rng.choice([p for p in body if p])))
        terms = [w for w in words(sentence) if w not in STOPWORDS]
        out.append("What about " + " ".join(terms[:7]) + "?")
    return out
