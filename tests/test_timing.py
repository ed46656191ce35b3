"""Stage timing: a stage adds its seconds to the tally open in its own thread, and to
nothing when none is open. The clock is a fake that moves only when told to."""

from __future__ import annotations

import threading

import pytest

from newsdesk import timing
from newsdesk.timing import collect, stage


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(timing.time, "perf_counter", fake)
    return fake


def test_a_stage_adds_its_seconds_to_the_open_tally(clock: Clock) -> None:
    with collect() as spent:
        with stage("parse"):
            clock.now += 2.0
        clock.now += 50.0  # between stages: no stage's time
        with stage("parse"):
            clock.now += 3.0
        with stage("score"):
            clock.now += 0.5
    assert spent == {"parse": 5.0, "score": 0.5}


def test_without_a_tally_a_stage_only_runs_its_block(clock: Clock) -> None:
    ran = []
    with stage("parse"):
        ran.append(True)
    assert ran == [True]
    with collect() as spent:
        pass
    assert spent == {}


def test_a_stage_within_the_same_stage_counts_once(clock: Clock) -> None:
    with collect() as spent, stage("parse"):
        clock.now += 1.0
        with stage("parse"):
            clock.now += 2.0
        with stage("score"):
            clock.now += 4.0
    assert spent == {"parse": 7.0, "score": 4.0}


def test_an_inner_tally_keeps_its_stages_and_the_outer_one_resumes(clock: Clock) -> None:
    with collect() as outer:
        with collect() as inner, stage("parse"):
            clock.now += 1.0
        with stage("score"):
            clock.now += 2.0
    assert inner == {"parse": 1.0}
    assert outer == {"score": 2.0}


def test_a_stage_that_raises_still_counts(clock: Clock) -> None:
    def fails() -> None:
        with stage("parse"):
            clock.now += 1.5
            raise ValueError("bad text")

    with collect() as spent:
        with pytest.raises(ValueError, match="bad text"):
            fails()
        with stage("parse"):  # and is no longer running
            clock.now += 1.0
    assert spent == {"parse": 2.5}


def test_each_thread_has_its_own_tally(clock: Clock) -> None:
    other: dict[str, float] = {}
    untallied = threading.Event()

    def work() -> None:
        with stage("sentence_vectors"):  # no tally open in this thread
            untallied.set()
        with collect() as spent, stage("sentence_vectors"):
            pass
        other.update(spent)

    with collect() as mine, stage("parse"):
        thread = threading.Thread(target=work)
        thread.start()
        thread.join()
    assert untallied.is_set()
    assert set(mine) == {"parse"}
    assert set(other) == {"sentence_vectors"}
