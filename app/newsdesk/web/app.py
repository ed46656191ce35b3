"""The web chat: a Gradio app around the assistant, served on 127.0.0.1 (never shared)."""

from __future__ import annotations

import functools
import os
import shutil
import signal
import sys
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import gradio as gr

from newsdesk.errors import NewsdeskError, ServeError
from newsdesk.models.parser import pipeline as parser_pipeline
from newsdesk.web import assets, render
from newsdesk.web.access import Access
from newsdesk.web.chat import ChatSession, WebChat, example_questions
from newsdesk.web.manage import ArticleDesk
from newsdesk.web.timeline import CSS as TIMELINE_CSS
from newsdesk.web.timeline import timeline_box

if TYPE_CHECKING:
    from newsdesk.assistant import Assistant

# The Assistant is thread-safe, but answering is CPU-bound (the embedder and the
# extractive scorer) and this machine class has 2 cores: two answers at a time keep both
# busy, more would only slow each other down. Further questions wait in a bounded queue
# and see their place in it instead of timing out.
CONCURRENT_ANSWERS = 2
QUEUE_SIZE = 64
CACHE_SWEEP = (3600, 86400)  # Gradio's cache: every hour, remove this app's files a day old
HEADER = ('<div id="nd-header"><h1>newsdesk</h1><p>Answers from your news articles — every '
          "claim backed by a verified quote. Click a footnote to read it in its article.</p>"
          "</div>")
VIEWER_HINT = "Click a footnote to read its quote in the article."
UPLOAD_TYPES = (".txt", ".md", ".html", ".htm")
LOGIN_MESSAGE = "newsdesk: log in to ask about the articles and to add or remove them."
PLACEHOLDER = ("**Ask about the articles.** Each answer quotes them; a follow-up such as "
               "*“What did he say about Iran?”* builds on the previous answer.")


def build_app(assistant: Assistant, access: Access | None = None) -> gr.Blocks:
    """The chat app (queue configured); serve it with `serve`, or `launch(**launch_options())`."""
    access = access or Access()
    web = WebChat(assistant, access)
    desk = ArticleDesk(web, access)
    web.articles.refresh()
    # Gradio keeps copies of uploads and downloads in its cache; `delete_cache` removes
    # this app's copies a day after they were made (`serve` removes the rest on stopping).
    with gr.Blocks(title="newsdesk", analytics_enabled=False,
                   delete_cache=CACHE_SWEEP) as app:
        gr.HTML(HEADER)
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=420):
                chat_parts = _chat_column(web, assistant)
            with gr.Column(scale=2, min_width=320):
                side = _side_column(web)
        _wire(app, web, chat_parts, side)
        _wire_desk(desk, chat_parts, side)
        app.unload(_tab_closed)
    app.queue(default_concurrency_limit=CONCURRENT_ANSWERS, max_size=QUEUE_SIZE)
    return app


def _chat_column(web: WebChat, assistant: Assistant) -> dict[str, Any]:
    chatbot = gr.Chatbot(
        elem_id="nd-chat", label="Chat", show_label=False, height="62vh", min_height=420,
        # Messages are HTML built by web_render from escaped text; Markdown is off so an
        # article's `![img](http://…)` or `[x](javascript:…)` stays literal text.
        render_markdown=False, sanitize_html=True, allow_tags=False, latex_delimiters=[],
        buttons=[], feedback_options=None, placeholder=PLACEHOLDER, layout="bubble",
        autoscroll=True,
    )
    with gr.Row(equal_height=True):
        question = gr.Textbox(
            elem_id="nd-question", label="Question", show_label=False, scale=8, lines=1,
            max_lines=5, placeholder="Ask a question about the articles…", autofocus=True,
        )
        ask = gr.Button("Ask", variant="primary", scale=1, min_width=80, elem_id="nd-ask")
        clear = gr.Button("Clear", variant="secondary", scale=1, min_width=80,
                          elem_id="nd-clear")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=300):
            gr.Examples([[q] for q in example_questions(assistant.settings.corpus)],
                        inputs=[question], label="Try asking")
        with gr.Column(scale=1, min_width=180):
            generator = gr.Dropdown(
                web.generators, value=web.default_generator, label="Answer generator",
                elem_id="nd-generator", filterable=False,
            )
    with gr.Row(elem_id="nd-export"):
        export_md = gr.DownloadButton("Export Markdown", size="sm", interactive=False,
                                      elem_id="nd-export-md")
        export_json = gr.DownloadButton("Export JSON", size="sm", interactive=False,
                                        elem_id="nd-export-json")
    return {"chatbot": chatbot, "question": question, "ask": ask, "generator": generator,
            "clear": clear, "session": gr.State(ChatSession()), "export_md": export_md,
            "export_json": export_json}


