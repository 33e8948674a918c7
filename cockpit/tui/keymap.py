"""The app's key bindings, each with a stable id so users can remap it.

Remap keys in `<user config dir>/cockpit/keymap.toml`:

    "cockpit.archive" = "E"
    "cockpit.approve" = "A,ctrl+a"

The ids are those below (and the list widget's own ids, e.g. "list.down"). `?` in the app lists
every binding with its id.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from platformdirs import user_config_dir
from textual.binding import Binding

# Item actions that have a key of their own: action name -> (key, label).
ITEM_KEYS: dict[str, tuple[str, str]] = {
    "approve": ("a", "Approve"),
    "deny": ("d", "Deny"),
    "reject": ("d", "Reject"),
    "retry": ("r", "Retry"),
    "cancel": ("c", "Cancel run"),
    "dismiss": ("x", "Dismiss"),
    "close": ("x", "Close"),
    "restore": ("u", "Restore"),
    "note": ("N", "Add note"),
    "assign": ("A", "Assign to me"),
    "tag": ("T", "Add tags"),
}

APP_BINDINGS: list[Binding] = [
    Binding("e", "archive", "Archive", id="cockpit.archive"),
    Binding("I", "mark('read')", "Read", id="cockpit.mark_read"),
    Binding("U", "mark('unread')", "Unread", id="cockpit.mark_unread"),
    Binding("z", "undo", "Undo", id="cockpit.undo"),
    *(Binding(key, f"item('{name}')", label, id=f"cockpit.{name}")
      for name, (key, label) in ITEM_KEYS.items()),
    Binding("o", "open_link", "Open link", id="cockpit.open_link"),
    Binding("R", "reveal", "Reveal secrets", id="cockpit.reveal"),
    Binding("1", "tab('inbox')", "Inbox", show=False, id="cockpit.tab_inbox"),
    Binding("2", "tab('unread')", "Unread tab", show=False, id="cockpit.tab_unread"),
    Binding("3", "tab('archived')", "Archived tab", show=False, id="cockpit.tab_archived"),
    Binding("n", "next_unread", "Next unread", show=False, id="cockpit.next_unread"),
    Binding("v", "cycle_group", "Group by", show=False, id="cockpit.group_by"),
    # priority: runs before the key reaches the list, so what is typed right after `/` (a
    # fast typist, a paste) already lands in the search box
    Binding("slash", "search", "Search", key_display="/", id="cockpit.search", priority=True),
    Binding("escape", "clear", "Clear", show=False, id="cockpit.clear"),
    Binding("question_mark", "help", "Help", key_display="?", id="cockpit.help"),
    Binding("q", "quit", "Quit", id="cockpit.quit"),
]


def keymap_path() -> Path:
    return Path(user_config_dir("cockpit", appauthor=False)) / "keymap.toml"


def load_keymap(path: Path | None = None) -> tuple[dict[str, str], str | None]:
    """The user's remapped keys (binding id -> keys), and a problem to report, if any."""
    path = path or keymap_path()
    if not path.is_file():
        return {}, None
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return {}, f"{path}: {exc}"
    keymap = {str(k): str(v) for k, v in data.items() if isinstance(v, str)}
    ignored = sorted(str(k) for k, v in data.items() if not isinstance(v, str))
    return keymap, (f"{path}: ignored non-string entries {', '.join(ignored)}" if ignored else None)
