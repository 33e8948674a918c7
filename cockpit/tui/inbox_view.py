"""What the inbox shows and how it loads: the view (tab, search, saved view, grouping, sort) as
a `Feed` whose folders the server counts and whose rows are fetched as they near the screen;
the saved views' chips and `:`; the sort; select-all as a query.

A mixin of `CockpitApp` (handlers by Textual's naming convention: `on_<message>`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cockpit.domain.grouping import GROUP_BY, group_items
from cockpit.tui.collector import QUIET
from cockpit.tui.feed import SORT_LABELS, Feed, ViewKey
from cockpit.tui.format import one_line
from cockpit.tui.guards import while_running
from cockpit.tui.messages import (
    CountsChanged,
    GroupsLoaded,
    ViewsLoaded,
    WindowLoaded,
)
from cockpit.tui.screens.view_picker import ViewChoice, ViewPicker
from cockpit.tui.view_names import SORTS, TABS
from cockpit.tui.widgets.item_list import ItemList
from cockpit.tui.widgets.tab_bar import TabBar
from cockpit.tui.widgets.view_bar import ViewBar

if TYPE_CHECKING:
    from cockpit.tui.app import CockpitApp

VIEWS_DELAY = 1.0  # the chips' counts follow changes at most this often


class InboxView:
    # -- loading: the shown view is a Feed; the list asks for its windows -----------------

    def view_key(self: CockpitApp) -> ViewKey:
        return ViewKey(TABS[self.tab][1], self.query_text, self.view_name, self.group_by,
                       self.sort)

    @property
    def feed(self: CockpitApp) -> Feed:
        return self.item_list.feed

    def reload(self: CockpitApp) -> None:
        """Show the current tab, search, view, grouping and sort: a cached copy paints at
        once, and the server counts its folders again either way; of a cached copy's loaded
        items, only folders a change touched (or whose counts moved) are fetched again."""
        self.held = None
        feed = self.feeds.open(self.view_key())
        self.loaded = feed.known
        if not feed.known:
            self.header.note = "loading…"
            self.item_list.empty_text = "Loading…"
        else:
            self.item_list.empty_text = self._empty_text()
        self.item_list.show_feed(feed)
        self._show_cursor_item()
        # Without the live stream nothing kept a cached copy current: fetch it all again.
        outdated = feed.outdated or self.link_state != "live"
        self.effects.groups(feed, force=feed.known and outdated)

    def resync(self: CockpitApp) -> None:
        """Count the shown view again and fetch every loaded folder again, in place; views
        kept aside are fetched again when next shown (events may have been missed)."""
        for feed in self.feeds.feeds():
            feed.outdated = True
        self.effects.groups(self.feed, force=True)

    @while_running
    def on_groups_loaded(self: CockpitApp, message: GroupsLoaded) -> None:
        feed = message.feed
        if self.feeds.get(feed.key) is not feed:
            return  # a view no longer kept
        recounted = feed.set_groups(message.groups)
        self.selection.recount(feed.key, {None: feed.total,
                                          **{f.key: f.size for f in feed.folders}})
        stale = {f.key for f in recounted if f.items}
        stale |= {key for key in feed.stale if key in feed.by_key and feed.by_key[key].items}
        feed.stale.clear()
        if message.force:
            stale |= {f.key for f in feed.folders if f.items}
            feed.outdated = False
        changed = set(message.changed)
        stale |= {f.key for f in feed.folders if changed.intersection(f.index)}
        for item in message.fresh:  # a new item's folder, as this grouping files it
            stale |= {g.key for g in group_items([item], feed.key.group_by)
                      if g.key in feed.by_key and feed.by_key[g.key].items}
        for key in stale:
            self.effects.reload_folder(feed, feed.by_key[key])
        if feed is self.feed:
            self.show_search_error("")
            self.item_list.empty_text = self._empty_text()
            self.item_list.relayout()
            if not feed.row_count:
                self.loaded = True
                self.header.note = ""
                self._show_cursor_item()

    def on_item_list_window_wanted(self: CockpitApp, message: ItemList.WindowWanted) -> None:
        feed = message.feed
        for key in message.keys:
            folder = feed.by_key.get(key)
            if folder is not None and folder.wants_more():
                self.effects.window(feed, folder)

    @while_running
    def on_window_loaded(self: CockpitApp, message: WindowLoaded) -> None:
        feed = message.feed
        if message.replace:
            keep = self.known.get(self.held) if self.held is not None else None
            feed.replace_loaded(message.key, message.items, message.next_cursor, keep=keep)
        elif not feed.add_page(message.key, message.version, message.items,
                               message.next_cursor):
            return
        feed.counts = message.counts
        if feed is not self.feed:
            return
        self._set_counts(message.counts)
        self.item_list.relayout()
        if not self.loaded:
            self.loaded = True
            self.header.note = ""
            if not self.is_headless:  # (tests run many apps in one process)
                self.collector.start()
                self.set_interval(QUIET / 2, self.collector.tick, name="collector")
        self._refresh_detail({i.id: i for i in message.items}, set())
        self._sync_selection()

    def _empty_text(self: CockpitApp) -> str:
        """What the list says when this view has nothing."""
        if self.query_text:
            clear = self.key_for("cockpit.clear") or "esc"
            return f"No items match “{one_line(self.query_text, 60)}”. {clear} clears the search."
        return {"inbox": "Inbox zero: nothing needs you.", "unread": "Nothing unread.",
                "archived": "Nothing archived."}.get(self.tab, "Nothing here.")

    @while_running
    def on_resync_needed(self: CockpitApp) -> None:
        self.resync()

    @while_running
    def on_counts_changed(self: CockpitApp, message: CountsChanged) -> None:
        self._set_counts(message.counts)

    def _set_counts(self: CockpitApp, counts: dict[str, int]) -> None:
        self.query_one("#tabs", TabBar).set_counts(counts)
        if not self.query_text and not self.view_name and "unread" in counts:
            self.header.unread = counts["unread"]

    def action_cycle_group(self: CockpitApp) -> None:
        modes = list(GROUP_BY)
        current = self.item_list.group_by
        mode = modes[(modes.index(current) + 1) % len(modes)] if current in modes else modes[0]
        self.set_group_by(mode)

    def set_group_by(self: CockpitApp, mode: str) -> None:
        self.group_by = mode
        self.reload()
        self.notify(f"Grouped by {mode}", timeout=2, markup=False)

    # -- saved views ------------------------------------------------------------------------

    @while_running
    def on_views_loaded(self: CockpitApp, message: ViewsLoaded) -> None:
        self.views = message.views
        self._show_views()

    def _show_views(self: CockpitApp) -> None:
        self.query_one("#views", ViewBar).show_views(self.views, self.view_name,
                                                     self.key_for("cockpit.views") or "")

    def recount_views(self: CockpitApp) -> None:
        """The chips' counts after changes, at most once a second however busy the feed."""
        if self._views_timer is None:
            @while_running
            def recount(self: CockpitApp) -> None:
                self._views_timer = None
                self.effects.views()

            self._views_timer = self.set_timer(VIEWS_DELAY, lambda: recount(self))

    def action_pick_view(self: CockpitApp) -> None:
        """`:` a saved view, or a query typed in the query language."""
        def chosen(choice: ViewChoice | None) -> None:
            if choice is not None:
                self.show_view(choice.view, choice.query)

        self.effects.views()
        self.push_screen(ViewPicker(self.views, active=self.view_name), chosen)

    def show_view(self: CockpitApp, view: str, query: str | None = None) -> None:
        """Show a saved view ("" for none), with a query instead of the search if given."""
        if query is not None:
            box = self.search_input
            box.value = query
            box.display = bool(query)
            self.query_text = query
        self.view_name = view
        self._show_views()
        self.reload()
        self.item_list.focus()

    def action_cycle_sort(self: CockpitApp) -> None:
        """`s`: newest, oldest, priority, due (expiring first), each with its own cursor."""
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.reload()
        self.notify(f"Sorted {SORT_LABELS[self.sort]}", timeout=2, markup=False)

    def action_select_all(self: CockpitApp) -> None:
        """`*`: everything the view matches, loaded or not, held as the view's query."""
        feed = self.feed
        if not feed.known or not feed.total:
            return
        self.selection.select_all(feed.key, feed.total, feed.loaded_ids())
        self.notify(f"All {feed.total:,} items of this view selected · esc clears",
                    timeout=3, markup=False)
