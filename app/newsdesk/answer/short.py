"""Short answers: the name, date, number or short phrase that answers, cut from a quote.

Every candidate is a span of one of the best-scored sentences: a name (a run of
capitalized words, or part of one: "Oleg Salyukov", "Salyukov"), a date ("October 18,
2021", "Monday", "2021"), a number with or without its unit ("4,000", "10 years") or,
for questions that ask for no particular kind of thing, a phrase of up to four words
that is not in the question; and, in the best `PARSED` sentences, the entities and noun
phrases spaCy finds (`models.parser`: "John F. Kennedy", "French baguette", "highway"),
whose kind, phrase boundaries and distance in the dependency tree from the question's
words are features too. Candidates with the same words are pooled: news repeats an
answer in many pages, so a value that several independent articles state is stronger.
The sentence encoder says how close each candidate of the best `CHOOSE_FROM` sentences
is to what the question asks for ("which sea" -> "Caspian": `asked_for`, `slot_fit`),
and its word-piece states say what each candidate means in its own sentence, compared
with the question (`context_fit`: "Beyond Meat", not "Doug Ramsey", in "Beyond Meat COO
Doug Ramsey was arrested" for "The COO of which company was arrested?").
A linear model over `SPAN_FEATURES` (single features and products of pairs; fitted on
RealTimeQA train by `scripts/fit_short.py`, seeded, shipped as `short.json`) picks one
of those; its offsets are the sentence's, so `file[start:end] == text` is checked like
any quote.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from newsdesk.answer.cite import Sentence
from newsdesk.answer.scorer import Linear, sigmoid
from newsdesk.models.parser import (
    CHUNK,
    DATE_LABELS,
    HEAD,
    NUMBER_LABELS,
    ORG_LABELS,
    OTHER_NAME_LABELS,
    PERSON_LABELS,
    PLACE_LABELS,
    Parse,
    Phrase,
    parse,
)
from newsdesk.nlp.answer_types import ORG_WORDS, QTYPES, entities, entity_spans
from newsdesk.nlp.dates import bare_weekdays, find_dates
from newsdesk.nlp.names import TITLES, same_name
from newsdesk.nlp.text import STOPWORDS, content_terms, credit_spans

MODEL_FILE = Path(__file__).with_name("short.json")
SENTENCES = 10  # candidates (and their support) come from the best this many sentences
# The answer is picked among the values of the best this many sentences. With only the
# single features, RealTimeQA train (5-fold CV) gave 1, 2, 3, 5 and 10 the same exact
# match; with the slot fit and the products, 3 beats 1 and 2 (BENCHMARKS.md).
CHOOSE_FROM = 3
# Sentences spaCy parses for their entities, noun phrases and tree: those the answer is
# picked from. Parsing all SENTENCES gave about the same cross-validated picks on
# RealTimeQA train (65.8 against 65.4 of 174; 86.6 both with the reader) and the same
# answers on rtqa_dev, for twice the parse (BENCHMARKS.md, "fifteenth pass").
PARSED = CHOOSE_FROM
MAX_PHRASE = 4  # words in a phrase candidate
SLOT_ROUND = 16  # candidates measured against the slot at a time (BENCHMARKS.md, "tenth pass")
# A value that contradicts the answer must be at least this likely relative to it
# (`answer.agreement`'s test, which `_bounded_slot_fits` keeps exact).
CONFLICT_SHARE = 0.5
_FAR = 8  # dependency edges counted as "far" (also when the sentence has no question word)

# Order matters: it is the column order of the weights in short.json.
SINGLE_FEATURES = (
    "sentence_score",  # the scorer's probability for the best sentence stating it
    "sentence_rank",  # log(1 + that sentence's rank among the question's sentences)
    "type_fit",  # it is the kind of thing asked for (a date for when, a name for who)
    "is_name", "is_date", "is_number", "is_phrase",  # what kind of span it is
    "novel",  # share of its words that the question does not contain
    "support",  # log(1 + distinct articles among the best sentences that state it)
    "mass",  # summed probability of the sentences stating it, one per article
    "proximity",  # log(1 + words between it and the nearest question word in its sentence)
    "words",  # log(1 + its words)
    "whole_run",  # a whole run of capitalized words, not a piece of one
    "capitalized",  # share of its words that start with a capital
    "inner_stopword",  # it holds a stopword ("Bank of England", "the end of")
    "leading_common",  # its first word is written in lower case elsewhere ("General")
    "in_title",  # the article's title states it
    "lower_word",  # a single word written in lower case ("people", "now"): rarely an answer
    "outlet",  # the name of the outlet that published the page ("CNN"): page furniture
    "slot_name",  # a capitalized span for a which/what/who question (which band? a name)
    "asked_name",  # holds a name the question gives: the question's subject, not its answer
    "common_words",  # share of its words the passages also write in lower case ("Forces")
    "person_like",  # a person's name: titled or two names, last word a name, no "Ministry"
    "person_fit",  # ... for a question asking for a person (who, which general)
    "place_cue",  # follows in, at, near or from ("in Tajikistan")
    "place_fit",  # ... for a question asking for a place (where, which country)
    # spaCy's reading of the sentence (models.parser): the span is exactly an entity of a kind
    "ent_person", "ent_place", "ent_org", "ent_other", "ent_date", "ent_number",
    "ent_fit",  # ... of the kind the question asks for (PERSON for who, GPE for where)
    "noun_phrase",  # exactly a noun phrase ("French baguette", "shipping containers")
    "head_noun",  # the head noun of a longer noun phrase ("highway")
    "crosses_entity",  # starts or ends inside an entity ("President John" of "John F. Kennedy")
    "tree_hops",  # log(1 + dependency edges between it and the nearest question word)
    # cosine of its meaning (the sentence encoder's vector) with the phrase the question
    # asks for ("which sea" -> "Caspian", "what kinds of equipment" -> "drones"; "person"
    # for who, "place" for where), for the candidates that can be chosen; 0 without one
    "slot_fit",
    # cosine of what it means in its sentence (the mean of the encoder's states of its word
    # pieces there) with the question's vector: "Beyond Meat" in "Beyond Meat COO Doug
    # Ramsey was arrested" reads as the company; 0 without the encoder's states
    "context_fit",
    "inside_entity",  # strictly inside a name entity ("Emmanuel" of "Emmanuel Macron")
    "only_titles",  # every word a title or office ("Gov.", "Chief"): who, not which one
    "label_fit",  # spaCy names it as the kind of thing the asked noun is ("which company"
    # -> ORG, "which film" -> WORK_OF_ART)
)
# Products of two features: a linear model cannot let one feature weigh another by
# itself (the asked kind of thing counts for more in a sentence the scorer believes).
# Chosen on RealTimeQA train cross-validation (BENCHMARKS.md, "Picking across sentences").
PRODUCTS = (
    *(("sentence_score", f) for f in ("type_fit", "ent_fit", "person_fit", "place_fit",
                                      "slot_name", "noun_phrase", "novel", "in_title",
                                      "tree_hops", "slot_fit")),
    *(("sentence_rank", f) for f in ("type_fit", "ent_fit", "noun_phrase")),
    ("support", "type_fit"), ("mass", "ent_fit"),
)
SPAN_FEATURES = SINGLE_FEATURES + tuple(f"{a}*{b}" for a, b in PRODUCTS)
# With the opt-in reader (`answer.reader`: a small language model's few-word answer from the
# best CHOOSE_FROM sentences), three more columns, fitted apart as `short_reader.json`:
READER_FEATURES = (
    "reader_equal",  # the candidate's normalized words are the reader's answer
    "reader_inside",  # ... lie inside it ("Shoygu" of "Sergey Shoygu")
    "reader_overlap",  # their shared words over all their words (Jaccard)
)
READER_MODEL_FILE = MODEL_FILE.with_name("short_reader.json")

_NUMBER = re.compile(
    r"(?<![\w.,])(?:[$€£¥]\s?)?\d[\d,]*(?:\.\d+)?(?:\s?(?:%|percent|per cent))?"
    r"(?:\s(?:million|billion|trillion|thousand|hundred))?(?![\w])"
    r"|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|"
    r"sixty|seventy|eighty|ninety|hundred|thousand|dozen)(?:-\w+)?\b",
    re.IGNORECASE,
)
_RANK = SPAN_FEATURES.index("sentence_rank")
_PERSON_FIT = SPAN_FEATURES.index("person_fit")
_IS_NUMBER = SPAN_FEATURES.index("is_number")
_UNIT = re.compile(r"\s[a-z][a-z-]{1,20}\b")
_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_MONTH_YEAR = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December)\s+(?:19|20)\d{2}\b")
_WORD = re.compile(r"[^\W_]+(?:[-'’.][^\W_]+)*")
_LABEL_KIND = {**dict.fromkeys(PERSON_LABELS | PLACE_LABELS | ORG_LABELS | OTHER_NAME_LABELS,
                               "name"),
               **dict.fromkeys(DATE_LABELS, "date"), **dict.fromkeys(NUMBER_LABELS, "number"),
               CHUNK: "phrase", HEAD: "phrase"}
_LABELS_FOR_TYPE = {"person": PERSON_LABELS, "place": PLACE_LABELS, "date": DATE_LABELS,
                    "number": NUMBER_LABELS, "name": ORG_LABELS | OTHER_NAME_LABELS}
_KIND_FOR_TYPE = {"date": "date", "number": "number", "person": "name", "place": "name",
                  "name": "name"}
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_SLOT = re.compile(r"\b(?:which|what|who|whom)\b", re.IGNORECASE)
_POSSESSIVE = re.compile(r"['’]s$")
_PUNCT = re.compile(r"[^\w\s]")
# Words spaCy keeps at the front of a number ("about 3,000", "more than 50 billion"):
# a short answer gives the number, its quote says how sure the article is.
_HEDGES = frozenset("""about around approximately roughly nearly almost some over under
    more less fewer at up just only estimated""".split())
# Category nouns a which/what question asks for, by the spaCy label of what names one:
# general English, not any benchmark's words.
_LABEL_OF_NOUN = {
    **dict.fromkeys("""company firm business corporation automaker carmaker airline bank
        retailer network broadcaster organization organisation agency team club franchise
        university college party union league startup newspaper magazine supermarket chain
        manufacturer maker studio charity publisher platform brand""".split(), "ORG"),
    **dict.fromkeys("""show series film movie book novel song album podcast play musical
        painting documentary sitcom drama poem opera""".split(), "WORK_OF_ART"),
    **dict.fromkeys("gallery museum stadium airport bridge building arena".split(), "FAC"),
    **dict.fromkeys("product device phone car vehicle drug vaccine app".split(), "PRODUCT"),
    **dict.fromkeys("event festival tournament championship storm hurricane war".split(),
                    "EVENT"),
}
# What `nlp.answer_types.question_type` can say, "" for None (the reader's gate, per type).
_QUESTION_TYPES = frozenset(name for name, _ in QTYPES) | {""}
_COUNT = re.compile(r"\bhow (?:many|much)\b", re.IGNORECASE)
# A question that asks for two or three things at once ("Which two supermarkets plan to
# merge?"): its answer lists them ("Kroger and Albertsons"), and so does the short answer.
_ASKED_MANY = re.compile(r"\b(?:which|what|name the)\s+(two|three)\b", re.IGNORECASE)
_MANY = {"two": 2, "three": 3}
_LIST_COMMA = re.compile(r",\s*")
_LIST_LAST = re.compile(r",?\s+(?:and|&)\s+|\s*&\s*", re.IGNORECASE)
_ASKED_KIND = {"who": "person", "whom": "person", "where": "place"}
Embed = Callable[[list[str]], list[list[float]]]
# Per text: the encoder's state of each word piece and its character offsets
# (`models.embed.token_reader`).
Read = Callable[[list[str]], list[tuple[Any, list[tuple[int, int]]]]]


def normalize(text: str) -> str:
    """SQuAD's answer normalization: case-folded, no punctuation, no articles."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    return " ".join(_ARTICLES.sub(" ", _PUNCT.sub(" ", text)).split())


