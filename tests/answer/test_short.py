"""Short answers: candidate spans, their pooling across articles, and the fitted model."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

from newsdesk.answer.cite import FileCache, Sentence
from newsdesk.answer.extractive import ExtractiveGenerator
from newsdesk.answer.short import (
    CHOOSE_FROM,
    MODEL_FILE,
    PARSED,
    READER_MODEL_FILE,
    SENTENCES,
    SPAN_FEATURES,
    Candidate,
    ShortModel,
    _label_of,
    asked_for,
    asked_many,
    candidates,
    name_lists,
    normalize,
    sentence_spans_of,
)
from newsdesk.models.parser import parse
from newsdesk.types import Passage


def _sentence(text: str, source: str = "a.txt", offset: int = 0, title: str = "") -> Sentence:
    passage = Passage(source, text, 1.0, offset, offset + len(text), title=title)
    return Sentence(passage, offset, offset + len(text), text)


def _texts(spans: list) -> set[str]:
    return {s.text for s in spans}


def test_spans_of_each_kind_keep_file_offsets() -> None:
    s = _sentence("On Monday, October 18, 2021, Major General Mohammad Bagheri met Sergei "
                  "Shoigu in Moscow, where 4,000 troops and $1.5 billion were discussed.",
                  offset=100)
    dates = _texts(sentence_spans_of(s, {"date"}))
    assert "Monday, October 18, 2021" in dates
    assert not dates & {"October 18, 2021", "2021"}  # the most precise date only
    numbers = _texts(sentence_spans_of(s, {"number"}))
    assert {"4,000", "4,000 troops", "$1.5 billion"} <= numbers
    assert not numbers & {"18", "2021"}  # a date's digits are not a count
    names = sentence_spans_of(s, {"name"})
    assert {"Mohammad Bagheri", "Bagheri", "Sergei Shoigu", "Moscow"} <= _texts(names)
    assert any(n.text == "Major General Mohammad Bagheri" and n.whole_run for n in names)
    for span in sentence_spans_of(s, {"date", "number", "name", "phrase"}):
        assert s.text[span.start - 100 : span.end - 100] == span.text


def test_phrases_skip_stopword_edges_and_punctuation() -> None:
    s = _sentence("Severe weather caused delays, and headaches for travelers.")
    phrases = _texts(sentence_spans_of(s, {"phrase"}))
    assert {"Severe weather", "Severe weather caused delays", "headaches"} <= phrases
    assert not any(p.startswith(("and ", "for ")) or p.endswith(" for") for p in phrases)
    assert "delays, and headaches" not in phrases


def test_what_the_question_says_is_no_answer_and_repeats_pool() -> None:
    question = "Which Russian official did Bagheri meet in Moscow?"
    one = _sentence("Bagheri met Shoigu in Moscow on Tuesday.", "a.txt")
    two = _sentence("Shoigu welcomed Bagheri to Moscow.", "b.txt")
    three = _sentence("Bagheri also met Gerasimov.", "a.txt", offset=50)
    found = {c.key: c for c in candidates(question, "person", [(one, 0.9), (two, 0.6),
                                                               (three, 0.5)])}
    assert "bagheri" not in found
    assert "moscow" not in found
    shoigu, gerasimov = found["shoigu"], found["gerasimov"]
    row = dict(zip(SPAN_FEATURES, shoigu.row, strict=True))
    other = dict(zip(SPAN_FEATURES, gerasimov.row, strict=True))
    assert len(shoigu.spans) == 2
    assert shoigu.best.sentence is one
    assert row["support"] > other["support"]
    assert row["mass"] == pytest.approx(1.5)
    assert other["mass"] == pytest.approx(0.5)
    assert row["type_fit"] == 1.0
    assert row["is_name"] == 1.0


def test_normalize_is_squads() -> None:
    assert normalize("The  Giving-Tuesday!") == normalize("giving tuesday")
    assert normalize("an Ababil") == "ababil"


def test_shipped_model_loads_and_a_foreign_one_is_refused(tmp_path: Path) -> None:
    model = ShortModel.load()
    assert model.meta["trained_on"] == ["rtqa_train"]
    # Both span models saw the candidates the code makes: a changed count of sentences
    # (searched, chosen from or parsed) changes the rows, and needs a refit.
    for fitted in (model, ShortModel.load(READER_MODEL_FILE, reads=True)):
        assert (fitted.meta["sentences"], fitted.meta["choose_from"], fitted.meta["parsed"]) \
            == (SENTENCES, CHOOSE_FROM, PARSED)
    data = json.loads(MODEL_FILE.read_text())
    data["features"] = data["features"][::-1]
    (tmp_path / "short.json").write_text(json.dumps(data))
    with pytest.raises(ValueError, match="refit"):
        ShortModel.load(tmp_path / "short.json")


def test_a_picks_chance_is_its_calibrated_probability(tmp_path: Path) -> None:
    """`ShortModel.chance` maps a pick's probability through the file's calibration
    (monotone, an even chance where slope * logit + intercept is 0); a file without one
    gives no chance, and a malformed one is refused."""
    data = json.loads(MODEL_FILE.read_text())
    data["pick_calibration"] = {"slope": 0.5, "intercept": 1.0}
    (tmp_path / "short.json").write_text(json.dumps(data))
    model = ShortModel.load(tmp_path / "short.json")

    def pick(p: float, kind: str = "is_name") -> Candidate:
        row = [0.0] * len(SPAN_FEATURES)
        row[SPAN_FEATURES.index(kind)] = 1.0
        return Candidate("x", row=row, probability=p)

    even = 1 / (1 + math.exp(2.0))  # logit -2: 0.5 * -2 + 1 = 0
    assert model.chance(pick(even)) == pytest.approx(0.5)
    assert model.chance(pick(even, "is_number")) == pytest.approx(0.5)  # no offset given
    assert model.chance(pick(0.05)) < model.chance(pick(0.2)) < model.chance(pick(0.9))
    assert 0.0 < model.chance(pick(0.0)) < model.chance(pick(1.0)) < 1.0
    # A number's offset moves numbers only: logit -2 plus 1.5 for a number.
    data["pick_calibration"] = {"slope": 0.5, "intercept": 1.0, "number": 1.5}
    (tmp_path / "short.json").write_text(json.dumps(data))
    offset = ShortModel.load(tmp_path / "short.json")
    assert offset.chance(pick(even)) == pytest.approx(0.5)
    assert offset.chance(pick(even, "is_number")) == pytest.approx(1 / (1 + math.exp(-1.5)))
    data.pop("pick_calibration")
    (tmp_path / "short.json").write_text(json.dumps(data))
    assert ShortModel.load(tmp_path / "short.json").chance(pick(0.9)) is None
    for bad in ({"slope": "steep"}, {"slope": 0.5, "intercept": 1.0, "number": "high"}):
        data["pick_calibration"] = bad
        (tmp_path / "short.json").write_text(json.dumps(data))
        with pytest.raises(ValueError, match="pick_calibration"):
            ShortModel.load(tmp_path / "short.json")


def test_the_answer_is_cut_from_a_cited_quote(tmp_path: Path) -> None:
    text = ("Major General Mohammad Bagheri met Russian Defence Minister Sergei Shoigu in "
            "Moscow on Tuesday. The two sides discussed regional security. "
            "They also talked about the weather in the capital.")
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    gen = ExtractiveGenerator(lambda ts: [[1.0, 0.0] for _ in ts], lambda q: [1.0, 0.0],
                              FileCache(tmp_path), threshold=0.0)
    draft = gen.answer("Which Russian minister did Bagheri meet in Moscow?",
                       [Passage("a.txt", text, 1.0, 0, len(text))])
    assert not draft.refused
    assert draft.short is not None
    s = draft.short
    assert text[s.start : s.end] == s.text
    assert any(c.start <= s.start and s.end <= c.end for c in draft.citations)
    assert "Shoigu" in s.text
    assert "weather" not in draft.text  # the padding sentence is gone


def test_parsed_entities_and_phrases_are_candidates_with_their_kind() -> None:
    question = "Which representative is the ethics committee investigating?"
    s = _sentence("The committee is investigating a complaint concerning Rep. Alexandria "
                  "Ocasio-Cortez, and the late President John F. Kennedy was mentioned.")
    found = {c.key: dict(zip(SPAN_FEATURES, c.row, strict=True))
             for c in candidates(question, None, [(s, 0.9)])}
    assert found["alexandria ocasio cortez"]["ent_person"] == 1.0
    assert found["john f kennedy"]["ent_person"] == 1.0
    assert found["president john"]["crosses_entity"] == 1.0  # cuts "John F. Kennedy"
    assert found["complaint"]["noun_phrase"] == 1.0
    # "investigating" is the question's word: the complaint hangs from it, Kennedy not.
    assert found["complaint"]["tree_hops"] < found["john f kennedy"]["tree_hops"]


@pytest.mark.parametrize(("question", "asked"), [
    ("Which sea is mentioned among the potentials of the two countries?", "sea"),
    ("Iran showcased a replica of which air defense system?", "air defense system"),
    ("How many people were evacuated from the town?", None),
    ("Who greeted the Russian defence minister?", "person"),
    ("Where was the forum held this year?", "place"),
    ("What did the minister say about sanctions?", None),
])
def test_the_question_names_what_it_asks_for(question: str, asked: str | None) -> None:
    assert asked_for(question) == asked


def test_the_slot_fit_is_the_candidates_likeness_to_what_is_asked() -> None:
    """With the encoder, a candidate close in meaning to the asked-for phrase ("sea")
    gets a high slot fit and its products with the sentence score; without one, or in a
    sentence it cannot be chosen from, the fit is 0."""
    near = {"sea", "Caspian"}

    def embed(texts: list[str]) -> list[list[float]]:
        return [[3.0, 0.0] if t in near else [0.0, 2.0] for t in texts]

    question = "Which sea did the ministers name as a potential of the two countries?"
    best = _sentence("The ministers named the Caspian and Tehran as potentials.", "a.txt")
    rest = [(_sentence(f"Filler sentence number {i} names Baku.", f"{i}.txt"), 0.1)
            for i in range(CHOOSE_FROM)]
    ranked = [(best, 0.8), *rest]
    found = {c.key: dict(zip(SPAN_FEATURES, c.row, strict=True))
             for c in candidates(question, None, ranked, embed=embed)}
    assert found["caspian"]["slot_fit"] == pytest.approx(1.0)
    assert found["caspian"]["sentence_score*slot_fit"] == pytest.approx(0.8)
    assert found["tehran"]["slot_fit"] == pytest.approx(0.0)
    assert found["baku"]["slot_fit"] == 0.0  # first named past the choosable sentences
    plain = {c.key: dict(zip(SPAN_FEATURES, c.row, strict=True))
             for c in candidates(question, None, ranked)}
    assert plain["caspian"]["slot_fit"] == 0.0


def test_a_count_question_gets_no_ordinal() -> None:
    s = _sentence("It was the first study to find that vaccines saved 3.2 million lives.")
    count = {c.key for c in candidates("How many lives did vaccines save?", "number",
                                       [(s, 0.9)])}
    assert "3 2 million" in count
    assert "first" not in count
    rank = {c.key for c in candidates("Which place did the study take?", None, [(s, 0.9)])}
    assert "first" in rank


def test_a_number_is_offered_without_its_hedge() -> None:
    s = _sentence("About 3,000 troops came, and damage was more than 50 billion dollars.")
    found = {c.key for c in candidates("How many troops came?", "number", [(s, 0.9)])}
    assert {"3 000", "3 000 troops", "50 billion"} <= found
    assert not any(k.startswith(("about", "more than")) for k in found)


def test_the_outlet_credit_is_no_candidate() -> None:
    """"(CNN)" opening a report and "| CNN" after a page title name the publisher; the
    same outlet named in the report's words is still a candidate."""
    opening = _sentence("(CNN) The Emmy for drama series went to Succession on Monday.")
    title = _sentence("Cubans to decide on same-sex marriage in referendum | CNN", offset=80)
    said = _sentence("CNN reported that Cuba approved the new family code.", offset=160)
    question = "Which show won the Emmy, according to the report?"
    found = {c.key: c for c in candidates(question, None, [(opening, 0.9), (title, 0.8)])}
    assert "succession" in found
    assert "cnn" not in found
    with_said = {c.key: c for c in candidates(question, None, [(opening, 0.9), (said, 0.5)])}
    assert [(x.start, x.end) for x in with_said["cnn"].spans] == [(160, 163)]


