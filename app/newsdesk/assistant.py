"""The composition root: builds the assistant from settings for the CLI, web UI, API and eval."""

from __future__ import annotations

import datetime as dt
import importlib.util
import logging
import threading
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from newsdesk.answer.base import Draft
from newsdesk.answer.cite import FileCache
from newsdesk.answer.followup import as_turns, needs_context, rewrite
from newsdesk.errors import BadQuestion, ConfigError, GeneratorUnavailable, IndexBusy
from newsdesk.index.store import Manifest, manifest_path
from newsdesk.ingest.corpus import read_corpus
from newsdesk.nlp.text import content_terms, one_case, recase
from newsdesk.settings import Settings, load_settings
from newsdesk.types import Answer, Corroboration, Event, IngestReport, Passage, Turn

if TYPE_CHECKING:
    from llama_index.core.base.embeddings.base import BaseEmbedding

    from newsdesk.answer.base import Generator
    from newsdesk.answer.extractive import ExtractiveGenerator
    from newsdesk.answer.reader import Reader
    from newsdesk.ingest.add import Library
    from newsdesk.models.chat import ChatModel
    from newsdesk.models.embed import QueryEmbedder
    from newsdesk.retrieval.retriever import Retriever

POOL = 12  # passages the generator may draw on; `top_k` of them are shown
# Passages a topic's timeline is drawn from: wider than an answer's pool, since a history
# needs every report of every event, not the few best sentences.
TIMELINE_POOL = 60
# The reader's context: an instruction, one example and three sentences. A page's "sentence"
# can be a whole paragraph; a prompt too long fails the reading, not the answer.
READER_CTX = 2048
_INVISIBLE = {"Cf", "Cc", "Cs", "Co", "Cn"}


def as_date(value: dt.date | str | None) -> dt.date:
    """The day a question is asked on: a date, 'YYYY-MM-DD' (or 'YYYY/MM/DD'), or today."""
    if value is None or value == "":
        return dt.date.today()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip().replace("/", "-")[:10])
    except ValueError:
        raise BadQuestion(f"as_of: {value!r} is not a date (use YYYY-MM-DD)") from None


def clean_question(question: str, limit: int) -> str:
    """The question without control, zero-width or unpaired-surrogate characters; or an error."""
    if not isinstance(question, str):
        raise BadQuestion("The question must be text.")
    if len(question) > limit:
        raise BadQuestion(
            f"The question is too long ({len(question):,} characters; the limit is {limit:,})."
        )
    kept = "".join(
        " " if ch in "\t\n\r" else ch
        for ch in question
        if ch in "\t\n\r" or unicodedata.category(ch) not in _INVISIBLE
    )
    kept = " ".join(kept.split())
    if not any(ch.isalnum() for ch in kept):
        raise BadQuestion("Please type a question: this one is empty.")
    return kept


