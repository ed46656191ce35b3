"""HTML for the web chat, built from escaped text only: nothing an article or model says runs.

Every piece of text goes through `esc`, so markup in an article (`<script>`, `<img onerror>`,
`javascript:` links, Markdown images) reaches the browser as characters, never as elements.
The chatbot's own sanitizer stays on as a second line of defence.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import PurePath
from typing import Any

from newsdesk.types import MARKER, Answer, Citation, Passage, marker_numbers

# (source, start, end) -> the server-issued reference a footnote button carries, or None.
RefFor = Callable[[str, int, int], str | None]

_CONTROL = str.maketrans({"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})
QUESTION_SHOWN = 500  # characters of an over-long question echoed back in the chat
SNIPPET = 260  # characters of a passage shown as nearest evidence
ARTICLE_WINDOW = 60_000  # characters shown either side of a highlight in a very long article


def esc(text: str) -> str:
    """Text as HTML character data; newlines and tabs as references.

    Gradio's chatbot runs `inspect.cleandoc` over message strings, which would strip
    indentation inside quotes; references keep every character of a quote intact.
    """
    return html.escape(text, quote=True).translate(_CONTROL)


def question_html(question: str) -> str:
    """The user's message as typed (shortened when very long)."""
    shown = question if len(question) <= QUESTION_SHOWN else (
        f"{question[:QUESTION_SHOWN]}… ({len(question):,} characters)")
    return f'<div class="nd-question">{esc(shown)}</div>'


def pending_html(text: str) -> str:
    """The answer while it is being produced."""
    if not text:
        return ('<div class="nd-answer nd-pending"><span class="nd-status">'
                "Searching the articles…</span></div>")
    return (f'<div class="nd-answer nd-pending"><p class="nd-text">{esc(text)}'
            '<span class="nd-cursor"></span></p></div>')


def error_html(message: str) -> str:
    """A problem the user can act on, shown in place of an answer."""
    return f'<div class="nd-answer nd-error" role="alert">⚠ {esc(message)}</div>'


def answer_html(answer: Answer, ref_for: RefFor) -> str:
    """The finished answer: searched-for line, warnings, text, footnotes, evidence, timing."""
    parts = []
    if answer.standalone_question:
        parts.append('<div class="nd-searched">Searched for: '
                     f'<span class="nd-standalone">{esc(answer.standalone_question)}</span></div>')
    if answer.error:
        parts.append(f'<div class="nd-warn" role="alert">⚠ {esc(answer.error)} — this answer '
                     f"comes from {esc(answer.generator)}.</div>")
    if answer.refused:
        parts.append(f'<p class="nd-text nd-refusal">{esc(answer.answer)}</p>')
        parts.append(_evidence_html(answer.passages[:2], ref_for))
    else:
        parts.append(_short_html(answer, ref_for))
        parts.append(_text_html(answer, ref_for))
        parts.append(_footnotes_html(answer.citations, ref_for))
    parts.append(_meta_html(answer))
    css = "nd-answer nd-refused" if answer.refused else "nd-answer"
    return f'<div class="{css}">{"".join(parts)}</div>'


def _short_html(answer: Answer, ref_for: RefFor) -> str:
    """The short answer in bold, with the marker of the quote it is cut from."""
    short, quote = answer.short_answer, answer.short_quote()
    if short is None or quote is None:
        return ""
    corroboration = answer.corroboration
    support = (f'<div class="nd-support">{esc(corroboration.summary())}</div>'
               if corroboration is not None else "")
    day = short.date_label()
    # The day a weekday or a date without its year names, counted from the article's date
    # (the answer's date note says how, citing the sentence that dates the article).
    dated = (f' <span class="nd-short-date" title="{esc(short.date)}">({esc(day)})</span>'
             if day else "")
    # Below an even chance the answer says so, rather than stating a guess as plainly.
    hedged = (f' <span class="nd-short-hedge" title="The chance that this is the answer, '
              f'as the span model puts it">({esc(short.hedge())})</span>'
              if short.uncertain() else "")
    # Hovering the value shows its chance, plain or hedged (the chat's sanitizer keeps a
    # title, not data attributes); the exact figure is the JSON's `probability`.
    chance = (f' title="Chance that this is the answer: {short.percent()} '
              f'({short.probability})"' if short.probability is not None else "")
    return (f'<p class="nd-short"><strong class="nd-short-text"{chance}>{esc(short.text)}'
            f"</strong>{dated}{hedged}{_marker_html(quote, ref_for)}</p>{support}")


