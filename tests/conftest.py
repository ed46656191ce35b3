"""Shared fixtures: a real seed index built once per session, and paths."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real Chroma index of the seed articles, built with the packaged model."""
    from newsdesk import Assistant

    index = tmp_path_factory.mktemp("seed-index")
    Assistant.from_settings(corpus=SEEDS, index=index).ingest()
    return index


@pytest.fixture(scope="session")
def assistant(seed_index: Path):  # type: ignore[no-untyped-def]
    from newsdesk import Assistant

    return Assistant.from_settings(corpus=SEEDS, index=seed_index)


@pytest.fixture
def seed_copy(tmp_path: Path) -> Path:
    """A writable copy of the seed articles."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in SEEDS.glob("*.txt"):
        shutil.copy(path, corpus / path.name)
    return corpus


def file_slice(corpus: Path, source: str, start: int, end: int) -> str:
    with open(corpus / source, encoding="utf-8") as fh:
        return fh.read()[start:end]


# ---- web chat (tests/test_web.py, tests/test_web_browser.py; helpers in tests/webserver.py) ----
@pytest.fixture(scope="session")
def chat_server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One real `newsdesk chat` subprocess per test session (model load ~10 s per start)."""
    from tests.webserver import running_chat_server

    with running_chat_server(tmp_path_factory.mktemp("web")) as server:
        yield server
