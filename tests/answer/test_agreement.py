"""Corroboration and disagreement across articles, on made-up article pairs.

Every sentence gets the same vector (as in test_extractive), so words, kinds and the
fitted short-answer model decide; the articles are written so that the question's
words are equally covered on both sides.
"""

from __future__ import annotations

from pathlib import Path

from newsdesk.answer.cite import FileCache
from newsdesk.answer.extractive import ExtractiveGenerator
from newsdesk.types import Passage

FILLER = ("Officials from both countries attended a closing ceremony. "
          "The weather in the region was mild for the season.")
OTHER = ("Navy commanders praised the crews, and a parade is planned for next month in "
         "the port city, where families gathered to watch the returning ships.")


def _answer(tmp_path: Path, question: str, articles: dict[str, tuple[str, str, str]]):
    """articles: source -> (outlet, published, text); each file is one passage."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    passages = []
    for i, (source, (outlet, published, text)) in enumerate(articles.items()):
        (tmp_path / source).write_text(text, encoding="utf-8")
        passages.append(Passage(source, text, 1.0 - i / 10, 0, len(text), chunk_id=source,
                                title=f"{outlet} report", published=published, outlet=outlet))
    gen = ExtractiveGenerator(lambda ts: [[1.0, 0.0] for _ in ts], lambda q: [1.0, 0.0],
                              FileCache(tmp_path), threshold=0.0)
    draft = gen.answer(question, passages)
    assert not draft.refused
    return draft


def test_a_number_that_differs_is_reported_newest_first(tmp_path: Path) -> None:
    draft = _answer(tmp_path, "How many troops took part in the Caspian drill?", {
        "a.txt": ("Tasnim", "2021-10-18",
                  f"About 4,000 troops took part in the Caspian drill on Monday. {FILLER}"),
        "b.txt": ("Tehran Times", "2021-10-19",
                  f"About 3,000 troops took part in the Caspian drill on Monday. {OTHER}"),
    })
    assert [r.text for r in draft.conflicts] == ["3,000", "4,000"]  # newest first
    assert [r.outlet for r in draft.conflicts] == ["Tehran Times", "Tasnim"]
    assert "Sources differ: Tehran Times (2021-10-19) says “3,000”" in draft.text
    by_n = {c.n: c for c in draft.citations}
    for r in draft.conflicts:  # each side quoted, and the value is inside its quote
        c = by_n[r.n]
        assert c.source == r.source
        assert c.start <= r.start < r.end <= c.end
        assert (tmp_path / r.source).read_text()[r.start : r.end] == r.text


def test_a_date_that_differs_is_a_conflict(tmp_path: Path) -> None:
    draft = _answer(tmp_path, "When did the Caspian drill begin?", {
        "a.txt": ("Tasnim", "2021-10-20",
                  f"The Caspian drill began on October 12, 2021, near Bandar Anzali. {FILLER}"),
        "b.txt": ("IRNA", "2021-10-21",
                  f"The Caspian drill began on October 14, 2021, near Bandar Anzali. {OTHER}"),
    })
    assert {r.source for r in draft.conflicts} == {"a.txt", "b.txt"}
    assert "Sources differ" in draft.text


def test_a_spelling_variant_is_no_conflict_but_corroboration(tmp_path: Path) -> None:
    draft = _answer(tmp_path, "Which Russian minister did the Iranian commander meet in Moscow?", {
        "a.txt": ("Tasnim", "2021-10-19",
                  f"The Iranian commander met Russian Defence Minister Sergei Shoigu in "
                  f"Moscow on Tuesday. {FILLER}"),
        "b.txt": ("Iran Press", "2021-10-19",
                  "The Iranian commander met Russian Defence Minister Sergei Shoygu in "
                  "Moscow on Tuesday, officials said. Talks covered air defence and a "
                  "joint naval drill planned for the spring in the northern Indian Ocean."),
    })
    assert draft.conflicts == []
    assert "Sources differ" not in draft.text
    assert draft.short is not None
    assert "Sho" in draft.short.text
    # The two spellings are one value, stated by two articles.
    assert draft.corroboration is not None
    assert draft.corroboration.articles == 2


def test_the_same_value_in_two_articles_is_reported_by_both(tmp_path: Path) -> None:
    draft = _answer(tmp_path, "How many troops took part in the Caspian drill?", {
        "a.txt": ("Tasnim", "2021-10-18",
                  f"About 4,000 troops took part in the Caspian drill on Monday. {FILLER}"),
        "b.txt": ("IRNA", "2021-10-18",
                  f"Officials said 4,000 troops took part in the Caspian drill. {OTHER}"),
    })
    assert draft.corroboration is not None
    assert draft.corroboration.articles == 2
    assert draft.corroboration.summary() == "Reported by 2 articles: Tasnim, IRNA"
    assert {c.source for c in draft.citations} == {"a.txt", "b.txt"}


def test_a_wire_copy_counts_once_and_is_named(tmp_path: Path) -> None:
    story = (f"About 4,000 troops took part in the Caspian drill on Monday. {FILLER} "
             "The drill included naval units, helicopters and coastal defence batteries. "
             "Commanders said the exercise had met all of its goals this year.")
    draft = _answer(tmp_path, "How many troops took part in the Caspian drill?", {
        "a.txt": ("Tasnim", "2021-10-18", story),
        "b.txt": ("Mehr", "2021-10-18", story + " Mehr contributed to this report."),
    })
    corr = draft.corroboration
    assert corr is not None
    assert corr.articles == 1
    assert [(r.source, r.copy_of) for r in corr.reports] == [("a.txt", ""), ("b.txt", "a.txt")]
    assert corr.summary() == "Reported by 1 article: Tasnim (Mehr copies Tasnim)"


def test_the_same_weekday_in_two_articles_is_one_value_only_on_one_day(tmp_path: Path) -> None:
    question = "On what day did the Caspian drill begin?"
    same_week = _answer(tmp_path / "same", question, {
        "a.txt": ("Tasnim", "2021-10-20",
                  f"October 20, 2021\nThe Caspian drill began on Tuesday near Anzali. {FILLER}"),
        "b.txt": ("IRNA", "2021-10-21",
                  f"October 21, 2021\nThe Caspian drill began on Tuesday near Anzali. {OTHER}"),
    })
    assert same_week.corroboration is not None
    assert same_week.corroboration.articles == 2  # both mean 2021-10-19
    years_apart = _answer(tmp_path / "apart", question, {
        "a.txt": ("Tasnim", "2021-10-20",
                  f"October 20, 2021\nThe Caspian drill began on Tuesday near Anzali. {FILLER}"),
        "b.txt": ("IRNA", "2023-09-20",
                  f"September 20, 2023\nThe Caspian drill began on Tuesday near Anzali. {OTHER}"),
    })
    assert years_apart.corroboration is not None
    assert years_apart.corroboration.articles == 1  # 2021-10-19 is not 2023-09-19


def test_a_report_of_someone_elses_meeting_is_no_conflict(tmp_path: Path) -> None:
    """The question names Bagheri; a sentence about Heidari meeting someone on Monday
    answers another question, so its name is not a second answer."""
    question = "Which Russian general did Mohammad Bagheri meet in Moscow on Monday?"
    same = {
        "a.txt": ("Tasnim", "2021-10-18", "The Iranian general met Russian General Valery "
                  f"Gerasimov in Moscow on Monday. {FILLER}"),
        "b.txt": ("IRNA", "2021-10-18", "The Iranian general met Russian General Oleg "
                  f"Salyukov in Moscow on Monday. {OTHER}"),
    }
    assert _answer(tmp_path / "same", question, same).conflicts  # the same meeting: a dispute
    other = dict(same, **{"b.txt": ("IRNA", "2021-10-18", "Kioumars Heidari met Russian "
                                    f"General Oleg Salyukov in Moscow on Monday. {OTHER}")})
    assert not _answer(tmp_path / "other", question, other).conflicts


def test_a_date_without_its_year_agrees_with_the_same_day_written_in_full(tmp_path: Path) -> None:
    """"Sunday, November 17" (no year: the weekday alone would guess a recent one) and
    "November 17, 2019" are one day, not a dispute."""
    draft = _answer(tmp_path, "When did the Caspian drill begin?", {
        "a.txt": ("Tasnim", "2019-11-18",
                  f"The Caspian drill began on Sunday, November 17, near Bandar Anzali. {FILLER}"),
        "b.txt": ("IRNA", "2019-11-18",
                  f"The Caspian drill began on November 17, 2019, near Bandar Anzali. {OTHER}"),
    })
    assert draft.conflicts == []
    assert "Sources differ" not in draft.text
