"""Shared fixtures: the seed index built once per session, writable seed copies, servers.

Paths, seed questions and fakes live in tests/fakes.py; real-part helpers beside it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from newsdesk.settings import Settings, load_settings
from tests.fakes import SEEDS

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


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


@pytest.fixture
def settings(seed_copy: Path, tmp_path: Path) -> Settings:
    """Settings over a writable copy of the seed articles and an empty index folder."""
    return load_settings(corpus=seed_copy, index=tmp_path / "index")


@pytest.fixture
def no_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip ingest's subprocess health probe (tests/index/test_repair.py tests it) for speed."""
    monkeypatch.setattr("newsdesk.ingest.pipeline.probe", lambda settings: "")


# ---- web chat (tests/web/, tests/system/test_load.py; helpers in tests/webserver.py) ----
@pytest.fixture(scope="session")
def chat_server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One real `newsdesk chat` subprocess per test session (model load ~10 s per start)."""
    from tests.webserver import running_chat_server

    with running_chat_server(tmp_path_factory.mktemp("web")) as server:
        yield server


# ---- a local news site for `newsdesk add` (tests/news_site.py) -------------------------
@pytest.fixture(scope="session")
def news_site():  # type: ignore[no-untyped-def]
    """A real HTTP server on 127.0.0.1 with articles, feeds, redirects and bad pages."""
    from tests.news_site import running_news_site

    with running_news_site() as site:
        yield site
