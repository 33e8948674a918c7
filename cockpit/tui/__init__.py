"""The Textual app. `create_app` is the one way in, for the CLI and for tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cockpit.client import CockpitClient, EventStream
from cockpit.config import Settings
from cockpit.tui.format import Clock, utcnow
from cockpit.tui.live import StreamFactory

if TYPE_CHECKING:
    from cockpit.prefetch import FirstScreen
    from cockpit.tui.app import CockpitApp

__all__ = ["create_app", "create_signing_in_app"]


def create_app(settings: Settings, url: str, token: str, *, client: CockpitClient | None = None,
               live: bool = True, stream: StreamFactory | None = None, clock: Clock | None = None,
               user: str | None = None, keymap: dict[str, str] | None = None) -> CockpitApp:
    """The app for the server at `url`. Tests inject `client`, `stream`, `clock` and `keymap`.

    `live=False` runs without the event stream (the header says offline).
    """
    from cockpit.tui.app import CockpitApp

    owns = client is None
    if client is None:
        client = CockpitClient(url, token, origin="tui",
                               first_screen=_first_screen(settings, url, token))
    if live and stream is None:
        def stream() -> EventStream:
            return EventStream(url, token)
    return CockpitApp(settings, client, stream=stream if live else None,
                      clock=clock or utcnow, user=user or "",
                      keymap=keymap, owns_client=owns)


def _first_screen(settings: Settings, url: str, token: str) -> FirstScreen:
    """The first screen's requests, sent now: the app's modules are still to load."""
    import shutil

    from cockpit.domain.grouping import GROUP_BY
    from cockpit.prefetch import FirstScreen
    from cockpit.tui.feed import PAGE, SORTS
    from cockpit.tui.triage import TABS

    return FirstScreen(url, token, state=TABS["inbox"][1],
                       group_by=settings.group_by if settings.group_by in GROUP_BY
                       else GROUP_BY[0],
                       sort=settings.sort if settings.sort in SORTS else SORTS[0],
                       page=PAGE, rows=shutil.get_terminal_size().lines)


def create_signing_in_app(settings: Settings, url: str = "", *, url_fixed: bool = False,
                          live: bool = True, keymap: dict[str, str] | None = None) -> CockpitApp:
    """The app for a session with no token: it asks for one (the server's address prefilled
    with `url`, locked with `url_fixed`) and opens the inbox once the server accepts it."""
    from cockpit.tui.signing_in import SigningInApp

    return SigningInApp(settings, url, url_fixed=url_fixed, live=live, keymap=keymap)
