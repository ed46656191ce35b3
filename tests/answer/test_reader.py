"""The opt-in reader: its prompt, its three features, the span model fitted with them, and
the extractive generator's use of it (a fake model here; the real one in
tests/system/test_reader.py)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from newsdesk.answer.cite import FileCache
from newsdesk.answer.extractive import ExtractiveGenerator
from newsdesk.answer.prompts import load_prompt
from newsdesk.answer.reader import MAX_TOKENS, STOP, Reader, unfitted_model, unfitted_prompt
from newsdesk.answer.scorer import Linear
from newsdesk.answer.short import (
    CHOOSE_FROM,
    READER_FEATURES,
    READER_MODEL_FILE,
    SPAN_FEATURES,
    ShortModel,
    candidates,
    reader_features,
)
from newsdesk.errors import GeneratorUnavailable
from newsdesk.nlp.answer_types import question_type
from newsdesk.settings import PROJECT_ROOT
from newsdesk.types import Passage

PROMPTS = PROJECT_ROOT / "prompts"
TEXT = ("Major General Mohammad Bagheri met Russian Defence Minister Sergei Shoigu in "
        "Moscow on Tuesday. Chief of the General Staff Valery Gerasimov joined them. "
        "The two sides discussed regional security.")
QUESTION = "Which Russian official did Bagheri meet?"


class FakeModel:
    """`LocalChatModel.complete` with a fixed reply; records every prompt, and apart from
    them the opening the reader has the model read alone before each."""

    def __init__(self, reply: str | None) -> None:
        self.reply = reply
        self.prompts: list[str] = []
        self.openings: list[str] = []

    def complete(self, prompt: str, max_tokens: int, stop: Sequence[str] = (),
                 opening: str = "") -> str:
        self.openings.append(opening)
        self.prompts.append(prompt)
        assert max_tokens == MAX_TOKENS
        assert tuple(stop) == STOP
        if self.reply is None:
            raise GeneratorUnavailable("the local model failed: it crashed")
        return self.reply


def _reader(model: FakeModel) -> Reader:
    return Reader(model.complete, load_prompt(PROMPTS, "reader"), "fake.gguf")


def _only_reader_weights() -> ShortModel:
    """A span model that weighs nothing but the candidate being the reader's answer."""
    size = len(SPAN_FEATURES) + len(READER_FEATURES)
    weights = [0.0] * size
    weights[len(SPAN_FEATURES)] = 5.0
    return ShortModel(Linear((0.0,) * size, (1.0,) * size, tuple(weights), -2.0), {}, True)


def test_the_prompt_ends_where_the_model_answers() -> None:
    model = FakeModel(" Sergei Shoigu\n")
    reading = _reader(model).read(QUESTION, ["First sentence.", "Second one."])
    assert reading.answer == "Sergei Shoigu"
    assert reading.seconds >= 0
    (prompt,) = model.prompts
    assert prompt.endswith(f"Text: First sentence. Second one.\nQuestion: {QUESTION}\nAnswer:")
    assert prompt.startswith("Answer each question with the shortest phrase copied from the "
                             "text")


def test_each_question_is_read_after_the_same_opening() -> None:
    """The model's cache is reset to the prompt's fixed opening before every question, so
    what was read before cannot change the answer (the real model:
    tests/system/test_reader.py)."""
    model = FakeModel("Sergei Shoigu")
    reader = _reader(model)
    reader.read(QUESTION, ["First sentence."])
    reader.read(QUESTION, ["First sentence."])
    reader.read("Who joined them?", ["Another sentence."])
    assert model.openings == [reader.opening] * 3
    assert reader.opening.endswith("Text:\n")
    assert "$" not in reader.opening
    assert "Harbour Gulls" in reader.opening
    for prompt in model.prompts:
        # the same opening, then the question's own text from a token the cache lacks
        assert prompt.startswith(reader.opening[:-1] + " ")
    assert [p.count("Question:") for p in model.prompts] == [4, 4, 4]


def test_a_dollar_in_the_text_is_kept_as_written() -> None:
    model = FakeModel("$5 million")
    _reader(model).read("How much?", ["It cost $5 million and ${more}."])
    assert "It cost $5 million and ${more}." in model.prompts[0]


