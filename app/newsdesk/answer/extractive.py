"""Extractive answers: verbatim sentences from the passages, each with its citation.

Correct by construction (it never states what the articles do not). Each sentence is
measured (meaning, what the question is about, the kind of thing asked for: a person for
who, a date for when, a number for how many; the article's date) and the learned scorer
(`answer.scorer`) turns that into the probability that it states the answer; below the
fitted threshold it refuses.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from functools import cached_property

from newsdesk.answer.agreement import Side, agreement
from newsdesk.answer.base import Draft, refusal_text
from newsdesk.answer.budget import SentenceBudget, pick
from newsdesk.answer.cite import CitationList, FileCache, Sentence, passage_sentences
from newsdesk.answer.date_notes import DateNotes, short_date
from newsdesk.answer.reader import Reader
from newsdesk.answer.scorer import FEATURES, AnswerScorer, SentenceFacts, features
from newsdesk.answer.short import (
    CHOOSE_FROM,
    READER_MODEL_FILE,
    Candidate,
    Read,
    ShortModel,
    candidates,
)
from newsdesk.errors import GeneratorUnavailable
from newsdesk.nlp.answer_types import (
    common_words,
    entities,
    question_type,
    type_strength,
    wants_a_value,
)
from newsdesk.nlp.dates import Anchor, anchor_date
from newsdesk.nlp.names import VariantIndex
from newsdesk.nlp.text import STOPWORDS, content_terms, words
from newsdesk.timing import collect, stage
from newsdesk.types import Citation, Corroboration, Passage, Report, ShortAnswer, Turn

# A further sentence joins the answer only if it holds the asked kind of thing this well
# (a general rule: a when-answer's second sentence must hold a date too).
MIN_TYPE = 0.65
CONTEXT_WEIGHT = 0.4  # follow-up context terms count less than the question's own words
FOCUS_WEIGHT = 2.0  # the question's last word, its event ("due to end?"), counts double
NAME_PARTIAL = 0.5  # "Defence Minister Ashtiani" matched without "Ashtiani" counts half
# The parts of an answer's time it reports (`notes["stages"]`, then `Answer.timings`):
# scoring every sentence, embedding the sentences the budget lets through (within the
# scoring), picking the short answer and checking who else states it, and spaCy's parse
# (the short answer's, mostly; with any wait for another session's parse). Each is
# wall-clock seconds, absent when the stage did not run (a refusal has no short answer).
GENERATE_STAGES = ("score", "sentence_vectors", "short_answer", "parse")
# Words that name the kind of answer ("Super Bowl 2021 location"), not the event asked about.
_ANSWER_NOUNS = frozenset("""location place venue date day year month time name city country
    winner number amount price cost""".split())
_CONTEXT = re.compile(r"\s*\(([^()]*)\)\s*$")


@dataclass(frozen=True)
class Scored:
    sentence: Sentence
    score: float  # P(this sentence states the answer)
    lexical: float
    semantic: float
    typed: float
    confidence: float = 0.0  # P(the question's best sentence states it): the refusal's


class _VectorCache:
    """Sentence vectors by text: the same sentences come back question after question."""

    def __init__(self, embed: Callable[[list[str]], list[list[float]]], size: int = 20000):
        self.embed = embed
        self.size = size
        self._items: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, texts: list[str]) -> list[list[float]]:
        with self._lock:
            found = {t: self._items[t] for t in texts if t in self._items}
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:
            vectors = self.embed(missing)
            found.update(zip(missing, vectors, strict=True))
            with self._lock:
                for text, vec in zip(missing, vectors, strict=True):
                    self._items[text] = vec
                while len(self._items) > self.size:
                    self._items.popitem(last=False)  # may drop some of `texts`: `found` has them
        return [found[t] for t in texts]


class ExtractiveGenerator:
    """Answers from the passages' own sentences; needs no language model."""

    name = "extractive"

    def __init__(
        self,
        embed: Callable[[list[str]], list[list[float]]],
        embed_query: Callable[[str], list[float]],
        files: FileCache,
        threshold: float | None = None,
        max_sentences: int = 3,
        scorer: AnswerScorer | None = None,
        budget: int | None = None,
        read: Read | None = None,
        reader: Reader | None = None,
        reader_always: bool = False,
    ):
        self.embed = embed if isinstance(embed, _VectorCache) else _VectorCache(embed)
        self._budget = budget
        self._scored: OrderedDict[tuple[object, ...], list[Scored]] = OrderedDict()
        self._scored_lock = threading.Lock()
        self.embed_query = embed_query
        self.read = read  # the encoder's word-piece states, for the short answer's context fit
        self.files = files
        self._scorer = scorer
        self._short: ShortModel | None = None
        self.reader = reader  # the opt-in reader (answer.reader), for the short answer
        self.reader_always = reader_always  # read even when the plain pick is sure
        self._short_reader: ShortModel | None = None
        self._threshold = threshold
        self.max_sentences = max_sentences

    @property
    def scorer(self) -> AnswerScorer:
        """The learned scorer, loaded on first use (`measure` needs none: fitting runs it)."""
        if self._scorer is None:
            self._scorer = AnswerScorer.load()
        return self._scorer

    @property
    def budget(self) -> int:
        """Sentences embedded per question (0: all): the fitted budget unless set."""
        if self._budget is None:
            self._budget = SentenceBudget.load().sentences
        return self._budget

    @property
    def threshold(self) -> float:
        """The refusal threshold: the one fitted with the scorer unless set explicitly."""
        return self.scorer.threshold if self._threshold is None else self._threshold

    def stream(self, question: str, passages: list[Passage],
               as_of: dt.date | None = None) -> Iterator[str | Draft]:
        draft = self.answer(question, passages, as_of)
        pieces = re.split(r"(?<=[\].])\s+(?=\S)", draft.text)
        for i, piece in enumerate(pieces):
            yield piece if i == 0 else " " + piece
        yield draft

    def condense(self, question: str, turns: list[Turn]) -> str | None:
        """No model to rewrite with: the assistant's rule-based rewrite applies."""
        return None

    def score(self, question: str, passages: list[Passage],
              as_of: dt.date | None = None) -> list[Scored]:
        """Every sentence of the passages with the learned scorer's probability that it
        states the answer, best first. The last few results are kept: `ask` scores the
        same pool twice, to answer and to re-rank the passages it shows."""
        key = (question, as_of, tuple((p.chunk_id, p.source, p.start, p.end) for p in passages))
        with self._scored_lock:
            hit = self._scored.get(key)
        if hit is not None:
            return hit
        scored = self._score(question, passages, as_of)
        with self._scored_lock:
            self._scored[key] = scored
            while len(self._scored) > 32:
                self._scored.popitem(last=False)
        return scored

    def measure(self, question: str, passages: list[Passage], as_of: dt.date | None = None,
                budget: int = 0) -> tuple[list[Sentence], list[list[float]], list[float]]:
        """Every sentence of the passages, its row of `scorer.FEATURES`, and its lexical
        score (what the report shows); the fitting script trains on exactly these rows.
        With a `budget`, only that many sentences get a vector (`answer.budget`); 0: all."""
        own, context = _split_context(question)
        by_passage = [passage_sentences(p) for p in passages]
        sentences = [s for group in by_passage for s in group]
        if not sentences:
            return [], [], []
        concepts = _concepts(own, context, [content_terms(s.text) for s in sentences])
        total = sum(w for _, w in concepts) or 1.0
        qvec = self.embed_query(question)
        # "It was released on July 21, 2017.": a sentence whose subject is a pronoun is also
        # read with the sentence (or title) before it, which names the subject.
        joined = {}
        for group in by_passage:
            for i, s in enumerate(group):
                before = group[i - 1].text if i else group[0].passage.title
                if before and _PRONOUN.match(s.text):
                    joined[s.text] = f"{before} {s.text}"
        qtype = question_type(own)
        common = common_words([p.text for p in passages])
        facts, lexicals = [], []
        for rank, group in enumerate(by_passage):
            terms = [_Terms(content_terms(s.text)) for s in group]
            title = _Terms(content_terms(group[0].passage.title) if group else ())
            title_cov = sum(w * _covers(c, title, common) for c, w in concepts) / total
            resolvable = bool(group) and self._anchor(group[0].passage.source) is not None
            for i, s in enumerate(group):
                window = _Terms(terms[i] | title | (terms[i - 1] if i else set()) | (
                    terms[i + 1] if i + 1 < len(terms) else set()))
                own_cov = sum(w * _covers(c, terms[i], common) for c, w in concepts) / total
                win_cov = sum(w * _covers(c, window, common) for c, w in concepts) / total
                typed = 0.0 if s.text.endswith("?") else type_strength(qtype, s.text, own,
                                                                         resolvable, common)
                lexicals.append(0.65 * own_cov + 0.35 * win_cov)
                facts.append(SentenceFacts(
                    s.text, s.passage.source, 0.0, own_cov, win_cov, title_cov, typed,
                    _conflict(own, s.text, s.passage.text), math.log1p(rank),
                    s.start, s.passage.published))
        retrieved: dict[str, str] = {}
        for p in passages:
            retrieved[p.source] = retrieved.get(p.source, "") + "\n" + p.text
        semantic = self._semantic(qvec, facts, joined, budget, lambda rows: features(
            rows, own, as_of, retrieved, untyped=qtype is None))
        facts = [replace(f, semantic=semantic[f.text]) for f in facts]
        rows = features(facts, own, as_of, retrieved, untyped=qtype is None)
        return sentences, rows, lexicals

    def _semantic(self, qvec: list[float], facts: list[SentenceFacts], joined: dict[str, str],
                  budget: int, rows_of: Callable[[list[SentenceFacts]], list[list[float]]]
                  ) -> dict[str, float]:
        """Each sentence's cosine with the question (a pronoun sentence's also read with
        the one before). With a budget only the sentences the scorer ranks best on all
        else are embedded; the others get the least of their cosines, so none can win."""
        texts = [f.text for f in facts]
        if budget and len(set(texts)) > budget:
            prior = self.scorer.sentence.logits(rows_of(facts))
            texts = pick(texts, prior, budget)
        else:
            texts = list(dict.fromkeys(texts))
        wanted = list(dict.fromkeys(texts + [joined[t] for t in texts if t in joined]))
        with stage("sentence_vectors"):
            vectors = dict(zip(wanted, self.embed(wanted), strict=True))
        cosines = {t: max(_cosine(qvec, vectors[t]),
                          _cosine(qvec, vectors[joined[t]]) if t in joined else -1.0)
                   for t in texts}
        floor = min(cosines.values())
        return {f.text: cosines.get(f.text, floor) for f in facts}

    def _score(self, question: str, passages: list[Passage],
               as_of: dt.date | None) -> list[Scored]:
        sentences, rows, lexicals = self.measure(question, passages, as_of, self.budget)
        semantic, typed = FEATURES.index("semantic"), FEATURES.index("typed")
        probabilities, confidence = self.scorer.score_rows(rows)
        out = [Scored(s, prob, lex, row[semantic], row[typed], confidence)
               for s, prob, row, lex in zip(sentences, probabilities, rows, lexicals,
                                            strict=True)]
        return sorted(out, key=lambda x: -x.score)

    def answer(self, question: str, passages: list[Passage],
               as_of: dt.date | None = None) -> Draft:
        """The answer, with the seconds its GENERATE_STAGES took in `notes["stages"]`."""
        with collect() as spent:
            draft = self._answer(question, passages, as_of)
        draft.notes["stages"] = dict(spent)
        return draft

    def _answer(self, question: str, passages: list[Passage], as_of: dt.date | None) -> Draft:
        with stage("score"):
            scored = self.score(question, passages, as_of)
        best = scored[0] if scored else None
        notes = {"best_score": best.score, "confidence": best.confidence,
                 "best_lexical": best.lexical, "best_semantic": best.semantic,
                 "best_typed": best.typed} if best else {}
        own = _split_context(question)[0]
        if best is None or not self.answers(best) or not self.on_topic(question, passages):
            return Draft(refusal_text(own), [], True, self.name, notes=notes)
        chosen = _choose(scored, self.max_sentences)
        with stage("short_answer"):
            # A yes-or-no question, who someone is, or "tell me about": no name, date or
            # number cut from the sentences answers it, so no short answer; they do.
            valued = wants_a_value(own)
            found = self.short_candidates(question, passages, scored) if valued else []
            pick, model = self._pick(own, scored, found, notes) if valued else (
                None, self.short_model)
            agreed, chance = None, None
            if pick is not None:
                notes["short_probability"] = pick.probability
                chance = model.chance(pick)
                lexical = {(x.sentence.passage.source, x.sentence.start): x.lexical
                           for x in scored}
                agreed = agreement(pick, found, lexical, self.files.text, question_type(own),
                                   own)
                chosen = _around(agreed.support, scored, chosen, self.max_sentences)
        citations = CitationList()
        parts = []
        for group in chosen:
            markers = "".join(f"[{citations.add(s.sentence)}]" for s in group)
            parts.append(f"{group[0].sentence.text} {markers}")
            follow = _continuation(group[0].sentence)
            if follow is not None and len(parts) < self.max_sentences:
                parts.append(f"{follow.text} [{citations.add(follow)}]")
        if question_type(own) == "date":
            dates = DateNotes(self.files, citations)
            parts += dates.notes([s.sentence for g in chosen for s in g],
                                 [s.sentence for s in scored])
        if pick is None or agreed is None:
            return Draft(" ".join(parts), citations.items, False, self.name, kept=len(parts),
                         notes=notes)
        support = [_report(side, citations) for side in agreed.support]
        copied = dict(agreed.copies)
        support = [replace(r, copy_of=copied.get(r.source, "")) for r in support]
        conflicts = sorted((_report(side, citations) for side in agreed.conflicts),
                           key=lambda r: r.published or "", reverse=True)
        if conflicts:
            parts.append("Sources differ: " + "; ".join(
                f"{_label(r)}{f' ({r.published})' if r.published else ''} says "
                f"“{r.text}” [{r.n}]" for r in conflicts) + ".")
        return Draft(" ".join(parts), citations.items, False, self.name, kept=len(parts),
                     notes=notes, short=self._short_answer(pick, as_of, chance),
                     corroboration=Corroboration(len(support) - len(copied), support),
                     conflicts=conflicts)

    def short_candidates(self, question: str, passages: list[Passage],
                         scored: list[Scored], exact: bool = False) -> list[Candidate]:
        """The candidate short answers in the best of `scored`, with their features:
        `exact` ones for fitting; else those the plain span model's choice cannot depend
        on (the reader's model weighs candidates otherwise) may be left unmeasured
        (`answer.short.candidates`, `bound`)."""
        own = _split_context(question)[0]
        bound = None if exact or self.reader is not None else self.short_model
        return candidates(own, question_type(own), [(x.sentence, x.score) for x in scored],
                          common_words([p.text for p in passages]), embed=self.embed,
                          read=self.read, embed_query=self.embed_query, bound=bound)

    def short_within(self, question: str, passages: list[Passage], as_of: dt.date | None,
                     quotes: list[Citation]) -> ShortAnswer | None:
        """The short answer among the sentences `quotes` cite (another generator's
        answer), picked by the plain span model, with its chance as that model's
        calibration gives it. The calibration maps a candidate's own probability, not its
        share among the others, so it applies whichever sentences the candidates come
        from; with a model's answers it has been seen on only a handful (BENCHMARKS.md,
        "twenty-third pass")."""
        if not wants_a_value(_split_context(question)[0]):
            return None
        cited = {(c.source, c.start) for c in quotes}
        scored = [x for x in self.score(question, passages, as_of)
                  if (x.sentence.passage.source, x.sentence.start) in cited]
        pick = self.short_model.choose(self.short_candidates(question, passages, scored))
        return self._short_answer(pick, as_of, self.short_model.chance(pick)) if pick else None

    def _pick(self, question: str, scored: list[Scored], found: list[Candidate],
              notes: dict) -> tuple[Candidate | None, ShortModel]:
        """The short answer and the span model that chose it: the plain model's pick;
        with a reader on, the candidate it names, else the pick of the model fitted with
        its answer (the plain model's pick when the reader fails, or when its gate leaves
        the question unread: a count, or a pick the plain model is sure of,
        `ShortModel.needs_reading`; unless `reader_always`)."""
        plain = self.short_model.choose(found)
        if self.reader is None or not found:
            return plain, self.short_model
        if not self.reader_always and not self.short_reader_model.needs_reading(
                plain, question_type(question)):
            notes["reader_skipped"] = True
            return plain, self.short_model
        try:
            reading = self.reader.read(question, [x.sentence.text for x in scored[:CHOOSE_FROM]])
        except GeneratorUnavailable as exc:
            notes["reader_error"] = str(exc)
            return plain, self.short_model
        notes["reader_answer"] = reading.answer
        notes["reader_seconds"] = reading.seconds
        return self.short_reader_model.choose(found, reading.answer), self.short_reader_model

    def _short_answer(self, pick: Candidate, as_of: dt.date | None,
                      chance: float | None = None) -> ShortAnswer:
        """The picked value as the answer gives it, with the day it names, if any, and
        the chance that it is the answer (`ShortModel.chance`)."""
        span = pick.best
        day = short_date(span.sentence, span.start, span.end, self.files,
                         as_of or dt.date.today())
        return ShortAnswer(span.text, span.sentence.passage.source, span.start, span.end,
                           span.kind, day, None if chance is None else round(chance, 3))

    @property
    def short_model(self) -> ShortModel:
        """The fitted span model, loaded on first use."""
        if self._short is None:
            self._short = ShortModel.load()
        return self._short

    @property
    def short_reader_model(self) -> ShortModel:
        """The span model fitted with the reader's features, loaded on first use."""
        if self._short_reader is None:
            self._short_reader = ShortModel.load(READER_MODEL_FILE, reads=True)
        return self._short_reader

    def on_topic(self, question: str, passages: list[Passage]) -> bool:
        """The refusal rule's general half: the passages mention what the question names."""
        return mentions_any_name(_split_context(question)[0], passages)

    def answers(self, best: Scored) -> bool:
        """The refusal rule: the best sentence is likely enough to state the answer."""
        return best.confidence >= self.threshold

    def _anchor(self, source: str) -> Anchor | None:
        text = self.files.text(source)
        return anchor_date(text) if text else None



