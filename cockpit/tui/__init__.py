"""The Textual app. `create_app` is the one way in, for the CLI and for tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cockpit.client import CockpitClient, EventStream
from cockpit.config import Settings
from cockpit.tui.format import Clock, utcnow
from cockpit.tui.live import StreamFactory

if TYPE_CHECKING:
    from cockpit.tui.app import CockpitApp

__all__ = ["create_app"]


def create_app(settings: Settings, url: str, token: str, *, client: CockpitClient | None = None,
               live: bool = True, stream: StreamFactory | None = None, clock: Clock | None = None,
               user: str | None = None, keymap: dict[str, str] | None = None) -> CockpitApp:
    """The app for the server at `url`. Tests inject `client`, `stream`, `clock` and `keymap`.

    `live=False` runs without the event stream (the header says offline).
    """
    from cockpit.tui.app import CockpitApp

    owns = client is None
    if client is None:
        client = CockpitClient(url, token, origin="tui")
    if live and stream is None:
        def stream() -> EventStream:
            return EventStream(url, token)
    return CockpitApp(settings, client, stream=stream if live else None,
                      clock=clock or utcnow, user=user or "",
                      keymap=keymap, owns_client=owns)