@pytest.mark.parametrize(("key", "reading", "expected"), [
    ("sergei shoigu", "sergei shoigu", [1.0, 0.0, 1.0]),
    ("shoigu", "sergei shoigu", [0.0, 1.0, 0.5]),
    ("sergei shoigu", "shoigu", [0.0, 0.0, 0.5]),  # wider than the answer: not inside it
    ("moscow", "sergei shoigu", [0.0, 0.0, 0.0]),
    ("moscow", "", [0.0, 0.0, 0.0]),
])
def test_reader_features(key: str, reading: str, expected: list[float]) -> None:
    assert reader_features(key, reading) == pytest.approx(expected)


def test_the_reading_moves_the_pick() -> None:
    from newsdesk.answer.cite import Sentence

    passage = Passage("a.txt", TEXT, 1.0, 0, len(TEXT))
    first = TEXT.index(" Chief") + 1
    ranked = [(Sentence(passage, 0, first - 1, TEXT[:first - 1]), 0.9),
              (Sentence(passage, first, first + 62, TEXT[first:first + 62]), 0.8)]
    found = candidates(QUESTION, "person", ranked)
    model = _only_reader_weights()
    pick = model.choose(found, "Valery Gerasimov")
    assert pick is not None
    assert pick.key == "valery gerasimov"
    pick = model.choose(found, "Sergei Shoigu.")  # normalized like the gold answers
    assert pick is not None
    assert pick.key == "sergei shoigu"


def test_the_readers_candidate_is_the_pick_even_against_the_features() -> None:
    """A candidate equal to the reader's answer is the pick, whatever the fitted weights
    say of it (rtqa_train CV: 79.0 right picks against 74.2 as a feature only)."""
    from newsdesk.answer.cite import Sentence

    passage = Passage("a.txt", TEXT, 1.0, 0, len(TEXT))
    found = candidates(QUESTION, "person", [(Sentence(passage, 0, len(TEXT), TEXT), 0.9)])
    size = len(SPAN_FEATURES) + len(READER_FEATURES)
    weights = [0.0] * size
    weights[len(SPAN_FEATURES)] = -5.0  # the features alone would avoid the reader's answer
    model = ShortModel(Linear((0.0,) * size, (1.0,) * size, tuple(weights), 0.0), {}, True)
    pick = model.choose(found, "Valery Gerasimov")
    assert pick is not None
    assert pick.key == "valery gerasimov"
    assert pick.probability < max(c.probability for c in found)


def test_the_readers_answer_is_the_pick_when_a_lower_sentence_states_it() -> None:
    """The reader's answer counts when any scored sentence's candidate states it, not only
    the best CHOOSE_FROM sentences' (rtqa_train CV: 83.6 -> 86.6 right picks); without
    it, the pick stays among the best sentences' candidates."""
    from newsdesk.answer.cite import Sentence
    from newsdesk.answer.short import choosable

    texts = ["Major General Mohammad Bagheri met Russian Defence Minister Sergei Shoigu in "
             "Moscow on Tuesday.", "The two sides discussed regional security.",
             "Officials in Tehran welcomed the talks.",
             "Chief of the General Staff Valery Gerasimov joined them."]
    text = " ".join(texts)
    passage = Passage("a.txt", text, 1.0, 0, len(text))
    ranked, at = [], 0
    for n, t in enumerate(texts):
        ranked.append((Sentence(passage, at, at + len(t), t), 0.9 - n / 10))
        at += len(t) + 1
    found = candidates(QUESTION, "person", ranked)
    lower = next(c for c in found if c.key == "valery gerasimov")
    assert not choosable(lower.row)  # stated only by the fourth sentence
    model = _only_reader_weights()
    pick = model.choose(found, "Valery Gerasimov")
    assert pick is lower
    unread = model.choose(found, "Nobody Named")
    assert unread is not None
    assert choosable(unread.row)


def _generator(tmp_path: Path, model: FakeModel) -> ExtractiveGenerator:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    gen = ExtractiveGenerator(lambda ts: [[1.0, 0.0] for _ in ts], lambda q: [1.0, 0.0],
                              FileCache(tmp_path), threshold=0.0, reader=_reader(model))
    gen._short_reader = _only_reader_weights()
    return gen