# Where an answer's text splits into its parts: after a sentence's markers, or after a
# date note's closing ".)".
_PART_END = re.compile(rf"(?:{MARKER.pattern}|\.\))\s+(?=\S)")


def answer_parts(text: str) -> list[str]:
    """The parts an answer's text was joined from: quoted sentences with their markers,
    date notes in parentheses, a "Sources differ" line."""
    parts, at = [], 0
    for m in _PART_END.finditer(text):
        if m.group().startswith(".)") and not text[at:].lstrip().startswith("("):
            continue  # ".)" inside a quoted sentence ends no date note
        parts.append(text[at : m.end()].strip())
        at = m.end()
    parts.append(text[at:].strip())
    return [p for p in parts if p]


def _text_html(answer: Answer, ref_for: RefFor) -> str:
    """The answer's text. Under a short answer only the parts that add to it show: the
    quote it is cut from (with the other articles that report it), a date note, and where
    sources differ; the scorer's other sentences fold under "More from the articles"."""
    quote = answer.short_quote()
    parts = answer_parts(answer.answer)
    if quote is None or len(parts) < 2:
        return f'<p class="nd-text">{_linked_text(answer.answer, answer.citations, ref_for)}</p>'
    adds = [p for p in parts if p.startswith(("(", "Sources differ"))
            or any(quote.n in marker_numbers(m.group(1)) for m in MARKER.finditer(p))]
    more = [p for p in parts if p not in adds]
    shown = f'<p class="nd-text">{_linked_text(" ".join(adds), answer.citations, ref_for)}</p>'
    if not more:
        return shown
    return (f'{shown}<details class="nd-more"><summary>More from the articles</summary>'
            f'<p class="nd-more-text">{_linked_text(" ".join(more), answer.citations, ref_for)}'
            "</p></details>")


def _linked_text(text: str, citations: Sequence[Citation], ref_for: RefFor) -> str:
    """Answer text whose `[n]` markers are buttons that open citation n."""
    by_n = {c.n: c for c in citations}

    def link(match: re.Match[str]) -> str:
        numbers = marker_numbers(match.group(1))
        if not all(n in by_n for n in numbers):
            return match.group(0)
        space = match.group(0)[: match.start(1) - 1 - match.start(0)]
        return space + "".join(_marker_html(by_n[n], ref_for) for n in numbers)

    return MARKER.sub(link, esc(text))


def _marker_html(c: Citation, ref_for: RefFor) -> str:
    ref = ref_for(c.source, c.start, c.end)
    if ref is None:
        return f'<sup class="nd-mark">[{c.n}]</sup>'
    return (f'<sup class="nd-mark"><button type="button" class="nd-cite" value="{esc(ref)}" '
            f'title="Show quote {c.n} in its article">{c.n}</button></sup>')


def _footnotes_html(citations: Sequence[Citation], ref_for: RefFor) -> str:
    if not citations:
        return ""
    items = (_note_html(str(c.n), c.title, c.source, c.quote,
                        ref_for(c.source, c.start, c.end)) for c in citations)
    return f'<ol class="nd-notes">{"".join(items)}</ol>'


def _evidence_html(passages: Iterable[Passage], ref_for: RefFor) -> str:
    items = [_note_html("·", p.title, p.source, _snippet(p.text),
                        ref_for(p.source, p.start, p.end)) for p in passages]
    if not items:
        return ""
    return ('<div class="nd-evidence"><div class="nd-evidence-head">Nearest evidence</div>'
            f'<ol class="nd-notes">{"".join(items)}</ol></div>')


def _note_html(label: str, title: str, source: str, quote: str, ref: str | None) -> str:
    """One footnote: a button (when the article is known) that opens the quote in place."""
    body = (f'<span class="nd-note-n">{esc(label)}</span><span class="nd-note-body">'
            f'<span class="nd-note-head"><span class="nd-note-title">{esc(title or source)}'
            f'</span> <span class="nd-note-file">{esc(source)}</span></span>'
            f'<span class="nd-quote">{esc(quote)}</span></span>')
    if ref is None:
        return f'<li class="nd-note"><span class="nd-note-static">{body}</span></li>'
    return (f'<li class="nd-note"><button type="button" class="nd-cite nd-note-btn" '
            f'value="{esc(ref)}" title="Show this quote in its article">{body}</button></li>')


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET else flat[:SNIPPET].rsplit(" ", 1)[0] + "…"


