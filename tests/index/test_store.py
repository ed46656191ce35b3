"""The Chroma store: names Chroma rejects become configuration errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.errors import ConfigError
from newsdesk.index.store import close_client, get_collection, open_client
from newsdesk.settings import load_settings
from tests.fakes import SEEDS


def test_a_collection_name_chroma_rejects_is_a_config_error(tmp_path: Path) -> None:
    settings = load_settings(corpus=SEEDS, index=tmp_path, collection="x")
    client = open_client(settings)
    try:
        with pytest.raises(ConfigError, match="collection: .*3-512 characters"):
            get_collection(client, settings.collection)
    finally:
        close_client(client)