def test_names_listed_together_for_a_question_asking_for_two() -> None:
    """"Which two supermarkets" wants both names: "Kroger and Albertsons" is a candidate
    (one value in either order) and the pick; two of three listed names, or a list for a
    question that asks for one thing, are not."""
    assert (asked_many("Which two major supermarkets plan to merge?"),
            asked_many("What three countries signed?"),
            asked_many("Which team won both games?")) == (2, 3, 0)

    def lists(text: str, count: int) -> list[tuple[str, tuple[str, ...]]]:
        return [(text[a:b], parts) for a, b, parts in name_lists(text, count, parse([text])[0])]

    assert lists("In a mega-deal in America, Kroger and Albertsons announced plans to "
                 "merge.", 2) == [("Kroger and Albertsons", ("kroger", "albertsons"))]
    assert lists("The Houston Astros & Philadelphia Phillies meet on Friday.", 2) == [
        ("Houston Astros & Philadelphia Phillies", ("houston astros", "philadelphia phillies"))]
    assert lists("Paris, Rome and Berlin signed the pact.", 2) == []  # two of three
    assert lists("Paris, Rome and Berlin signed the pact.", 3) == [
        ("Paris, Rome and Berlin", ("paris", "rome", "berlin"))]
    # "and" between two names that are no list: a possessive, and two phrases
    assert lists("The Astros won as Javier and Houston's bullpen blanked the Phillies.", 2) == []
    assert lists("Kroger met the chief of Albertsons and its staff.", 2) == []

    question = "Which two major supermarkets plan to merge in 2024?"
    deal = _sentence("In a mega-deal, Kroger and Albertsons announced Friday plans to merge.")
    other = _sentence("Albertsons and Kroger would close some stores, Kroger said.", "b.txt")
    model = ShortModel.load()
    found = candidates(question, "name", [(deal, 0.6), (other, 0.5)])
    pair = next(c for c in found if c.key == "kroger and albertsons")
    assert {x.sentence.passage.source for x in pair.spans} == {"a.txt", "b.txt"}
    assert model.choose(found) is pair
    assert pair.best.text == "Kroger and Albertsons"
    # One name the best sentence states is likelier on the model's weights alone; the
    # question asks for two, so the list the next sentence gives is the pick.
    top = _sentence("Kroger plans to merge with a rival chain in 2024, Kroger said.", "c.txt")
    found = candidates(question, "name", [(top, 0.9), (deal, 0.2)])
    pick = model.choose(found)
    alone = next(c for c in found if c.key == "kroger")
    assert pick is not None
    assert pick.key == "kroger and albertsons"
    assert alone.probability > pick.probability
    single = candidates("Which supermarket plans to merge?", "name", [(deal, 0.6)])
    assert not any(c.best.parts for c in single)


