"""The packaged spaCy pipeline: entities, noun phrases and the dependency tree, offline."""

from __future__ import annotations

import subprocess
import sys

from newsdesk.models.parser import CHUNK, HEAD, parse


def _found(text: str) -> dict[str, set[str]]:
    (tree,) = parse([text])
    out: dict[str, set[str]] = {}
    for p in tree.phrases:
        out.setdefault(text[p.start : p.end], set()).add(p.label)
    return out


def test_entities_keep_initials_and_titles_apart() -> None:
    found = _found("President Joe Biden on Thursday released documents on the "
                   "assassination of President John F. Kennedy.")
    assert "PERSON" in found["John F. Kennedy"]
    assert "PERSON" in found["Joe Biden"]
    assert "DATE" in found["Thursday"]


def test_noun_phrases_lose_their_determiner_and_possessor() -> None:
    found = _found("At a gathering in Morocco, the French baguette gained status, and "
                   "lava could threaten the island's main highway.")
    assert CHUNK in found["French baguette"]
    assert CHUNK in found["main highway"]
    assert HEAD in found["highway"]
    assert "GPE" in found["Morocco"]
    assert not any(k.lower().startswith(("the ", "a ")) for k in found)


def test_offsets_are_the_sentences_own() -> None:
    text = "Oklahoma State’s Rob Glass is the first strength coach to make $1 million."
    (tree,) = parse([text])
    assert tree.phrases
    for p in tree.phrases:
        assert 0 <= p.start < p.end <= len(text)
        assert text[p.start : p.end] == text[p.start : p.end].strip()
    assert len(tree.starts) == len(tree.ends) == len(tree.heads)
    assert all(text[a:b].strip() == text[a:b] for a, b in zip(tree.starts, tree.ends, strict=True))


def test_tree_distance_counts_dependency_edges() -> None:
    text = "Shoigu met Bagheri in Tehran on Tuesday."
    (tree,) = parse([text])
    word = {text[a:b]: i for i, (a, b) in enumerate(zip(tree.starts, tree.ends, strict=True))}
    assert tree.tree_distance([word["Shoigu"]], {word["met"]}) == 1
    assert tree.tree_distance([word["Tuesday"]], {word["met"]}) == 2  # Tuesday <- on <- met
    assert tree.tree_distance([word["Shoigu"]], {word["Shoigu"]}) == 0
    assert tree.tree_distance([word["Shoigu"]], set()) is None


def test_a_sentence_is_parsed_once() -> None:
    text = "Hakeem Jeffries was elected to lead House Democrats."
    first, again = parse([text])[0], parse([text, text])
    assert again[0] is first
    assert again[1] is first


def test_importing_the_short_answer_code_loads_no_spacy() -> None:
    code = ("import sys, newsdesk.answer.short, newsdesk.models.parser; "
            "print('spacy' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert run.stdout.strip() == "False"


def test_a_missing_model_package_is_a_clear_error(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pytest

    from newsdesk.errors import NewsdeskError
    from newsdesk.models import parser

    monkeypatch.setattr(parser, "MODEL_PACKAGE", "no_such_spacy_model_package")
    parser.pipeline.cache_clear()
    try:
        with pytest.raises(NewsdeskError, match="scripts/install"):
            parser.pipeline()
    finally:
        monkeypatch.undo()
        parser.pipeline.cache_clear()
