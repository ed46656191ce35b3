"""Adding and removing articles in a real Chromium, against a real `newsdesk chat` that
requires a login (`--auth-file`): upload an HTML article, get a cited answer from it,
export the conversation; hostile file names; two users uploading at once; Remove."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from newsdesk.settings import Settings
from newsdesk.web.access import hash_password
from tests.news_site import STRIKE_ANSWER, STRIKE_PAGE, STRIKE_QUESTION
from tests.webserver import SCREENSHOTS, ChatServer, running_chat_server

pytestmark = pytest.mark.browser

USER, PASSWORD = "editor", "kestrel-bay-2024"
STRIKE_FILE = "2024-03-05-port-strike-in-kestrel-bay-ends-after-nine-days.txt"
WAIT = 180_000  # ms: an add re-indexes with the model on a shared 2-core CPU


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChatServer]:
    root = tmp_path_factory.mktemp("web-add")
    users = root / "users"
    users.write_text(f"{USER}:{hash_password(PASSWORD, 1000)}\n", encoding="utf-8")
    with running_chat_server(root, "--auth-file", str(users)) as running:
        yield running


class Editor:
    """A logged-in user's tab; confirms dialogs (Remove asks first)."""

    def __init__(self, browser: Any, url: str):
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                           accept_downloads=True)
        self.page = self.context.new_page()
        self.page.on("dialog", lambda dialog: dialog.accept())
        self.page.goto(url)
        self.page.locator("input[type=text]").fill(USER)
        self.page.locator("input[type=password]").fill(PASSWORD)
        self.page.get_by_role("button", name="Login").click()
        self.page.wait_for_selector("#nd-question textarea", timeout=60_000)

    def open(self, accordion: str) -> None:
        self.page.locator(f"#{accordion} button").first.click()

    def choose(self, name: str, content: bytes, mime: str = "text/html") -> None:
        self.page.locator("#nd-upload input[type=file]").set_input_files(
            files=[{"name": name, "mimeType": mime, "buffer": content}])
        # Shown once uploaded, the name cut before its suffix ("../../etc/passwd" ".txt").
        self.page.locator("#nd-upload").get_by_text(Path(name).stem).first.wait_for(
            timeout=60_000)

    def add(self, shows: str, press: bool = True) -> str:
        """Press Add (unless pressed already); the status once it `shows` the result."""
        from playwright.sync_api import expect

        if press:
            self.page.locator("#nd-add").click()
        status = self.page.locator("#nd-status")
        expect(status).to_contain_text(shows, timeout=WAIT)
        return str(status.inner_text())

    def ask(self, question: str) -> Any:
        box = self.page.locator("#nd-question textarea")
        box.fill(question)
        box.press("Enter")
        answers = self.page.locator("#nd-chat .nd-answer:not(.nd-pending)")
        answers.first.wait_for(timeout=WAIT)
        return answers.last

    def shot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def editor(browser: Any, server: ChatServer) -> Iterator[Editor]:
    opened = Editor(browser, server.url)
    try:
        yield opened
    finally:
        opened.close()


def test_without_a_login_the_chat_is_closed(browser: Any, server: ChatServer) -> None:
    page = browser.new_page()
    try:
        page.goto(server.url)
        page.locator("input[type=text]").fill(USER)
        page.locator("input[type=password]").fill("wrong password")
        page.get_by_role("button", name="Login").click()
        page.get_by_text("Incorrect Credentials", exact=False).wait_for(timeout=30_000)
        assert page.locator("#nd-question").count() == 0
    finally:
        page.close()
    assert httpx.get(server.url + "config", timeout=10).status_code == 401