def test_the_context_fit_reads_a_candidate_in_its_sentence() -> None:
    """The mean of the candidate's word-piece states, by their offsets, against the
    question's vector: pieces that overlap the span count, the others do not; without the
    states (or past the choosable sentences) the fit is 0."""
    question = "The COO of which company was arrested?"
    best = _sentence("Beyond Meat COO Doug Ramsey was arrested.", "a.txt")
    rest = [(_sentence(f"Filler sentence number {i} names Acme Corp.", f"{i}.txt"), 0.1)
            for i in range(CHOOSE_FROM)]
    ranked = [(best, 0.8), *rest]
    read_texts: list[list[str]] = []

    def embed(texts: list[str]) -> list[list[float]]:
        return [[2.0, 0.0] if t == question else [0.0, 1.0] for t in texts]

    def read(texts: list[str]) -> list[tuple[list[list[float]], list[tuple[int, int]]]]:
        read_texts.append(texts)
        out = []
        for text in texts:
            pieces = [(m.start(), m.end()) for m in re.finditer(r"\w+", text)]
            # "Beyond" and "Meat" lean to the question's direction, "Doug" half-way
            lean = {"Beyond": [1.0, 0.0], "Meat": [3.0, 0.0], "Doug": [1.0, 1.0]}
            out.append(([lean.get(text[a:b], [0.0, 1.0]) for a, b in pieces], pieces))
        return out

    found = {c.key: dict(zip(SPAN_FEATURES, c.row, strict=True))
             for c in candidates(question, None, ranked, embed=embed, read=read)}
    assert found["beyond meat"]["context_fit"] == pytest.approx(1.0)
    assert found["doug ramsey"]["context_fit"] == pytest.approx(0.5 / (0.5**2 + 1) ** 0.5)
    assert found["acme corp"]["context_fit"] == 0.0  # first named past the choosable sentences
    assert read_texts == [[best.text, *(s.text for s, _ in rest[:CHOOSE_FROM - 1])]]
    plain = {c.key: dict(zip(SPAN_FEATURES, c.row, strict=True))
             for c in candidates(question, None, ranked, embed=embed)}
    assert plain["beyond meat"]["context_fit"] == 0.0


