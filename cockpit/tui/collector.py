"""Full garbage collections while the person at the keyboard pauses, not under a key press.

Once the first rows are up, what start-up built (modules, widgets, styles) goes to
`gc.freeze`: a full collection no longer walks it. What the app builds afterwards still does:
each cursor move renders strips and a detail pane whose widgets live a little while, so some
tens of thousands of objects reach the oldest generation every few seconds, and the
interpreter then walks all of them (50-150 ms at a 100k inbox: a key pressed meanwhile waits
for it). Here the interpreter's own full passes come ten times more rarely, and the app makes
one when input has paused for `QUIET` seconds and the interpreter would have made one by
then. Under a stream of keys the interpreter's rarer pass still bounds memory.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

QUIET = 0.5  # seconds without a key or a click: a pass then goes unnoticed
ON_ITS_OWN = 10  # the interpreter's default: a full pass after 10 middle-generation ones
DEFERRED = 100  # the interpreter's own full pass, when the app never found a pause


class Collector:
    """`start` once the app's start-up objects are built; `touched` on every input event;
    `tick` from a timer."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.last_input = clock()
        self.started = False

    def start(self) -> None:
        if self.started:
            return
        self.started = True
        gc.freeze()
        young, middle, _ = gc.get_threshold()
        gc.set_threshold(young, middle, DEFERRED)

    def touched(self) -> None:
        self.last_input = self.clock()

    def tick(self) -> bool:
        """A full pass, if one is due and input has paused; True when it ran."""
        if not self.started or self.clock() - self.last_input < QUIET:
            return False
        if gc.get_count()[2] < ON_ITS_OWN:  # middle-generation passes since the last full
            return False
        gc.collect()
        return True
