"""The app's widgets."""

from cockpit.tui.widgets.bulk_bar import BulkBar
from cockpit.tui.widgets.detail import DetailPane
from cockpit.tui.widgets.header import CockpitHeader
from cockpit.tui.widgets.item_list import ItemList
from cockpit.tui.widgets.tab_bar import TabBar

__all__ = ["BulkBar", "CockpitHeader", "DetailPane", "ItemList", "TabBar"]
