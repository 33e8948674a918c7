"""Why a key does nothing here: one short sentence for a key pressed where it does not apply.

The footer hides keys that do not apply (`check_action` answers False); a user who presses one
anyway gets the reason instead of silence. Plain data in, a plain sentence out (no Textual).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cockpit.domain.models import Item, State
from cockpit.domain.rules import is_decision
from cockpit.tui.format import one_line

# Item actions and the kinds of item that offer them (DESIGN.md, "Items").
FOR_KINDS: dict[str, str] = {
    "approve": "waitpoints and escalations",
    "deny": "waitpoints",
    "reject": "escalations",
    "retry": "failed runs",
    "cancel": "failed runs",
    "dismiss": "messages and advisory escalations",
    "close": "tickets",
    "note": "tickets",
    "assign": "tickets",
    "tag": "tickets",
    "untag": "tickets",
    "reply": "tickets",
    "macro": "tickets",
    "transfer": "tickets",
    "priority": "tickets",
    "restore": "archived or resolved items",
    "open": "items with a link",
}
KIND_WORDS = {"waitpoint": "waitpoint", "escalation": "escalation", "failed_run": "failed run",
              "message": "message", "ticket": "ticket"}


@dataclass(frozen=True)
class Here:
    """What the key was pressed on."""

    item: Item | None  # under the cursor
    on_folder: bool = False
    selected: int = 0  # how many items are ticked
    user: str = ""
    keys: Mapping[str, str] | None = None  # action name -> its key, for hints
    labels: Mapping[str, str] | None = None  # action name -> its label


def kind_word(item: Item) -> str:
    word = KIND_WORDS.get(item.kind, one_line(item.kind, 30).replace("_", " "))
    return ("an " if word[:1] in "aeiou" else "a ") + word


def _label(here: Here, name: str) -> str:
    return (here.labels or {}).get(name, name.replace("_", " ").capitalize())


def _offer(here: Here, item: Item) -> str:
    """" Here: Approve (a), Deny (d)." for the actions the item does offer."""
    shown = []
    for name in item.actions:
        key = (here.keys or {}).get(name)
        shown.append(f"{_label(here, name)} ({key})" if key else _label(here, name))
    return f" Here: {', '.join(shown)}." if shown else ""


def _decided(item: Item) -> str:
    outcome = one_line(item.resolved_action or "resolved", 40)
    by = f" by {one_line(item.resolved_by, 40)}" if item.resolved_by else ""
    return f"This item is already {outcome}{by}."


def why_not(action: str, params: Sequence[object], here: Here) -> str:
    """The reason `action(params)` does not apply `here`, as one sentence."""
    if action == "undo":
        return "Nothing to undo."
    if action == "archive" and here.selected:
        return ("Nothing selected can be archived: decision items close only through their "
                "own actions, blocking items one at a time.")
    if action == "mark" and here.selected:
        return "Nothing selected to mark."
    item = here.item
    if item is None:
        if here.on_folder:
            return "The cursor is on a folder: move to an item first (j)."
        return "No item here."
    if action == "reveal":
        return "Nothing secret in this item to reveal."
    if action == "open_link":
        return "This item has no link."
    if action == "mark":
        wanted = str(params[0]) if params else "read"
        if item.state == State.RESOLVED:
            return _decided(item) + " It cannot be restored." if wanted == "unread" else \
                _decided(item)
        return f"Already {wanted}."
    name = "archive" if action == "archive" else str(params[0]) if params else action
    return why_not_action(item, name, here)


def why_not_action(item: Item, name: str, here: Here) -> str:
    """Why the item action `name` (archive, approve, ...) is not possible on `item` now."""
    label = _label(here, name)
    if item.state == State.RESOLVED:
        return _decided(item) + _offer(here, item)
    if name == "approve" and here.user and here.user in (item.payload.get("approvals") or []):
        return "You already approved this; it waits for a second approver." + _offer(here, item)
    if not item.actions:
        return "Your role can read this item but not act on it."
    if name == "archive" and is_decision(item.kind, item.payload):
        return f"{kind_word(item).capitalize()} is decided, not archived." + _offer(here, item)
    kinds = FOR_KINDS.get(name)
    if kinds:
        return f"{label} is for {kinds}; this is {kind_word(item)}." + _offer(here, item)
    return f"{label} is not possible on this item now." + _offer(here, item)
