"""Cleaning: page furniture dropped, offsets into the original text kept."""

from __future__ import annotations

from newsdesk.ingest.clean import clean
from tests.fakes import SEEDS

PAGE = """Ministers Agree on Grain Corridor

KYIV (Reuters) – Ministers of the two countries met on Friday to agree on a grain corridor.

Photo: reuters.com

Maj. Gen. Ivan Petrov said the corridor would open on 3 March 2024.

Related News:

Another story about something else entirely

The deal covers 12 ports along the coast.

Read More:
Ukraine exports rise
Grain prices fall in Europe

Follow us on Telegram https://t.me/example
"""


def test_clean_drops_boilerplate_and_keeps_offsets() -> None:
    article = clean(PAGE)
    body = article.body()
    assert "Ministers of the two countries met on Friday" in body
    assert "12 ports" in body
    assert "Petrov" in body
    for gone in ("Photo:", "Related News", "Another story", "Read More", "Grain prices fall",
                 "Telegram"):
        assert gone not in body
    for s, e in article.blocks:
        assert PAGE[s:e] == PAGE[s:e].strip()
    assert article.title == "Ministers Agree on Grain Corridor"
    assert article.outlet == "KYIV (Reuters)"


def test_clean_seed_trailer() -> None:
    text = (SEEDS / "000_104daa5c5d77a251.txt").read_text(encoding="utf-8")
    article = clean(text)
    assert "Netanyahu" not in article.body()
    assert "Salyukov" in article.body()
    assert article.outlet == "MNA/PressTV"
