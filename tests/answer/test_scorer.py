"""The shipped answer-scorer file and the features it is fitted on."""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest

from newsdesk.answer.scorer import (
    FEATURES,
    MODEL_FILE,
    AnswerScorer,
    SentenceFacts,
    age_days,
    asks_about_now,
    features,
    novel_terms,
)


def facts(text: str, source: str = "a.txt", published: str = "", **kw: float) -> SentenceFacts:
    values = {"semantic": 0.5, "own_coverage": 0.5, "window_coverage": 0.5,
              "title_coverage": 0.0, "typed": 1.0, "conflict": 0.0, "rank": 0.0} | kw
    return SentenceFacts(text, source, start=0, published=published, **values)


def test_the_shipped_model_loads_with_todays_features():
    model = AnswerScorer.load()
    assert model.features == FEATURES
    assert 0.0 < model.threshold < 1.0
    assert model.meta["script"] == "scripts/fit_scorer.py"
    # Never a development or test split: rtqa_dev is what the scorer is measured on.
    assert model.meta["trained_on"] == ["rtqa_train", "seeds", "rgb_en_fact"]
    assert all(math.isfinite(w) for w in model.sentence.weights + model.confidence.weights)


def test_scores_are_deterministic_probabilities():
    model = AnswerScorer.load()
    rows = features([facts("Prince William is next in line.", semantic=0.7),
                     facts("The weather was fine.", semantic=0.1, typed=0.0)],
                    "Who is next in line?", dt.date(2022, 9, 15), {"a.txt": "x"}, False)
    first = [model.probability(r) for r in rows]
    assert first == [model.probability(r) for r in rows]
    assert all(0.0 < p < 1.0 for p in first)
    # More meaning, the right kind of answer: more likely to be the answer.
    assert first[0] > first[1]
    confidence = model.answer_confidence(rows)
    assert confidence == model.answer_confidence(rows)
    assert 0.0 < confidence < 1.0
    assert model.answer_confidence([]) == 0.0


def test_logits_of_many_rows_are_each_rows_logit():
    model = AnswerScorer.load()
    rows = features([facts("Prince William is next in line.", semantic=0.7),
                     facts("The weather was fine.", semantic=0.1, typed=0.0),
                     facts("It rained on 12 September 2022.", semantic=0.3, rank=2.0)],
                    "Who is next in line?", dt.date(2022, 9, 15), {"a.txt": "x"}, False)
    together = model.sentence.logits(rows)
    assert together == pytest.approx([model.sentence.logit(r) for r in rows], abs=1e-12)
    assert len(set(together)) == 3
    assert model.sentence.logits([]) == []
    with pytest.raises(ValueError, match="weights"):
        model.sentence.logits([row[:-1] for row in rows])


def test_a_file_fitted_on_other_features_is_refused(tmp_path):
    data = json.loads(MODEL_FILE.read_text())
    data["confidence_features"] = data["confidence_features"][:-1] + ["something_else"]
    bad = tmp_path / "scorer.json"
    bad.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="refit with scripts/fit_scorer.py"):
        AnswerScorer.load(bad)


def test_feature_rows_follow_the_feature_order():
    rows = features([facts("Officials said 3,000 homes in Ohio lost power.",
                           published="2022-09-01"),
                     facts("Storms hit Ohio.", source="b.txt", published="2022-09-07")],
                    "How many homes lost power this week?", dt.date(2022, 9, 8),
                    {"a.txt": "3,000 homes", "b.txt": "Ohio storm: 3,000 homes"}, False)
    row = dict(zip(FEATURES, rows[0], strict=True))
    assert row["novel"] == 1.0
    assert row["support"] == 1.0  # the one other article repeats "3,000"
    # Age counts against the newest retrieved article; for "this week" also absolutely.
    assert row["age"] == pytest.approx(math.log1p(7) - math.log1p(1))
    assert row["recency_age"] == pytest.approx(math.log1p(7))
    assert row["undated"] == 0.0
    assert row["after"] == 0.0


def test_dates_and_recency():
    assert age_days("2022-09-01", dt.date(2022, 9, 8)) == 7
    assert age_days("2022-09-10", dt.date(2022, 9, 8)) == -2
    assert age_days("", dt.date(2022, 9, 8)) is None
    assert age_days("not a date", dt.date(2022, 9, 8)) is None
    assert asks_about_now("Which company announced layoffs this week?")
    assert asks_about_now("Who is the latest winner?")
    assert not asks_about_now("Who won the 1966 World Cup?")


def test_novel_terms_are_the_names_and_numbers_the_question_lacks():
    assert novel_terms("Liz Truss met Joe Biden in 2022 at the White House.",
                       "Who did Joe Biden meet?") == {"Liz Truss", "2022", "White House"}


def test_gaps_compare_each_sentence_with_the_best_of_its_question():
    rows = features([facts("A said B.", semantic=0.8), facts("C said D.", semantic=0.5)],
                    "What did A say?", None, {"a.txt": "x"}, False)
    gap = FEATURES.index("semantic_gap")
    assert [r[gap] for r in rows] == pytest.approx([0.0, -0.3])
