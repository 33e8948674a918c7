"""The two-pane cockpit: composition, loading, live changes, the list and the search.

State lives here (the tab, the search, the one Selection, the undo record); IO lives in
`workers.Effects` and `live.LiveFollower`, which answer with the messages of `messages.py`.
What keys do is in `catalog`, acting on items in `item_actions` and `bulk` (mixins).
"""

from __future__ import annotations

import gc
from datetime import datetime

from textual import events, on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static, Tabs
from textual.worker import Worker, WorkerState

from cockpit.client import CockpitClient
from cockpit.config import Settings
from cockpit.domain.grouping import GROUP_BY, FolderRow, ItemRow
from cockpit.domain.models import Item, State
from cockpit.domain.rules import is_decision
from cockpit.tui.bulk import BulkActions
from cockpit.tui.catalog import KeyCatalog
from cockpit.tui.collector import Collector
from cockpit.tui.commands import CockpitCommands
from cockpit.tui.feed import FeedCache, KnownItems
from cockpit.tui.format import Clock, utcnow
from cockpit.tui.guards import while_running
from cockpit.tui.inbox_view import InboxView
from cockpit.tui.item_actions import ItemActions
from cockpit.tui.keymap import APP_BINDINGS, check_keymap, load_keymap
from cockpit.tui.live import LiveFollower, StreamFactory
from cockpit.tui.messages import (
    Identified,
    LinkChanged,
    LiveChanged,
    OperationFailed,
)
from cockpit.tui.pages import Pages
from cockpit.tui.prefs import remember
from cockpit.tui.screens import HelpScreen, InboxScreen
from cockpit.tui.selection import Selection
from cockpit.tui.themes import choose_theme, load_themes
from cockpit.tui.triage import Undo, belongs, closable
from cockpit.tui.view_names import SORTS, TABS
from cockpit.tui.widgets.bulk_bar import BulkBar
from cockpit.tui.widgets.detail import DetailPane
from cockpit.tui.widgets.footer import FittingFooter
from cockpit.tui.widgets.header import CockpitHeader
from cockpit.tui.widgets.item_list import ItemList
from cockpit.tui.widgets.tab_bar import TabBar
from cockpit.tui.widgets.view_bar import ViewBar
from cockpit.tui.workers import Effects

VIEWS_DELAY = 1.0  # the chips' counts follow changes at most this often
SEARCH_DELAY = 0.1  # a pause in typing that starts a search
DETAIL_DELAY = 0.05