def _side_column(web: WebChat) -> dict[str, Any]:
    gr.Markdown("#### Article", elem_id="nd-viewer-head")
    viewer = gr.HTML(render.viewer_notice_html(VIEWER_HINT), elem_id="nd-viewer",
                     js_on_load=assets.VIEWER_JS)
    timeline_box(web)  # its quotes open in the viewer above, as footnotes do
    corpus_facts, docs_list = web.panel()
    with gr.Accordion("Corpus", open=True, elem_id="nd-corpus-box"):
        corpus = gr.HTML(corpus_facts, elem_id="nd-corpus")
        reindex = gr.Button("Re-index", size="sm", elem_id="nd-reindex",
                            visible=web.access.editable)
        status = gr.HTML("", elem_id="nd-status")
    with gr.Accordion("Add articles", open=False, elem_id="nd-add-box",
                      visible=web.access.editable):
        upload = gr.File(label=".txt, .md or .html files", file_count="multiple",
                         file_types=list(UPLOAD_TYPES), type="filepath", elem_id="nd-upload")
        url = gr.Textbox(label="or a web page's address", placeholder="https://…", lines=1,
                         max_lines=1, elem_id="nd-url")
        add = gr.Button("Add", size="sm", variant="primary", elem_id="nd-add")
    with gr.Accordion("Articles", open=False, elem_id="nd-docs-box"):
        docs = gr.HTML(docs_list, elem_id="nd-docs", js_on_load=assets.DOCS_JS)
    return {"viewer": viewer, "corpus": corpus, "reindex": reindex, "status": status,
            "docs": docs, "upload": upload, "url": url, "add": add}


def _wire(app: gr.Blocks, web: WebChat, c: dict[str, Any], s: dict[str, Any]) -> None:
    """Connect the events; the chat endpoint is `/chat` for API clients."""
    c["asked"] = gr.on([c["question"].submit, c["ask"].click], web.chat,
                       inputs=[c["question"], c["generator"], c["session"]],
                       outputs=[c["question"], c["chatbot"], c["session"]],
                       api_name="chat", show_progress="minimal")

    def open_ref(evt: gr.EventData) -> str:
        return web.open_ref(getattr(evt, "ref", None))

    # Opening an article is a quick file read: it must not wait behind answers.
    s["viewer"].open_ref(open_ref, outputs=[s["viewer"]], concurrency_limit=None,
                         api_visibility="private", show_progress="hidden")

    def clear() -> tuple[str, list[Any], ChatSession, str]:
        return "", [], ChatSession(), render.viewer_notice_html(VIEWER_HINT)

    cleared = [c["question"], c["chatbot"], c["session"], s["viewer"]]
    c["cleared"] = [
        c["clear"].click(clear, outputs=cleared, api_visibility="private", queue=False),
        c["chatbot"].clear(clear, outputs=cleared, api_visibility="private", queue=False)]
    app.load(web.panel, outputs=[s["corpus"], s["docs"]], api_visibility="private",
             queue=False, show_progress="hidden")


def _wire_desk(desk: ArticleDesk, c: dict[str, Any], s: dict[str, Any]) -> None:
    """Re-index, Add, Remove (logged-in users; one write to the index at a time: ingest
    takes its write lock anyway) and the conversation export after each answer."""
    panel = [s["corpus"], s["docs"], s["status"]]
    progress_default = gr.Progress(track_tqdm=True)

    def reindex(request: gr.Request,
                progress: gr.Progress = progress_default) -> tuple[str, str, str]:
        return desk.reindex(request.username, progress)

    s["reindex"].click(reindex, outputs=panel, concurrency_limit=1,
                       concurrency_id="index-writes", api_visibility="private",
                       show_progress_on=[s["status"]])

    def add(files: list[str] | None, url: str, request: gr.Request,
            progress: gr.Progress = progress_default) -> tuple[str, str, str, None, str]:
        return (*desk.add(files, url, request.username, progress), None, "")

    s["add"].click(add, inputs=[s["upload"], s["url"]], outputs=[*panel, s["upload"], s["url"]],
                   concurrency_limit=1, concurrency_id="index-writes",
                   api_visibility="private", show_progress_on=[s["status"]])

    def remove(evt: gr.EventData, request: gr.Request,
               progress: gr.Progress = progress_default) -> tuple[str, str, str]:
        return desk.remove(getattr(evt, "ref", None), request.username, progress)

    s["docs"].remove_ref(remove, outputs=panel, concurrency_limit=1,
                         concurrency_id="index-writes", api_visibility="private",
                         show_progress_on=[s["status"]])

    def export(session: ChatSession, request: gr.Request) -> tuple[Any, Any]:
        answers = session.answers if isinstance(session, ChatSession) else []
        folder = _exports() / (request.session_hash or "session") if answers else None
        md, data = desk.export(answers, folder)
        # Updates, not new buttons: the page's own buttons copy the files into Gradio's
        # cache, so `delete_cache` knows the copies.
        return (gr.update(value=md, interactive=md is not None),
                gr.update(value=data, interactive=data is not None))

    for done in [c["asked"], *c["cleared"]]:
        done.then(export, inputs=[c["session"]], outputs=[c["export_md"], c["export_json"]],
                  api_visibility="private", queue=False, show_progress="hidden")


