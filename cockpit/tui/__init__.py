"""The Textual app. `create_app` is the one way in, for the CLI and for tests.

This module imports nothing heavy: `start_first_screen` sends the first screen's requests
while the app's modules (Textual, the HTTP client, the models) are still loading.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cockpit.client import CockpitClient
    from cockpit.config import Settings
    from cockpit.prefetch import FirstScreen
    from cockpit.tui.app import CockpitApp
    from cockpit.tui.format import Clock
    from cockpit.tui.live import StreamFactory

__all__ = ["create_app", "create_signing_in_app", "start_first_screen"]


def create_app(settings: Settings, url: str, token: str, *, client: CockpitClient | None = None,
               live: bool = True, stream: StreamFactory | None = None, clock: Clock | None = None,
               user: str | None = None, keymap: dict[str, str] | None = None,
               first_screen: FirstScreen | None = None) -> CockpitApp:
    """The app for the server at `url`. Tests inject `client`, `stream`, `clock` and `keymap`.

    `live=False` runs without the event stream (the header says offline). `first_screen`:
    the requests `start_first_screen` sent (without one, they are sent now).
    """
    from cockpit.client import CockpitClient, EventStream
    from cockpit.tui.app import CockpitApp
    from cockpit.tui.format import utcnow

    owns = client is None
    if client is None:
        client = CockpitClient(url, token, origin="tui",
                               first_screen=first_screen or start_first_screen(settings, url,
                                                                               token))
    if live and stream is None:
        def stream() -> EventStream:
            return EventStream(url, token)
    return CockpitApp(settings, client, stream=stream if live else None,
                      clock=clock or utcnow, user=user or "",
                      keymap=keymap, owns_client=owns)


def start_first_screen(settings: Settings, url: str, token: str) -> FirstScreen:
    """Send the first screen's requests now (the folders of the Inbox tab as the settings
    group and sort it, then the first pages the screen reaches), on a thread."""
    import shutil

    from cockpit.prefetch import FirstScreen
    from cockpit.tui.view_names import PAGE, TABS

    # group_by and sort are valid: Settings allows only the names the server knows
    return FirstScreen(url, token, state=TABS["inbox"][1], group_by=settings.group_by,
                       sort=settings.sort, page=PAGE, rows=shutil.get_terminal_size().lines)


def create_signing_in_app(settings: Settings, url: str = "", *, url_fixed: bool = False,
                          live: bool = True, keymap: dict[str, str] | None = None) -> CockpitApp:
    """The app for a session with no token: it asks for one (the server's address prefilled
    with `url`, locked with `url_fixed`) and opens the inbox once the server accepts it."""
    from cockpit.tui.signing_in import SigningInApp

    return SigningInApp(settings, url, url_fixed=url_fixed, live=live, keymap=keymap)
