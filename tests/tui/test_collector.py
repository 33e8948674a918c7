"""Full collections wait for a pause in the input, and only once one is due."""

from __future__ import annotations

import gc

import pytest

from cockpit.tui import collector as module
from cockpit.tui.collector import DEFERRED, ON_ITS_OWN, QUIET, Collector


@pytest.fixture
def collections(monkeypatch):
    """The interpreter's collector, replaced: (middle passes since the last full, full passes
    made); the threshold and the frozen heap left as they are for the other tests."""
    state = {"since_full": 0, "full": 0, "threshold": None, "frozen": 0}

    def collect(generation: int = 2) -> int:
        state["full"] += 1
        state["since_full"] = 0
        return 0

    monkeypatch.setattr(module.gc, "collect", collect)
    monkeypatch.setattr(module.gc, "get_count", lambda: (0, 0, state["since_full"]))
    monkeypatch.setattr(module.gc, "set_threshold",
                        lambda *t: state.__setitem__("threshold", t))
    monkeypatch.setattr(module.gc, "freeze", lambda: state.__setitem__("frozen",
                                                                       state["frozen"] + 1))
    return state


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_nothing_before_start_then_a_full_pass_only_in_a_pause(collections):
    clock = Clock()
    gc_collector = Collector(clock)
    collections["since_full"] = ON_ITS_OWN
    clock.now += QUIET * 4
    assert not gc_collector.tick()  # start-up is still building: not ours to collect yet
    gc_collector.start()
    gc_collector.start()
    assert collections["frozen"] == 1
    assert collections["threshold"] == (*gc.get_threshold()[:2], DEFERRED)
    gc_collector.touched()
    clock.now += QUIET / 2
    assert not gc_collector.tick() and collections["full"] == 0  # keys are coming
    clock.now += QUIET
    assert gc_collector.tick() and collections["full"] == 1  # a pause: the pass goes now
    clock.now += QUIET * 10
    assert not gc_collector.tick()  # none due again yet
    collections["since_full"] = ON_ITS_OWN - 1
    assert not gc_collector.tick()
    collections["since_full"] = ON_ITS_OWN
    assert gc_collector.tick() and collections["full"] == 2
