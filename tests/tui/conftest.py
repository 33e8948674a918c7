"""A real Cockpit server for app tests: temp SQLite, fixed demo data, a loopback port.

`server` starts it (with `restart()` to stop and start again on the same port and database);
`make_app` builds the app through `cockpit.tui.create_app`, with a fixed clock.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cockpit.config import Settings

# Far ahead of the real clock: the server sweeps waitpoints whose timeout passed by ITS clock,
# so a fixed date in the past would make the demo waitpoints time out under the tests.
NOW = datetime(2099, 3, 14, 9, 30, tzinfo=UTC)
USER = "alex"
SIZE = (120, 36)


class FrozenDateTime(datetime):
    """`datetime.now()` answers NOW: the list widget's relative times hold still in snapshots."""

    @classmethod
    def now(cls, tz=None):  # type: ignore[override]
        return NOW if tz is not None else NOW.replace(tzinfo=None)


@pytest.fixture(autouse=True)
def _isolated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never read or write the real user's data, config, keymap or themes."""
    base = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("COCKPIT_DATA_DIR", str(base / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(base / "config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(base / "share"))
    monkeypatch.setenv("COCKPIT_USER", USER)
    monkeypatch.setenv("TEXTUAL_ANIMATIONS", "none")
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture
def frozen_time(monkeypatch: pytest.MonkeyPatch) -> datetime:
    from cockpit.tui import glyphs

    monkeypatch.setattr(glyphs, "datetime", FrozenDateTime)
    try:
        from cockpit.tui.widgets import item_list

        monkeypatch.setattr(item_list, "datetime", FrozenDateTime)
    except ImportError:
        pass
    return NOW


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveServer:
    """The real server on 127.0.0.1:port in a thread, that can come back on the same port."""

    db_url: str
    port: int = field(default_factory=_free_port)
    token: str = ""
    engine: Any = None
    _server: Any = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        from cockpit.runtime import EmbeddedServer
        from cockpit.server.app import ServerOptions
        from cockpit.store import open_engine

        self.engine = open_engine(self.db_url)
        self._server = EmbeddedServer(self.engine, port=self.port,
                                      options=ServerOptions(poll_interval=0.1, heartbeat=1.0))
        self._server.start()
        # The server lives at NOW too, running on from it, so items arriving "a minute after
        # NOW" are not refused as created in the far future.
        shift = NOW - datetime.now(UTC)
        self._server._server.config.app.state.inbox.clock = lambda: datetime.now(UTC) + shift

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
        if self.engine is not None:
            self.engine.dispose()

    def restart(self) -> None:
        self.stop()
        self.start()


def _seed(db_url: str) -> str:
    from cockpit.domain.demo import demo_items
    from cockpit.runtime import open_local
    from cockpit.server.seed import seed

    engine, user_id, token = open_local(db_url, seed_demo=False)
    try:
        seed(engine, demo_items(NOW, user_id), NOW)
    finally:
        engine.dispose()
    return token


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    db_url = f"sqlite:///{tmp_path / 'cockpit.db'}"
    token = _seed(db_url)
    live = LiveServer(db_url, token=token)
    live.start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture
async def client(server: LiveServer):
    from cockpit.client import CockpitClient

    async with CockpitClient(server.url, server.token, origin="test") as c:
        yield c


def ingest_body(source_id: str, *, kind: str = "message", title: str = "New item",
                created: datetime | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "kind": kind,
        "source_id": source_id,
        "title": title,
        "body_md": "Arrived while you were looking at something else.",
        "sender": {"type": "system", "id": "system:test", "name": "Test"},
        "created_at": (created or NOW + timedelta(minutes=1)).isoformat(),
        **extra,
    }


@pytest.fixture
def new_item() -> Callable[..., dict[str, Any]]:
    """The body of `POST /inbox/items` for a new item (a message unless told otherwise)."""
    return ingest_body


@pytest.fixture
def make_app(server: LiveServer, client) -> Callable[..., Any]:
    from cockpit.tui import create_app

    def build(*, settings: Settings | None = None, live: bool = True, **kwargs: Any):
        settings = settings or Settings(group_by="kind", bell=True)
        kwargs.setdefault("keymap", {})
        app = create_app(settings, server.url, server.token, client=client, live=live,
                         clock=lambda: NOW, user=USER, **kwargs)
        app.animation_level = "none"
        return app

    return build


@pytest.fixture
async def maria(server):
    """A second person (a manager) with her own client: "someone else"."""
    from cockpit.client import CockpitClient
    from cockpit.store.users import add_user, issue_token

    with server.engine.begin() as conn:
        add_user(conn, "maria", "manager")
        token = issue_token(conn, "maria")
    async with CockpitClient(server.url, token, origin="test") as c:
        yield c
