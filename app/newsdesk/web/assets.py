"""The web chat's look and its browser code (footnote clicks → viewer; Remove buttons)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import gradio as gr

# Runs once when the article viewer (a gr.HTML) mounts. Footnotes live inside chatbot
# messages, which carry no event handlers through the sanitizer, so one delegated
# listener on the document catches clicks on any `button.nd-cite` and raises the
# viewer's custom "open_ref" event with the server-issued reference the button holds.
VIEWER_JS = """
const onClick = (event) => {
  const target = event.target instanceof Element ? event.target : null;
  const button = target ? target.closest('button.nd-cite') : null;
  if (!button || !button.value) return;
  event.preventDefault();
  trigger('open_ref', {ref: button.value});
};
if (window.__newsdeskClick) document.removeEventListener('click', window.__newsdeskClick);
window.__newsdeskClick = onClick;
document.addEventListener('click', onClick);
watch('value', () => {
  const mark = element.querySelector('mark.nd-hl');
  const text = element.querySelector('.nd-article-text');
  if (mark) mark.scrollIntoView({block: 'center', inline: 'nearest'});
  else if (text) text.scrollTop = 0;
});
"""

# Runs once when the article list (a gr.HTML) mounts: a Remove button beside an article
# asks first, then raises the list's custom "remove_ref" event with the article's
# server-issued reference (never a path).
DOCS_JS = """
element.addEventListener('click', (event) => {
  const target = event.target instanceof Element ? event.target : null;
  const button = target ? target.closest('button.nd-remove') : null;
  if (!button || !button.value) return;
  event.preventDefault();
  event.stopPropagation();
  if (window.confirm(button.title + '?')) trigger('remove_ref', {ref: button.value});
});
"""

CSS = """
:root { --nd-serif: Charter, 'Iowan Old Style', Georgia, Cambria, 'Liberation Serif', serif; }
.gradio-container { max-width: 1400px !important; }
#nd-header h1 { margin: 0; font-size: 1.6rem; letter-spacing: -0.01em; }
#nd-header p { margin: 0.15rem 0 0; color: var(--body-text-color-subdued); }
#nd-chat .message { font-size: 0.97rem; }
.nd-question { white-space: pre-wrap; overflow-wrap: anywhere; }
.nd-answer { display: flex; flex-direction: column; gap: 0.55rem; overflow-wrap: anywhere; }
.nd-answer .nd-text { margin: 0; line-height: 1.55; }
.nd-answer .nd-short { margin: 0 0 .2em; font-size: 1.15em; }
.nd-answer .nd-short-date { opacity: .75; font-size: .87em; }
.nd-answer .nd-short-hedge { opacity: .75; font-size: .8em; font-style: italic; }
.nd-answer .nd-support { margin: 0 0 .45em; font-size: .85em; opacity: .75; }
.nd-answer .nd-more { margin: .2em 0 .5em; font-size: .92em; }
.nd-answer .nd-more summary { cursor: pointer; opacity: .75; }
.nd-searched { font-size: 0.8rem; color: var(--body-text-color-subdued); }
.nd-standalone { font-style: italic; }
.nd-status { color: var(--body-text-color-subdued); font-style: italic; }
.nd-cursor { display: inline-block; width: 0.5em; height: 1em; margin-left: 2px;
  vertical-align: text-bottom; background: var(--color-accent);
  animation: nd-blink 1s steps(2) infinite; }
