"""The web tests' one-article corpus, which the scripted assistant answers from."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.fakes import talks_corpus


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return talks_corpus(tmp_path)
