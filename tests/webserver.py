"""Web test helpers: a real `newsdesk chat` subprocess, a hostile corpus, an HTML audit."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from tests.fakes import ARTIFACTS, HOSTILE_IMG, HOSTILE_SCRIPT, SEEDS
from tests.ingest_support import ctrl_c_stops, free_port, newsdesk_env

SCREENSHOTS = ARTIFACTS / "web"
START_TIMEOUT = 300.0  # first start indexes the corpus and loads the embedding model

HOSTILE_SOURCE = "zz_hostile.txt"
HOSTILE_QUESTION = "What did the mayor of Zarnovia announce?"
_PROGRAMME = "\n".join(
    f"Stall {n} on pier {n % 7 + 1} sells smoked fish, paper lanterns and tea until {n % 5 + 6} pm."
    for n in range(1, 61))
# An article whose sentences carry markup: if the chat rendered any of it, a dialog would
# open, an image would load from an outside host, or a javascript: link would appear. The
# programme puts those sentences far down, so the viewer must scroll to show them.
HOSTILE_ARTICLE = f"""Zarnovia harbour festival opens with a lantern parade
The lantern parade will start at the old lighthouse on Saturday evening and end at the fish market.
{_PROGRAMME}
The mayor of Zarnovia announced the harbour festival with a banner reading {HOSTILE_SCRIPT} above the town square.
Festival organisers posted {HOSTILE_IMG} on the harbour notice board, and a flyer linked [tickets](javascript:alert(1)) and ![map](http://example.invalid/map.png) for visitors.
"""  # noqa: E501


@dataclass
class ChatServer:
    """A running server: its URL, corpus folder and log file."""

    url: str
    corpus: Path
    log: Path
    process: subprocess.Popen[bytes]

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log.read_text(encoding="utf-8", errors="replace")[-chars:]
        except OSError:
            return ""


# Two outlets that report one drill with different troop numbers: the chat must say that
# sources differ and quote each side (issue 14).
DISPUTE_QUESTION = "How many troops took part in the Kestrel Bay naval drill?"
DISPUTE_ARTICLES = {
    "zz_drill_harbour_times.txt": """Kestrel Bay naval drill ends after three days
Published: 2024-03-05
Outlet: Harbour Times

About 4,000 troops took part in the Kestrel Bay naval drill, the navy said on Monday.
Ships from three fleets sailed past the lighthouse while families watched from the pier.
The exercise tested mine clearing and the defence of the harbour's oil terminal.
""",
    "zz_drill_coast_courier.txt": """Navy wraps up Kestrel Bay exercise
Published: 2024-03-06
Outlet: Coast Courier

About 3,000 troops took part in the Kestrel Bay naval drill, according to regional officials.
Local fishermen were asked to keep their boats in port until the exercise was over.
Commanders praised the crews and promised a parade in the town square next month.
""",
}


def web_corpus(folder: Path) -> Path:
    """The seed articles and questions, the hostile article and the disputing pair."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in SEEDS.iterdir():
        if path.is_file():
            shutil.copy(path, folder / path.name)
    (folder / HOSTILE_SOURCE).write_text(HOSTILE_ARTICLE, encoding="utf-8")
    for name, text in DISPUTE_ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _command() -> list[str]:
    script = Path(sys.executable).with_name("newsdesk")
    return [str(script)] if script.exists() else [sys.executable, "-m", "newsdesk.cli"]


def _answers_http(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@contextmanager
def running_chat_server(root: Path, *extra: str,
                        env: dict[str, str] | None = None) -> Iterator[ChatServer]:
    """`newsdesk chat --port FREE --index TMP --corpus TMP [extra…]` until the block ends;
    `env` adds to its environment."""
    corpus, port, log = web_corpus(root / "corpus"), free_port(), root / "server.log"
    env = newsdesk_env(GRADIO_ANALYTICS_ENABLED="False", PYTHONUNBUFFERED="1", **(env or {}))
    args = [*_command(), "chat", "--port", str(port), "--index", str(root / "index"),
            "--corpus", str(corpus), "--generator", "extractive", *extra]
    with open(log, "wb") as out:
        process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, env=env,
                                   preexec_fn=ctrl_c_stops)
    server = ChatServer(f"http://127.0.0.1:{port}/", corpus, log, process)
    try:
        _wait_until_up(server)
        yield server
    finally:
        _stop(process)


def _wait_until_up(server: ChatServer) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"newsdesk chat exited with {server.process.returncode}:\n"
                               f"{server.log_tail()}")
        if _answers_http(server.url):
            return
        time.sleep(0.5)
    raise RuntimeError(f"newsdesk chat did not answer within {START_TIMEOUT:.0f} s:\n"
                       f"{server.log_tail()}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Ctrl+C first, as a user would stop it; kill only if it hangs."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


# Tags web_render may emit; anything else in its output came from the data.
ALLOWED_TAGS = {"div", "p", "span", "sup", "button", "ol", "ul", "li", "mark", "strong", "dl", "dt",
                "dd", "details", "summary"}
ALLOWED_ATTRS = {"class", "type", "value", "title", "role"}


class TagAudit(HTMLParser):
    """Every tag and attribute of an HTML string, and its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[str] = []
        self.text = ""
        self.marks: list[str] = []
        self._in_mark = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs += [name for name, _ in attrs]
        self._in_mark = self._in_mark or tag == "mark"
        if tag == "mark":
            self.marks.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark":
            self._in_mark = False

    def handle_data(self, data: str) -> None:
        self.text += data
        if self._in_mark:
            self.marks[-1] += data


def audit(markup: str) -> TagAudit:
    """Parse newsdesk's chat HTML, failing on any tag or attribute web_render never emits."""
    parser = TagAudit()
    parser.feed(markup)
    parser.close()
    assert set(parser.tags) <= ALLOWED_TAGS, set(parser.tags) - ALLOWED_TAGS
    assert set(parser.attrs) <= ALLOWED_ATTRS, set(parser.attrs) - ALLOWED_ATTRS
    return parser