def test_spacy_reads_only_the_best_parsed_sentences(monkeypatch: pytest.MonkeyPatch) -> None:
    """The best PARSED sentences are parsed with the question, in one pass; the ones
    below still offer the names, dates and numbers found without spaCy and still count
    as support, but have no entities and no tree (their words are "far")."""
    from newsdesk.answer import short

    seen: list[list[str]] = []
    real = short.parse

    def recording(texts: list[str]) -> list:
        seen.append(list(texts))
        return real(texts)

    monkeypatch.setattr(short, "parse", recording)
    question = "Who met the minister in Moscow?"
    ranked = [(_sentence(f"Sergei Shoigu met the minister in Moscow on day {i}.", f"{i}.txt"),
               0.9 - i / 100) for i in range(PARSED + 1)]
    ranked.append((_sentence("Valery Gerasimov met the minister.", "late.txt"), 0.1))
    found = {c.key: dict(zip(SPAN_FEATURES, c.row, strict=True))
             for c in candidates(question, "person", ranked)}
    assert seen[0] == [question, *(s.text for s, _ in ranked[:PARSED])]
    assert found["sergei shoigu"]["support"] == pytest.approx(math.log1p(PARSED + 1))
    assert found["sergei shoigu"]["ent_person"] == 1.0
    late = found["valery gerasimov"]
    assert late["ent_person"] == 0.0
    assert late["tree_hops"] == pytest.approx(math.log1p(8))


