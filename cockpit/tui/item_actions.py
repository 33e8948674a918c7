"""Acting on one item: keys, detail buttons and the palette all come through
`run_item_action`; confirmations, prompts, the assign picker, and telling the user when someone
else decided the item they look at.

A mixin of `CockpitApp` (handlers by Textual's naming convention: `on_<message>`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.css.query import NoMatches

from cockpit.domain.actions import DECISIONS
from cockpit.domain.models import Item, State
from cockpit.domain.rules import is_decision
from cockpit.tui import describe
from cockpit.tui.desk_actions import DeskActions
from cockpit.tui.format import one_line
from cockpit.tui.guards import while_running
from cockpit.tui.messages import (
    CustomerLoaded,
    ItemChanged,
    Revealed,
    TimelineLoaded,
    UsersLoaded,
)
from cockpit.tui.screens import Assignee, AssignScreen, ConfirmScreen, PromptScreen
from cockpit.tui.ticket_bulk import TICKET_OPS
from cockpit.tui.triage import Undo, decided_elsewhere, link_of
from cockpit.tui.why import Here, why_not_action
from cockpit.tui.widgets.detail import LABELS, DetailPane

if TYPE_CHECKING:
    from cockpit.tui.app import CockpitApp

# What a successful action did, for toasts; and which ones an undo can take back.
PAST = {"approve": "Approved", "deny": "Denied", "reject": "Rejected",
        "retry": "Retry started", "cancel": "Cancelled", "dismiss": "Dismissed",
        "archive": "Archived", "close": "Closed", "restore": "Restored", "open": "Opened",
        "note": "Note added", "assign": "Assigned", "tag": "Tagged", "untag": "Untagged",
        "reply": "Reply sent", "priority": "Priority set", "transfer": "Transferred",
        "macro": "Macro run", "reopen": "Reopened"}
# Actions that ask for one line of text first: (title, placeholder, the parameter it fills).
PROMPTS = {"tag": ("Add tags", "tags, separated by commas", "tags"),
           "untag": ("Remove tags", "tags, separated by commas", "tags"),
           "priority": ("Set the priority", "low, normal, high or urgent", "priority")}
# Actions written in the multi-line dialog: (its title, whether it is internal).
COMPOSED = {"reply": ("Reply to the customer", False), "note": ("Add an internal note", True)}

UNDOABLE = frozenset({"archive", "dismiss", "close"})


class ItemActions(DeskActions):
    def action_archive(self: CockpitApp) -> None:
        if self.selection:
            self.request_bulk("archive")
            return
        item = self.cursor_item()
        if item is not None:
            self.run_item_action(item, "archive")

    def action_mark(self: CockpitApp, state: str) -> None:
        if self.selection:
            self.request_bulk(state)
            return
        item = self.cursor_item()
        if item is None:
            return
        if state == "unread" and item.state == State.RESOLVED:
            self.run_item_action(item, "restore")
        else:
            self.effects.patch(item, state, f"marked {state}")

    def action_item(self: CockpitApp, name: str) -> None:
        if self.selection and name in TICKET_OPS:
            self.request_ticket_bulk(name)  # the selection's tickets, all of them
            return
        item = self.cursor_item()
        if item is not None:
            self.run_item_action(item, name)

    def action_open_link(self: CockpitApp) -> None:
        item = self.cursor_item()
        if item is not None:
            self.open_link(item)

    def on_detail_pane_action_pressed(self: CockpitApp, message: DetailPane.ActionPressed) -> None:
        self.run_item_action(message.item, message.action)

    def run_item_action(self: CockpitApp, item: Item, name: str) -> None:
        """The one code path for item actions: keys, detail buttons and the palette."""
        if name not in item.actions:
            here = Here(item, user=self.user, keys=self.key_hints(), labels=LABELS)
            self.notify(why_not_action(item, name, here), severity="warning", markup=False)
            return
        if name == "open":
            self.open_link(item)
            return
        if name in COMPOSED:
            from cockpit.tui.screens.compose import ComposeScreen

            title, internal = COMPOSED[name]
            self.push_screen(
                ComposeScreen(f"{title}: {one_line(item.title, 80)}", internal=internal,
                              item_id=item.id),
                lambda text: text and self.effects.act(item, name, PAST[name],
                                                       {"body_md": text}))
            return
        if name == "macro":
            self.effects.macros(item)  # the picker opens when they are in (MacrosLoaded)
            return
        if name == "transfer":
            self.effects.transfer_targets(item)  # then TransferTargetsLoaded
            return
        if name in PROMPTS:
            title, placeholder, param = PROMPTS[name]
            self.push_screen(PromptScreen(title, placeholder=placeholder),
                             lambda text: text and self.effects.act(item, name, PAST[name],
                                                                    {param: text}))
            return
        params: dict[str, Any] | None = None
        if name == "assign":
            self.effects.users(item)  # the picker opens when the people are in (UsersLoaded)
            return
        undoable = name in UNDOABLE and not is_decision(item.kind, item.payload)

        def go() -> None:
            if name in DECISIONS:
                self.undo_record = None  # z undoes the last archive, never across a decision
            self.effects.act(item, name, PAST.get(name, name), params, undoable=undoable)

        if name in DECISIONS and self.settings.confirm_decisions:
            label = LABELS.get(name, name.capitalize())
            self.confirm(f"{label}: {one_line(item.title, 120)}?",
                         f"From {one_line(item.sender.name, 60)}. This decision is sent at once.",
                         go, yes=label, danger=name in ("deny", "reject", "cancel"),
                         item_id=item.id)
        else:
            go()

    def open_link(self: CockpitApp, item: Item) -> None:
        url = link_of(item.payload)
        if url is None:
            self.notify("This item has no link.", severity="warning", markup=False)
            return
        self.copy_to_clipboard(url)
        if _can_open_browser():
            self.open_url(url)
        self.notify(f"Link copied: {url}", markup=False)
        if "open" in item.actions:
            self.effects.act(item, "open", PAST["open"])

    def confirm(self: CockpitApp, question: str, detail: str, then: Callable[[], object], *,
                yes: str = "Yes", danger: bool = False, item_id: int | None = None) -> None:
        def answered(ok: bool | None) -> None:
            if ok:
                then()

        self.push_screen(ConfirmScreen(question, detail, yes=yes, danger=danger,
                                       item_id=item_id), answered)

    @while_running
    def on_users_loaded(self: CockpitApp, message: UsersLoaded) -> None:
        """The assign picker: people first, then (if someone else holds it) a question."""
        item = self.known.get(message.item.id, message.item)
        if "assign" not in item.actions:
            self.notify(f"Assign is no longer possible: {one_line(item.title, 80)}",
                        severity="warning", markup=False)
            return
        people = [u["id"] for u in message.users
                  if u.get("status", "active") == "active" and u.get("role") != "service"]

        def picked(choice: Assignee | None) -> None:
            nonlocal item
            item = self.known.get(item.id, item)
            if choice is None or choice.user_id == item.assignee_id:
                return
            who = choice.user_id

            def go() -> None:
                verb = f"Assigned to {'me' if who == self.user else who}" if who else "Unassigned"
                self.effects.act_or_ask(item, "assign", verb, {"assignee_id": who})

            holder = item.assignee_id
            if holder and holder != self.user:
                target = "nobody" if who is None else "me" if who == self.user else who
                self.confirm(f"{one_line(holder, 40)} holds this item. Give it to "
                             f"{one_line(target, 40)}?",
                             f"{one_line(item.title, 120)}", go, yes="Reassign",
                             item_id=item.id)
            else:
                go()

        self.push_screen(AssignScreen(item.title, people, me=self.user,
                                      current=item.assignee_id, item_id=item.id), picked)

    @while_running
    def on_item_changed(self: CockpitApp, message: ItemChanged) -> None:
        item = message.item
        were_read = self._were_read({item.id})
        on_it = (self.cursor_item() or item).id == item.id
        self._apply([item])
        if self.settings.advance and on_it and self.cursor_item() is not None \
                and self.cursor_item().id == item.id \
                and (message.verb == PAST["close"] or message.verb.startswith("Macro")):
            self.action_next_unread()  # done with it: on to the next (it stayed listed)
        if message.verb == PAST["approve"] and item.state != State.RESOLVED:
            # a four-eyes gate: this approval counted, and the gate waits for another person
            count = len(item.payload.get("approvals") or [])
            message.verb = f"Approval recorded ({count} of 2, waiting for a second approver)"
        if message.undoable and item.state == State.RESOLVED:
            self.undo_record = Undo((item.id,), message.verb, were_read)
            undo = self.key_for("cockpit.undo") or "z"
            self.notify(f"{message.verb}: {one_line(item.title, 80)} · {undo} to undo",
                        markup=False, timeout=8)
        elif not message.quiet:
            self.notify(f"{message.verb}: {one_line(item.title, 80)}", markup=False)
        self.effects.counts(self.view_key())
        self.refresh_bindings()

    def watched_ids(self: CockpitApp) -> set[int]:
        """Items to fetch fresh on a live change even when it takes them out of the tab."""
        ids = {self.held, getattr(self.screen, "item_id", None)}
        try:
            ids |= {i.id for i in (self.cursor_item(), self.detail.item) if i is not None}
        except NoMatches:
            pass
        return {i for i in ids if isinstance(i, int)}

    def _tell_decided_elsewhere(self: CockpitApp, items: list[Item]) -> None:
        """Someone else decided the item we look at (or are asked to confirm): say so, and
        close the question about it that is open here."""
        watched = {i.id for i in (self.cursor_item(), self.detail.item) if i is not None}
        asking = getattr(self.screen, "item_id", None)
        for item in items:
            if item.id not in watched and item.id != asking:
                continue
            news = decided_elsewhere(self.known.get(item.id), item, self.user)
            closed = item.id == asking and item.state == State.RESOLVED
            if news is None and not closed:
                continue
            text = f"{news or 'Decided meanwhile'}: {one_line(item.title, 80)}"
            if closed:
                self.screen.dismiss(None)
                text += " · your question about it was closed"
            self.notify(text, markup=False, severity="warning", timeout=8)

    def action_reveal(self: CockpitApp) -> None:
        if self.detail.revealed:
            self.detail.revealed = False
        elif self.detail.item is not None:
            self.effects.reveal(self.detail.item)

    def on_detail_pane_timeline_wanted(self: CockpitApp,
                                       message: DetailPane.TimelineWanted) -> None:
        self.effects.timeline(message.item)
        customer = describe.customer_id(message.item)
        if customer is not None:
            self.effects.customer(message.item, customer)

    @while_running
    def on_customer_loaded(self: CockpitApp, message: CustomerLoaded) -> None:
        self.detail.show_customer(message.item_id, message.card)

    @while_running
    def on_timeline_loaded(self: CockpitApp, message: TimelineLoaded) -> None:
        self.detail.show_timeline(message.item_id, message.entries)

    @while_running
    def on_revealed(self: CockpitApp, message: Revealed) -> None:
        self.detail.reveal(message.item)


def _can_open_browser() -> bool:
    """Only where a graphical browser can open: never over SSH, never a text browser in our tty."""
    if os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"):
        return False
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
