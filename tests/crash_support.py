"""Ingest processes to kill: on a pseudo-terminal (progress bar visible), at chosen moments."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import random
import re
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from newsdesk.settings import Settings
from tests.fakes import ROOT
from tests.ingest_support import newsdesk_env

_PROGRESS = re.compile(r"(\d+)/(\d+) \[")


@dataclass
class Running:
    """`newsdesk ingest` on a pseudo-terminal, so it draws its progress bar as a user sees it."""

    proc: subprocess.Popen
    started: float = field(default_factory=time.monotonic)
    output: str = ""

    def progress(self) -> tuple[int, int]:
        found = _PROGRESS.findall(self.output)
        return (int(found[-1][0]), int(found[-1][1])) if found else (-1, -1)


Command = Callable[[Settings, bool], list[str]]

# The same ingest with the hash embedder: no model to load, so a run that writes past
# Chroma's 1000-vector flush of the HNSW segment takes seconds, not minutes.
_HASH_INGEST = """
import json, sys
sys.path.insert(0, sys.argv[1])
from tests.fakes import hash_embedder
from newsdesk.ingest.pipeline import ingest
from newsdesk.settings import load_settings
s = load_settings(corpus=sys.argv[2], index=sys.argv[3], chunk_size=int(sys.argv[4]),
                  chunk_overlap=int(sys.argv[5]))
print(json.dumps(ingest(s, hash_embedder(), progress=sys.stderr.isatty()).to_dict()))
"""


def cli_ingest(settings: Settings, as_json: bool) -> list[str]:
    return [sys.executable, "-m", "newsdesk.cli", "ingest", *(["--json"] if as_json else []),
            "--corpus", str(settings.corpus), "--index", str(settings.index)]


def hash_ingest(settings: Settings, as_json: bool) -> list[str]:
    return [sys.executable, "-c", _HASH_INGEST, str(ROOT), str(settings.corpus),
            str(settings.index), str(settings.chunk_size), str(settings.chunk_overlap)]


def spawn_ingest(settings: Settings, command: Command = cli_ingest) -> Running:
    master, slave = pty.openpty()
    # A terminal of width 0 (the default) gets an empty progress bar.
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
    proc = subprocess.Popen(command(settings, False), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=slave, env=newsdesk_env(), cwd=ROOT)
    os.close(slave)
    running = Running(proc)

    def pump() -> None:
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:
                break
            if not data:
                break
            running.output += data.decode("utf-8", "replace")
        os.close(master)

    threading.Thread(target=pump, daemon=True).start()
    return running


def repair(settings: Settings, command: Command) -> dict[str, Any]:
    """The next ingest after a kill: must succeed, without a traceback; its report."""
    run = subprocess.run(command(settings, True), capture_output=True, text=True, timeout=600,
                         env=newsdesk_env(), cwd=ROOT)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Traceback" not in run.stderr
    return dict(json.loads(run.stdout))


def wait_for(running: Running, done: int, limit: float = 180) -> None:
    """Until the progress bar shows `done` chunks stored (or the run ends)."""
    deadline = time.monotonic() + limit
    while running.proc.poll() is None and time.monotonic() < deadline:
        if running.progress()[0] >= done:
            return
        time.sleep(0.02)


def kill_at_random(running: Running, rng: random.Random, phase: str,
                   jitter: float = 1.5) -> dict[str, Any]:
    """Kill -9 the run in `phase`: early (opening, chunking), mid-embedding, or at the end."""
    if phase == "early":
        time.sleep(rng.uniform(0.3, 4.0))
    else:
        wait_for(running, 0)
        total = max(running.progress()[1], 1)
        if phase == "late":
            target = total
        elif ":" in phase:  # "embedding:32": once 32 chunks are stored
            target = min(int(phase.split(":")[1]), total - 1)
        else:
            target = rng.randrange(0, total, 32)
        wait_for(running, target)
        # The last batch (often the only one: a change of 30 chunks) ends the run: kill
        # within its first half second, or most kills aimed at it would land after it.
        last = phase == "late" or target + 32 >= total
        time.sleep(rng.uniform(0, min(0.5, jitter) if last else jitter))
    done = running.progress()[0]
    running.proc.send_signal(signal.SIGKILL)
    rc = running.proc.wait(60)
    return {"phase": phase, "rc": rc, "done": done, "total": running.progress()[1],
            "at": round(time.monotonic() - running.started, 2)}
