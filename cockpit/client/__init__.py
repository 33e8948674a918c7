"""Talking to a Cockpit server: HTTP calls and the live event stream. No Textual here."""

from cockpit.client.api import ApiError, CockpitClient
from cockpit.client.stream import Event, EventStream, LinkStatus

__all__ = ["ApiError", "CockpitClient", "Event", "EventStream", "LinkStatus"]
