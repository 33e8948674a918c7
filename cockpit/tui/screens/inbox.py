"""The app's main screen. Its one duty beyond holding the inbox: a key pressed where it does not
apply (hidden from the footer) is explained instead of ignored."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from textual import events
from textual.screen import Screen


@runtime_checkable
class KeyExplainer(Protocol):
    def explain_key(self, key: str) -> bool:
        """Say why `key` does nothing here; False when it is not ours to explain."""


class InboxScreen(Screen[None]):
    def on_key(self, event: events.Key) -> None:
        # Runs before the app's own (non-priority) bindings are tried: `active_bindings`
        # still tells whether one of them will act on this key.
        app = self.app
        if isinstance(app, KeyExplainer) and app.explain_key(event.key):
            event.stop()