@dataclass(frozen=True)
class Span:
    """A candidate inside one sentence; `start`/`end` are file offsets."""

    sentence: Sentence
    start: int
    end: int
    kind: str  # name, date, number or phrase
    whole_run: bool = False
    # For a list of names ("Kroger and Albertsons"), each name's normalized words.
    parts: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        s = self.sentence
        return s.text[self.start - s.start : self.end - s.start]


@dataclass
class Candidate:
    """One answer value (spans with the same normalized words pooled) and its features."""

    key: str
    spans: list[Span] = field(default_factory=list)
    variants: set[str] = field(default_factory=set)  # its spellings, normalized
    row: list[float] = field(default_factory=list)
    probability: float = 0.0

    @property
    def best(self) -> Span:
        return self.spans[0]  # spans are added best sentence first


def sentence_spans_of(s: Sentence, kinds: set[str], parsed: Sequence[Phrase] = (),
                      listed: int = 0, tree: Parse | None = None) -> list[Span]:
    """The candidate spans of one sentence, of the given kinds; `parsed` adds the
    entities and noun phrases spaCy found in it (`models.parser.parse`). With `listed`
    (a question asking for that many things, `asked_many`) and the sentence's `tree`,
    names listed together that many at a time ("Kroger and Albertsons") are a name too."""
    text, base = s.text, s.start
    out: list[Span] = []
    if listed > 1 and "name" in kinds and tree is not None and tree.heads:
        out += [Span(s, base + a, base + b, "name", whole_run=True, parts=parts)
                for a, b, parts in name_lists(text, listed, tree)]
    dates: list[tuple[int, int]] = []
    if "date" in kinds or "number" in kinds or "phrase" in kinds:
        for d in find_dates(text):
            dates.append((d.start, d.end))
        for m in _MONTH_YEAR.finditer(text):
            dates.append((m.start(), m.end()))
        for m in _YEAR.finditer(text):
            dates.append((m.start(), m.end()))
        for a, b, _ in bare_weekdays(text):
            word = re.search(r"[A-Z]\w+", text[a:b])
            if word:
                dates.append((a + word.start(), a + word.end()))
    if "date" in kinds:
        # A when-question wants the most precise date written: "2021" inside "October 12,
        # 2021" is no candidate of its own.
        precise = [(a, b) for a, b in dict.fromkeys(dates)
                   if not any(c <= a and b <= d and (c, d) != (a, b) for c, d in dates)]
        out += [Span(s, base + a, base + b, "date") for a, b in precise]
    if "number" in kinds:
        for m in _NUMBER.finditer(text):
            if any(a <= m.start() < b for a, b in dates):
                continue
            out.append(Span(s, base + m.start(), base + m.end(), "number"))
            unit = _UNIT.match(text, m.end())
            if unit and unit.group().strip() not in STOPWORDS:
                out.append(Span(s, base + m.start(), base + unit.end(), "number"))
    if "name" in kinds:
        for a, b, _ in entity_spans(text):
            for x, y, whole in _name_pieces(text, a, b):
                out.append(Span(s, base + x, base + y, "name", whole_run=whole))
    if "phrase" in kinds:
        tokens = list(_WORD.finditer(text))
        for i in range(len(tokens)):
            for j in range(i, min(len(tokens), i + MAX_PHRASE)):
                first, last = tokens[i].group().lower(), tokens[j].group().lower()
                if first in STOPWORDS or last in STOPWORDS:
                    continue
                gap = text[tokens[i].end() : tokens[j].start()] if j > i else ""
                if re.search(r"[^\w\s'’-]", gap):
                    break  # a phrase does not cross punctuation
                out.append(Span(s, base + tokens[i].start(), base + tokens[j].end(), "phrase"))
    for p in parsed:
        kind = _LABEL_KIND.get(p.label)
        if kind == "number" and text[p.start:p.end].split()[0].lower() in _HEDGES:
            continue  # "About 3,000": the number finder above offers "3,000" itself
        if kind in kinds:
            out.append(Span(s, base + p.start, base + p.end, kind))
    return out


