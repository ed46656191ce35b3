"""The chat's HTML: markers linked to verified quotes, refusals with evidence, markup as text."""

from __future__ import annotations

from pathlib import Path

from newsdesk.types import Answer, Citation, Passage
from newsdesk.web.chat import (
    article_id,
)
from newsdesk.web.render import answer_html, article_html, question_html
from tests.fakes import (
    HOSTILE_IMG,
    HOSTILE_SCRIPT,
    TALKS_ARTICLE,
    TALKS_SOURCE,
    gerasimov_answer,
    span,
)
from tests.webserver import audit


def test_answer_html_shows_markup_from_articles_as_text_only(corpus: Path) -> None:
    start, end = span(TALKS_ARTICLE, "A banner read")
    end = TALKS_ARTICLE.index(".\n", start) + 1
    quote = TALKS_ARTICLE[start:end]
    answer = Answer(question="q", answer=f"{quote} [1]", refused=False,
                    citations=[Citation(1, TALKS_SOURCE, quote, start, end, "<b>Talks</b>")],
                    passages=[], generator="openai", error="openai timed out <i>x</i>")
    markup = answer_html(answer, lambda s, a, b: f"{article_id(s)}:{a}:{b}")
    parsed = audit(markup)
    assert HOSTILE_SCRIPT in parsed.text
    assert HOSTILE_IMG in parsed.text
    assert "![m](http://example.invalid/m.png)" in parsed.text
    assert "openai timed out <i>x</i>" in parsed.text  # the fallback error, visibly
    assert "<b>Talks</b>" in parsed.text
    assert parsed.tags.count("button") == 2  # the [1] marker and its footnote


def test_answer_html_links_markers_to_footnotes_with_the_verified_quote() -> None:
    answer = gerasimov_answer(standalone="Who did Bagheri meet? (Moscow)")
    markup = answer_html(answer, lambda s, a, b: f"{article_id(s)}:{a}:{b}")
    parsed = audit(markup)
    c = answer.citations[0]
    ref = f"{article_id(TALKS_SOURCE)}:{c.start}:{c.end}"
    assert markup.count(f'value="{ref}"') == 2
    assert "Searched for: Who did Bagheri meet? (Moscow)" in parsed.text
    assert "Moscow talks" in parsed.text
    assert TALKS_SOURCE in parsed.text
    assert c.quote in parsed.text


def test_refusal_offers_the_nearest_evidence() -> None:
    passages = [Passage(TALKS_SOURCE, f"passage {i} " + "word " * 100, 0.1, 0, 10, title=f"T{i}")
                for i in range(4)]
    answer = Answer("Who won the cup?", "The articles don't say: Who won the cup?", True, [],
                    passages, "extractive")
    parsed = audit(answer_html(answer, lambda s, a, b: None))
    assert "The articles don't say: Who won the cup?" in parsed.text
    assert "Nearest evidence" in parsed.text
    assert "T0" in parsed.text
    assert "T1" in parsed.text
    assert "T2" not in parsed.text
    assert "…" in parsed.text  # long passages are shortened


def test_article_html_highlights_exactly_the_quoted_span() -> None:
    start, end = span(TALKS_ARTICLE, "A banner read")
    parsed = audit(article_html("Moscow talks", TALKS_SOURCE, TALKS_ARTICLE, start, end))
    assert parsed.marks == [TALKS_ARTICLE[start:end]]
    assert TALKS_ARTICLE in parsed.text
    assert audit(article_html("", TALKS_SOURCE, TALKS_ARTICLE, 0, 0)).marks == []


def test_long_questions_are_echoed_shortened() -> None:
    parsed = audit(question_html("x" * 3000))
    assert "(3,000 characters)" in parsed.text
    assert len(parsed.text) < 600