def test_the_generator_reads_the_best_sentences_and_cuts_the_answer_from_a_quote(
        tmp_path: Path) -> None:
    model = FakeModel(" Valery Gerasimov")
    gen = _generator(tmp_path, model)
    passages = [Passage("a.txt", TEXT, 1.0, 0, len(TEXT))]
    draft = gen.answer(QUESTION, passages)
    assert draft.notes["reader_answer"] == "Valery Gerasimov"
    assert draft.notes["reader_seconds"] >= 0
    (prompt,) = model.prompts
    best = [x.sentence.text for x in gen.score(QUESTION, passages)[:CHOOSE_FROM]]
    assert f"Text: {' '.join(best)}\nQuestion: {QUESTION}\nAnswer:" in prompt
    s = draft.short
    assert s is not None
    assert s.text == "Valery Gerasimov"
    assert TEXT[s.start:s.end] == s.text
    assert any(c.start <= s.start and s.end <= c.end for c in draft.citations)


def test_a_reader_that_fails_leaves_the_plain_pick_and_says_why(tmp_path: Path) -> None:
    gen = _generator(tmp_path, FakeModel(None))
    draft = gen.answer(QUESTION, [Passage("a.txt", TEXT, 1.0, 0, len(TEXT))])
    assert "crashed" in draft.notes["reader_error"]
    assert "reader_answer" not in draft.notes
    plain = ExtractiveGenerator(lambda ts: [[1.0, 0.0] for _ in ts], lambda q: [1.0, 0.0],
                                FileCache(tmp_path), threshold=0.0)
    assert draft.short == plain.answer(QUESTION, [Passage("a.txt", TEXT, 1.0, 0,
                                                          len(TEXT))]).short


def test_the_shipped_reader_model_was_fitted_on_train_with_its_features(
        tmp_path: Path) -> None:
    model = ShortModel.load(READER_MODEL_FILE, reads=True)
    assert model.reads
    assert model.meta["trained_on"] == ["rtqa_train"]
    assert model.meta["reader_model"] == "gemma-3-270m-q4_k_m.gguf"
    assert len(model.meta["reader_sha256"]) == 64
    # Its readings came from the shipped prompt: a changed prompt needs a refit.
    prompt = (PROJECT_ROOT / "prompts" / "reader.txt").read_bytes()
    assert model.meta["reader_prompt_sha256"] == hashlib.sha256(prompt).hexdigest()
    with pytest.raises(ValueError, match="refit"):  # not a plain span model
        ShortModel.load(READER_MODEL_FILE)
    data = json.loads(READER_MODEL_FILE.read_text())
    data["features"] = data["features"][: len(SPAN_FEATURES)]
    (tmp_path / "short_reader.json").write_text(json.dumps(data))
    with pytest.raises(ValueError, match="refit"):
        ShortModel.load(tmp_path / "short_reader.json", reads=True)


def test_the_shipped_gate_weighs_the_shipped_plain_model() -> None:
    """The gate compares short.json's probabilities, so it was fitted with that file."""
    from newsdesk.answer.short import MODEL_FILE

    model = ShortModel.load(READER_MODEL_FILE, reads=True)
    assert model.read_below is not None
    assert 0.0 <= model.read_below <= 1.01
    assert model.meta["plain_model_sha256"] == hashlib.sha256(MODEL_FILE.read_bytes()).hexdigest()
    gate = model.meta["gate"]
    assert gate["right_cv_mean_gated"] >= gate["right_cv_mean_always_reading"]
    for kind in model.unread_types:  # each skipped type lost picks when read
        assert gate["gain_by_type_cv_mean"][kind or "any"] < 0
    assert ShortModel.load(MODEL_FILE).read_below is None  # the plain model has no gate