_PRONOUN = re.compile(r"^(it|he|she|they|its|his|her|their)\b", re.IGNORECASE)
_ANAPHOR = re.compile(r"^(according to (him|her|them)|this|that|these|it|he|she|they)\b",
                     re.IGNORECASE)


def _continuation(s: Sentence) -> Sentence | None:
    """The next sentence when it only makes sense after this one ("According to him, …")."""
    sentences = passage_sentences(s.passage)
    for i, other in enumerate(sentences[:-1]):
        if other.start == s.start and _ANAPHOR.match(sentences[i + 1].text):
            return sentences[i + 1]
    return None


_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_ORDINAL = re.compile(r"\b\d+(?:st|nd|rd|th)\b", re.IGNORECASE)
_INSTALMENT = re.compile(r"\b(?:season|series|episode|part|volume|vol\.|chapter|edition|phase|"
                         r"round|stage|book)\s+\d+\b", re.IGNORECASE)


def _conflict(question: str, sentence: str, passage: str) -> float:
    """Penalty when the sentence is about another year or edition than the question asks
    ("Who won the 2021 Tour?" answered from "won the 2019 Tour")."""
    penalty = 0.0
    context = passage
    for pattern in (_YEAR, _ORDINAL, _INSTALMENT):
        asked = {" ".join(m.lower().split()) for m in pattern.findall(question)}
        if not asked:
            continue
        said = {" ".join(m.lower().split()) for m in pattern.findall(sentence)}
        around = {" ".join(m.lower().split()) for m in pattern.findall(context)}
        if said and not asked & said:
            penalty += 0.25
        elif not said and around and not asked & around:
            penalty += 0.1
    return penalty