def asked_many(question: str) -> int:
    """How many things the question asks for as one answer ("Which two companies..." ->
    2, "What three ..." -> 3); 0 when it does not say."""
    m = _ASKED_MANY.search(question)
    return _MANY[m.group(1).lower()] if m else 0


def name_lists(text: str, count: int, tree: Parse) -> list[tuple[int, int, tuple[str, ...]]]:
    """Runs of capitalized words listed `count` at a time: "Kroger and Albertsons",
    "Houston Astros & Philadelphia Phillies", "Paris, Rome and Berlin"; each with the
    start and end of the whole list and its names' normalized words. `tree` (spaCy's
    parse of `text`) says they are one list: each name is a neighbour in the tree of the
    one before it or of the first, and none is a possessive; so "Javier and Houston's
    bullpen" is none, and "In America, Kroger and Albertsons" is the two. Part
    of a longer list is none either: two of three names do not answer "which two"."""
    runs = []
    for a, b, _ in entity_spans(text):
        raw = text[a:b].rstrip(",;:")
        if _POSSESSIVE.search(raw):
            continue  # "Houston's bullpen": a possessive names no item of a list
        name = raw.strip(" ,;:'’\"()")
        at = text.find(name, a) if name else -1
        if at >= 0:
            runs.append((at, at + len(name)))
    tokens = [set(tree.tokens_in(a, b)) for a, b in runs]

    def heads(k: int) -> set[int]:
        """Where run `k` hangs in the tree: the heads of its words outside it."""
        return {tree.heads[i] for i in tokens[k]} - tokens[k]

    def joins(x: int, y: int) -> bool:
        """Runs `x` and `y` are neighbours in the tree, as listed names are (spaCy hangs
        one from the other, or both from one word): "Kroger and Albertsons announced"."""
        return bool(tokens[x] and tokens[y]) and bool(
            heads(x) & tokens[y] or heads(y) & tokens[x] or heads(x) == heads(y))

    gaps = [text[x[1] : y[0]] for x, y in zip(runs, runs[1:], strict=False)]
    listed = [bool(_LIST_COMMA.fullmatch(g) or _LIST_LAST.fullmatch(g)) for g in gaps]
    out = []
    for i in range(len(runs) - count + 1):
        last = i + count - 1
        inner = gaps[i:last]
        if not (all(_LIST_COMMA.fullmatch(g) for g in inner[:-1])
                and _LIST_LAST.fullmatch(inner[-1])):
            continue
        if not all(joins(k, k - 1) or joins(k, i) for k in range(i + 1, last + 1)):
            continue
        before = i > 0 and listed[i - 1] and joins(i, i - 1)
        after = last + 1 < len(runs) and listed[last] and any(
            joins(last + 1, k) for k in range(i, last + 1))
        if not (before or after):
            out.append((runs[i][0], runs[last][1],
                        tuple(normalize(text[x:y]) for x, y in runs[i : last + 1])))
    return out