class Assistant:
    """Answers questions about one corpus; thread-safe; heavy parts load on first use."""

    def __init__(self, settings: Settings):
        generator_entry(settings.generator)  # an unknown name fails here, naming the setting
        self.settings = settings
        self.files = FileCache(settings.corpus)
        self._lock = threading.RLock()
        self._embedder: BaseEmbedding | None = None
        self._query_embedder: QueryEmbedder | None = None
        self._retriever: Retriever | None = None
        self._generators: dict[str, Generator] = {}
        self._extractive: ExtractiveGenerator | None = None

    @classmethod
    def from_settings(cls, **overrides: Any) -> Assistant:
        """Settings from defaults, `NEWSDESK_*` variables and these overrides."""
        return cls(load_settings(**overrides))

    # -- write path -------------------------------------------------------------------
    def ingest(self, progress: bool = False) -> IngestReport:
        """Index the corpus (incrementally); see `newsdesk.ingest.pipeline`."""
        from newsdesk.ingest.pipeline import ingest
        from newsdesk.models.embed import prepare_query_encoder

        report = ingest(self.settings, self.embedder, progress=progress)
        # Export the torch-free query encoder while torch is loaded (once per model).
        prepare_query_encoder(self.settings, self.embedder)
        with self._lock:
            # Re-open on the next question: a rebuild may have replaced the collection or
            # moved a damaged store aside, and the old client would still read that one.
            self._retriever = None
        return report

    def is_stale(self) -> str:
        """Why the index does not match the corpus and settings ('' when it does)."""
        from newsdesk.ingest.pipeline import fingerprint

        manifest = Manifest.load(manifest_path(self.settings))
        if manifest is None:
            return "no index yet"
        if manifest.fingerprint != fingerprint(self.settings):
            return "settings changed"
        files, _ = read_corpus(self.settings.corpus, self.settings.max_file_bytes)
        current = {f.source: f.sha256 for f in files}
        indexed = {s: e.sha256 for s, e in manifest.files.items()}
        return "" if current == indexed else "articles changed"

    def ensure_index(self, progress: bool = False) -> IngestReport | None:
        """Ingest when the index is missing or stale; answer from the old one if busy."""
        if not self.is_stale():
            return None
        try:
            return self.ingest(progress=progress)
        except IndexBusy:
            if Manifest.load(manifest_path(self.settings)) is None:
                raise
            return None

    def library(self, allow_private_urls: bool = True) -> Library:
        """The corpus folder to add articles to (files, pages, feeds) and remove them from;
        `ingest` then indexes the change. Private addresses are refused unless allowed."""
        from newsdesk.ingest.add import Library
        from newsdesk.ingest.fetch import Fetcher, FetchPolicy

        s = self.settings
        policy = FetchPolicy(timeout=s.fetch_timeout, max_bytes=s.max_page_bytes,
                             allow_private=allow_private_urls)
        return Library(s.corpus, Fetcher(policy), s.max_file_bytes)

    # -- components -------------------------------------------------------------------
    def embedder(self) -> BaseEmbedding:
        with self._lock:
            if self._embedder is None:
                from newsdesk.models.embed import build_embedder

                self._embedder = build_embedder(self.settings)
            return self._embedder

    def query_embedder(self) -> QueryEmbedder:
        """Embeds questions and candidate sentences: ONNX when exported, else torch."""
        with self._lock:
            if self._query_embedder is None:
                from newsdesk.models.embed import build_query_embedder

                self._query_embedder = build_query_embedder(self.settings, self.embedder)
            return self._query_embedder

    def retriever(self) -> Retriever:
        with self._lock:
            if self._retriever is None:
                from newsdesk.index.store import get_collection, open_client
                from newsdesk.retrieval.retriever import Retriever

                collection = get_collection(open_client(self.settings), self.settings.collection)
                self._retriever = Retriever(self.settings, collection, self.query_embedder())
            return self._retriever

    def extractive(self) -> ExtractiveGenerator:
        with self._lock:
            if self._extractive is None:
                from newsdesk.answer.extractive import ExtractiveGenerator
                from newsdesk.models.embed import token_reader

                embedder = self.query_embedder()
                self._extractive = ExtractiveGenerator(
                    embed=embedder.get_text_embedding_batch,
                    embed_query=embedder.get_query_embedding,
                    files=self.files,
                    threshold=self.settings.refusal_threshold,
                    max_sentences=self.settings.max_answer_sentences,
                    budget=self.settings.sentence_budget,
                    read=token_reader(embedder),
                    reader=self._reader(),
                    reader_always=self.settings.reader_always,
                )
            return self._extractive

    def _reader(self) -> Reader | None:
        """The opt-in short-answer reader (settings.reader): a GGUF model run in-process."""
        if not self.settings.reader:
            return None
        from newsdesk.answer.prompts import load_prompt
        from newsdesk.answer.reader import Reader, unfitted_model, unfitted_prompt
        from newsdesk.models.chat import LocalChatModel

        if importlib.util.find_spec("xllamacpp") is None:
            raise ConfigError("reader: the xllamacpp runtime is not installed "
                              "(pip install -e '.[llm]')")
        s = self.settings
        path = s.reader_model_path()
        model = LocalChatModel(path, n_ctx=READER_CTX, threads=s.local_threads,
                               timeout=s.llm_timeout)
        prompt = load_prompt(s.prompts, "reader")
        # The packaged model's SHA-256 was checked as it was assembled: only a model
        # given by path can differ from the one the fit read with.
        for unfitted in (unfitted_prompt(s.prompts / "reader.txt"),
                         unfitted_model(path) if s.reader_model else None):
            if unfitted:
                logging.getLogger(__name__).warning("%s", unfitted)
        return Reader(model.complete, prompt, path.name)

    def generator(self, name: str | None = None) -> Generator:
        """The named generator (default: the configured one), built once."""
        name = name or self.settings.generator
        with self._lock:
            if name not in self._generators:
                self._generators[name] = generator_entry(name).build(self)
            return self._generators[name]

    # -- read path --------------------------------------------------------------------
    def ask(self, question: str, history: Sequence[Turn | dict | str] | None = None,
            generator: str | None = None, as_of: dt.date | str | None = None) -> Answer:
        """Answer one question (with earlier turns for follow-ups) as of a day (default:
        today): "this week" and "latest" prefer articles published shortly before it."""
        answer = None
        for item in self.stream(question, history, generator, as_of):
            if isinstance(item, Answer):
                answer = item
        assert answer is not None
        return answer

    def stream(self, question: str, history: Sequence[Turn | dict | str] | None = None,
               generator: str | None = None, as_of: dt.date | str | None = None
               ) -> Iterator[str | Answer]:
        """Yield answer text as it is produced, then the final verified `Answer`."""
        t0 = time.perf_counter()
        question = clean_question(question, self.settings.max_question_chars)
        day = as_date(as_of)
        standalone = self.condense(question, history, generator)
        standalone = self.retriever().respell(standalone)  # one spelling per name
        if not content_terms(standalone):
            # "what", "Why?", "Who is he?" with nothing before them: any passage would do
            # as well as another, so no answer is guessed.
            raise BadQuestion(
                "The question names nothing to look for: ask about a person, place, event "
                "or thing, or ask it as a follow-up to an answer.")
        t1 = time.perf_counter()
        told = self._history(question, standalone, day, t0, t1)
        if told is not None:  # "How have … developed since 2021?": the topic's timeline
            yield told.answer
            yield told
            return
        pool = self.retriever().search_pool(standalone, POOL)
        if one_case(question):  # searching ignores case; reading names needs capitals
            standalone = recase(standalone, (p.text for p in pool))
        t2 = time.perf_counter()
        gen = self.generator(generator)
        draft: Draft | None = None
        error = ""
        try:
            for item in gen.stream(standalone, pool, day):
                if isinstance(item, Draft):
                    draft = item
                else:
                    yield item
        except GeneratorUnavailable as exc:
            error = str(exc)
            fallback = self.extractive().answer(standalone, pool, day)
            draft = replace(fallback, generator=f"extractive (fallback: {gen.name} failed)")
        assert draft is not None
        shown = self.rank(standalone, pool, self.settings.top_k, day)  # scores cached by now
        t3 = time.perf_counter()
        citations = [c for c in draft.citations if self.files.verifies(c.source, c.quote, c.start,
                                                                         c.end)]
        short = draft.short
        if short is None and not draft.refused and citations:
            # A model's answer: the short answer is picked among its cited quotes.
            short = self.extractive().short_within(standalone, pool, day, citations)
        if short is not None and not (
                self.files.verifies(short.source, short.text, short.start, short.end)
                and any(c.source == short.source and c.start <= short.start <= short.end <= c.end
                        for c in citations)):
            short = None
        timings = {"rewrite": t1 - t0, "retrieve": t2 - t1, "generate": t3 - t2}
        # Parts of generate, as the extractive generator timed them
        # (`answer.extractive.GENERATE_STAGES`); other generators report none.
        timings.update(draft.notes.get("stages", {}))
        if "reader_seconds" in draft.notes:  # the opt-in reader's part of generate
            timings["read"] = draft.notes["reader_seconds"]
        # The reader failing leaves the plain short answer; the user is told why.
        error = error or (f"reader: {draft.notes['reader_error']}"
                          if "reader_error" in draft.notes else "")
        yield Answer(
            question=question, answer=draft.text, refused=draft.refused, citations=citations,
            passages=shown, generator=draft.generator,
            timings={**timings, "total": time.perf_counter() - t0},
            standalone_question=standalone if standalone != question else "",
            dropped_sentences=draft.dropped, kept_sentences=draft.kept, error=error,
            as_of=day.isoformat(), short_answer=None if draft.refused else short,
            **_agreement(draft, {c.n for c in citations}),
        )

    def timeline(self, topic: str | None = None, as_of: dt.date | str | None = None
                 ) -> list[Event]:
        """The dated events the articles report, oldest first (undated ones last), each
        with a verified quote from every report of it: on `topic`, from a wide retrieval
        pool, or from every article when None. As of a day: later articles left out."""
        from newsdesk.answer.timeline import build_timeline

        topic = clean_question(topic, self.settings.max_question_chars) if topic and (
            topic.strip()) else None
        return build_timeline(self._timeline_pool(topic), self.files, topic, as_date(as_of))

    def _timeline_pool(self, topic: str | None) -> list[Passage]:
        if topic is not None:
            return self.retriever().search_pool(topic, TIMELINE_POOL)
        from newsdesk.retrieval.retriever import passage_from

        collection, out = self.retriever().collection, []
        for offset in range(0, collection.count(), 5000):
            got = collection.get(include=["documents", "metadatas"], limit=5000, offset=offset)
            out += [passage_from(cid, doc or "", dict(meta or {}), 0.0) for cid, doc, meta in
                    zip(got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True)]
        return out

    def _history(self, question: str, standalone: str, day: dt.date, t0: float,
                 t1: float) -> Answer | None:
        """A history question's answer: its topic's timeline (None for other questions,
        or when no dated event is on its topic)."""
        from newsdesk.answer.history import history_question, since, timeline_draft

        asked = history_question(standalone)
        if asked is None:
            return None
        pool = self._timeline_pool(asked.topic)
        t2 = time.perf_counter()
        from newsdesk.answer.timeline import build_timeline

        events = since(build_timeline(pool, self.files, asked.topic, day), asked.since)
        if not any(e.date for e in events):
            return None
        draft = timeline_draft(events)
        cited = {c.source for c in draft.citations}
        shown = self.retriever().shown([p for p in pool if p.source in cited], self.settings.top_k)
        t3 = time.perf_counter()
        return Answer(
            question=question, answer=draft.text, refused=False, citations=draft.citations,
            passages=shown, generator=draft.generator,
            timings={"rewrite": t1 - t0, "retrieve": t2 - t1, "generate": t3 - t2,
                     "total": t3 - t0},
            standalone_question=standalone if standalone != question else "",
            kept_sentences=draft.kept, as_of=day.isoformat())

    def search(self, question: str, k: int, as_of: dt.date | str | None = None) -> list[Passage]:
        """The k passages `ask` would show for a standalone question, best first."""
        question = self.retriever().respell(question)
        pool = self.retriever().search_pool(question, max(k, POOL))
        if one_case(question):
            question = recase(question, (p.text for p in pool))
        return self.rank(question, pool, k, as_date(as_of))

    def rank(self, question: str, pool: list[Passage], k: int,
             as_of: dt.date | None = None) -> list[Passage]:
        """The pool's first POOL passages re-ordered by their best sentence's probability
        of stating the answer (the learned scorer, which also weighs the fused retrieval
        rank), then near-duplicates folded; k of them.

        Fusion ranks passages by their words and their vector as a whole; a passage whose
        one sentence answers the question ("It was released on July 21, 2017") often
        ranks below one that only repeats the question's words.
        """
        head = pool[:POOL]
        best: dict[str, float] = {}
        for scored in self.extractive().score(question, head, as_of):
            best.setdefault(scored.sentence.passage.chunk_id, scored.score)
        place = {p.chunk_id: i for i, p in enumerate(head)}
        ranked = sorted(head, key=lambda p: (-best.get(p.chunk_id, -1.0), place[p.chunk_id]))
        return self.retriever().shown(ranked + pool[POOL:], k)

    def condense(self, question: str, history: Sequence[Turn | dict | str] | None,
                 generator: str | None = None) -> str:
        """A standalone form of a follow-up: by the model's condense prompt when the answer
        generator is a model, else (or if its rewrite is unusable) by carrying entities."""
        turns = as_turns(history)
        if not turns or not needs_context(question):
            return question
        rewritten = self.generator(generator).condense(question, turns)
        return rewritten or rewrite(question, turns)

    def corpus_info(self) -> dict[str, Any]:
        manifest = Manifest.load(manifest_path(self.settings))
        return {
            "corpus": str(self.settings.corpus),
            "articles": len(manifest.files) if manifest else 0,
            "chunks": manifest.chunk_count() if manifest else 0,
            "embedding_model": manifest.fingerprint.get("embed_model", "") if manifest else "",
            "generator": self.settings.generator,
            "reader": self.settings.reader,  # the opt-in short-answer reader is on
            "titles": {s: e.title for s, e in manifest.files.items()} if manifest else {},
        }