def _split_context(question: str) -> tuple[str, str]:
    """A rewritten follow-up carries earlier entities in a trailing '(…)'."""
    m = _CONTEXT.search(question)
    if m and m.start() > 0:
        return question[: m.start()], m.group(1)
    return question, ""


def mentions_any_name(question: str, passages: list[Passage]) -> bool:
    """False when the question names things (capitalized runs: "FIFA World Cup", "Tokyo")
    and the retrieved passages mention none of them in full: the articles are about
    something else, so whatever sentence scores best answers another question."""
    runs = [[w for w in words(" ".join(run)) if len(w) > 2 and w not in STOPWORDS]
            for run in entities(question)]
    runs = [r for r in runs if r]
    if not runs:
        return True
    said = {w for p in passages for w in words(f"{p.title}\n{p.text}")}
    # A name counts in another spelling ("Baqeri" for "Bagheri", see `nlp.names`).
    spelled = VariantIndex(said) if any(w not in said for r in runs for w in r) else None
    return any(all(w in said or spelled is not None and bool(spelled.variants(w)) for w in run)
               for run in runs)


def _choose(scored: list[Scored], limit: int) -> list[list[Scored]]:
    """Best sentences, each with the agreeing sentences of other articles folded in."""
    top = scored[0]
    groups: list[list[Scored]] = []
    for cand in scored:
        if cand.score < top.score - 0.1 or cand.typed < MIN_TYPE:
            continue
        same = next((g for g in groups if _agree(g[0].sentence.text, cand.sentence.text)), None)
        if same is not None:
            if all(s.sentence.passage.source != cand.sentence.passage.source for s in same):
                same.append(cand)
            continue
        if len(groups) < limit:
            groups.append([cand])
    return groups