def _name_pieces(text: str, a: int, b: int) -> list[tuple[int, int, bool]]:
    """The spans a run of capitalized words `text[a:b]` offers as names: the whole run,
    and each of its parts (split at "of", "of the" and after a possessive) with up to
    MAX_PHRASE of its last words. A name ends with its head (the surname in "Sergei
    Shoigu", "Park" in "Patriot Park"), so no span stops short of a part's end."""
    tokens = [(m.start() + a, m.end() + a) for m in re.finditer(r"\S+", text[a:b])]
    parts: list[list[tuple[int, int]]] = [[]]
    for x, y in tokens:
        word = text[x:y]
        if word.lower() in ("of", "the"):
            parts.append([])
            continue
        parts[-1].append((x, y))
        if _POSSESSIVE.search(word.rstrip(",;:")):
            parts.append([])
    out: dict[tuple[int, int], bool] = {}
    for part in (p for p in parts if p):
        for i in range(max(0, len(part) - MAX_PHRASE), len(part)):
            x, y = part[i][0], part[-1][1]
            piece = _POSSESSIVE.sub("", text[x:y].rstrip(",;:")).strip(" ,;:'’\"()")
            lead = text.find(piece, x)
            if piece and piece.lower() not in STOPWORDS and lead >= 0:
                out.setdefault((lead, lead + len(piece)), False)
    whole = _POSSESSIVE.sub("", text[a:b].rstrip(",;:")).strip(" ,;:'’\"()")
    at = text.find(whole, a)
    if whole and at >= 0:
        out[(at, at + len(whole))] = True
    return [(x, y, w) for (x, y), w in sorted(out.items())]


def kinds_for(qtype: str | None) -> set[str]:
    """The span kinds worth considering for a question type (None: anything)."""
    if qtype is None:
        return {"name", "date", "number", "phrase"}
    if qtype in ("person", "place", "name"):
        return {"name", "phrase"}
    return {_KIND_FOR_TYPE[qtype]}


