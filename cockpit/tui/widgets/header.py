"""The top line: app name, the connection state, who you are, and the unread count."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widgets import Static

LINK_LABELS = {
    "connecting": "connecting…",
    "live": "● live",
    "offline": "○ offline · reconnecting",
    "unauthorized": "✕ token refused",
}


class CockpitHeader(Horizontal):
    """Reactive fields; the app sets them, the header redraws the parts that changed."""

    DEFAULT_CSS = """
    CockpitHeader { height: 1; dock: top; background: $panel; }
    CockpitHeader Static { width: auto; padding: 0 1; }
    CockpitHeader #header-title { text-style: bold; color: $primary; }
    CockpitHeader #header-spacer { width: 1fr; }
    CockpitHeader #header-link.-live { color: $success; }
    CockpitHeader #header-link.-connecting { color: $warning; }
    CockpitHeader #header-link.-offline, CockpitHeader #header-link.-unauthorized {
        color: $error; text-style: bold;
    }
    CockpitHeader #header-unread { color: $accent; text-style: bold; }
    """

    link: reactive[str] = reactive("connecting")
    user: reactive[str] = reactive("")
    unread: reactive[int | None] = reactive(None)
    note: reactive[str] = reactive("")

    def compose(self) -> ComposeResult:
        yield Static("Cockpit", id="header-title", markup=False)
        yield Static("", id="header-note", markup=False)
        yield Static("", id="header-spacer")
        yield Static("", id="header-unread", markup=False)
        yield Static("", id="header-user", markup=False)
        yield Static("", id="header-link", markup=False)

    def on_mount(self) -> None:
        self.watch_link(self.link)

    def watch_link(self, state: str) -> None:
        label = self.query_one("#header-link", Static)
        label.update(LINK_LABELS.get(state, state))
        label.set_classes(f"-{state}")

    def watch_user(self, user: str) -> None:
        self.query_one("#header-user", Static).update(user and f"@{user}")

    def watch_unread(self, unread: int | None) -> None:
        self.query_one("#header-unread", Static).update(
            "" if unread is None else f"{unread} unread")

    def watch_note(self, note: str) -> None:
        self.query_one("#header-note", Static).update(note)