def test_short_answer_comes_first_in_bold_with_its_marker_and_sources() -> None:
    from dataclasses import replace

    from newsdesk.types import Corroboration, Report, ShortAnswer

    answer = gerasimov_answer()
    quote = answer.citations[0]
    at = quote.start + quote.quote.index("Valery Gerasimov")
    short = ShortAnswer("Valery Gerasimov", quote.source, at, at + len("Valery Gerasimov"), "name")
    reports = [Report(1, quote.source, outlet="Tasnim <b>News</b>")]
    page = answer_html(replace(answer, short_answer=short,
                               corroboration=Corroboration(1, reports)),
                       lambda s, a, b: f"{s}:{a}:{b}")
    assert page.index('<strong class="nd-short-text">Valery Gerasimov</strong>') < page.index(
        'class="nd-text"')
    assert f'value="{quote.source}:{quote.start}:{quote.end}"' in page.split("nd-text")[0]
    assert "Reported by 1 article: Tasnim &lt;b&gt;News&lt;/b&gt;" in page
    assert "nd-short-date" not in page  # a name names no day
    assert "nd-short-hedge" not in page  # no chance known: shown plainly
    assert "Chance that" not in page
    # Below an even chance it says so, beside the bold value and before its marker.
    unsure = answer_html(replace(answer, short_answer=replace(short, probability=0.3)),
                         lambda *a: None)
    hedge = '<span class="nd-short-hedge"'
    assert unsure.index("nd-short-text") < unsure.index(hedge) < unsure.index("nd-mark")
    assert "(uncertain: 30% likely)</span>" in unsure
    assert ('<strong class="nd-short-text" title="Chance that this is the answer: 30% (0.3)">'
            in unsure)
    sure = answer_html(replace(answer, short_answer=replace(short, probability=0.7)),
                       lambda *a: None)
    assert hedge not in sure
    assert 'title="Chance that this is the answer: 70% (0.7)"' in sure
    # A short answer outside every cited quote is not shown.
    stray = replace(short, start=0, end=3)
    assert "nd-short" not in answer_html(replace(answer, short_answer=stray), lambda *a: None)


def test_under_a_short_answer_only_what_adds_to_it_shows() -> None:
    """The quote the short answer is cut from, a date note and where sources differ
    show; the scorer's other sentences fold under "More from the articles"."""
    from dataclasses import replace

    from newsdesk.types import ShortAnswer
    from newsdesk.web.render import answer_parts

    answer = gerasimov_answer()
    first = answer.citations[0]
    start, end = span(TALKS_ARTICLE, "A banner read")
    second = Citation(2, TALKS_SOURCE, TALKS_ARTICLE[start:end], start, end, "Moscow talks")
    answer = replace(answer, citations=[first, second])
    text = (f"{second.quote} [{second.n}] {first.quote} [{first.n}] "
            f"(Oct 17, 2023 (2023-10-17).) Sources differ: A says “1” [{first.n}].")
    assert answer_parts(text) == [f"{second.quote} [{second.n}]", f"{first.quote} [{first.n}]",
                                  "(Oct 17, 2023 (2023-10-17).)",
                                  f"Sources differ: A says “1” [{first.n}]."]
    # A quoted sentence that holds ".)" is still one part.
    assert answer_parts("He left (for good.) on Monday. [1] (Oct 1.)") == [
        "He left (for good.) on Monday. [1]", "(Oct 1.)"]
    word = first.quote.split()[-1].strip(".,")
    at = first.start + first.quote.rindex(word)
    short = ShortAnswer(word, first.source, at, at + len(word), "name")
    page = answer_html(replace(answer, answer=text, short_answer=short), lambda *a: None)
    shown, folded = page.split('<details class="nd-more">')
    for kept in (first.quote, "(Oct 17, 2023", "Sources differ"):
        assert kept in shown
    assert second.quote not in shown
    assert "More from the articles" in folded
    assert second.quote in folded
    audit(page)
    # Without a short answer the whole text shows, unfolded.
    plain = answer_html(replace(answer, answer=text), lambda *a: None)
    assert "nd-more" not in plain
    assert second.quote in plain



def test_a_short_answer_shows_the_day_its_weekday_means() -> None:
    from dataclasses import replace

    from newsdesk.types import ShortAnswer

    answer = gerasimov_answer()
    quote = answer.citations[0]
    at = quote.start + quote.quote.index("Monday")
    monday = ShortAnswer("Monday", quote.source, at, at + 6, "date", "2021-10-18")
    page = answer_html(replace(answer, short_answer=monday), lambda *a: None)
    assert ('<strong class="nd-short-text">Monday</strong> '
            '<span class="nd-short-date" title="2021-10-18">(Oct 18, 2021)</span>') in page