def candidates(question: str, qtype: str | None, ranked: Sequence[tuple[Sentence, float]],
               common: frozenset[str] = frozenset(), limit: int = SENTENCES,
               embed: Embed | None = None, read: Read | None = None,
               embed_query: Callable[[str], list[float]] | None = None,
               bound: ShortModel | None = None) -> list[Candidate]:
    """Every candidate value in the best `limit` of `ranked` (sentence, probability, best
    first) with its row of SPAN_FEATURES; `common` holds the words the passages also
    write in lower case (`nlp.answer_types.common_words`); `embed` (the sentence
    encoder) gives the slot fit and, with `read` (its word-piece states), the context fit;
    each is 0 without them. `embed_query` gives the question's vector (the one retrieval
    computed), else `embed` does.

    With `bound`, the model that will choose, only the candidates whose slot fit can
    matter to its choice are measured (`_bounded_slot_fits`); every other one gets the
    fit that would favour it most, so its row overstates it. Rows for fitting leave
    `bound` out."""
    asked = frozenset(content_terms(question))
    asked_norm = f" {normalize(question)} "
    kinds = kinds_for(qtype)
    wanted = _KIND_FOR_TYPE.get(qtype or "", "")
    slot = bool(_SLOT.search(question)) and wanted in ("", "name")
    names = {w.lower() for run in entities(question) for w in run}
    count = bool(_COUNT.search(question))
    listed = asked_many(question)
    # The question is parsed with the sentences, in one pass (`asked_for` finds it kept).
    # spaCy reads the best PARSED sentences; the others offer their names, dates,
    # numbers and phrases found without it (`sentence_spans_of`), and no tree.
    parsed = parse([question, *(s.text for s, _ in ranked[:min(limit, PARSED)])])[1:]
    parsed += [Parse()] * (min(limit, len(ranked)) - len(parsed))
    slot_phrase = asked_for(question)
    head = slot_phrase.split()[-1].lower() if slot_phrase else ""
    slot_label = _label_of(head)
    pool: dict[str, Candidate] = {}
    where: dict[str, list[tuple[int, float, str]]] = {}
    for rank, (s, prob) in enumerate(ranked[:limit]):
        q_positions = [m.start() for m in _WORD.finditer(s.text)
                       if not asked.isdisjoint(_terms(m.group()))]
        tree = parsed[rank]
        asked_tokens = {i for i, (a, b) in enumerate(zip(tree.starts, tree.ends, strict=True))
                        if any(_asked(t, asked) for t in _terms(s.text[a:b]))}
        view = _SentenceView(s, q_positions, tree, asked_tokens)
        # "How many" wants a count: "first" is an ordinal, not one.
        offered = [p for p in tree.phrases if not (count and p.label == "ORDINAL")]
        credits = [(s.start + a, s.start + b) for a, b in credit_spans(s.text)]
        for span in sentence_spans_of(s, kinds, offered, listed, tree):
            key = normalize(span.text)
            if not key or f" {key} " in asked_norm:
                continue
            if any(a <= span.start and span.end <= b for a, b in credits):
                continue  # "(CNN)": who published the sentence, not what it says
            terms = _terms(span.text)
            if terms and all(_asked(t, asked) for t in terms):
                continue
            if key not in pool and span.parts:
                # The same names in another order ("Albertsons and Kroger") are one value.
                key = next((k for k, c in pool.items()
                            if sorted(c.best.parts) == sorted(span.parts)), key)
            elif key not in pool and span.kind == "name":
                # One name spelled two ways ("Sergei Shoigu", "Sergei Shoygu") is one value.
                key = next((k for k, c in pool.items() if c.best.kind == "name"
                            and not c.best.parts and len(k.split()) == len(key.split())
                            and same_name(c.best.text, span.text)), key)
            cand = pool.setdefault(key, Candidate(key))
            cand.variants.add(normalize(span.text))
            if any((x.sentence.passage.source, x.start, x.end)
                   == (span.sentence.passage.source, span.start, span.end) for x in cand.spans):
                continue  # the same words as a name and as a phrase: the first kind stays
            cand.spans.append(span)
            where.setdefault(key, []).append((rank, prob, s.passage.source))
            if len(cand.spans) == 1:
                cand.row = _row(span, key, rank, prob, terms, asked, view, wanted,
                                common, slot, names, qtype, tree, slot_label)
    choosable_ones = [c for c in pool.values() if choosable(c.row)]
    in_context = _context_fits(question, choosable_ones, embed, read, embed_query)
    named_rows: dict[str, dict[str, float]] = {}
    for key, cand in pool.items():
        by_source: dict[str, float] = {}
        for _, prob, src in where[key]:
            by_source[src] = max(by_source.get(src, 0.0), prob)
        named = dict(zip(SINGLE_FEATURES, cand.row, strict=True))
        named["support"] = math.log1p(len(by_source))
        named["mass"] = sum(by_source.values())
        named["context_fit"] = in_context.get(key, 0.0)
        named_rows[key] = named
        cand.row = _full_row(named)
    if bound is None:
        fits = _slot_fits(slot_phrase, choosable_ones, embed)
    else:
        fits = _bounded_slot_fits(slot_phrase, choosable_ones, embed, bound)
    for key, value in fits.items():
        named_rows[key]["slot_fit"] = value
        pool[key].row = _full_row(named_rows[key])
    return list(pool.values())


def _full_row(named: dict[str, float]) -> list[float]:
    """SPAN_FEATURES from the single features by name: the singles, then the products."""
    return [named[n] for n in SINGLE_FEATURES] + [named[a] * named[b] for a, b in PRODUCTS]


def _label_of(noun: str) -> str | None:
    """The spaCy label of what names a `noun` ("company"; "companies", "movies" and
    "businesses" too), None for a noun outside `_LABEL_OF_NOUN`."""
    forms = (noun, noun[:-3] + "y" if noun.endswith("ies") else noun,
             noun.removesuffix("s"), noun.removesuffix("es"))
    return next((_LABEL_OF_NOUN[f] for f in forms if f in _LABEL_OF_NOUN), None)


def asked_for(question: str) -> str | None:
    """The phrase naming what the question asks for: the noun phrase right after
    "which", "what" or "whose" ("which sea" -> "sea"), "person" for who, "place" for
    where. A count has none: on RealTimeQA train, giving "how many people" the slot
    "people" cost about 3 of 61 cross-validated picks (a number never reads like its
    noun)."""
    tree = parse([question])[0]
    words = [question[a:b].lower() for a, b in zip(tree.starts, tree.ends, strict=True)]
    for i, word in enumerate(words):
        if word in _ASKED_KIND:
            return _ASKED_KIND[word]
        if word in ("which", "what", "whose"):
            after = tree.starts[i + 1] if i + 1 < len(words) else -1
            chunk = next((p for p in tree.phrases if p.label == CHUNK and p.start == after),
                         None)
            if chunk is not None:
                return question[chunk.start:chunk.end]
    return None


