"""Writing a reply or an internal note: a multi-line text area; `ctrl+s` sends, `esc` cancels
(asking first when something was typed), `ctrl+e` opens the text in $VISUAL or $EDITOR.

Dismisses with the text (stripped), or None when cancelled.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from cockpit.tui.screens.confirm import ConfirmScreen


def editor_command() -> list[str] | None:
    """The user's editor as an argument list, or None when none is set."""
    for name in ("VISUAL", "EDITOR"):
        value = os.environ.get(name, "").strip()
        if value:
            try:
                return shlex.split(value) or None
            except ValueError:
                return None
    return None


class ComposeScreen(ModalScreen[str | None]):
    """`internal` marks a note (styled apart, and said never to reach the customer)."""

    # priority: the text area has its own ctrl+e (end of line) and must not eat these
    BINDINGS = [
        Binding("ctrl+s", "send", "Send", id="compose.send", priority=True),
        Binding("escape", "cancel", "Cancel", id="compose.cancel", priority=True),
        Binding("ctrl+e", "editor", "Edit in $EDITOR", id="compose.editor", priority=True),
    ]

    def __init__(self, title: str, *, internal: bool = False, text: str = "",
                 item_id: int | None = None) -> None:
        super().__init__(classes="-internal" if internal else None)
        self.title_text = title
        self.internal = internal
        self.text = text
        self.item_id = item_id

    def compose(self) -> ComposeResult:
        with Vertical(id="compose-box"):
            yield Static(self.title_text, id="compose-title", markup=False)
            yield TextArea(self.text, id="compose-text", soft_wrap=True, show_line_numbers=False)
            who = "internal: never sent to the customer" if self.internal \
                else "sent to the customer"
            yield Static(f"{who} · ctrl+s sends · ctrl+e edits in $EDITOR · esc cancels",
                         id="compose-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    @property
    def typed(self) -> str:
        return self.query_one(TextArea).text

    def action_send(self) -> None:
        text = self.typed.strip()
        if not text:
            self.notify("Nothing to send yet.", severity="warning", markup=False)
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        if not self.typed.strip() or self.typed == self.text:
            self.dismiss(None)
            return
        what = "note" if self.internal else "reply"
        self.app.push_screen(
            ConfirmScreen(f"Discard this {what}?", "What you typed is lost.", yes="Discard",
                          no="Keep writing", danger=True),
            lambda discard: self.dismiss(None) if discard else None)

    def action_editor(self) -> None:
        command = editor_command()
        if command is None:
            self.notify("Set $EDITOR (or $VISUAL) to write in your editor.",
                        severity="warning", markup=False)
            return
        with tempfile.TemporaryDirectory(prefix="cockpit-") as folder:
            path = Path(folder) / "message.md"
            path.write_text(self.typed, encoding="utf-8")
            try:
                with self.app.suspend():
                    done = subprocess.run([*command, str(path)], check=False)
            except SuspendNotSupported:
                self.notify("This terminal cannot hand over to an editor here.",
                            severity="warning", markup=False)
                return
            except OSError as exc:
                self.notify(f"Could not start {command[0]}: {exc.strerror or exc}",
                            severity="error", markup=False)
                return
            if done.returncode != 0:
                self.notify(f"{command[0]} exited with {done.returncode}; text unchanged.",
                            severity="warning", markup=False)
                return
            self.query_one(TextArea).text = path.read_text(encoding="utf-8", errors="replace")