def _meta_html(answer: Answer) -> str:
    bits = [esc(answer.generator)]
    total = answer.timings.get("total")
    if total is not None:
        bits.append(f"{total * 1000:.0f} ms" if total < 1 else f"{total:.1f} s")
    if answer.dropped_sentences:
        n = answer.dropped_sentences
        bits.append(f"{n} unverifiable sentence{'s' if n != 1 else ''} left out")
    return f'<div class="nd-meta">{" · ".join(bits)}</div>'


def article_html(title: str, source: str, text: str, start: int, end: int) -> str:
    """An article with `text[start:end]` highlighted (nothing highlighted when start == end)."""
    lo, hi = 0, len(text)
    if len(text) > 2 * ARTICLE_WINDOW:  # keep the page light for very long files
        lo, hi = max(0, start - ARTICLE_WINDOW), min(len(text), end + ARTICLE_WINDOW)
    body = esc(text[lo:start])
    if end > start:
        body += f'<mark class="nd-hl">{esc(text[start:end])}</mark>'
    body += esc(text[max(start, end):hi])
    before = '<span class="nd-cut">[…]</span>' if lo > 0 else ""
    after = '<span class="nd-cut">[…]</span>' if hi < len(text) else ""
    return (f'<div class="nd-article"><div class="nd-article-title">{esc(title or source)}</div>'
            f'<div class="nd-article-file">{esc(source)}</div>'
            f'<div class="nd-article-text">{before}{body}{after}</div></div>')


def viewer_notice_html(message: str) -> str:
    """The article panel when it has no article to show."""
    return f'<div class="nd-article nd-article-empty">{esc(message)}</div>'


def corpus_html(info: dict[str, Any], generators: Sequence[str]) -> str:
    """Corpus facts for the side panel."""
    model = str(info.get("embedding_model") or "not indexed yet")
    rows = [
        ("Articles", f"{int(info.get('articles', 0)):,}"),
        ("Chunks", f"{int(info.get('chunks', 0)):,}"),
        ("Embedding model", model.split(":")[0]),
        ("Generators", ", ".join(f"{g} (default)" if g == info.get("generator") else g
                                  for g in generators)),
        ("Folder", PurePath(str(info.get("corpus", ""))).name or str(info.get("corpus", ""))),
    ]
    cells = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in rows)
    return f'<dl class="nd-corpus">{cells}</dl>'


def articles_html(titles: dict[str, str], ref_for: RefFor, limit: int = 200,
                  removable: bool = False) -> str:
    """The indexed articles as buttons that open each one in the viewer (and, when the
    user may edit, a Remove button beside each)."""
    items = []
    for source in sorted(titles)[:limit]:
        ref = ref_for(source, 0, 0)
        label = (f'<span class="nd-note-title">{esc(titles[source] or source)}</span> '
                 f'<span class="nd-note-file">{esc(source)}</span>')
        if not ref:
            items.append(f"<li>{label}</li>")
            continue
        remove = (f'<button type="button" class="nd-remove" value="{esc(ref)}" '
                  f'title="{esc(f"Remove {source} from the corpus and the index")}">Remove'
                  "</button>" if removable else "")
        items.append(f'<li class="nd-doc-row"><button type="button" class="nd-cite nd-doc" '
                     f'value="{esc(ref)}">{label}</button>{remove}</li>')
    more = len(titles) - limit
    tail = f'<li class="nd-more">and {more:,} more</li>' if more > 0 else ""
    return f'<ul class="nd-docs">{"".join(items)}{tail}</ul>'


def status_html(message: str, ok: bool = True) -> str:
    """The result of a re-index, one line per line of the report."""
    lines = "".join(f"<div>{esc(line)}</div>" for line in message.splitlines())
    return f'<div class="nd-status-box {"nd-ok" if ok else "nd-error"}">{lines}</div>'