def _slot_fits(slot: str | None, found: list[Candidate], embed: Embed | None
               ) -> dict[str, float]:
    """The cosine of each candidate (by key) with `slot`, what the question asks for."""
    if embed is None or slot is None or not found:
        return {}
    texts = list(dict.fromkeys([slot] + [c.best.text for c in found]))
    matrix = _unit_rows(embed(texts))
    cosines = dict(zip(texts, (matrix @ matrix[0]).tolist(), strict=True))  # texts[0]: slot
    return {c.key: cosines[c.best.text] for c in found}


def _bounded_slot_fits(slot: str | None, found: list[Candidate], embed: Embed | None,
                       model: ShortModel) -> dict[str, float]:
    """The slot fits `model.choose` needs, all others at their most favourable (a cosine
    is within [-1, 1]). A candidate's logit is linear in its slot fit, so before any is
    measured each candidate's best possible logit is known. They are measured best
    possible first, SLOT_ROUND at a time, until no unmeasured candidate can either beat
    the pick or reach CONFLICT_SHARE of its probability (`answer.agreement`'s test for a
    value that contradicts it). The pick and every candidate that can contradict it
    are then exactly as if all were measured. On the 104 rtqa_train questions with a
    slot (the rows of `scripts/fit_short.py`), 37% of the 95 candidates a question has
    (mean) can matter, and rounds of 16 measure 43 (BENCHMARKS.md, "tenth pass")."""
    if embed is None or slot is None or not found:
        return {}
    if model.reads:
        raise ValueError("the bound is the plain span model's: the reader's weighs more")
    linear = model.linear
    at_zero = linear.logits([_slot_row(c.row, 0.0) for c in found])
    at_one = linear.logits([_slot_row(c.row, 1.0) for c in found])
    zero = {c.key: z for c, z in zip(found, at_zero, strict=True)}
    gain = {c.key: one - z for c, z, one in zip(found, at_zero, at_one, strict=True)}  # per unit
    best_possible = {k: zero[k] + abs(gain[k]) for k in zero}
    order = sorted(found, key=lambda c: -best_possible[c.key])
    people = {c.key for c in found if c.row[_PERSON_FIT]}  # `ShortModel.choose`'s rule
    fits: dict[str, float] = {}
    exact: dict[str, float] = {}
    at = 0
    while at < len(order):
        batch = order[at : at + SLOT_ROUND]
        at += len(batch)
        fits.update(_slot_fits(slot, batch, embed))
        for c in batch:
            exact[c.key] = zero[c.key] + gain[c.key] * fits[c.key]
        options = [k for k in exact if k in people] if people else list(exact)
        if not options or at >= len(order):
            continue
        # Below `floor` (which is below the pick), a candidate neither wins nor contradicts.
        floor = _logit(CONFLICT_SHARE * sigmoid(max(exact[k] for k in options)))
        if best_possible[order[at].key] < floor:
            break
    for c in order[at:]:
        fits[c.key] = 1.0 if gain[c.key] >= 0 else -1.0
    return fits


def _slot_row(row: list[float], fit: float) -> list[float]:
    """`row` (SPAN_FEATURES) with its slot fit set to `fit`, products too."""
    named = dict(zip(SINGLE_FEATURES, row, strict=False))
    named["slot_fit"] = fit
    return _full_row(named)


def _logit(p: float) -> float:
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log(p / (1 - p))


def _context_fits(question: str, found: list[Candidate], embed: Embed | None,
                  read: Read | None, embed_query: Callable[[str], list[float]] | None = None
                  ) -> dict[str, float]:
    """The cosine of each candidate (by key), as its best sentence's word pieces read it,
    with the question's vector. The ONNX encoder serves a sentence it embedded for the
    scorer from that pass; any other costs one pass (at most CHOOSE_FROM sentences)."""
    if embed is None or read is None or not found:
        return {}
    import numpy as np

    sentences = list(dict.fromkeys(c.best.sentence.text for c in found))
    states = dict(zip(sentences, read(sentences), strict=True))
    asked = _unit_rows([embed_query(question)] if embed_query else embed([question]))[0]
    out: dict[str, float] = {}
    for c in found:
        span = c.best
        vectors, offsets = states[span.sentence.text]
        a, b = span.start - span.sentence.start, span.end - span.sentence.start
        pieces = [k for k, (x, y) in enumerate(offsets) if x < b and a < y]
        if pieces:
            mean = np.asarray(vectors)[pieces].mean(axis=0)
            norm = float(np.linalg.norm(mean)) or 1.0
            out[c.key] = float(mean @ asked) / norm
    return out


def _unit_rows(vectors: Sequence[Sequence[float]]) -> Any:
    """The vectors as rows of a float64 matrix, each scaled to length 1 (a zero row stays)."""
    import numpy as np

    matrix = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)


@lru_cache(maxsize=1 << 16)
def _terms(text: str) -> tuple[str, ...]:
    """`content_terms` of a word or a short span, remembered: a question's ten sentences
    ask for the same words hundreds of times."""
    return tuple(content_terms(text))


def _common(word: str, common: frozenset[str]) -> bool:
    """The passages also write this word in lower case: an ordinary word, not a name."""
    terms = _terms(word)
    return bool(terms) and terms[0] in common


@lru_cache(maxsize=1 << 16)
def _asked(term: str, asked: frozenset[str]) -> bool:
    """The question says this word, or one derived from it ("Iran" in "Iranian",
    "Russia" in "Russian"): a word of four letters or more that one of the two begins."""
    return term in asked or (len(term) >= 4 and any(
        len(a) >= 4 and (a.startswith(term) or term.startswith(a)) for a in asked))