def test_a_sure_plain_pick_is_not_read(tmp_path: Path) -> None:
    """At or above the gate the reader is not asked and the plain pick stands; below it,
    or with `reader_always`, it reads."""
    passages = [Passage("a.txt", TEXT, 1.0, 0, len(TEXT))]
    plain = _generator(tmp_path, FakeModel(None))
    plain.reader = None
    alone = plain.answer(QUESTION, passages)
    sure = alone.notes["short_probability"]
    assert alone.short is not None
    assert alone.short.text != "Valery Gerasimov"

    def run(gate: float, always: bool = False, unread: frozenset[str] = frozenset()
            ) -> tuple[FakeModel, Any]:
        model = FakeModel(" Valery Gerasimov")
        gen = _generator(tmp_path, model)
        gen.reader_always = always
        # Each model's calibration gives its own picks their chance (made-up ones here:
        # the plain model's picks never right, the reader model's always).
        gen._short = replace(gen.short_model, calibration=(0.0, -10.0, 0.0))
        gen._short_reader = replace(_only_reader_weights(), read_below=gate,
                                    unread_types=unread, calibration=(0.0, 10.0, 0.0))
        return model, gen.answer(QUESTION, passages)

    model, skipped = run(sure)
    assert model.prompts == []
    assert skipped.notes["reader_skipped"] is True
    assert "reader_seconds" not in skipped.notes
    assert skipped.short == replace(alone.short, probability=0.0)
    for gate, always in ((sure + 1e-6, False), (sure, True)):
        model, read = run(gate, always)
        assert len(model.prompts) == 1
        assert "reader_skipped" not in read.notes
        assert read.short is not None
        assert read.short.text == "Valery Gerasimov"
        assert read.short.probability == 1.0
    # A question of a type the gate leaves unread is not read, however unsure the pick.
    model, skipped = run(1.01, unread=frozenset({question_type(QUESTION) or ""}))
    assert model.prompts == []
    assert skipped.short == replace(alone.short, probability=0.0)


def _fit_short() -> Any:
    """`scripts/fit_short.py`, imported as a module."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "fit_short", PROJECT_ROOT / "scripts" / "fit_short.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_fit_picks_as_the_model_does_lists_then_people() -> None:
    """`scripts/fit_short.py` scores a split's picks with `ShortModel.choose`'s rules: a
    list of names when the question asked for several and got one, else a person for a
    who-question, else the likeliest; rows collected before lists were candidates pick
    as before."""
    import numpy as np

    fit_short = _fit_short()
    person = SPAN_FEATURES.index("person_fit")
    rows = [[0.0] * len(SPAN_FEATURES) for _ in range(3)]
    rows[2][person] = 1.0
    z = np.array([3.0, 1.0, 2.0])
    assert fit_short._top({"rows": rows, "lists": [False, True, False]}, z, person) == 1
    assert fit_short._top({"rows": rows, "lists": [False, False, False]}, z, person) == 2
    assert fit_short._top({"rows": rows}, z, person) == 2
    rows[2][person] = 0.0
    assert fit_short._top({"rows": rows}, z, person) == 0


def test_the_calibration_gives_the_chance_held_out_picks_were_right() -> None:
    """`scripts/fit_short.py`'s calibration on made-up questions: where the gold value
    stands out the held-out pick is right, where a wrong one leads by a little it is
    not; the fitted chance is high for the first and low for the second, and the
    reliability table counts each split's picks by their chance."""
    import argparse

    import numpy as np

    fit_short = _fit_short()
    strength = SPAN_FEATURES.index("sentence_score")

    def group(n: int, easy: bool) -> dict:
        rows = [[0.0] * len(SPAN_FEATURES) for _ in range(3)]
        for row, value in zip(rows, (3.0, 0.0, 0.0) if easy else (0.1, 0.2, 0.0),
                              strict=True):
            row[strength] = value + 0.01 * (n % 7)
        return {"keys": [f"gold {n}", f"wrong {n}", f"other {n}"], "rows": rows,
                "labels": [True, False, False]}

    groups = [group(n, n % 2 == 0) for n in range(40)]
    args = argparse.Namespace(seed=0, folds=5, c=1.0)
    calibration, stats = fit_short.fit_calibration(
        [fit_short.held_out_picks(groups, args.folds, args.c, seed) for seed in (0, 1)])
    platt = calibration["pick_calibration"]
    assert platt["slope"] > 0
    assert platt["number"] == 0.0  # no pick is a number: no offset for one
    assert stats["held_out_picks"] == 80
    assert stats["right_share"] == 0.5

    def chance(group: dict) -> float:
        model = fit_short.fit(groups, args.c, args.seed)
        z, _, _ = fit_short._pick(group, model, SPAN_FEATURES.index("person_fit"))
        return float(1 / (1 + np.exp(-(platt["slope"] * z + platt["intercept"]))))

    assert chance(groups[0]) > 0.8
    assert chance(groups[1]) < 0.2
    assert sum(b["picks_per_split"] for b in stats["by_chance"].values()) == 40