def test_a_piece_of_a_name_and_a_bare_title_are_marked() -> None:
    s = _sentence("Florida Gov. Ron DeSantis met Emmanuel Macron in Tampa on Monday.")
    found = {c.key: dict(zip(SPAN_FEATURES, c.row, strict=True))
             for c in candidates("Who met the French president?", "person", [(s, 0.9)])}
    assert found["gov"]["only_titles"] == 1.0
    assert found["ron desantis"]["only_titles"] == 0.0
    assert found["emmanuel"]["inside_entity"] == 1.0  # a piece of spaCy's PERSON
    assert found["emmanuel macron"]["inside_entity"] == 0.0


def test_the_label_fit_is_spacys_kind_for_the_asked_noun() -> None:
    """"Which show" asks for what spaCy calls a WORK_OF_ART, "which company" for an ORG;
    a noun outside the list (or a who-question) gives no label fit to anything."""
    s = _sentence("The drama Succession won the award, HBO said.")

    def fits(question: str) -> dict[str, float]:
        return {c.key: dict(zip(SPAN_FEATURES, c.row, strict=True))["label_fit"]
                for c in candidates(question, None, [(s, 0.9)])}

    show = fits("Which show won the top award?")
    assert show["succession"] == 1.0
    assert show["hbo"] == 0.0
    company = fits("Which companies said the drama won?")  # a plural asks for the same kind
    assert company["hbo"] == 1.0
    assert company["succession"] == 0.0
    assert set(fits("Which thing won the award?").values()) == {0.0}
    assert [_label_of(n) for n in ("movies", "businesses", "series", "thing", "")] == [
        "WORK_OF_ART", "ORG", "WORK_OF_ART", None, None]


