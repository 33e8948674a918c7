"""Guards for the app's message handlers."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from textual.app import App
from textual.css.query import NoMatches

Handler = TypeVar("Handler", bound=Callable[..., Any])


def while_running(handler: Handler) -> Handler:
    """For handlers of worker and live messages: a message handled after the app began to shut
    down (the inbox widgets may be gone already) is dropped, never an error."""
    @functools.wraps(handler)
    def guarded(self: App, *args: Any) -> Any:
        if not self.is_running:
            return None
        try:
            return handler(self, *args)
        except NoMatches:
            if self.is_running:
                raise
            return None

    return guarded  # type: ignore[return-value]