# -- the one list of answer generators --------------------------------------------------
@dataclass(frozen=True)
class GeneratorEntry:
    """One answer generator: why it cannot run here ('' when it can), and how to build it."""

    unavailable: Callable[[Settings], str]
    build: Callable[[Assistant], Generator]


def _agreement(draft: Draft, verified: set[int]) -> dict[str, Any]:
    """The draft's corroboration and conflicts, keeping only reports whose quote verified."""
    if draft.refused or draft.corroboration is None:
        return {}
    reports = [r for r in draft.corroboration.reports if r.n in verified]
    copies = sum(bool(r.copy_of) for r in reports)
    return {"corroboration": Corroboration(len(reports) - copies, reports) if reports else None,
            "conflicts": [r for r in draft.conflicts if r.n in verified]
            if all(r.n in verified for r in draft.conflicts) else []}


def _always(settings: Settings) -> str:
    return ""


def _local_unavailable(settings: Settings) -> str:
    if importlib.util.find_spec("xllamacpp") is None:
        return "the xllamacpp runtime is not installed (pip install 'newsdesk[llm]')"
    try:
        settings.local_model_path()
    except ConfigError as exc:
        return str(exc)
    return ""


def _openai_unavailable(settings: Settings) -> str:
    if settings.openai_base_url and settings.openai_model:
        return ""
    return ("generator openai needs openai_base_url and openai_model "
            "(NEWSDESK_OPENAI_BASE_URL, NEWSDESK_OPENAI_MODEL)")


