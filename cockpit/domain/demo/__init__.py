"""Demo inbox data: a hand-written, lived-in inbox and a fast synthetic generator.

Pure functions: no IO, no database, no clock (the caller passes `now`). A seeder stores each
`DemoItem.item` as a producer would, then moves it to `DemoItem.state` (with `resolved_action`
and `resolved_by` when resolved) so a newcomer sees an inbox that has been used for a while.

Every URL points at `example.com` hosts or at the loopback discard port (`127.0.0.1:9`), and no
item carries anything secret.
"""

from cockpit.domain.demo.common import SYNTHETIC_PREFIX, TEAMMATES, DemoItem
from cockpit.domain.demo.inbox import demo_items
from cockpit.domain.demo.synthetic import synthetic_items

__all__ = ["DemoItem", "SYNTHETIC_PREFIX", "TEAMMATES", "demo_items", "synthetic_items"]
