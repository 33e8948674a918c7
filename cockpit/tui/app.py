"""The two-pane cockpit: composition, bindings, and the routing of worker results.

State lives here (the tab, the search, the one Selection, the undo record); IO lives in
`workers.Effects` and `live.LiveFollower`, which answer with the messages of `messages.py`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.timer import Timer
from textual.widgets import Footer, Input, Tabs
from textual.worker import Worker, WorkerState

from cockpit.client import CockpitClient
from cockpit.config import Settings
from cockpit.domain.actions import DECISIONS
from cockpit.domain.grouping import GROUP_BY
from cockpit.domain.models import Item, State
from cockpit.domain.rules import is_decision
from cockpit.tui import describe
from cockpit.tui.commands import CockpitCommands, PaletteCommand
from cockpit.tui.format import Clock, one_line, plural, utcnow
from cockpit.tui.keymap import APP_BINDINGS, ITEM_KEYS, load_keymap
from cockpit.tui.live import LiveFollower, StreamFactory
from cockpit.tui.messages import (
    BulkDone,
    CountsChanged,
    Identified,
    ItemChanged,
    LinkChanged,
    LiveChanged,
    OperationFailed,
    PageLoaded,
    Restored,
    ResyncNeeded,
    Resynced,
    Revealed,
)
from cockpit.tui.screens import ConfirmScreen, HelpScreen, PromptScreen
from cockpit.tui.screens.help import HelpRow
from cockpit.tui.selection import Selection
from cockpit.tui.themes import choose_theme, load_themes
from cockpit.tui.triage import (
    BULK_VERBS,
    CLOSING_OPS,
    TABS,
    Undo,
    belongs,
    bulk_summary,
    closable,
    link_of,
    matches,
    plan_bulk,
)
from cockpit.tui.widgets.bulk_bar import BulkBar
from cockpit.tui.widgets.detail import LABELS, DetailPane
from cockpit.tui.widgets.header import CockpitHeader
from cockpit.tui.widgets.item_list import ItemList
from cockpit.tui.widgets.tab_bar import TabBar
from cockpit.tui.workers import Effects

# What a successful action did, for toasts; and which ones an undo can take back.
PAST = {"approve": "Approved", "deny": "Denied", "reject": "Rejected", "retry": "Retry started",
        "cancel": "Cancelled", "dismiss": "Dismissed", "archive": "Archived", "close": "Closed",
        "restore": "Restored", "open": "Opened", "note": "Note added", "assign": "Assigned",
        "tag": "Tagged", "untag": "Untagged"}
# Actions that ask for one line of text first: (title, placeholder, the parameter it fills).
PROMPTS = {"note": ("Add a note", "the note", "text"),
           "tag": ("Add tags", "tags, separated by commas", "tags"),
           "untag": ("Remove tags", "tags, separated by commas", "tags")}
UNDOABLE = frozenset({"archive", "dismiss", "close"})
SEARCH_DELAY = 0.25
DETAIL_DELAY = 0.05


class CockpitApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "Cockpit"
    BINDINGS = APP_BINDINGS
    COMMANDS = App.COMMANDS | {CockpitCommands}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]
    NOTIFICATION_TIMEOUT = 6

    def __init__(self, settings: Settings, client: CockpitClient, *,
                 stream: StreamFactory | None = None, clock: Clock = utcnow,
                 user: str = "", keymap: dict[str, str] | None = None,
                 owns_client: bool = False) -> None:
        super().__init__()
        self.settings = settings
        self.client = client
        self.clock = clock
        self.stream = stream
        self.owns_client = owns_client
        self.effects = Effects(self, client)
        self.selection = Selection()
        self.selected: dict[int, Item] = {}  # the selection's items, from every tab
        self.known: dict[int, Item] = {}  # the freshest copy of every item seen
        self.listed: set[int] = set()  # ids in the list now
        self.tab = "inbox"
        self.query_text = ""
        self.generation = 0
        self.loaded = False
        self.undo_record: Undo | None = None
        self.link_state = "connecting"
        self.user = user
        self.bells = 0
        self.group_by = settings.group_by if settings.group_by in GROUP_BY else GROUP_BY[0]
        self._search_timer: Timer | None = None
        self._detail_timer: Timer | None = None
        self._problems: list[str] = []

        themes, problems = load_themes()
        self._problems += problems
        for theme in themes.values():
            self.register_theme(theme)
        self.theme = choose_theme(settings.theme, self.available_themes)
        if settings.theme and settings.theme not in self.available_themes:
            self._problems.append(f"unknown theme {settings.theme!r}; "
                                  f"one of {', '.join(sorted(themes))}")
        if keymap is None:
            keymap, problem = load_keymap()
            if problem:
                self._problems.append(problem)
        self.user_keymap = dict(keymap)
        self.set_keymap(self.user_keymap)

    # -- the clock every relative time uses (tests fix it) ----------------------------------

    def now(self) -> datetime:
        return self.clock()

    # -- composition -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield CockpitHeader(id="header")
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield TabBar(id="tabs")
                yield Input(placeholder="Search: type to filter · enter keeps it · esc clears",
                            id="search", compact=True)
                yield ItemList(group_by=self.group_by, selection=self.selection, id="items")
                yield BulkBar(id="bulk", classes="-hidden")
            yield DetailPane(clock=self.now, id="detail")
        yield Footer(compact=True)

    @property
    def item_list(self) -> ItemList:
        return self.query_one("#items", ItemList)

    @property
    def detail(self) -> DetailPane:
        return self.query_one("#detail", DetailPane)

    @property
    def header(self) -> CockpitHeader:
        return self.query_one("#header", CockpitHeader)

    @property
    def search_input(self) -> Input:
        return self.query_one("#search", Input)

    def on_mount(self) -> None:
        self.search_input.display = False
        self.header.user = self.user
        self.detail.key_hints = self.key_hints()
        self.item_list.focus()
        self.reload()
        self.effects.identify()
        if self.stream is not None:
            follower = LiveFollower(self, self.client, self.stream,
                                    lambda: (TABS[self.tab][1], self.query_text))
            self.run_worker(follower.run(), name="live", group="live", exit_on_error=False)
        else:
            self.header.link = "offline"
        for problem in self._problems:
            self.notify(problem, severity="warning", markup=False, timeout=10)

    async def on_unmount(self) -> None:
        if self.owns_client:
            await self.client.aclose()

    # -- loading ---------------------------------------------------------------------------

    def reload(self) -> None:
        """Load the current tab and search from scratch (the first page replaces the list)."""
        self.generation += 1
        self.loaded = False
        self.header.note = "loading…"
        self.effects.load(self.generation, self.tab, self.query_text)

    def resync(self) -> None:
        """Fetch the tab again and merge it in place (the cursor stays on its item)."""
        self.effects.resync(self.generation, self.tab, self.query_text)

    @on(PageLoaded)
    def _page_loaded(self, message: PageLoaded) -> None:
        if message.generation != self.generation:
            return
        for item in message.items:
            self.known[item.id] = item
        if message.first:
            self.listed = {i.id for i in message.items}
            self.item_list.set_items(message.items)
            self._show_cursor_item()
        else:
            self.listed.update(i.id for i in message.items)
            self.item_list.upsert_items(message.items)
        self._set_counts(message.counts)
        if message.done:
            self.loaded = True
            self.header.note = ""
        self._sync_selection()

    @on(Resynced)
    def _resynced(self, message: Resynced) -> None:
        if message.generation != self.generation:
            return
        fresh = {i.id: i for i in message.items}
        self.known.update(fresh)
        gone = self.listed - fresh.keys()
        if gone:
            self.item_list.remove_ids(sorted(gone))
        if fresh:
            self.item_list.upsert_items(message.items)
        self.listed = set(fresh)
        self._set_counts(message.counts)
        self._refresh_detail(fresh, gone)
        self._sync_selection()

    @on(ResyncNeeded)
    def _resync_needed(self) -> None:
        if self.loaded:
            self.resync()
        else:
            self.reload()

    @on(CountsChanged)
    def _counts_changed(self, message: CountsChanged) -> None:
        self._set_counts(message.counts)

    def _set_counts(self, counts: dict[str, int]) -> None:
        self.query_one("#tabs", TabBar).set_counts(counts)
        if not self.query_text and "unread" in counts:
            self.header.unread = counts["unread"]

    @on(Identified)
    def _identified(self, message: Identified) -> None:
        self.user = message.user
        self.header.user = message.user

    # -- live ------------------------------------------------------------------------------

    @on(LinkChanged)
    def _link_changed(self, message: LinkChanged) -> None:
        first_live = message.state == "live" and self.link_state != "live" \
            and self.header.link == "connecting" and self.loaded
        self.link_state = message.state
        self.header.link = message.state
        if message.state == "unauthorized":
            self.notify("The server refused the token; live updates are off.",
                        severity="error", markup=False)
        if first_live:
            # Changes between the first page and the stream's start: catch up, in place.
            self.resync()

    @on(LiveChanged)
    def _live_changed(self, message: LiveChanged) -> None:
        leaving = [i.id for i in message.items
                   if i.id in self.selected and i.state == State.RESOLVED
                   and self.selected[i.id].state != State.RESOLVED]
        leaving += [i for i in message.gone if i in self.selection]
        self._apply(message.items, message.gone)
        if leaving:
            self.selection.set_many(leaving, False)
            self.item_list.refresh()
            self._sync_selection()
        if message.counts is not None:
            self._set_counts(message.counts)
        created = set(message.created)
        if self.settings.bell and any(i.id in created and is_decision(i.kind, i.payload)
                                      and i.state != State.RESOLVED for i in message.items):
            self.ring_bell()

    def ring_bell(self) -> None:
        self.bells += 1
        self.bell()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "live" and event.state == WorkerState.ERROR:
            self.header.link = "offline"
            self.notify(f"Live updates stopped: {event.worker.error}", severity="error",
                        markup=False)

    def _in_view(self, item: Item) -> bool:
        if not belongs(item, self.tab):
            return False
        return not self.query_text or item.id in self.listed or matches(item, self.query_text)

    def _apply(self, items: list[Item], gone: list[int] | None = None) -> None:
        """Fresh copies of items into the list (or out of it, when they left this tab)."""
        gone = list(gone or ())
        keep: list[Item] = []
        drop: list[int] = list(gone)
        for item in items:
            self.known[item.id] = item
            if item.id in self.selected:
                self.selected[item.id] = item
            if self._in_view(item):
                keep.append(item)
            else:
                drop.append(item.id)
        for item_id in gone:
            self.known.pop(item_id, None)
        drop = [i for i in drop if i in self.listed]
        if drop:
            self.item_list.remove_ids(drop)
            self.listed.difference_update(drop)
        if keep:
            self.item_list.upsert_items(keep)
            self.listed.update(i.id for i in keep)
        self._refresh_detail({i.id: i for i in items}, set(gone))
        self.refresh_bindings()

    def _refresh_detail(self, fresh: dict[int, Item], gone: set[int]) -> None:
        shown = self.detail.item
        if shown is None:
            return
        if shown.id in fresh:
            self.detail.show(fresh[shown.id])
        elif shown.id in gone:
            self.detail.show(None)

    # -- the list --------------------------------------------------------------------------

    def cursor_item(self) -> Item | None:
        try:
            return self.item_list.cursor_item
        except Exception:  # noqa: BLE001 - before the list is mounted
            return None

    @on(ItemList.Highlighted)
    def _highlighted(self, message: ItemList.Highlighted) -> None:
        self.refresh_bindings()
        if message.item is None:
            return
        if self._detail_timer is not None:
            self._detail_timer.stop()
        item = message.item
        self._detail_timer = self.set_timer(DETAIL_DELAY, lambda: self.detail.show(item))

    def _show_cursor_item(self) -> None:
        item = self.cursor_item()
        if item is not None:
            self.detail.show(item)
        self.refresh_bindings()

    @on(ItemList.Opened)
    def _opened(self, message: ItemList.Opened) -> None:
        item = message.item
        self.detail.show(item)
        if item.state == State.UNREAD:
            self.effects.patch(item, "read", "read", quiet=True)

    @on(ItemList.SelectionChanged)
    def _selection_changed(self) -> None:
        self._sync_selection()

    def _sync_selection(self) -> None:
        """Keep `selected` (id -> item) in step with the Selection, and the bulk bar with both."""
        ids = self.selection.ids
        for item_id in list(self.selected):
            if item_id not in ids:
                del self.selected[item_id]
        for item_id in ids:
            if item_id not in self.selected and item_id in self.known:
                self.selected[item_id] = self.known[item_id]
        bar = self.query_one("#bulk", BulkBar)
        count = len(self.selection)
        bar.set_class(count == 0, "-hidden")
        if count:
            hidden = self.selection.hidden_count(self.item_list.visible_ids())
            bar.show(count, hidden, can_close=closable(self.selected.values()))
        self.refresh_bindings()

    # -- bindings: what applies now --------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide the keys that do not apply (the footer shows only what works now)."""
        if not self.is_mounted:
            return True
        try:
            return self.applies(action, parameters)
        except Exception:  # noqa: BLE001 - during composition, before the widgets exist
            return True

    def applies(self, action: str, parameters: tuple[object, ...]) -> bool:
        if action == "search":  # a priority binding: not in dialogs, not inside the box itself
            return self.screen is self.screen_stack[0] and self.focused is not self.search_input
        item = self.cursor_item()
        selecting = bool(self.selection)
        if action == "archive":
            if selecting:
                return closable(self.selected.values())
            return item is not None and "archive" in item.actions
        if action == "mark":
            if selecting:
                return True
            if item is None:
                return False
            if parameters and parameters[0] == "read":
                return item.state == State.UNREAD
            return item.state == State.READ or "restore" in item.actions
        if action == "undo":
            return self.undo_record is not None
        if action == "item":
            return item is not None and bool(parameters) and parameters[0] in item.actions
        if action == "open_link":
            return item is not None and link_of(item.payload) is not None
        if action == "reveal":
            shown = self.detail.item
            return shown is not None and describe.has_secrets(shown.payload)
        return True

    def key_for(self, binding_id: str) -> str | None:
        for binding in self._all_bindings():
            if binding.id == binding_id:
                keys = self.user_keymap.get(binding_id, binding.key)
                return self.get_key_display(binding.with_key(keys.split(",")[0]))
        return None

    def key_hints(self) -> dict[str, str]:
        hints = {name: self.key_for(f"cockpit.{name}") for name in ITEM_KEYS}
        hints["archive"] = self.key_for("cockpit.archive")
        hints["open"] = self.key_for("cockpit.open_link")
        hints["reveal"] = self.key_for("cockpit.reveal")
        return {k: v for k, v in hints.items() if v}

    def _all_bindings(self) -> list[Binding]:
        return [b for b in Binding.make_bindings(self.BINDINGS)]

    # -- actions: moving around ------------------------------------------------------------

    def action_tab(self, tab: str) -> None:
        if tab not in TABS:
            return
        self.query_one("#tabs", TabBar).active = tab
        self._switch_tab(tab)

    @on(Tabs.TabActivated, "#tabs")
    def _tab_activated(self, event: Tabs.TabActivated) -> None:
        if event.tab.id:
            self._switch_tab(event.tab.id)

    def _switch_tab(self, tab: str) -> None:
        if tab == self.tab or tab not in TABS:
            return
        self.tab = tab
        self.reload()
        self.item_list.focus()

    def action_next_unread(self) -> None:
        if not self.item_list.move_to_next_unread():
            self.notify("No unread item below this one.", timeout=2, markup=False)

    def action_cycle_group(self) -> None:
        modes = list(GROUP_BY)
        current = self.item_list.group_by
        mode = modes[(modes.index(current) + 1) % len(modes)] if current in modes else modes[0]
        self.set_group_by(mode)

    def set_group_by(self, mode: str) -> None:
        self.group_by = mode
        self.item_list.group_by = mode
        self.notify(f"Grouped by {mode}", timeout=2, markup=False)

    def action_search(self) -> None:
        box = self.search_input
        # Shown and focused at once (not on the next refresh): keys typed right after `/`
        # must land in the box, not on the list.
        box.display = True
        self.screen.set_focus(box)

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        value = event.value.strip()
        self._search_timer = self.set_timer(SEARCH_DELAY, lambda: self._apply_search(value))

    def _apply_search(self, value: str) -> None:
        if value != self.query_text:
            self.query_text = value
            self.reload()

    @on(Input.Submitted, "#search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._apply_search(event.value.strip())
        if not event.value.strip():
            self.search_input.display = False
        self.item_list.focus()

    def action_clear(self) -> None:
        """esc: the search first, then the selection."""
        box = self.search_input
        if self.query_text or box.value or box.display:
            if self._search_timer is not None:
                self._search_timer.stop()
            box.value = ""
            box.display = False
            self.item_list.focus()
            if self.query_text:
                self.query_text = ""
                self.reload()
            return
        if self.selection:
            self.clear_item_selection()

    def clear_item_selection(self) -> None:
        self.selection.clear()
        self.item_list.refresh()
        self._sync_selection()

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.help_rows()))

    def action_reveal(self) -> None:
        if self.detail.revealed:
            self.detail.revealed = False
        elif self.detail.item is not None:
            self.effects.reveal(self.detail.item)

    @on(Revealed)
    def _revealed(self, message: Revealed) -> None:
        self.detail.reveal(message.item)

    # -- actions: changing items -----------------------------------------------------------

    def action_archive(self) -> None:
        if self.selection:
            self.request_bulk("archive")
            return
        item = self.cursor_item()
        if item is not None:
            self.run_item_action(item, "archive")

    def action_mark(self, state: str) -> None:
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

    def action_item(self, name: str) -> None:
        item = self.cursor_item()
        if item is not None:
            self.run_item_action(item, name)

    def action_open_link(self) -> None:
        item = self.cursor_item()
        if item is not None:
            self.open_link(item)

    @on(DetailPane.ActionPressed)
    def _detail_action(self, message: DetailPane.ActionPressed) -> None:
        self.run_item_action(message.item, message.action)

    def run_item_action(self, item: Item, name: str) -> None:
        """The one code path for item actions: keys, detail buttons and the palette."""
        if name not in item.actions:
            self.notify(f"{LABELS.get(name, name)} is not possible on this item now.",
                        severity="warning", markup=False)
            return
        if name == "open":
            self.open_link(item)
            return
        if name in PROMPTS:
            title, placeholder, param = PROMPTS[name]
            self.push_screen(PromptScreen(title, placeholder=placeholder),
                             lambda text: text and self.effects.act(item, name, PAST[name],
                                                                    {param: text}))
            return
        params: dict[str, Any] | None = None
        if name == "assign":
            params = {"assignee_id": self.user} if self.user else {}
        undoable = name in UNDOABLE and not is_decision(item.kind, item.payload)

        def go() -> None:
            if name in DECISIONS:
                self.undo_record = None  # z undoes the last archive, never across a decision
            self.effects.act(item, name, PAST.get(name, name), params, undoable=undoable)

        if name in DECISIONS and self.settings.confirm_decisions:
            label = LABELS.get(name, name.capitalize())
            self.confirm(f"{label}: {one_line(item.title, 120)}?",
                         f"From {one_line(item.sender.name, 60)}. This decision is sent at once.",
                         go, yes=label, danger=name in ("deny", "reject", "cancel"))
        else:
            go()

    def open_link(self, item: Item) -> None:
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

    def confirm(self, question: str, detail: str, then: Callable[[], object], *,
                yes: str = "Yes", danger: bool = False) -> None:
        def answered(ok: bool | None) -> None:
            if ok:
                then()

        self.push_screen(ConfirmScreen(question, detail, yes=yes, danger=danger), answered)

    @on(BulkBar.Requested)
    def _bulk_requested(self, message: BulkBar.Requested) -> None:
        if message.op == "clear":
            self.clear_item_selection()
        else:
            self.request_bulk(message.op)

    def request_bulk(self, op: str) -> None:
        self._sync_selection()
        if not self.selection:
            return
        plan = plan_bulk(op, self.selected)
        ids = sorted(self.selection.ids)
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

    @on(BulkDone)
    def _bulk_done(self, message: BulkDone) -> None:
        result = message.result
        updated = set(result.updated)
        were_read = self._were_read(updated)
        changed = [_after_bulk(self.known[i], message.op) for i in result.updated
                   if i in self.known]
        self._apply(changed, result.not_found)
        summary = bulk_summary(message.op, result)
        if message.op in CLOSING_OPS:
            if updated:
                self.undo_record = Undo(tuple(sorted(updated)), BULK_VERBS[message.op][1],
                                        were_read)
                summary += f" · {self.key_for('cockpit.undo') or 'z'} to undo"
            self.clear_item_selection()
        else:
            self.selection.set_many(result.not_found, False)
            self._sync_selection()
        self.notify(summary, markup=False, timeout=8)
        self.effects.counts(self.tab, self.query_text)

    @on(ItemChanged)
    def _item_changed(self, message: ItemChanged) -> None:
        item = message.item
        were_read = self._were_read({item.id})
        self._apply([item])
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
        self.effects.counts(self.tab, self.query_text)
        self.refresh_bindings()

    def _were_read(self, ids: set[int]) -> tuple[int, ...]:
        """Which of `ids` the list last knew as read (before an action's result is applied)."""
        return tuple(sorted(i for i in ids if i in self.known
                            and self.known[i].state == State.READ))

    def action_undo(self) -> None:
        record = self.undo_record
        if record is None:
            self.notify("Nothing to undo.", markup=False)
            return
        self.undo_record = None
        self.effects.restore(record.ids, record.read_ids)
        self.refresh_bindings()

    @on(Restored)
    def _restored(self, message: Restored) -> None:
        self._apply(message.items)
        text = f"Restored {plural(len(message.items), 'item')}"
        if message.failed:
            reason = message.failed[0][1]
            text += f"; {len(message.failed)} could not be: {reason}"
        self.notify(text, markup=False, severity="warning" if message.failed else "information")
        self.effects.counts(self.tab, self.query_text)

    @on(OperationFailed)
    def _operation_failed(self, message: OperationFailed) -> None:
        """Every failed request ends here: the server's reason, and nothing changed locally."""
        if message.what == "load the inbox":
            self.header.note = "not loaded"
        self.notify(f"Could not {message.what}: {message.reason}", title="Cockpit",
                    severity="error", markup=False, timeout=10)
        if message.status == 409 and message.item_ids:
            self.refresh_items(message.item_ids)

    def refresh_items(self, ids: list[int]) -> None:
        """Fetch items again (after a conflict) and merge them like a live change."""
        client = self.client

        async def job() -> None:
            fresh, gone = [], []
            for item_id in ids[:50]:
                try:
                    fresh.append(await client.get(item_id))
                except Exception:  # noqa: BLE001 - 404 or the network: drop it from view
                    gone.append(item_id)
            self.post_message(LiveChanged(fresh, gone, [], None))

        self.run_worker(job(), group="refresh", exit_on_error=False)

    # -- help and the palette --------------------------------------------------------------

    def help_rows(self) -> list[HelpRow]:
        """Every binding of the app, the list and the dialogs, with its key as remapped."""
        main = self.screen_stack[0]
        active = {ab.binding.id for ab in main.active_bindings.values() if ab.enabled}
        rows: list[HelpRow] = []
        sections: list[tuple[str, list[Binding]]] = [
            ("List", list(Binding.make_bindings(ItemList.BINDINGS))),
            ("Inbox", self._all_bindings()),
            ("Dialogs", list(Binding.make_bindings(ConfirmScreen.BINDINGS))),
        ]
        for section, bindings in sections:
            merged: dict[str, tuple[list[str], Binding]] = {}
            for binding in bindings:
                key = binding.id or f"{section}:{binding.action}"
                keys = self.user_keymap.get(binding.id, binding.key) if binding.id else \
                    binding.key
                shown = [self.get_key_display(binding.with_key(k.strip()))
                         for k in keys.split(",")]
                if key in merged:
                    merged[key][0].extend(shown)
                else:
                    merged[key] = (shown, binding)
            for key, (shown, binding) in merged.items():
                available = section != "Inbox" or binding.id in active or not binding.id
                rows.append(HelpRow(section, " ".join(dict.fromkeys(shown)),
                                    binding.description or binding.action, key, available))
        palette = self.COMMAND_PALETTE_BINDING
        rows.append(HelpRow("Inbox", self.get_key_display(Binding(palette, "command_palette")),
                            "Command palette: every action, group-by, themes",
                            "command_palette"))
        return rows

    def palette_commands(self) -> list[PaletteCommand]:
        commands: list[PaletteCommand] = []
        for binding in self._all_bindings():
            action, _, rest = binding.action.partition("(")
            params = tuple(p.strip().strip("'\"") for p in rest.rstrip(")").split(",") if p)
            try:
                if not self.applies(action, params):
                    continue
            except Exception:  # noqa: BLE001
                continue
            if action == "item":
                continue  # listed below, with the item's title
            key = self.key_for(binding.id) if binding.id else None
            commands.append(PaletteCommand(
                binding.description, f"key {key}" if key else "",
                _runner(self, binding.action)))
        for mode in GROUP_BY:
            commands.append(PaletteCommand(f"Group by: {mode}", "change how the list groups",
                                           lambda mode=mode: self.set_group_by(mode)))
        commands.append(PaletteCommand("Collapse all groups", "",
                                       lambda: self.item_list.collapse_all()))
        commands.append(PaletteCommand("Expand all groups", "",
                                       lambda: self.item_list.expand_all()))
        for name in sorted(self.available_themes):
            commands.append(PaletteCommand(f"Theme: {name}", "switch the colours",
                                           lambda name=name: setattr(self, "theme", name)))
        for tab, (label, _s, _c) in TABS.items():
            commands.append(PaletteCommand(f"Tab: {label}", "", lambda t=tab: self.action_tab(t)))
        item = self.cursor_item()
        if item is not None:
            title = one_line(item.title, 60)
            for name in item.actions:
                commands.append(PaletteCommand(
                    f"{LABELS.get(name, name)}: {title}", "the item under the cursor",
                    lambda name=name, item=item: self.run_item_action(item, name)))
        return commands


def _runner(app: App, action: str) -> Callable[[], object]:
    async def run() -> None:
        await app.run_action(action)

    return run


def _after_bulk(item: Item, op: str) -> Item:
    """An item as a successful bulk op left it (until the live update brings the server's copy)."""
    if op == "read":
        return item.model_copy(update={"state": State.READ})
    if op == "unread":
        return item.model_copy(update={"state": State.UNREAD})
    return item.model_copy(update={"state": State.RESOLVED,
                                   "resolved_action": "archived" if op == "archive"
                                   else "resolved"})


def _can_open_browser() -> bool:
    """Only where a graphical browser can open: never over SSH, never a text browser in our tty."""
    if os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"):
        return False
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