class _SentenceView:
    """What every candidate of one sentence asks of it, worked out once per sentence or
    per start offset."""

    def __init__(self, sentence: Sentence, q_positions: list[int], tree: Parse,
                 asked_tokens: set[int]):
        self.sentence = sentence
        self.q_positions = q_positions
        self.to_asked = tree.distances(asked_tokens)  # edges to a question word
        self.labels: dict[tuple[int, int], set[str]] = {}  # the phrases' labels by span
        for p in tree.phrases:
            self.labels.setdefault((p.start, p.end), set()).add(p.label)
        self.entities = [p for p in tree.phrases if p.label not in (CHUNK, HEAD)]
        self.names = [p for p in self.entities if _LABEL_KIND.get(p.label) == "name"]
        self.title = f" {normalize(sentence.passage.title)} "
        self._between: dict[int, int] = {}
        self._before: dict[int, list[str]] = {}

    def between(self, local: int) -> int:
        """Words between offset `local` and the nearest question word (30 without one)."""
        if local not in self._between:
            text = self.sentence.text
            self._between[local] = min(
                (len(_WORD.findall(text[min(p, local) : max(p, local)]))
                 for p in self.q_positions), default=30)
        return self._between[local]

    def before(self, local: int) -> list[str]:
        """The word right before offset `local` ([] at the start)."""
        if local not in self._before:
            self._before[local] = _WORD.findall(self.sentence.text[:local])[-1:]
        return self._before[local]


def _row(span: Span, key: str, rank: int, prob: float, terms: Sequence[str],
         asked: frozenset[str], view: _SentenceView, wanted: str, common: frozenset[str],
         slot: bool, names: set[str], qtype: str | None, tree: Parse,
         slot_label: str | None = None) -> list[float]:
    s = span.sentence
    local = span.start - s.start
    local_end = span.end - s.start
    steps = [view.to_asked[i] for i in tree.tokens_in(local, local_end)]
    hops = min((n for n in steps if n is not None), default=None)
    labels = view.labels.get((local, local_end), set())
    crosses = any(local < p.end and p.start < local_end  # they overlap, neither holds the other
                  and not (local <= p.start and p.end <= local_end)
                  and not (p.start <= local and local_end <= p.end)
                  for p in view.entities)
    words = _WORD.findall(span.text)
    between = view.between(local)
    title = view.title
    before = view.before(local)
    titled = bool(before and before[0].lower().rstrip(".") in TITLES) or bool(
        words and words[0].lower().rstrip(".") in TITLES)
    person = float(span.kind == "name" and bool(words) and not _common(words[-1], common)
                   and not any(w.lower() in ORG_WORDS for w in words)
                   and (titled or sum(not _common(w, common) for w in words) >= 2))
    place = float(span.kind == "name" and bool(before)
                  and before[0].lower() in ("in", "at", "near", "from"))
    first = words[0].lower() if words else ""
    named = {
        "sentence_score": prob, "sentence_rank": math.log1p(rank),
        "type_fit": float(not wanted or span.kind == wanted),
        "is_name": float(span.kind == "name"), "is_date": float(span.kind == "date"),
        "is_number": float(span.kind == "number"), "is_phrase": float(span.kind == "phrase"),
        "novel": (sum(not _asked(t, asked) for t in terms) / len(terms)) if terms else 0.0,
        "support": 0.0, "mass": 0.0,
        "proximity": math.log1p(between), "words": math.log1p(len(words)),
        "whole_run": float(span.whole_run),
        "capitalized": (sum(w[0].isupper() for w in words) / len(words)) if words else 0.0,
        "inner_stopword": float(any(w.lower() in STOPWORDS for w in words[1:-1])),
        "leading_common": float(_common(first, common) and words[0][0].isupper()),
        "in_title": float(f" {key} " in title),
        "lower_word": float(len(words) == 1 and words[0].islower()),
        "outlet": float(bool(s.passage.outlet) and key == normalize(s.passage.outlet)),
        "slot_name": float(slot and bool(words) and words[0][0].isupper()),
        "asked_name": float(any(w[0].isupper() and w.lower() in names for w in words)),
        "common_words": (sum(_common(w, common) for w in words) / len(words)) if words else 0.0,
        "person_like": person, "person_fit": person * (qtype == "person"),
        "place_cue": place, "place_fit": place * (qtype == "place"),
        "ent_person": float(bool(labels & PERSON_LABELS)),
        "ent_place": float(bool(labels & PLACE_LABELS)),
        "ent_org": float(bool(labels & ORG_LABELS)),
        "ent_other": float(bool(labels & OTHER_NAME_LABELS)),
        "ent_date": float(bool(labels & DATE_LABELS)),
        "ent_number": float(bool(labels & NUMBER_LABELS)),
        "ent_fit": float(bool(labels & _LABELS_FOR_TYPE.get(qtype or "", frozenset()))),
        "noun_phrase": float(CHUNK in labels), "head_noun": float(HEAD in labels),
        "crosses_entity": float(crosses),
        "tree_hops": math.log1p(min(_FAR, _FAR if hops is None else hops)),
        "inside_entity": float(any(p.start <= local and local_end <= p.end
                                   and (p.start, p.end) != (local, local_end)
                                   for p in view.names)),
        "only_titles": float(bool(words) and all(w.lower().rstrip(".") in TITLES
                                                 for w in words)),
        "label_fit": float(slot_label in labels),
        "slot_fit": 0.0,  # set with the other candidates' (`_slot_fits`)
        "context_fit": 0.0,  # ... (`_context_fits`)
    }
    return [named[n] for n in SINGLE_FEATURES]


def reader_features(key: str, reading: str) -> list[float]:
    """READER_FEATURES of a candidate (its normalized words, `key`) against the reader's
    normalized answer."""
    kw, aw = set(key.split()), set(reading.split())
    union = kw | aw
    return [float(key == reading), float(bool(kw) and kw <= aw and key != reading),
            len(kw & aw) / len(union) if union else 0.0]