def _hashed_embed(seed: int, calls: list[list[str]]):
    """A fake encoder: each text a fixed pseudo-random 3-d vector (cosines spread over
    [-1, 1]); `calls` records what it was asked."""
    import hashlib

    def embed(texts: list[str]) -> list[list[float]]:
        calls.append(list(texts))
        out = []
        for t in texts:
            digest = hashlib.sha256(f"{seed}:{t}".encode()).digest()
            out.append([b / 255 - 0.5 for b in digest[:3]])
        return out

    return embed


_MANY = [
    "Officials in Geneva said the Caspian Sea summit drew 4,000 delegates from Iran, Russia "
    "and Kazakhstan, and the Azerbaijani oil minister Parviz Shahbazov spoke first.",
    "The new pipeline across the Caspian, built by Gazprom and BP for $3 billion, opened "
    "on Monday near Baku with Prime Minister Ali Asadov.",
    "Environmental groups from Greenpeace warned that sturgeon stocks in the Volga delta "
    "fell by 90 percent since 1990, the United Nations reported.",
    "Fishermen in Astrakhan and Atyrau blamed the drought.",
]


@pytest.mark.parametrize(("seed", "question", "qtype"), [
    *((seed, "Which sea did the ministers name as the region's most important route?", None)
      for seed in range(6)),
    # a who-question: `ShortModel.choose` picks among the people when any are named
    *((seed, "Who did the ministers name as the region's most important voice?", "person")
      for seed in range(6)),
])
@pytest.mark.parametrize("at_a_time", [1, 32])
def test_bounded_slot_fits_keep_the_pick_and_every_possible_contradiction(
        seed: int, question: str, qtype: str | None, at_a_time: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Measuring only the slot fits the plain model's choice can depend on leaves its
    pick, and every candidate likely enough to contradict it (CONFLICT_SHARE of its
    probability: `answer.agreement`), exactly as measuring all would; the rest are
    overstated, never understated; and fewer candidates are measured."""
    from newsdesk.answer import short
    from newsdesk.answer.short import _PERSON_FIT, CONFLICT_SHARE

    monkeypatch.setattr(short, "SLOT_ROUND", at_a_time)
    model = ShortModel.load()
    ranked = [(_sentence(text, f"{i}.txt"), 0.9 - 0.2 * i) for i, text in enumerate(_MANY)]
    every: list[list[str]] = []
    some: list[list[str]] = []
    exact = candidates(question, qtype, ranked, embed=_hashed_embed(seed, every))
    bounded = candidates(question, qtype, ranked, embed=_hashed_embed(seed, some), bound=model)
    if qtype == "person":
        assert any(c.row[_PERSON_FIT] for c in exact)
    pick = model.choose(exact)
    again = model.choose(bounded)
    assert pick is not None
    assert again is not None
    assert again.key == pick.key
    assert again.probability == pytest.approx(pick.probability, abs=1e-12)
    by_key = {c.key: c for c in bounded}
    for c in exact:
        other = by_key[c.key]
        assert other.probability >= c.probability - 1e-12
        if c.probability >= CONFLICT_SHARE * pick.probability:
            assert other.row == pytest.approx(c.row, abs=1e-12)
    measured = {t for call in some for t in call}
    assert len(measured) < len({t for call in every for t in call})


def test_the_context_fit_takes_the_questions_vector_from_retrieval() -> None:
    """With `embed_query` (the vector retrieval computed, kept by the encoder), the
    question is not run through `embed` again."""
    question = "The COO of which company was arrested?"
    best = _sentence("Beyond Meat COO Doug Ramsey was arrested.", "a.txt")
    calls: list[list[str]] = []
    embed = _hashed_embed(0, calls)

    def read(texts: list[str]) -> list[tuple[list[list[float]], list[tuple[int, int]]]]:
        return [([[1.0, 0.0, 0.0] for _ in re.finditer(r"\w+", t)],
                 [(m.start(), m.end()) for m in re.finditer(r"\w+", t)]) for t in texts]

    asked: list[str] = []

    def embed_query(text: str) -> list[float]:
        asked.append(text)
        return [1.0, 0.0, 0.0]

    found = {c.key: dict(zip(SPAN_FEATURES, c.row, strict=True)) for c in candidates(
        question, None, [(best, 0.8)], embed=embed, read=read, embed_query=embed_query)}
    assert asked == [question]
    assert all(question not in call for call in calls)
    assert found["beyond meat"]["context_fit"] == pytest.approx(1.0)


def test_bounded_slot_fits_pick_among_the_people_for_a_who_question(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """`ShortModel.choose` answers a who-question with a person when one is named, so
    the bound measures people until the best of them is settled, however far ahead a
    place is: here the unmeasured John Smith could look better than Mary Jones, whose
    fit, once measured, makes her the pick."""
    from newsdesk.answer import short
    from newsdesk.answer.scorer import Linear

    monkeypatch.setattr(short, "SLOT_ROUND", 1)
    weights = [0.0] * len(SPAN_FEATURES)
    weights[SPAN_FEATURES.index("sentence_score")] = 10.0
    weights[SPAN_FEATURES.index("slot_fit")] = 4.0
    n = len(SPAN_FEATURES)
    # Probabilities small enough that people half as likely as Paris do not contradict it
    model = ShortModel(Linear((0.0,) * n, (1.0,) * n, tuple(weights), -20.0), {})
    ranked = [(_sentence("Paris hosted it.", "a.txt"), 0.9),
              (_sentence("John Smith spoke.", "b.txt"), 0.35),
              (_sentence("Mary Jones spoke.", "c.txt"), 0.3)]
    like = {"person": [1.0, 0.0], "Paris": [1.0, 0.0], "Mary Jones": [1.0, 0.0],
            "John Smith": [-1.0, 0.0]}

    def embed(texts: list[str]) -> list[list[float]]:
        return [like.get(t, [0.0, 1.0]) for t in texts]

    question = "Who spoke?"
    exact = model.choose(candidates(question, "person", ranked, embed=embed))
    bounded = model.choose(candidates(question, "person", ranked, embed=embed, bound=model))
    assert exact is not None
    assert bounded is not None
    assert exact.key == bounded.key == "mary jones"


def test_the_question_is_parsed_with_the_sentences_in_one_pass(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """`candidates` runs spaCy once for the question and its sentences: `asked_for`
    finds the question's parse kept."""
    from newsdesk.models import parser

    calls: list[list[str]] = []
    real = parser.pipeline()

    class Counting:
        def pipe(self, texts: list[str]):  # type: ignore[no-untyped-def]
            calls.append(list(texts))
            return real.pipe(texts)

    monkeypatch.setattr(parser, "pipeline", lambda: Counting())
    question = "Which company did the regulator fine on Thursday, a week after the vote?"
    s = _sentence("The regulator fined Meta Platforms on Thursday, officials in Dublin said.")
    found = candidates(question, None, [(s, 0.9)])
    assert {"meta platforms", "dublin"} <= {c.key for c in found}
    assert calls == [[question, s.text]]
