"""The chat's Timeline view, beside the article viewer: a topic box and the dated events.

Each report's quote is a `button.nd-cite` with a server-issued reference, so the viewer's
document-wide click listener (`assets.VIEWER_JS`) opens it in the article at the quote,
as footnotes in answers do. Every piece of text goes through `render.esc`.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from newsdesk.errors import NewsdeskError
from newsdesk.nlp.names import name_clusters
from newsdesk.types import Citation, Event
from newsdesk.web.render import RefFor, esc

if TYPE_CHECKING:
    from newsdesk.web.chat import WebChat

log = logging.getLogger(__name__)

SHOWN = 300  # events drawn in the page; a narrower topic shows the rest
HINT = ("Type a topic (or leave it empty for every article) and press Show timeline: the "
        "dated events the articles report, oldest first, each with its quotes.")
CSS = """
.nd-timeline { display: flex; flex-direction: column; gap: 0.6rem; max-height: 60vh;
  overflow-y: auto; font-size: 0.88rem; }
.nd-tl-head { color: var(--body-text-color-subdued); }
.nd-tl-names { padding: 0.35rem 0.55rem; border-radius: 8px;
  background: var(--background-fill-secondary); }
ol.nd-tl { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column;
  gap: 0.7rem; }
ol.nd-tl > li { margin: 0; padding: 0 0 0 0.7rem; border-left: 3px solid var(--color-accent); }
ol.nd-tl > li::before { content: none; }
ol.nd-tl > li.nd-tl-undated { border-left-color: var(--border-color-primary); }
.nd-tl-date { font-weight: 700; }
.nd-tl-basis, .nd-tl-people { font-size: 0.78rem; color: var(--body-text-color-subdued); }
.nd-tl-text { font-family: var(--nd-serif); line-height: 1.45; }
.nd-tl ol.nd-notes { border-top: none; padding-top: 0.3rem; }
/* A history question's answer is its timeline, one line per event. */
.nd-answer .nd-text { white-space: pre-line; }
"""


def timeline_html(events: list[Event], ref_for: RefFor, topic: str = "") -> str:
    """The events, oldest first (undated last), each with its date, text, people (every
    spelling the articles use) and a footnote per report that opens it in the viewer."""
    about = f" on “{esc(topic)}”" if topic else " in every article"
    if not events:
        return (f'<div class="nd-timeline"><div class="nd-tl-head">No dated events{about}.'
                "</div></div>")
    spellings = _spellings(events)
    parts = [f'<div class="nd-tl-head">{len(events)} event{"s" if len(events) != 1 else ""}'
             f"{about}, oldest first.</div>"]
    varied = [s for s in dict.fromkeys(spellings.values()) if " / " in s]
    if varied:
        parts.append('<div class="nd-tl-names">Names spelled more than one way: '
                     f'{esc("; ".join(varied))}</div>')
    items = "".join(_event_html(e, ref_for, spellings) for e in events[:SHOWN])
    parts.append(f'<ol class="nd-tl">{items}</ol>')
    if len(events) > SHOWN:
        parts.append(f'<div class="nd-tl-head">The first {SHOWN} are shown; a narrower topic, '
                     "or the command newsdesk timeline, lists them all.</div>")
    return f'<div class="nd-timeline">{"".join(parts)}</div>'


def _spellings(events: list[Event]) -> dict[str, str]:
    """Each name → its person's surname as every article spells it ("Bagheri / Baqeri")."""
    names = [n for e in events for group in e.people for n in group]
    out: dict[str, str] = {}
    for cluster in name_clusters(names):
        shown = " / ".join(dict.fromkeys(n.split()[-1] for n in cluster))
        out |= dict.fromkeys(cluster, shown)
    return out


def _event_html(event: Event, ref_for: RefFor, spellings: dict[str, str]) -> str:
    from newsdesk.answer.timeline import render_day

    people = list(dict.fromkeys(spellings.get(g[0], g[0].split()[-1]) for g in event.people
                                if g))
    bits = [f'<div class="nd-tl-date">{esc(render_day(event))}</div>',
            f'<div class="nd-tl-text">{esc(event.text)}</div>']
    if people:
        bits.append(f'<div class="nd-tl-people">{esc(" · ".join(people))}</div>')
    if event.basis and event.basis != "stated":
        bits.append(f'<div class="nd-tl-basis">Date: {esc(event.basis)}</div>')
    notes = "".join(_note_html(c, ref_for, c.quote != event.text) for c in event.citations)
    bits.append(f'<ol class="nd-notes">{notes}</ol>')
    css = "nd-tl-event nd-tl-undated" if not event.date else "nd-tl-event"
    return f'<li class="{css}">{"".join(bits)}</li>'


def _note_html(c: Citation, ref_for: RefFor, quoted: bool = True) -> str:
    """A report: title, file, outlet and date, and its quote unless the event's text is it."""
    where = " · ".join(x for x in (c.outlet, c.published) if x)
    quote = f'<span class="nd-quote">{esc(c.quote)}</span>' if quoted else ""
    body = (f'<span class="nd-note-n">{c.n}</span><span class="nd-note-body">'
            f'<span class="nd-note-head"><span class="nd-note-title">{esc(c.title or c.source)}'
            f'</span> <span class="nd-note-file">{esc(c.source)}'
            f'{esc(" · " + where) if where else ""}</span></span>{quote}</span>')
    ref = ref_for(c.source, c.start, c.end)
    if ref is None:
        return f'<li class="nd-note"><span class="nd-note-static">{body}</span></li>'
    return (f'<li class="nd-note"><button type="button" class="nd-cite nd-note-btn" '
            f'value="{esc(ref)}" title="Show this quote in its article">{body}</button></li>')


def show_timeline(web: WebChat, topic: Any) -> str:
    """The Timeline view for a topic ('' for every article); a problem as a message."""
    topic = topic.strip() if isinstance(topic, str) else ""
    try:
        events = web.assistant.timeline(topic or None)
    except NewsdeskError as exc:
        return f'<div class="nd-timeline nd-error" role="alert">⚠ {esc(str(exc))}</div>'
    except Exception:
        log.exception("timeline of %r failed", topic[:200])
        return ('<div class="nd-timeline nd-error" role="alert">⚠ Something went wrong while '
                "drawing the timeline; the details are in the server log.</div>")
    return timeline_html(events, web.articles.ref, topic)


def timeline_box(web: WebChat) -> None:
    """The Timeline accordion (inside the Blocks being built): a topic box, a button, the list."""
    import gradio as gr

    with gr.Accordion("Timeline", open=False, elem_id="nd-timeline-box"):
        with gr.Row(equal_height=True):
            topic = gr.Textbox(label="Topic", show_label=False, scale=4, lines=1, max_lines=1,
                               placeholder="a topic, e.g. a person or a story",
                               elem_id="nd-timeline-topic")
            go = gr.Button("Show timeline", size="sm", scale=1, min_width=110,
                           elem_id="nd-timeline-go")
        shown = gr.HTML(f'<div class="nd-timeline nd-tl-head">{esc(HINT)}</div>',
                        elem_id="nd-timeline")

    def draw(text: str) -> str:
        return show_timeline(web, text)

    gr.on([go.click, topic.submit], draw, inputs=[topic], outputs=[shown],
          api_name="timeline", show_progress="minimal")
