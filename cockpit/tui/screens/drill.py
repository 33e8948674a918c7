"""The tickets behind one figure of a report: their titles on the left (`GET /inbox/{id}` each,
as this user may see them), the one opened with `enter` on the right, read-only (acting on it
is the inbox's job)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from cockpit.client import CockpitClient
from cockpit.domain.models import Item
from cockpit.tui import describe
from cockpit.tui.floor_effects import DRILL_LIMIT, FloorEffects
from cockpit.tui.format import one_line, plural, utcnow
from cockpit.tui.messages import CustomerLoaded, TicketsLoaded, TimelineLoaded
from cockpit.tui.widgets.detail import DetailPane
from cockpit.tui.widgets.footer import FittingFooter


class DrillScreen(ModalScreen[None]):
    CSS_PATH = "drill.tcss"
    BINDINGS = [
        Binding("escape", "close", "Back to the report", id="drill.close"),
        Binding("j", "move(1)", "Down", show=False, id="drill.down"),
        Binding("k", "move(-1)", "Up", show=False, id="drill.up"),
    ]

    def __init__(self, client: CockpitClient, title: str, ids: list[int]) -> None:
        super().__init__(id="drill-screen")
        self.effects = FloorEffects(self, client)
        self.title_text = title
        self.ids = ids
        self.items: list[Item] = []

    def compose(self) -> ComposeResult:
        yield Static(self._heading("loading…"), id="drill-title", markup=False)
        with Horizontal(id="drill-body"):
            yield DataTable(id="drill-list", cursor_type="row", zebra_stripes=True)
            clock = getattr(self.app, "now", utcnow)
            yield DetailPane(clock=clock, id="drill-detail")
        yield FittingFooter()

    def _heading(self, note: str) -> str:
        return f"{one_line(self.title_text, 80)} · {note}"

    @property
    def table(self) -> DataTable:
        return self.query_one("#drill-list", DataTable)

    @property
    def detail(self) -> DetailPane:
        return self.query_one("#drill-detail", DetailPane)

    def on_mount(self) -> None:
        self.table.add_column("#", key="id")
        self.table.add_column("State", key="state")
        self.table.add_column("Title", key="title")
        self.table.focus()
        self.detail.show(None, empty="enter opens the ticket under the cursor.")
        self.effects.tickets(self.ids)

    def on_tickets_loaded(self, message: TicketsLoaded) -> None:
        self.items = message.items
        for item in self.items:
            self.table.add_row(Text(str(item.id)), Text(item.state.value),
                               Text(one_line(item.title, 80)), key=str(item.id))
        note = plural(len(self.items), "ticket")
        hidden = len(message.missing) + max(len(self.ids) - DRILL_LIMIT, 0)
        if hidden:
            note += f" ({hidden} more not shown: gone, not yours to see, or past {DRILL_LIMIT})"
        self.query_one("#drill-title", Static).update(self._heading(note))

    @on(DataTable.RowSelected, "#drill-list")
    def _opened(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if 0 <= event.cursor_row < len(self.items):
            self.detail.show(self.items[event.cursor_row])

    # This pane's requests are this screen's: the app's handlers serve the inbox's pane.

    @on(DetailPane.TimelineWanted)
    def _timeline_wanted(self, event: DetailPane.TimelineWanted) -> None:
        event.stop()
        self.effects.timeline(event.item)
        customer = describe.customer_id(event.item)
        if customer is not None:
            self.effects.customer(event.item, customer)

    @on(DetailPane.Shown)
    def _shown(self, event: DetailPane.Shown) -> None:
        event.stop()  # a read-only look: no "also viewing" presence for it

    def on_timeline_loaded(self, message: TimelineLoaded) -> None:
        message.stop()
        self.detail.show_timeline(message.item_id, message.entries)

    def on_customer_loaded(self, message: CustomerLoaded) -> None:
        message.stop()
        self.detail.show_customer(message.item_id, message.card)

    def action_move(self, step: int) -> None:
        if step > 0:
            self.table.action_cursor_down()
        else:
            self.table.action_cursor_up()

    def action_close(self) -> None:
        self.dismiss(None)