@functools.cache
def _workspace() -> Path:
    """This process's private folder in the system's temporary folder (TMPDIR): `exports/`,
    the conversation files, a subfolder per browser session; under `serve` also `gradio/`,
    Gradio's cache of uploads and downloads. `serve` removes it all when the chat stops,
    whatever Gradio's own shutdown gets to (its cache sweep at shutdown does not run while
    a tab is still connected)."""
    return Path(tempfile.mkdtemp(prefix="newsdesk-chat-"))


def _exports() -> Path:
    folder = _workspace() / "exports"
    folder.mkdir(exist_ok=True)
    return folder


def _tab_closed(request: gr.Request) -> None:
    """A closed (or reloaded) tab's conversation goes, and its export files with it."""
    if request.session_hash and _workspace.cache_info().currsize:
        shutil.rmtree(_exports() / request.session_hash, ignore_errors=True)


def _remove_workspace() -> None:
    """Remove the private folder, if this process made one: no conversation is left behind."""
    if _workspace.cache_info().currsize:
        shutil.rmtree(_workspace(), ignore_errors=True)
        _workspace.cache_clear()


def _stop_on_sigterm() -> None:
    """SIGTERM (a service manager stopping the chat) stops it as Ctrl+C does, so it shuts
    down cleanly: Gradio closes its server, and `serve` removes the chat's private folder
    (`_workspace`). Only the main thread may set a handler."""
    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, interrupt)


def launch_options(access: Access | None = None,
                   max_upload_bytes: int | None = None) -> dict[str, Any]:
    """`launch()` arguments for the chat: no share link, no run history, no MCP, our look;
    a login page when `access` requires one; uploads capped at `max_upload_bytes`."""
    access = access or Access()
    options: dict[str, Any] = {
        "share": False, "theme": assets.theme(), "css": assets.CSS + TIMELINE_CSS,
        "footer_links": ["api"],
        "run_history": False, "mcp_server": False, "ssr_mode": False, "show_error": False}
    if access.login:
        options |= {"auth": access.gradio_auth(), "auth_message": LOGIN_MESSAGE}
    if max_upload_bytes is not None:
        options["max_file_size"] = max_upload_bytes
    return options


def serve(assistant: Assistant, host: str = "127.0.0.1", port: int = 7860,
          access: Access | None = None) -> int:
    """Index if needed, then serve the chat on http://host:port until interrupted."""
    report = assistant.ensure_index(progress=True)
    if report is not None:
        print(report.summary(), file=sys.stderr)
    try:  # load the models now, so the first question does not wait ~15 s for them
        assistant.retriever().search("newsdesk", 1)
        parser_pipeline()
    except NewsdeskError as exc:  # the chat still opens: it shows the problem per question
        print(f"newsdesk: warning: {exc}", file=sys.stderr)
    # Gradio reads its cache folder when the app is built: this process's own, so that
    # stopping the chat removes every copy of an upload or a download.
    gradio_cache = os.environ.get("GRADIO_TEMP_DIR")
    os.environ["GRADIO_TEMP_DIR"] = str(_workspace() / "gradio")
    try:
        app = build_app(assistant, access)
        limit = max(assistant.settings.max_file_bytes, assistant.settings.max_page_bytes)
        try:
            app.launch(server_name=host, server_port=port, prevent_thread_lock=True, quiet=True,
                       **launch_options(access, limit))
        except OSError as exc:
            reason = str(exc).split(". ")[0]  # gradio's advice on its env variables does not apply
            raise ServeError(f"cannot serve on {host}:{port}: {reason}; is something else "
                             "using that port? Choose another with --port") from None
        shown = f"[{host}]" if ":" in host else host
        print(f"newsdesk chat: http://{shown}:{port}  (Ctrl+C to stop)", flush=True)
        _stop_on_sigterm()
        app.block_thread()  # returns on Ctrl+C, after closing the server
    finally:
        _remove_workspace()
        if gradio_cache is None:
            os.environ.pop("GRADIO_TEMP_DIR", None)
        else:
            os.environ["GRADIO_TEMP_DIR"] = gradio_cache
    return 0
