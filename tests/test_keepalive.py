"""Idle connections: the client lets go of one before any server would close it."""

from __future__ import annotations

import uvicorn

from cockpit.client.api import KEEPALIVE
from cockpit.runtime import CONNECTIONS


def test_the_client_drops_idle_connections_before_the_server_does() -> None:
    # uvicorn's default (a server not started by cockpit) and ours
    default = uvicorn.Config(app=None).timeout_keep_alive
    assert KEEPALIVE < min(default, CONNECTIONS["timeout_keep_alive"])
