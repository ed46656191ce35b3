"""Where an answer's time goes: seconds spent in named stages, for whoever asks.

The work worth timing sits deep in the read path (the sentence encoder in
`answer.extractive`, the spaCy parse in `models.parser`), while the answer that reports
it is put together further up. A context variable joins the two without passing a clock
through every call: `collect()` opens a tally for the current thread, and `stage(name)`
adds its block's wall-clock seconds to the open tally, or does nothing when none is
open. Each chat session's thread has its own, so concurrent answers do not mix times.

Open a tally only around plain calls, never across a `yield`: a generator resumed on
another thread (as Gradio runs them) would reset the variable in the wrong context.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class _Tally:
    seconds: dict[str, float] = field(default_factory=dict)
    running: set[str] = field(default_factory=set)


_open: ContextVar[_Tally | None] = ContextVar("newsdesk_timing", default=None)


@contextmanager
def collect() -> Iterator[dict[str, float]]:
    """Seconds per stage name of every `stage` run inside this block, filled as it runs.
    An enclosing tally is restored afterwards; it does not get this block's stages."""
    tally = _Tally()
    token = _open.set(tally)
    try:
        yield tally.seconds
    finally:
        _open.reset(token)


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Add this block's wall-clock seconds to `name` in the open tally, if one is open.
    A stage inside a running stage of the same name counts once, as the outer one."""
    tally = _open.get()
    if tally is None or name in tally.running:
        yield
        return
    tally.running.add(name)
    start = time.perf_counter()
    try:
        yield
    finally:
        tally.running.discard(name)
        tally.seconds[name] = tally.seconds.get(name, 0.0) + time.perf_counter() - start