class CockpitApp(InboxView, KeyCatalog, ItemActions, BulkActions, Pages, App[None]):
    """The inbox app. Its keys and their reasons live in `catalog`, acting on one item in
    `item_actions`, on the selection in `bulk`; this module composes and keeps the state."""

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
        self.selected: dict[int, Item] = {}  # the ticked items at hand, from every view
        self.feeds = FeedCache()  # the views seen last: their folders and loaded windows
        self.known = KnownItems(self.feeds)  # the freshest copy of every item at hand
        self.tab = "inbox"
        self.query_text = ""
        self.view_name = ""  # a saved view, or "" for the tab alone
        self.views: list[dict] = []  # the saved views this user sees, with counts
        self.viewers: dict[int, list[str]] = {}  # tickets other people have open now
        self._views_timer: Timer | None = None
        self.sort = settings.sort if settings.sort in SORTS else SORTS[0]
        self.loaded = False
        self.collector = Collector()  # full collections in the pauses (from the first rows)
        self.undo_record: Undo | None = None
        self.link_state = "connecting"
        self.user = user
        self.bells = 0
        # An item opened in a tab it then leaves (read, in Unread) stays listed, like mail,
        # until the cursor leaves it or the view reloads.
        self.held: int | None = None
        self._theme_chosen = False  # after mount, a theme change is the user's: remember it
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
        source = "keymap"
        if keymap is None:
            keymap, problem = load_keymap()
            source = "keymap.toml"
            if problem:
                self._problems.append(problem)
        if keymap:  # (checking reads every dialog's bindings: only when there is a remap)
            keymap, problems = check_keymap(keymap, self.binding_scopes(), source=source)
            self._problems += problems
        self.user_keymap = keymap
        self.set_keymap(self.user_keymap)

    def get_default_screen(self) -> Screen:
        return InboxScreen(id="_default")

    # -- the clock every relative time uses (tests fix it) ----------------------------------

    def now(self) -> datetime:
        return self.clock()

    # -- composition -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield CockpitHeader(id="header")
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield TabBar(id="tabs")
                yield ViewBar(id="views")
                yield Input(placeholder="Search: type to filter · enter keeps it · esc clears",
                            id="search", compact=True)
                yield Static("", id="search-error", markup=False)
                yield ItemList(selection=self.selection, clock=self.now, id="items")
                yield BulkBar(id="bulk", classes="-hidden")
            yield DetailPane(clock=self.now, id="detail")
        yield FittingFooter()

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

    def show_search_error(self, reason: str) -> None:
        """Why the server could not read the search (the term and where), under the box."""
        line = self.query_one("#search-error", Static)
        line.update(reason)
        line.display = bool(reason)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.MouseScrollDown,
                              events.MouseScrollUp)):
            self.collector.touched()
        await super().on_event(event)

    def on_mount(self) -> None:
        self.search_input.display = False
        self.show_search_error("")
        self.header.user = self.user
        self.detail.key_hints = self.key_hints()
        self.item_list.focus()
        self.reload()
        self.effects.identify()
        self.effects.views()
        if self.stream is not None:
            follower = LiveFollower(self, self.client, self.stream,
                                    lambda: (TABS[self.tab][1], self.query_text),
                                    watched=self.watched_ids)
            self.run_worker(follower.run(), name="live", group="live", exit_on_error=False)
        else:
            self.header.link = "offline"
        for problem in self._problems:
            self.notify(problem, severity="warning", markup=False, timeout=15)
        self._theme_chosen = True

    def watch_theme(self, theme: str) -> None:
        """A theme picked in the palette is remembered in the config file."""
        if not self._theme_chosen or theme == self.settings.theme:
            return
        self.settings = self.settings.model_copy(update={"theme": theme})
        problem = remember("theme", theme)
        if problem:
            self.notify(problem, severity="warning", markup=False)

    async def on_unmount(self) -> None:
        if self.owns_client:
            await self.client.aclose()
        if not self.is_headless:
            # Quitting: what the app built stays until the process ends. Freezing it spares
            # the interpreter's exit from walking it all again (2.5 s -> 0.4 s on a 20k inbox).
            gc.freeze()

    @on(Identified)
    @while_running
    def _identified(self, message: Identified) -> None:
        self.user = message.user
        self.header.user = message.user

    # -- live ------------------------------------------------------------------------------

    @on(LinkChanged)
    @while_running
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
    @while_running
    def _live_changed(self, message: LiveChanged) -> None:
        """A burst of changes: the rows at hand change in place at once, then the server
        counts the folders again and the folders the burst touched are fetched again (only
        as far as they were loaded): the cursor stays on its item."""
        leaving = [i.id for i in message.items
                   if i.id in self.selected and i.state == State.RESOLVED
                   and self.selected[i.id].state != State.RESOLVED]
        leaving += list(message.gone)
        self._tell_decided_elsewhere(message.items)
        self._apply(message.items, message.gone)
        if leaving:
            self.selection.discard(leaving)
        if message.counts is not None:
            self._set_counts(message.counts)
        created = set(message.created)
        self.effects.groups(self.feed, changed=[i.id for i in message.items] + message.gone,
                            fresh=[i for i in message.items if i.id in created])
        self.recount_views()
        if self.settings.bell and any(i.id in created and is_decision(i.kind, i.payload)
                                      and i.state != State.RESOLVED for i in message.items):
            self.ring_bell()

    def ring_bell(self) -> None:
        self.bells += 1
        self.bell()

    @while_running
    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "live" and event.state == WorkerState.ERROR:
            self.header.link = "offline"
            self.notify(f"Live updates stopped: {event.worker.error}", severity="error",
                        markup=False)

    def _in_view(self, item: Item) -> bool:
        """Whether a fresh copy keeps its row in the shown tab (the search and the view are
        the server's to judge: the recount after a change settles those)."""
        if item.id == self.held and item.state != State.RESOLVED:
            return True
        return belongs(item, self.tab)

    def _apply(self, items: list[Item], gone: list[int] | None = None) -> None:
        """Fresh copies of items into the views at hand (or out of the shown one, when they
        left its tab)."""
        gone = list(gone or ())
        for item in items:
            self.known[item.id] = item
            if item.id in self.selected:
                self.selected[item.id] = item
        for item_id in gone:
            self.known.pop(item_id, None)
        feed = self.feed
        for other in self.feeds.feeds():
            other.update(items)
            if other is not feed:
                other.remove(gone)
        feed.remove([i.id for i in items if not self._in_view(i)] + gone)
        self.item_list.relayout()
        self._refresh_detail({i.id: i for i in items}, set(gone))
        self.refresh_bindings()

    def _refresh_detail(self, fresh: dict[int, Item], gone: set[int]) -> None:
        shown = self.detail.item
        if shown is None:
            if self.item_list.cursor_row is None or self.detail.folder is not None:
                self._show_cursor_item()  # an emptied list, or a folder's figures
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
    @while_running
    def _highlighted(self, message: ItemList.Highlighted) -> None:
        # The footer and the pane follow where the cursor settles (one refresh, not one per
        # key while `j` is held).
        if self.held is not None and (message.item is None or message.item.id != self.held):
            self._release_held()
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self._detail_timer = self.set_timer(DETAIL_DELAY, self._show_cursor_item)

    @while_running
    def _show_cursor_item(self) -> None:
        """The detail pane follows the cursor: its item, its folder's summary, or nothing."""
        row = self.item_list.cursor_row
        if isinstance(row, FolderRow):
            folder = self.feed.by_key[row.key]
            state = self.selection.folder_state(self.feed.key, folder)
            selected = folder.size if state == "on" else \
                sum(1 for i in folder.index if self.selection.has(i, self.feed.key, row.key))
            space = self.get_key_display(Binding("space", ""))
            self.detail.show_folder(row, selected=selected,
                                    hint=f"{space} selects the whole folder · ⏎ folds it · "
                                         "j goes to its first item")
        elif isinstance(row, ItemRow):
            self.detail.show(row.item)
        elif row is not None:
            self.detail.show(None, empty="Loading…")
        else:
            self.detail.show(None, empty=self.item_list.empty_text or None)
        self.refresh_bindings()

    def _release_held(self) -> None:
        """The cursor left the item kept in a tab it no longer belongs to: it goes now."""
        held, self.held = self.held, None
        item = self.known.get(held) if held is not None else None
        if item is not None and not self._in_view(item) and self.feed.remove([held]):
            self.item_list.relayout()

    @on(ItemList.Opened)
    @while_running
    def _opened(self, message: ItemList.Opened) -> None:
        item = message.item
        self.detail.show(item)
        if item.state == State.UNREAD:
            if self.held is not None and self.held != item.id:
                self._release_held()
            self.held = item.id
            self.effects.patch(item, "read", "read", quiet=True)

    @on(ItemList.SelectionChanged)
    @while_running
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
        if count := len(self.selection):
            bar.remove_class("-hidden")  # from the first selection on (see BulkBar)
            hidden = self.selection.hidden_count(self.feed.key, self.item_list.visible_ids())
            bar.show(count, hidden, can_close=bool(self.selection.scopes)
                     or closable(self.selected.values()))
        elif not bar.has_class("-hidden"):
            bar.show_none(*self.select_keys)
        self.refresh_bindings()

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
        """`n`: the next unread item in the view's order; in a saved view (a desk's queue of
        work) the next open one. Tickets someone else has open right now are skipped."""
        busy = self.viewers.keys()
        if self.view_name:
            found = self.item_list.move_to_next(
                lambda i: i.state != State.RESOLVED and i.id not in busy)
        else:
            found = self.item_list.move_to_next(
                lambda i: i.state == State.UNREAD and i.id not in busy)
        if not found:
            what = "open item" if self.view_name else "unread item"
            self.notify(f"No other {what} that nobody else has open.", timeout=2,
                        markup=False)

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

    @while_running  # (its timer can fire while the app shuts down)
    def _apply_search(self, value: str) -> None:
        if value != self.query_text:
            self.query_text = value
            self.reload()

    def action_keep_search(self) -> None:
        """enter in the search box: apply it now and go back to the list, at once (not on
        the next refresh): keys typed right after enter act on the list."""
        if self._search_timer is not None:
            self._search_timer.stop()
        value = self.search_input.value.strip()
        self._apply_search(value)
        if not value:
            self.search_input.display = False
        self.screen.set_focus(self.item_list)

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

    # -- failures --------------------------------------------------------------------------

    @on(OperationFailed)
    @while_running
    def _operation_failed(self, message: OperationFailed) -> None:
        """Every failed request ends here: the server's reason, and nothing changed locally."""
        if message.what == "search" and message.status == 400:
            self.show_search_error(message.reason)
            self.header.note = ""
            return
        if message.what in ("load the inbox", "search"):
            self.header.note = "not loaded"
        self.notify(f"Could not {message.what}: {message.reason}", title="Cockpit",
                    severity="error", markup=False, timeout=10)
        if message.status == 409 and message.item_ids:
            self.effects.refresh(message.item_ids)  # merged like a live change
