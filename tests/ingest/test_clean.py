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


SEARCH_RESULT = """Kyrie Irving: Brooklyn Nets star defends his tweet about a ...
https://www.cnn.com/2022/10/31/sport/kyrie-irving-nets-spt-intl/index.html
Published: 2022-10-31

Brooklyn Nets star Kyrie Irving on Saturday defended his decision to share a link.

The team said it was working with the league.
"""


def test_a_page_naming_no_outlet_is_known_by_its_site() -> None:
    """A saved search result (title, bare URL line, "Published:" line, text) names its
    site by the URL: neither the title's lead words nor the "Published" label are an
    outlet. A credit opening a sentence still is."""
    assert clean(SEARCH_RESULT).outlet == "cnn.com"
    assert clean(SEARCH_RESULT.replace("https://www.cnn.com", "http://example.org")
                 ).outlet == "example.org"
    labelled = "Talks resume in Vienna\n\nPublished: 2022-12-08\n\nThe talks resumed on Monday.\n"
    assert clean(labelled).outlet == ""
    credited = ("Talks resume in Vienna\n\n"
                "IRNA: The foreign minister said on Monday that the talks would resume.\n")
    assert clean(credited).outlet == "IRNA"


def test_a_dateline_naming_only_a_place_yields_to_the_site() -> None:
    """"NEW YORK —" says where the report was filed, not who filed it: a page with a URL
    is known by its site; without one the place is all there is. An agency's credit in
    the dateline still names the outlet."""
    dated = SEARCH_RESULT.replace("Brooklyn Nets star Kyrie", "NEW YORK — Brooklyn Nets star Kyrie")
    assert clean(dated).outlet == "cnn.com"
    no_url = "\n".join(line for line in dated.splitlines() if not line.startswith("https:"))
    assert clean(no_url).outlet == "NEW YORK"
    assert clean(dated.replace("NEW YORK —", "NEW YORK (AP) —")).outlet == "NEW YORK (AP)"
