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


def test_distances_are_path_lengths_through_common_heads() -> None:
    """`distances` (one walk for every token) against the path through the two tokens'
    nearest common head; two sentences in one text are two trees, not linked."""
    text = ("Chief of Staff Mohammad Bagheri, who arrived in Moscow on Monday, met "
            "Gerasimov and Shoigu. Tehran welcomed it.")
    (tree,) = parse([text])

    def up(i: int) -> list[int]:  # the token, its head, its head's head ... to the root
        chain = [i]
        while tree.heads[chain[-1]] != chain[-1]:
            chain.append(tree.heads[chain[-1]])
        return chain

    def path(a: int, b: int) -> int | None:
        ups_a, ups_b = up(a), up(b)
        common = [x for x in ups_a if x in ups_b]
        return ups_a.index(common[0]) + ups_b.index(common[0]) if common else None

    n = len(tree.heads)
    for targets in ({3}, {0, 9}, {n - 2}):
        field = tree.distances(targets)
        for i in range(n):
            lengths = [d for t in targets if (d := path(i, t)) is not None]
            assert field[i] == (min(lengths) if lengths else None)
    assert None in tree.distances({0})  # the second sentence is out of reach


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


# Words the attribute ruler has exceptions for, some by their dependency: auxiliaries
# ("has been"), "that" as a relative pronoun and as a conjunction, existential "there
# is" (a rule over two words), "something" as a pronoun, "not", "those" standing alone,
# a double space, "did" as a main verb.
_RULER_TEXTS = [
    "The minister, who has been in office since 2019, said that the talks had failed.",
    "There is nothing but trouble, and something has to give, she did not say.",
    "Those who do their homework  get what they want; he gets it and did it.",
    "That is the plan that the council approved, though it's unclear if it will last.",
    "I'd rather they'd gone: we ain't going, y'all, gonna stay and let's wait.",
]


def test_the_stand_in_ruler_sets_what_spacys_does() -> None:
    """With the pipeline's attribute ruler off and `_Ruler` applied after it, every
    word's part of speech, tag and dependency, and so every phrase, is what spaCy's own
    ruler gives."""
    import importlib

    from newsdesk.models import parser

    ours = parser.pipeline()
    assert parser.RULER in ours.disabled
    assert parser._ruler is not None
    real = importlib.import_module(parser.MODEL_PACKAGE).load(exclude=["lemmatizer"])
    assert parser.RULER in real.pipe_names
    for theirs, mine in zip(real.pipe(_RULER_TEXTS), ours.pipe(_RULER_TEXTS), strict=True):
        parser._ruler(mine)
        assert [(t.pos_, t.tag_, t.dep_) for t in mine] == [(t.pos_, t.tag_, t.dep_)
                                                              for t in theirs]
        assert parser._phrases_of(mine) == parser._phrases_of(theirs)
    # The exceptions above are in play, not just the tag map.
    words = {(t.lower_, t.pos_) for d in real.pipe(_RULER_TEXTS) for t in d}
    assert {("has", "AUX"), ("is", "VERB"), ("something", "PRON"), ("not", "PART"),
            ("that", "SCONJ"), ("that", "PRON"), ("those", "PRON"), ("did", "VERB"),
            (" ", "SPACE")} <= words


def test_a_ruler_pattern_it_cannot_read_keeps_spacys_ruler() -> None:
    from newsdesk.models.parser import _Ruler

    assert _Ruler.of([{"patterns": [[{"TAG": "NN", "OP": "+"}]], "attrs": {"POS": "X"},
                       "index": 0}]) is None
    assert _Ruler.of([{"patterns": [[{"ORTH": "U.S."}]], "attrs": {"POS": "PROPN"},
                       "index": 0}]) is None
    only_morph = _Ruler.of([{"patterns": [[{"ORTH": "U.S."}]], "attrs": {"MORPH": "_"},
                             "index": 0}])
    assert only_morph is not None  # a rule for what phrases never read is left out
    assert not only_morph.one_word