def _report(side: Side, citations: CitationList) -> Report:
    """An article's statement as the answer reports it, citing the sentence."""
    p = side.sentence.passage
    return Report(citations.add(side.sentence), p.source, p.title, p.outlet, p.published,
                  side.text, side.start, side.end)


def _label(r: Report) -> str:
    """How an article is named to a reader: its outlet, else its title, else its file."""
    return r.outlet or r.title or r.source


def _around(support: list[Side], scored: list[Scored], chosen: list[list[Scored]],
            limit: int) -> list[list[Scored]]:
    """The answer's sentences once a short answer is picked: first the sentence it is cut
    from, with each other article's sentence that states it too (`support`: one citation
    per article), then the other sentences the scorer nearly believes (`chosen`).

    Dropping those (keeping only sentences that state the short answer) was measured:
    it lost 4 of 70 seed answers, because a wrong short answer then takes the right
    sentence with it (BENCHMARKS.md, "Short answers")."""
    by_place = {(x.sentence.passage.source, x.sentence.start): x for x in scored}
    first = [x for x in (by_place.get((side.source, side.sentence.start)) for side in support)
             if x is not None]
    taken = {(x.sentence.passage.source, x.sentence.start) for x in first}
    rest = [g for g in chosen
            if not taken & {(x.sentence.passage.source, x.sentence.start) for x in g}]
    return ([first] + rest)[:limit]


