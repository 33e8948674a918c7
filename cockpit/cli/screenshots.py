"""`cockpit screenshots`: regenerate the README screenshots from a throwaway demo server.

    .venv/bin/cockpit screenshots [--out screenshots] [--theme cockpit-dark] [--only help.svg]

Runs the app at 120x36 against an embedded server on a temporary SQLite database seeded with
the demo inbox. COCKPIT_DATA_DIR points at a temporary folder while it runs, so the real user
data (and its local token) is never touched.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from cockpit.cli.errors import UsageError
from cockpit.config import Settings

SIZE = (120, 36)


async def _settle(pilot: Any) -> None:
    app = pilot.app
    for _ in range(400):
        if app.loaded and app.link_state == "live":
            break
        await pilot.pause(0.05)
    await pilot.pause(0.4)


async def _goto(pilot: Any, predicate: Callable[[Any], bool]) -> None:
    app = pilot.app
    await pilot.press("home")
    for _ in range(300):
        item = app.cursor_item()
        if item is not None and predicate(item):
            break
        await pilot.press("j")
    await pilot.pause(0.4)


async def inbox(pilot: Any) -> None:
    """The grouped inbox with a selection: one whole folder plus two messages."""
    from cockpit.domain.rules import is_decision

    app = pilot.app
    await pilot.press("home", "space")  # the first folder, tri-state on
    items = app.item_list.items
    app.selection.set_many([i.id for i in items if i.kind == "message"
                            and not is_decision(i.kind, i.payload)][:2], True)
    await _goto(pilot, lambda i: i.kind == "failed_run")


async def waitpoint(pilot: Any) -> None:
    await _goto(pilot, lambda i: bool(i.payload.get("second_approver_required")))


async def escalation(pilot: Any) -> None:
    await _goto(pilot, lambda i: i.kind == "escalation" and
                (i.payload.get("risk_score") or 0) >= 7)


async def archived(pilot: Any) -> None:
    await pilot.press("3")
    await _settle(pilot)
    await pilot.press("j", "j")
    await pilot.pause(0.4)


async def help_screen(pilot: Any) -> None:
    await pilot.press("question_mark")
    await pilot.pause(0.4)


async def _until(pilot: Any, condition: Callable[[], Any]) -> None:
    for _ in range(400):
        if condition():
            break
        await pilot.pause(0.05)
    await pilot.pause(0.4)


async def agents(pilot: Any) -> None:
    """The Agents screen (F2): the demo team's roster, the queues and today's figures."""
    await pilot.press("f2")
    await _until(pilot, lambda: getattr(pilot.app.screen, "loaded", False)
                 and getattr(pilot.app.screen, "metrics", None) is not None)


async def reports(pilot: Any) -> None:
    """The Reports screen (F3): first response by agent over the last 7 days."""
    await pilot.press("f3")
    screen = pilot.app.screen
    await _until(pilot, lambda: getattr(screen, "report", None))
    await pilot.press("r")
    await _until(pilot, lambda: (getattr(screen, "report", None) or {}).get("name")
                 == "first_response")


SHOTS: dict[str, Callable[[Any], Awaitable[None]]] = {
    "inbox.svg": inbox,
    "waitpoint.svg": waitpoint,
    "escalation.svg": escalation,
    "archived.svg": archived,
    "help.svg": help_screen,
    "agents.svg": agents,
    "reports.svg": reports,
}


async def shoot(url: str, token: str, user: str, out: Path, theme: str,
                names: list[str]) -> None:
    from cockpit.tui import create_app

    for name in names:
        app = create_app(Settings(theme=theme, group_by="kind"), url, token, user=user,
                         keymap={})
        app.animation_level = "none"
        async with app.run_test(size=SIZE) as pilot:
            await _settle(pilot)
            await SHOTS[name](pilot)
            app.save_screenshot(name, str(out))
        print(f"wrote {out / name}")


def cmd_screenshots(args: argparse.Namespace, _settings: Settings) -> int:
    names = args.only or list(SHOTS)
    unknown = [n for n in names if n not in SHOTS]
    if unknown:
        raise UsageError(f"no screenshot named {', '.join(unknown)}; "
                         f"they are {', '.join(SHOTS)}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    saved = {k: os.environ.get(k) for k in ("COCKPIT_DATA_DIR", "COCKPIT_USER", "NO_COLOR")}
    with tempfile.TemporaryDirectory(prefix="cockpit-shots-") as tmp:
        os.environ["COCKPIT_DATA_DIR"] = str(Path(tmp) / "data")
        os.environ.setdefault("COCKPIT_USER", "alex")
        os.environ.pop("NO_COLOR", None)
        from cockpit.runtime import EmbeddedServer, open_local

        engine, user, token = open_local(f"sqlite:///{Path(tmp) / 'demo.db'}", seed_demo=True)
        server = EmbeddedServer(engine)
        url = server.start()
        try:
            asyncio.run(shoot(url, token, user, out, args.shot_theme, names))
        finally:
            server.stop()
            engine.dispose()
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
    return 0