def _build_extractive(assistant: Assistant) -> Generator:
    return assistant.extractive()


def _build_local(assistant: Assistant) -> Generator:
    from newsdesk.models.chat import LocalChatModel

    s = assistant.settings
    return _model_generator(assistant, "local", LocalChatModel(
        s.local_model_path(), n_ctx=s.local_ctx, threads=s.local_threads, timeout=s.llm_timeout))


def _build_openai(assistant: Assistant) -> Generator:
    from newsdesk.models.chat import OpenAIChatModel

    s = assistant.settings
    if reason := _openai_unavailable(s):
        raise ConfigError(reason)
    return _model_generator(assistant, "openai", OpenAIChatModel(
        s.openai_base_url, s.openai_model, api_key=s.openai_api_key, timeout=s.llm_timeout))


def _model_generator(assistant: Assistant, name: str, model: ChatModel) -> Generator:
    from newsdesk.answer.llm import LLMGenerator

    s = assistant.settings
    return LLMGenerator(name, model, s.prompts, assistant.extractive(), s.max_tokens, s.top_k)


GENERATORS: dict[str, GeneratorEntry] = {
    "extractive": GeneratorEntry(_always, _build_extractive),
    "local": GeneratorEntry(_local_unavailable, _build_local),
    "openai": GeneratorEntry(_openai_unavailable, _build_openai),
}


def generator_entry(name: str) -> GeneratorEntry:
    """The registry entry for `name`, or a ConfigError naming the setting and the choices."""
    try:
        return GENERATORS[name]
    except KeyError:
        raise ConfigError(f"generator: unknown generator {name!r}; choose one of "
                          f"{', '.join(GENERATORS)}") from None


def available_generators(settings: Settings) -> list[str]:
    """The generators that can run with these settings, in registry order."""
    return [name for name, entry in GENERATORS.items() if not entry.unavailable(settings)]