def _agree(a: str, b: str) -> bool:
    """Two sentences state the same fact: most content words shared both ways."""
    ta, tb = set(content_terms(a)), set(content_terms(b))
    if not ta or not tb:
        return False
    shared = len(ta & tb)
    return shared / len(ta) >= 0.6 and shared / len(tb) >= 0.6


def _covers(concept: tuple[str, ...], terms: AbstractSet[str],
            common: frozenset[str] = frozenset()) -> float:
    """A name is matched by its last word ("Bagheri"); otherwise by the share of its words.
    A word sharing a 5-letter stem prefix ("opposing"/"opposition") counts for most.
    A name's other spelling ("baqeri" for "bagheri") counts as the name."""
    if concept[-1] in terms or _spelled_otherwise(concept, terms, common):
        return 1.0
    share = sum(_match(t, terms) for t in concept) / len(concept)
    # "Iranian Defence Minister Ashtiani" without "Ashtiani" is another minister (but
    # "Academy Awards ceremony" without "ceremony" is still the same ceremony).
    return share * NAME_PARTIAL if len(concept) > 1 and concept[-1] not in common else share


def _spelled_otherwise(concept: tuple[str, ...], terms: AbstractSet[str],
                       common: frozenset[str]) -> bool:
    """The terms hold another spelling of the concept's name; a word the passages also
    write in lower case ("White" in "White House") is not a name."""
    if not isinstance(concept, _Concept) or not concept.spellings or concept[-1] in common:
        return False
    return bool((concept.spellings - common) & terms)