def test_an_uploaded_article_answers_with_a_citation_and_the_chat_exports(
        editor: Editor, server: ChatServer) -> None:
    from playwright.sync_api import expect

    editor.open("nd-add-box")
    editor.choose("Port strike ends - Harbour Times.html", STRIKE_PAGE.encode())
    status = editor.add(f"added {STRIKE_FILE}")
    assert "files: 1 added" in status
    editor.shot("20-added")
    answer = editor.ask(STRIKE_QUESTION)
    note = answer.locator("button.nd-note-btn").first
    expect(note.locator(".nd-note-file")).to_have_text(STRIKE_FILE)
    quote = note.locator(".nd-quote").text_content() or ""
    assert STRIKE_ANSWER in quote
    text = (server.corpus / STRIKE_FILE).read_text(encoding="utf-8")
    assert quote in text
    note.click()
    expect(editor.page.locator("#nd-viewer mark.nd-hl")).to_have_text(quote)
    editor.shot("21-answer-from-upload")
    with editor.page.expect_download() as got:
        editor.page.locator("#nd-export-md").click()
    markdown = Path(got.value.path()).read_text(encoding="utf-8")
    assert f"## 1. {STRIKE_QUESTION}" in markdown
    assert f"“{quote}”" in markdown
    assert f"file `{STRIKE_FILE}`" in markdown
    assert "Harbour Times, 2024-03-05" in markdown
    with editor.page.expect_download() as got:
        editor.page.locator("#nd-export-json").click()
    [exported] = json.loads(Path(got.value.path()).read_text(encoding="utf-8"))
    assert exported["citations"][0]["source"] == STRIKE_FILE
    assert {"question", "answer", "refused", "citations", "passages"} <= set(exported)


def test_hostile_upload_names_stay_in_the_corpus_folder(editor: Editor,
                                                       server: ChatServer) -> None:
    editor.open("nd-add-box")
    body = b"Harbour notes\nThe night ferry now stops at the lighthouse pier on Sundays.\n"
    editor.choose("../../etc/passwd.txt", body, "text/plain")
    editor.add("added passwd.txt")
    assert (server.corpus / "passwd.txt").read_bytes() == body
    assert not (server.corpus.parent.parent / "etc").exists()
    editor.choose("photo.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "text/plain")
    editor.add("failed: photo.txt: binary file, not text")
    assert not (server.corpus / "photo.txt").exists()


def test_two_users_upload_the_same_file_at_once(browser: Any, server: ChatServer) -> None:
    page = STRIKE_PAGE.replace("Kestrel Bay", "Otter Cove").encode()  # a new article
    editors = [Editor(browser, server.url) for _ in range(2)]
    try:
        for e in editors:
            e.open("nd-add-box")
            e.choose("otter.html", page)
        for e in editors:  # both presses before either finishes
            e.page.locator("#nd-add").click()
        texts = [e.add("otter-cove", press=False) for e in editors]
        assert sum(t.startswith("added ") for t in texts) == 1, texts
        assert sum("already there: otter.html is" in t for t in texts) == 1, texts
        assert len([p for p in server.corpus.iterdir() if "otter-cove" in p.name]) == 1
    finally:
        for e in editors:
            e.close()


def test_remove_takes_an_article_out(editor: Editor, server: ChatServer) -> None:
    from playwright.sync_api import expect

    editor.open("nd-docs-box")
    row = editor.page.locator("#nd-docs li", has_text="passwd.txt")
    expect(row).to_have_count(1)
    row.locator("button.nd-remove").click()  # the confirm dialog is accepted
    expect(editor.page.locator("#nd-status")).to_contain_text("removed passwd.txt",
                                                              timeout=WAIT)
    expect(editor.page.locator("#nd-docs li", has_text="passwd.txt")).to_have_count(0)
    assert not (server.corpus / "passwd.txt").exists()
    assert (server.corpus / ".removed" / "passwd.txt").exists()


def test_an_upload_over_the_limit_is_refused_before_it_reaches_the_corpus(
        editor: Editor, server: ChatServer, tmp_path: Path) -> None:
    before = sorted(p.name for p in server.corpus.iterdir())
    editor.open("nd-add-box")
    # A megabyte over the server's limit, as a path: Playwright ships an in-memory buffer
    # base64-encoded, and a 50 MB one took over 30 s on a loaded CI machine.
    defaults = Settings()
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * (max(defaults.max_file_bytes, defaults.max_page_bytes) + 1_000_000))
    editor.page.locator("#nd-upload input[type=file]").set_input_files(big, timeout=120_000)
    editor.page.get_by_text("exceed the maximum allowed size of 4.8 Mb").first.wait_for(
        timeout=60_000)
    editor.shot("22-too-large")
    assert sorted(p.name for p in server.corpus.iterdir()) == before
    # The server enforces the same limit on a client that skips the page's check.
    with httpx.Client(base_url=server.url, timeout=60) as client:
        assert client.post("login", data={"username": USER, "password": PASSWORD}).is_success
        big = client.post("gradio_api/upload", files={"files": ("big.txt", b"x" * 50_000_000)})
    assert big.status_code == 413
