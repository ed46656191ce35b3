"""A real OpenAI-compatible server (xllamacpp's llama.cpp HTTP server) in a subprocess, for tests.

Run as a script it loads MODEL on 127.0.0.1 (an OS-chosen port), prints its address and serves
until killed or until its stdin closes (so it never outlives a crashed test run);
`openai_server(model)` wraps that in a context manager yielding the base URL.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

READY_PREFIX = "LISTENING "


class ServerURL(str):
    """The server's OpenAI base URL (http://127.0.0.1:PORT/v1), carrying its process to kill."""

    process: subprocess.Popen[str]

    def __new__(cls, url: str, process: subprocess.Popen[str]) -> ServerURL:
        self = super().__new__(cls, url)
        self.process = process
        return self

    def kill(self) -> None:
        """Kill the server now (SIGKILL), as a crash would."""
        self.process.kill()
        self.process.wait(timeout=30)


def _serve(model_path: str, n_ctx: int) -> None:
    """Load the model behind llama.cpp's HTTP server on 127.0.0.1, announce it, serve."""
    import xllamacpp

    params = xllamacpp.CommonParams()
    params.model.path = model_path
    params.n_ctx = n_ctx
    params.n_parallel = 1
    # One thread: on a small, busy CI machine two spinning llama.cpp threads can crawl.
    params.cpuparams.n_threads = 1
    params.cpuparams_batch.n_threads = 1
    params.verbosity = 0
    params.hostnames = ["127.0.0.1"]
    params.port = 0
    server = xllamacpp.Server(params)
    print(READY_PREFIX + server.listening_address, flush=True)
    sys.stdin.read()  # returns when the parent closes the pipe or dies
    os._exit(0)  # skip llama.cpp teardown: nothing to save, and it can only be slower


def _models_answer(address: str) -> bool:
    """True once GET /v1/models returns a JSON model list."""
    try:
        with urllib.request.urlopen(f"{address}/v1/models", timeout=2) as response:
            return response.status == 200 and "data" in json.load(response)
    except (OSError, ValueError, urllib.error.URLError):
        return False


@contextmanager
def openai_server(
    model_path: Path, n_ctx: int = 4096, startup_timeout: float = 60.0
) -> Iterator[ServerURL]:
    """Start the server subprocess, wait until /v1/models answers, kill it on exit."""
    process = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), str(model_path), str(n_ctx)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        address = _wait_for_address(process, startup_timeout)
        deadline = time.monotonic() + startup_timeout
        while not _models_answer(address):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"test model server at {address} never answered /v1/models")
            time.sleep(0.1)
        yield ServerURL(f"{address}/v1", process)
    finally:
        process.kill()
        process.wait(timeout=30)
        for pipe in (process.stdin, process.stdout):
            if pipe is not None:
                pipe.close()


def _wait_for_address(process: subprocess.Popen[str], timeout: float) -> str:
    """Read the child's announced http://127.0.0.1:PORT, failing after `timeout` seconds."""
    stdout = process.stdout
    assert stdout is not None
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    line = lines[0].strip() if lines else ""
    if not line.startswith(READY_PREFIX):
        raise RuntimeError(
            f"test model server did not start within {timeout:g} s "
            f"(exit code {process.poll()}, said {line!r})"
        )
    return line.removeprefix(READY_PREFIX)


if __name__ == "__main__":
    _serve(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 4096)