def _match(term: str, terms: AbstractSet[str]) -> float:
    if term in terms:
        return 1.0
    if len(term) >= 5 and term[:5] in _prefixes(terms):
        return 0.8
    return 0.0


class _Terms(frozenset[str]):
    """A sentence's content terms; their 5-letter prefixes (`_match`) worked out once,
    not once per question word."""

    @cached_property
    def prefixes(self) -> frozenset[str]:
        return frozenset(t[:5] for t in self if len(t) >= 5)


def _prefixes(terms: AbstractSet[str]) -> AbstractSet[str]:
    if isinstance(terms, _Terms):
        return terms.prefixes
    return {t[:5] for t in terms if len(t) >= 5}


def _concepts(own: str, context: str, docs: list[list[str]]) -> list[tuple[tuple[str, ...], float]]:
    """What the question asks about, each with its IDF over the candidate sentences.

    A multi-word name is one concept ("Major General Mohammad Bagheri" is matched by
    "Bagheri"), so long names do not outweigh the rest of the question.
    """
    n = len(docs)
    sets = [set(d) for d in docs]

    def idf(*spellings: str) -> float:
        return math.log(1 + (n + 1) / (1 + sum(any(t in s for t in spellings) for s in sets)))

    out: list[tuple[tuple[str, ...], float]] = []
    seen: set[str] = set()
    names = VariantIndex(set().union(*sets))
    for text, factor in ((own, 1.0), (context, CONTEXT_WEIGHT)):
        for run in entities(text):
            terms = tuple(t for t in dict.fromkeys(content_terms(" ".join(run))) if t not in seen)
            if terms:
                # All spellings of a name weigh as one word: "Baqeri" as much as "Bagheri".
                others = names.variants(terms[-1])
                weight = max([idf(t) for t in terms[:-1]] + [idf(terms[-1], *others)])
                out.append((_Concept(terms, others), factor * weight))
                seen |= set(terms)
        for t in dict.fromkeys(content_terms(text)):
            if t not in seen:
                out.append(((t,), factor * idf(t)))
                seen.add(t)
    # "When were the exercises due to end?", "When was the deal signed?": the last word,
    # unless a name or the kind of answer, is the event asked about; without it a sentence
    # dates (or counts, or names) another event of the same story.
    tail = re.findall(r"[\w'’-]+", own)
    if tail and tail[-1][0].islower() and tail[-1].lower() not in _ANSWER_NOUNS:
        last = content_terms(tail[-1])
        out = [(c, w * FOCUS_WEIGHT if last and c == (last[-1],) else w) for c, w in out]
    return out


class _Concept(tuple[str, ...]):
    """A name's words, with the other spellings of its last word that the candidate
    sentences use (`nlp.names`): "Baqeri" is covered by a sentence that says "Bagheri"."""

    spellings: frozenset[str]

    def __new__(cls, terms: tuple[str, ...], spellings: list[str]) -> _Concept:
        concept = super().__new__(cls, terms)
        concept.spellings = frozenset(spellings)
        return concept


def _cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    na = math.sqrt(sum(x * x for x in a)) or 1.0
    nb = math.sqrt(sum(y * y for y in b)) or 1.0
    return dot / (na * nb)
