"""Server mode: a real `chroma run` server, restarted under a running assistant."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from newsdesk.errors import ConfigError, StoreError
from newsdesk.ingest.pipeline import ingest
from newsdesk.settings import load_settings
from newsdesk.types import Answer
from tests.fakes import SEED_QUESTION, SEED_SOURCE, SEEDS, hash_embedder
from tests.ingest_support import SharedModelAssistant, free_port, newsdesk, shared_model


@dataclass
class ChromaServer:
    """`chroma run` on a free port; `stop()` and `start()` keep its data folder and port."""

    path: Path
    port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        chroma = Path(sys.executable).with_name("chroma")
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [str(chroma), "run", "--path", str(self.path), "--host", "127.0.0.1",
                 "--port", str(self.port)], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=2):
                    return
            except OSError:
                assert self.process.poll() is None, self.log.read_text(errors="replace")
                time.sleep(0.1)
        raise AssertionError(f"chroma run did not answer on {self.url}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(20)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChromaServer]:
    root = tmp_path_factory.mktemp("chroma-server")
    srv = ChromaServer(root / "data", free_port(), root / "chroma.log")
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


def assert_cites_seed(answer: Answer) -> None:
    assert "Salyukov" in answer.answer
    assert SEED_SOURCE in {c.source for c in answer.citations}
    for c in answer.citations:
        text = (SEEDS / c.source).read_text(encoding="utf-8")
        assert text[c.start : c.end] == c.quote


@pytest.mark.server
def test_ingest_ask_restart_ask(server: ChromaServer, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    assistant = SharedModelAssistant.from_settings(corpus=SEEDS, index=tmp_path / "local",
                                                   chroma_url=server.url)
    report = assistant.ingest()
    assert report.chunks_added == report.chunks_total > 0
    assert not (tmp_path / "local" / "chroma").exists(), "server mode wrote an embedded store"
    before = assistant.ask(SEED_QUESTION)
    assert_cites_seed(before)

    server.stop()
    server.start()  # a plain restart: the same assistant keeps answering
    after = assistant.ask(SEED_QUESTION)
    assert_cites_seed(after)
    assert after.citations == before.citations

    server.stop()  # down while a question is asked, back two seconds later
    restarter = threading.Timer(2.0, server.start)
    restarter.start()
    t0 = time.monotonic()
    try:
        during = assistant.ask(SEED_QUESTION)
    finally:
        restarter.join()
    assert time.monotonic() - t0 > 2.0, "the question should have waited for the server"
    assert during.citations == before.citations

    monkeypatch.setattr("newsdesk.index.store.RECONNECT_SECONDS", 1.0)
    server.stop()  # down for good: a clear error that names the server
    try:
        with pytest.raises(StoreError, match=rf"Chroma server at http://127\.0\.0\.1:{server.port}"):
            assistant.ask(SEED_QUESTION)
    finally:
        server.start()


@pytest.mark.server
def test_replica_without_local_index_reuses_server_vectors(server: ChromaServer,
                                                            tmp_path: Path) -> None:
    """A second host (fresh --index) answers from the server without embedding anything."""
    args = ["--corpus", str(SEEDS), "--chroma-url", server.url]
    ingest(load_settings(corpus=SEEDS, index=tmp_path / "a", chroma_url=server.url),
           shared_model)
    replica = newsdesk(["ingest", "--json", "--index", str(tmp_path / "b"), *args])
    assert replica.returncode == 0, replica.stderr
    report = json.loads(replica.stdout)
    assert report["chunks_added"] == 0
    assert len(report["files_unchanged"]) == 5
    ask = newsdesk(["ask", "--json", "--index", str(tmp_path / "c"), *args, SEED_QUESTION])
    assert ask.returncode == 0, ask.stderr
    assert_cites_seed(Answer.from_dict(json.loads(ask.stdout)))


@pytest.mark.server
def test_host_with_other_settings_refuses_to_rebuild_the_shared_index(server: ChromaServer,
                                                                     tmp_path: Path) -> None:
    ingest(load_settings(corpus=SEEDS, index=tmp_path / "a", chroma_url=server.url),
           shared_model)
    other = load_settings(corpus=SEEDS, index=tmp_path / "b", chroma_url=server.url,
                          chunk_size=96)
    with pytest.raises(ConfigError, match=r"built with other settings \(chunk_size\)"):
        ingest(other, hash_embedder())
    again = ingest(load_settings(corpus=SEEDS, index=tmp_path / "a", chroma_url=server.url),
                   hash_embedder())
    assert again.chunks_added == 0
    assert len(again.files_unchanged) == 5


def test_unreachable_server_is_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    run = newsdesk(["ask", "--index", str(tmp_path), "--corpus", str(SEEDS), "--chroma-url", url,
                    SEED_QUESTION], timeout=120)
    assert run.returncode == 2
    assert f"cannot reach the Chroma server at {url}" in run.stderr
    assert "Traceback" not in run.stderr