@dataclass(frozen=True)
class ShortModel:
    """The fitted span model: P(this candidate is the answer); `reads` when it was fitted
    with READER_FEATURES (`short_reader.json`). Its gate says when the reader need not
    read (`needs_reading`): for a question type in `unread_types` ("" for a question
    that asks for no particular kind), or when the plain model's pick is at least
    `read_below` probable (None: no threshold). Both are fitted by
    `scripts/fit_short.py --reader` (`fit_gate`). Its `calibration` (slope, intercept,
    the offset for a number) turns a pick's probability into the chance that it is the
    answer (`chance`; None: the file has none), fitted on held-out picks
    (`fit_short.fit_calibration`)."""

    linear: Linear
    meta: dict[str, Any]
    reads: bool = False
    read_below: float | None = None
    unread_types: frozenset[str] = frozenset()
    calibration: tuple[float, float, float] | None = None

    @classmethod
    def load(cls, path: Path = MODEL_FILE, reads: bool = False) -> ShortModel:
        features = SPAN_FEATURES + READER_FEATURES if reads else SPAN_FEATURES
        data = json.loads(path.read_text(encoding="utf-8"))
        if tuple(data.get("features", ())) != features:
            raise ValueError(f"{path}: fitted on features {data.get('features')}, the code "
                             f"computes {features}; refit with scripts/fit_short.py")
        gate = data.get("read_below") if reads else None
        if gate is not None and not 0.0 <= float(gate) <= 1.01:
            raise ValueError(f"{path}: read_below {gate} is no probability threshold")
        unread = frozenset(data.get("unread_types", ()) if reads else ())
        if unread - _QUESTION_TYPES:
            raise ValueError(f"{path}: unread_types {sorted(unread - _QUESTION_TYPES)} are "
                             f"no question types ({sorted(_QUESTION_TYPES)})")
        platt = data.get("pick_calibration")
        if platt is not None and not (isinstance(platt, dict) and all(
                isinstance(platt.get(k), int | float) for k in ("slope", "intercept"))
                and isinstance(platt.get("number", 0.0), int | float)):
            raise ValueError(f"{path}: pick_calibration {platt!r} is no slope and intercept "
                             "(and offset for a number)")
        return cls(Linear.from_dict(data, len(features), str(path)),
                   dict(data.get("meta", {})), reads,
                   None if gate is None else float(gate), unread,
                   None if platt is None else (float(platt["slope"]), float(platt["intercept"]),
                                               float(platt.get("number", 0.0))))

    def chance(self, pick: Candidate) -> float | None:
        """The chance that `pick` (this model's choice, which set its probability) is the
        answer. The probability is the candidate's own and the pick is the most probable,
        so it is no such chance; the calibration fitted on held-out picks makes one (on
        rtqa_train, picks of plain probability below 0.2 were right 29% of the time). A
        number gets its own offset: a count is picked among many numbers, so its
        probability is spread thinner than a name's."""
        if self.calibration is None:
            return None
        p = min(max(pick.probability, 1e-9), 1 - 1e-9)
        slope, intercept, number = self.calibration
        return sigmoid(slope * math.log(p / (1 - p)) + intercept
                       + number * (pick.row[_IS_NUMBER] > 0))

    def needs_reading(self, plain: Candidate | None, qtype: str | None) -> bool:
        """Whether the reader should read for a question of type `qtype`, given the plain
        model's pick (`choose` without a reading, which set its probability; None when
        the best sentences hold no candidate, where the reader may still name a lower
        one's). Where the gate says no, reading did not change picks for the better on
        rtqa_train cross-validation (BENCHMARKS.md, "sixteenth pass")."""
        if (qtype or "") in self.unread_types:
            return False
        return plain is None or self.read_below is None or plain.probability < self.read_below

    def choose(self, found: list[Candidate], reading: str = "") -> Candidate | None:
        """The most probable candidate of the best CHOOSE_FROM sentences; every
        candidate gets its probability (the others may contradict or support it).
        `reading` is the reader's answer, for a model that `reads`."""
        key = normalize(reading)
        rows = [[*c.row, *reader_features(c.key, key)] if self.reads else c.row for c in found]
        for c, z in zip(found, self.linear.logits(rows), strict=True):
            c.probability = sigmoid(z)
        options = [c for c in found if choosable(c.row)]
        if self.reads and key:
            # The reader's answer, when it is one of the verified spans, is the pick: on
            # rtqa_train cross-validation that beats weighing it as a feature (79.0 right
            # picks of 174 against 74.2; BENCHMARKS.md, "The reader"). Any candidate
            # counts, not only those of the best CHOOSE_FROM sentences: a value a lower
            # sentence states, that the reader also gives, is the pick (2 to 3 more right
            # picks on each of four readings of train; BENCHMARKS.md, "eighth pass").
            said = next((c for c in found if c.key == key), None)  # keys are unique
            if said is not None:
                return said
        # A question asking for two (or three) things is answered by a list of that many
        # names when the best sentences give one (candidates are listed only for it).
        lists = [c for c in options if c.best.parts]
        # A who-question is answered by a person's name when the sentence names one
        # (a general rule; on rtqa_train it turns 57 right picks into 58).
        people = [c for c in options if c.row[_PERSON_FIT]]
        return max(lists or people or options, key=lambda c: c.probability, default=None)


def choosable(row: Sequence[float]) -> bool:
    """The candidate is stated in one of the best CHOOSE_FROM sentences."""
    return row[_RANK] < math.log1p(CHOOSE_FROM) - 1e-9