def test_the_calibration_gives_numbers_their_own_offset_where_it_tells() -> None:
    """Where number picks lead their question's other numbers by as little as a wrong
    name leads the gold one, their logits are as low, yet they are right: the pick's
    logit alone cannot tell them apart, an offset for numbers can. It is fitted, and it
    is kept because it lowers the log loss on questions held out of the calibration."""
    import argparse

    import numpy as np

    fit_short = _fit_short()
    strength = SPAN_FEATURES.index("sentence_score")
    number = SPAN_FEATURES.index("is_number")

    def group(n: int, kind: str) -> dict:
        rows = [[0.0] * len(SPAN_FEATURES) for _ in range(3)]
        values = {"easy": (3.0, 0.0, 0.0), "hard": (0.1, 0.2, 0.0), "count": (0.2, 0.1, 0.0)}
        for row, value in zip(rows, values[kind], strict=True):
            row[strength] = value + 0.01 * (n % 7)
            row[number] = float(kind == "count")
        return {"keys": [f"gold {n}", f"wrong {n}", f"other {n}"], "rows": rows,
                "labels": [True, False, False]}

    groups = [group(n, ("easy", "hard", "count")[n % 3]) for n in range(60)]
    args = argparse.Namespace(seed=0, folds=5, c=1.0)
    picks = [fit_short.held_out_picks(groups, args.folds, args.c, seed) for seed in (0, 1)]
    assert all(p.row[number] == (p.question % 3 == 2) for split in picks for p in split)
    calibration, stats = fit_short.fit_calibration(picks)
    platt = calibration["pick_calibration"]
    losses = stats["held_out_log_loss"]
    assert losses["logit_and_number"] < losses["logit"]
    assert platt["number"] > 1.0
    assert stats["number_picks"] == 40
    assert stats["number_right_share"] == 1.0

    def chance(n: int) -> float:
        model = fit_short.fit(groups, args.c, args.seed)
        z, _, row = fit_short._pick(groups[n], model, SPAN_FEATURES.index("person_fit"))
        return float(1 / (1 + np.exp(-(platt["slope"] * z + platt["intercept"]
                                       + platt["number"] * row[number]))))

    assert chance(2) > 0.5 > chance(1)  # a count, and a name a wrong value leads


def test_the_gate_skips_the_types_reading_loses_and_the_sure_picks() -> None:
    """`scripts/fit_short.py`'s gate on made-up questions: where the plain model is sure it
    is right, reading is skipped; where it is unsure, the reader's answer is gold, except
    for counts, where the reader names a wrong value and the plain pick is right."""
    import argparse

    fit_short = _fit_short()
    width = len(SPAN_FEATURES) + len(READER_FEATURES)
    strength = SPAN_FEATURES.index("sentence_score")

    def group(n: int, kind: str) -> dict:
        rows = [[0.0] * width for _ in range(3)]
        # easy: the gold value stands out; hard: a wrong one leads by a little; count:
        # the gold one leads by a little, and the reader names the wrong one
        values = {"easy": (3.0, 0.0, 0.0), "hard": (0.1, 0.2, 0.0), "count": (0.2, 0.1, 0.0)}
        for row, value in zip(rows, values[kind], strict=True):
            row[strength] = value + 0.01 * (n % 7)
        said = 1 if kind == "count" else 0
        rows[said][len(SPAN_FEATURES)] = 1.0  # reader_equal
        keys = [f"gold {n}", f"wrong {n}", f"other {n}"]
        return {"keys": keys, "rows": rows, "labels": [True, False, False],
                "reading": keys[said], "said": (keys, [True, False, False], rows),
                "qtype": "number" if kind == "count" else ""}

    groups = [group(n, ("easy", "hard", "count")[n % 3]) for n in range(60)]
    args = argparse.Namespace(seed=0, repeats=2, folds=5, c=1.0)
    gate, stats = fit_short.fit_gate(groups, args, len(SPAN_FEATURES))
    assert gate["unread_types"] == ["number"]
    assert stats["gain_by_type_cv_mean"]["number"] < 0
    assert stats["right_cv_mean_always_reading"] == 40  # the counts are lost
    assert stats["right_cv_mean_gated"] == 60
    assert gate["read_below"] < 1.01
    assert stats["read_share_cv"] <= 0.4  # the hard third, and no more