@keyframes nd-blink { 50% { opacity: 0; } }
.nd-warn, .nd-error { padding: 0.45rem 0.7rem; border-radius: 8px; font-size: 0.88rem;
  background: #fff7ed; color: #9a3412; border: 1px solid #fdba74; }
.nd-refusal { font-weight: 600; }
.nd-mark { line-height: 0; }
.nd-mark button.nd-cite { all: unset; cursor: pointer; font-size: 0.72rem; font-weight: 700;
  display: inline-block; line-height: 1.2;  /* a box to click, though .nd-mark has none */
  color: var(--color-accent); padding: 0 0.2em; margin: 0 1px; border-radius: 4px;
  background: var(--color-accent-soft); }
.nd-mark button.nd-cite:hover, .nd-mark button.nd-cite:focus-visible {
  background: var(--color-accent); color: white; }
ol.nd-notes { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column;
  gap: 0.4rem; border-top: 1px solid var(--border-color-primary); padding-top: 0.55rem; }
ol.nd-notes li { margin: 0; padding: 0; }
ol.nd-notes li::before { content: none; }
.nd-note-btn, .nd-note-static { all: unset; box-sizing: border-box; display: flex; gap: 0.55rem;
  width: 100%; padding: 0.4rem 0.55rem; border-radius: 8px; font-size: 0.86rem;
  border: 1px solid var(--border-color-primary); background: var(--background-fill-secondary); }
.nd-note-btn { cursor: pointer; }
.nd-note-btn:hover, .nd-note-btn:focus-visible { border-color: var(--color-accent);
  box-shadow: 0 0 0 1px var(--color-accent); }
.nd-note-n { flex: none; min-width: 1.4em; height: 1.4em; border-radius: 999px; text-align: center;
  font-size: 0.75rem; font-weight: 700; line-height: 1.4em; color: white;
  background: var(--color-accent); }
.nd-note-body { display: flex; flex-direction: column; gap: 0.15rem; min-width: 0; }
.nd-note-title { font-weight: 600; }
.nd-note-file { font-family: var(--font-mono); font-size: 0.75rem;
  color: var(--body-text-color-subdued); }
.nd-quote { font-family: var(--nd-serif); white-space: pre-wrap; }
.nd-quote::before { content: '“'; }
.nd-quote::after { content: '”'; }
.nd-evidence-head { font-size: 0.8rem; font-weight: 600; text-transform: uppercase;
  letter-spacing: 0.04em; color: var(--body-text-color-subdued); margin-bottom: 0.3rem; }
.nd-meta { font-size: 0.75rem; color: var(--body-text-color-subdued); }
.nd-article { border: 1px solid var(--border-color-primary); border-radius: 10px;
  padding: 0.8rem 1rem; background: var(--background-fill-primary); }
.nd-article-empty { color: var(--body-text-color-subdued); font-style: italic; }
.nd-article-title { font-weight: 700; font-size: 1.05rem; line-height: 1.3; }
.nd-article-file { font-family: var(--font-mono); font-size: 0.75rem;
  color: var(--body-text-color-subdued); margin: 0.2rem 0 0.6rem; }
.nd-article-text { white-space: pre-wrap; overflow-wrap: anywhere; max-height: 52vh;
  overflow-y: auto; font-family: var(--nd-serif); font-size: 0.93rem; line-height: 1.6;
  padding-right: 0.4rem; }
mark.nd-hl { background: #fde68a; color: #1f2937; border-radius: 3px; padding: 0.05em 0.1em;
  box-shadow: 0 0 0 2px #f59e0b55; }
.nd-cut { color: var(--body-text-color-subdued); }
dl.nd-corpus { display: grid; grid-template-columns: auto 1fr; gap: 0.25rem 0.9rem; margin: 0;
  font-size: 0.88rem; }
dl.nd-corpus dt { color: var(--body-text-color-subdued); }
dl.nd-corpus dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
ul.nd-docs { list-style: none; margin: 0; padding: 0; font-size: 0.85rem; }
ul.nd-docs li::before { content: none; }
button.nd-doc { all: unset; cursor: pointer; display: block; padding: 0.25rem 0.2rem;
  border-radius: 6px; }
button.nd-doc:hover, button.nd-doc:focus-visible { background: var(--background-fill-secondary); }
li.nd-doc-row { display: flex; align-items: center; gap: 0.3rem; }
li.nd-doc-row button.nd-doc { flex: 1; min-width: 0; }
button.nd-remove { all: unset; cursor: pointer; flex: none; font-size: 0.75rem;
  padding: 0.1rem 0.45rem; border-radius: 6px; color: #9a3412;
  border: 1px solid var(--border-color-primary); }
button.nd-remove:hover, button.nd-remove:focus-visible { background: #fff7ed;
  border-color: #fdba74; }
#nd-export button { font-size: 0.8rem; }
.nd-status-box { font-size: 0.82rem; padding: 0.4rem 0.6rem; border-radius: 8px;
  background: var(--background-fill-secondary); }
.nd-status-box.nd-error { background: #fff7ed; color: #9a3412; }
"""


def theme() -> gr.themes.Base:
    """A quiet theme on system fonts: the page fetches nothing, not even a font file."""
    import gradio as gr

    return gr.themes.Soft(
        primary_hue="blue",
        neutral_hue="slate",
        font=("ui-sans-serif", "system-ui", "Segoe UI", "Roboto", "Helvetica Neue", "Arial",
              "sans-serif"),
        font_mono=("ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "Liberation Mono",
                   "monospace"),
    )
