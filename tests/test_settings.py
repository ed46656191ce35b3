"""Settings: bad values name their field; the environment overrides defaults."""

from __future__ import annotations

import pytest

from newsdesk.errors import ConfigError
from newsdesk.settings import load_settings


def test_bad_settings_name_the_field() -> None:
    from newsdesk.assistant import Assistant

    # The generator name is checked against the one registry, where settings become parts.
    with pytest.raises(ConfigError, match="generator: unknown generator 'gpt-9'; choose one of "
                       "extractive, local, openai"):
        Assistant(load_settings(generator="gpt-9"))
    with pytest.raises(ConfigError, match="chunk_size"):
        load_settings(chunk_size=4000)
    with pytest.raises(ConfigError, match="chroma_url"):
        load_settings(chroma_url="localhost:8000")


def test_environment_overrides_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_TOP_K", "7")
    assert load_settings().top_k == 7
    assert load_settings(top_k=3).top_k == 3
