"""Child processes timed and weighed: wall time to first output and to exit, and peak RSS.

Peak RSS comes from `wait4`'s rusage of that one child, so it needs no psutil and is
exact for the process (not the sum of a process tree).
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Measured:
    returncode: int
    wall_s: float
    first_output_s: float
    peak_rss_mb: float
    stdout: str
    stderr: str


def run_measured(cmd: list[str], env: dict[str, str] | None = None,
                 timeout: float = 600.0) -> Measured:
    """Run to completion; time to the first byte of stdout, to exit, and peak RSS."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL)
    first: list[float] = []
    out: list[bytes] = []
    err: list[bytes] = []
    readers = [threading.Thread(target=_drain, args=(proc.stdout, out, first, t0), daemon=True),
               threading.Thread(target=_drain, args=(proc.stderr, err, [], t0), daemon=True)]
    for reader in readers:
        reader.start()
    status, rss_kb = _wait(proc, t0 + timeout)
    wall = time.perf_counter() - t0
    for reader in readers:
        reader.join(timeout=10)
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code  # reaped by wait4 above; tell Popen so it does not wait again
    return Measured(code, wall, first[0] if first else wall, rss_kb / 1024,
                    b"".join(out).decode(errors="replace"), b"".join(err).decode(errors="replace"))


def _drain(stream: Any, sink: list[bytes], first: list[float], t0: float) -> None:
    while chunk := stream.read1(65536):  # read1: return what is there, do not fill 64 KiB
        if not first:
            first.append(time.perf_counter() - t0)
        sink.append(chunk)


def _wait(proc: subprocess.Popen[bytes], deadline: float) -> tuple[int, int]:
    """Reap the child with wait4 (for its own rusage); kill it at the deadline."""
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            return status, int(usage.ru_maxrss)
        if time.perf_counter() > deadline:
            proc.kill()
            _, status, usage = os.wait4(proc.pid, 0)
            return status, int(usage.ru_maxrss)
        time.sleep(0.005)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def chat_rss(command: list[str], corpus: Path, index: Path, question: str,
             wait: float = 120.0) -> dict[str, Any]:
    """Peak RSS of `newsdesk chat` after it starts and answers one question over its API."""
    import importlib.util

    if importlib.util.find_spec("newsdesk.web.app") is None:
        return {"status": "pending: newsdesk.web.app is not there yet"}
    port = free_port()
    cmd = [*command, "chat", "--port", str(port), "--corpus", str(corpus), "--index", str(index)]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}/"
        ready = _serving(url, proc, t0 + wait)
        startup = time.perf_counter() - t0
        status = _ask_over_api(url, question) if ready else ""
        rss = _status_kb(proc.pid)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    if not ready:
        return {"status": f"did not serve within {wait:.0f} s (exit {proc.returncode})"}
    return {"status": status, "startup_s": startup,
            "rss_mb": rss.get("VmRSS", 0) / 1024, "peak_rss_mb": rss.get("VmHWM", 0) / 1024}


def _ask_over_api(url: str, question: str) -> str:
    """Ask through the chat's `/chat` endpoint, as a browser session would."""
    try:
        from gradio_client import Client

        client = Client(url, verbose=False, analytics_enabled=False, download_files=False)
        client.predict(question, "extractive", api_name="/chat")
    except Exception as exc:  # the measurement still stands, for startup only
        return f"after startup only (asking failed: {type(exc).__name__})"
    return "after startup and one extractive answer"


def _serving(url: str, proc: subprocess.Popen[bytes], deadline: float) -> bool:
    while time.perf_counter() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except OSError:
            time.sleep(0.25)
    return False


def _status_kb(pid: int) -> dict[str, int]:
    """VmRSS/VmHWM of a live process from /proc (KiB)."""
    out: dict[str, int] = {}
    with contextlib.suppress(OSError), open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0])
    return out
