"""The app when it has no token: the sign-in screen first, then the inbox as ever.

Until sign-in succeeds the app loads nothing and no key but quit acts: the inbox underneath is
composed but empty, and its work (loading, identifying, the live link) starts only with the
checked credentials.
"""

from __future__ import annotations

from textual import events

from cockpit.client import CockpitClient, EventStream
from cockpit.config import Settings
from cockpit.tui.app import CockpitApp
from cockpit.tui.screens.sign_in import Credentials, SignInScreen
from cockpit.tui.workers import Effects

# A client must exist before sign-in (the app is built around one); this one is never called.
SIGNED_OUT = "http://signed-out.invalid"


class SigningInApp(CockpitApp):
    def __init__(self, settings: Settings, url: str, *, url_fixed: bool = False,
                 live: bool = True, keymap: dict[str, str] | None = None) -> None:
        super().__init__(settings, CockpitClient(SIGNED_OUT, "", origin="tui"),
                         stream=self._stream if live else None, keymap=keymap,
                         owns_client=True)
        self.sign_in_url = url
        self.url_fixed = url_fixed
        self.signed_in = False

    def _stream(self) -> EventStream:
        return EventStream(self.client.base_url, self.client.token)

    def on_mount(self, event: events.Mount) -> None:
        # Stops CockpitApp.on_mount (which loads the inbox) until `_signed_in` runs it.
        event.prevent_default()
        self.push_screen(SignInScreen(self.sign_in_url, url_fixed=self.url_fixed),
                         self._signed_in)

    async def _signed_in(self, credentials: Credentials | None) -> None:
        if credentials is None:
            return
        placeholder = self.client
        self.client = CockpitClient(credentials.url, credentials.token, origin="tui")
        self.effects = Effects(self, self.client)
        self.user = credentials.user
        self.signed_in = True
        await placeholder.aclose()
        super().on_mount()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.signed_in:
            return action == "quit"
        return super().check_action(action, parameters)