def test_a_prompt_the_fit_did_not_read_with_is_named(tmp_path: Path) -> None:
    """The shipped prompt matches the shipped fit; an edited copy gets a message naming
    it and the refit; a fit that records no prompt says nothing."""
    shipped = PROJECT_ROOT / "prompts" / "reader.txt"
    assert unfitted_prompt(shipped) is None
    edited = tmp_path / "reader.txt"
    edited.write_text(shipped.read_text() + "\nBe brief.\n")
    message = unfitted_prompt(edited)
    assert message is not None
    assert str(edited) in message
    assert "scripts/fit_short.py --reader" in message
    data = json.loads(READER_MODEL_FILE.read_text())
    del data["meta"]["reader_prompt_sha256"]
    (tmp_path / "old_fit.json").write_text(json.dumps(data))
    assert unfitted_prompt(edited, tmp_path / "old_fit.json") is None


def test_a_model_the_fit_did_not_read_with_is_named(tmp_path: Path) -> None:
    """The model file the fit read with passes; another file gets a message naming it and
    the refit; a fit that records no model, or a file that cannot be read, says nothing
    here (loading it reports that)."""
    fitted, other = tmp_path / "fitted.gguf", tmp_path / "other.gguf"
    fitted.write_bytes(b"GGUF the fitted model")
    other.write_bytes(b"GGUF another model")
    data = json.loads(READER_MODEL_FILE.read_text())
    data["meta"]["reader_sha256"] = hashlib.sha256(fitted.read_bytes()).hexdigest()
    fit = tmp_path / "fit.json"
    fit.write_text(json.dumps(data))
    assert unfitted_model(fitted, fit) is None
    message = unfitted_model(other, fit)
    assert message is not None
    assert str(other) in message
    assert f"scripts/fit_short.py --reader {other}" in message
    assert unfitted_model(tmp_path / "missing.gguf", fit) is None
    del data["meta"]["reader_sha256"]
    fit.write_text(json.dumps(data))
    assert unfitted_model(other, fit) is None


def test_a_pick_from_a_lower_sentence_is_quoted_first(tmp_path: Path) -> None:
    """When the reader's answer is stated only below the best CHOOSE_FROM sentences, the
    answer quotes that sentence first, so the short answer is still cut from a quote."""
    texts = ["Major General Mohammad Bagheri met Russian Defence Minister Sergei Shoigu in "
             "Moscow on Tuesday.",
             "The Russian official Bagheri met was Defence Minister Sergei Shoigu, officials "
             "said.",
             "Which Russian official Bagheri met was announced by Russian Defence Minister "
             "Sergei Shoigu.",
             "The Russian official Bagheri met also spoke about Syria with Sergei Shoigu.",
             "Later in the day, Chief of Staff Valery Gerasimov joined them."]
    text = " ".join(texts)
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    gen = ExtractiveGenerator(lambda ts: [[1.0, 0.0] for _ in ts], lambda q: [1.0, 0.0],
                              FileCache(tmp_path), threshold=0.0,
                              reader=_reader(FakeModel(" Valery Gerasimov")))
    gen._short_reader = _only_reader_weights()
    passages = [Passage("a.txt", text, 1.0, 0, len(text))]
    best = [x.sentence.text for x in gen.score(QUESTION, passages)[:CHOOSE_FROM]]
    assert not any("Gerasimov" in t for t in best)
    draft = gen.answer(QUESTION, passages)
    s = draft.short
    assert s is not None
    assert s.text == "Valery Gerasimov"
    assert draft.text.startswith(texts[-1])
    assert any(c.start <= s.start and s.end <= c.end for c in draft.citations)
