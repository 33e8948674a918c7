"""Helpers for driving the app with Pilot: they wait on conditions, never on the clock alone.

A loaded machine (two cores, another CPU-heavy process) makes everything slow but nothing
wrong, so every wait has a generous deadline measured on the wall clock and fails with what it
waited for.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Any

from cockpit.domain.grouping import ItemRow

# Seconds; only ever reached when something is really wrong. PILOT_DEADLINE=5 makes a broken
# test fail fast while working on it.
DEADLINE = float(os.environ.get("PILOT_DEADLINE", "60"))
SIZE = (120, 36)


async def wait_for(pilot: Any, condition: Callable[[], Any], timeout: float = DEADLINE,
                   what: str = "condition") -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not condition():
        if loop.time() > end:
            raise AssertionError(f"{what} not met within {timeout}s")
        await pilot.pause(0.05)


async def ready(app: Any, pilot: Any, *, live: bool = True) -> None:
    """The first load done (and the live link up): the app as a user first sees it."""
    await wait_for(pilot, lambda: app.loaded, what="first load")
    await wait_for(pilot, lambda: settled(app), what="the screen's windows loaded")
    if live:
        await wait_for(pilot, lambda: app.link_state == "live", what="live link")
    await pilot.pause(0.1)


def showing(app: Any, screen_type: type) -> bool:
    """A dialog or page of `screen_type` is on top and mounted: its keys answer (pressed
    while it is still mounting, they could go to no one)."""
    return isinstance(app.screen, screen_type) and app.screen.is_mounted


def settled(app: Any) -> bool:
    """The shown view is counted and every folder the screen (and its read-ahead) needs is
    loaded: what a person sees once the placeholders are gone."""
    feed = app.feed
    rows = app.item_list.size.height * 2
    return feed.known and not feed.wanted(0, rows) and not any(f.loading for f in feed.folders)


def record_toasts(app: Any) -> list[str]:
    """Every notify() message, in order (wraps the instance's method; Textual's stays public)."""
    seen: list[str] = []
    original = app.notify

    def notify(message: str, **kwargs: Any) -> None:
        seen.append(str(message))
        original(message, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    return seen


async def move_to(app: Any, pilot: Any, predicate: Callable[[Any], bool]) -> Any:
    """Put the cursor on the first listed item matching `predicate` (and the detail on it)."""
    target = next((row.item for row in app.item_list.rows
                   if isinstance(row, ItemRow) and predicate(row.item)), None)
    if target is None:
        raise AssertionError("no such item in the list")
    app.item_list.select_item(target.id)
    await wait_for(pilot, lambda: (app.cursor_item() or target).id == target.id
                   and app.cursor_item() is not None, what="cursor on the item")
    await wait_for(pilot, lambda: app.detail.item is not None and app.detail.item.id == target.id,
                   what="detail on the item")
    return app.cursor_item()


def text_of(widget: Any) -> str:
    """What a widget shows, as plain text."""
    return str(widget.render())
