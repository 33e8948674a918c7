"""Acting on the selection (the bulk bar, `e`/`I`/`U` with items ticked) and undoing the last
archive or resolve: one question when some items stay open, one toast for the whole run.

A mixin of `CockpitApp` (handlers by Textual's naming convention: `on_<message>`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cockpit.domain.models import NOT_A_TICKET, Item, State
from cockpit.tui.format import one_line, plural
from cockpit.tui.guards import while_running
from cockpit.tui.messages import BulkDone, Restored
from cockpit.tui.ticket_bulk import TICKET_OPS, TicketBulk, ticket_summary
from cockpit.tui.triage import (
    BULK_VERBS,
    CLOSING_OPS,
    Undo,
    bulk_summary,
    plan_bulk,
    query_summary,
)
from cockpit.tui.widgets.bulk_bar import BulkBar

if TYPE_CHECKING:
    from cockpit.tui.app import CockpitApp


CONFIRM_AT = 1000  # a read/unread run by query over this many items asks first


class BulkActions(TicketBulk):
    def on_bulk_bar_requested(self: CockpitApp, message: BulkBar.Requested) -> None:
        if message.op == "clear":
            self.clear_item_selection()
        elif not self.selection:
            self.notify(f"Nothing selected: {self.select_keys[0]} selects an item.")
        else:
            self.request_bulk(message.op)

    def request_bulk(self: CockpitApp, op: str) -> None:
        self._sync_selection()
        if not self.selection:
            return
        plan = plan_bulk(op, self.selected)
        ids = sorted(self.selection.ids)
        scopes = self.selection.scopes
        if scopes:
            # Held as queries: the server acts on all of them in one transaction each and
            # skips what must stay open, counting it.
            def by_query() -> None:
                self.effects.bulk_selection(scopes, sorted(self.selection.excluded), ids, op)

            count = len(self.selection)
            if op in CLOSING_OPS or count >= CONFIRM_AT:
                self.confirm(f"{BULK_VERBS[op][0]} {plural(count, 'item')}?",
                             "Decision and blocking items stay open, and are counted."
                             if op in CLOSING_OPS else "", by_query, yes=BULK_VERBS[op][0])
            else:
                by_query()
            return
        complete = len(self.selected) == len(ids)  # every selected item is known here
        if op in CLOSING_OPS and complete and plan.acting == 0:
            self.notify(f"Nothing to {op}: {plan.explanation()}", severity="warning",
                        markup=False)
            return

        def go() -> None:
            self.effects.bulk(ids, op)

        if plan.kept:
            self.confirm(plan.question(), plan.explanation(), go, yes=BULK_VERBS[op][0])
        else:
            go()

    @while_running
    def on_bulk_done(self: CockpitApp, message: BulkDone) -> None:
        """One toast for the whole run, however many requests it took."""
        result = message.result
        updated = set(result.updated)
        were_read = self._were_read(updated)
        changed = [_after_bulk(self.known[i], message.op) for i in result.updated
                   if i in self.known]
        self._apply(changed, result.not_found)
        if message.op in TICKET_OPS:
            self.on_ticket_bulk_done(message)
            return
        summary = bulk_summary(message.op, result)
        if message.query_updated or message.query_skipped:
            summary = query_summary(message.op, message.query_updated + len(result.updated),
                                    message.query_skipped, len(result.skipped))
            self.resync()  # what changed is not listed: count and fetch the view again
        if message.op in CLOSING_OPS:
            if updated and not message.query_updated:
                self.undo_record = Undo(tuple(sorted(updated)), BULK_VERBS[message.op][1],
                                        were_read)
                summary += f" · {self.key_for('cockpit.undo') or 'z'} to undo"
            self.clear_item_selection()
        else:
            self.selection.set_many(result.not_found, False)
            self._sync_selection()
        if message.unfinished:
            summary += (f"; {plural(message.unfinished, 'more item')} not done: "
                        f"{one_line(message.reason, 160)}")
        self.notify(summary, markup=False, timeout=10 if message.unfinished else 8,
                    severity="warning" if message.unfinished else "information")
        self.effects.counts(self.view_key())

    def on_ticket_bulk_done(self: CockpitApp, message: BulkDone) -> None:
        """"Close: 4 ok, 1 failed": every ticket on its own, failures counted."""
        result = message.result
        failures = [s.reason for s in result.skipped if s.reason != NOT_A_TICKET]
        not_tickets = len(result.skipped) - len(failures) + \
            message.query_skipped.get(NOT_A_TICKET, 0)
        failed = len(failures) + len(result.not_found) + sum(
            n for reason, n in message.query_skipped.items() if reason != NOT_A_TICKET)
        ok = len(result.updated) + message.query_updated
        text = ticket_summary(message.op, ok, failed, not_tickets)
        if failures:
            text += f" ({one_line('; '.join(sorted(set(failures))), 120)})"
        self.notify(text, markup=False, timeout=10 if failed else 6,
                    severity="warning" if failed else "information")
        if message.op == "close" and ok:
            self.clear_item_selection()
        self.resync()  # fresh rows and counts for what the run changed

    def _were_read(self: CockpitApp, ids: set[int]) -> tuple[int, ...]:
        """Which of `ids` the list last knew as read (before an action's result is applied)."""
        return tuple(sorted(i for i in ids if i in self.known
                            and self.known[i].state == State.READ))

    def action_undo(self: CockpitApp) -> None:
        record = self.undo_record
        if record is None:
            self.notify("Nothing to undo.", markup=False)
            return
        self.undo_record = None
        self.effects.restore(record.ids, record.read_ids)
        self.refresh_bindings()

    @while_running
    def on_restored(self: CockpitApp, message: Restored) -> None:
        self._apply(message.items)
        if message.count > len(message.items):
            self.resync()  # too many to fetch one by one: the tab again, merged in place
        text = f"Restored {plural(message.count, 'item')}"
        if message.failed:
            reason = message.failed[0][1]
            text += f"; {len(message.failed)} could not be: {reason}"
        self.notify(text, markup=False, severity="warning" if message.failed else "information")
        self.effects.counts(self.view_key())


def _after_bulk(item: Item, op: str) -> Item:
    """An item as a successful bulk op left it (until the live update brings the server's copy)."""
    if op == "read":
        return item.model_copy(update={"state": State.READ})
    if op == "unread":
        return item.model_copy(update={"state": State.UNREAD})
    return item.model_copy(update={"state": State.RESOLVED,
                                   "resolved_action": "archived" if op == "archive"
                                   else "resolved"})
