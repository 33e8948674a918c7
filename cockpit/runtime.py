"""Putting the parts together: the local database and user, the embedded server, the clients.

With no server configured, Cockpit runs on a SQLite database in the user data folder as a local
owner account; its token is kept in that folder (readable by the user alone).
"""

from __future__ import annotations

import getpass
import hashlib
import os
import socket
import sys
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cockpit.config import Settings
from cockpit.domain.roles import Role
from cockpit.paths import data_dir, default_db_url

# The database, the server, HTTP, uvicorn and the demo data are imported where they are used:
# the CLI's local commands need no web stack, and the app talking to a server needs neither.
if TYPE_CHECKING:
    from sqlalchemy import Engine

    from cockpit.client import CockpitClient
    from cockpit.server.app import ServerOptions


# How the server keeps connections. Events are a few hundred bytes: compressing them costs each
# connection its own deflate state and CPU per send, which at a thousand clients is most of the
# fan-out's time and memory. An idle HTTP connection is kept well past the client's own expiry
# (cockpit.client.api.KEEPALIVE): a request sent just as the server drops the connection fails.
CONNECTIONS = {"ws_ping_interval": 20, "ws_per_message_deflate": False,
               "timeout_keep_alive": 30}


class SetupError(RuntimeError):
    """Something the user must fix (a bad database URL, a missing token)."""


def local_user_id() -> str:
    return os.environ.get("COCKPIT_USER") or getpass.getuser() or "me"


def _token_file(engine: Engine) -> Path:
    # One token file per database, so `--db` on another database does not reuse it.
    digest = hashlib.sha256(engine.url.render_as_string(hide_password=False).encode())
    return data_dir() / f"local-token-{digest.hexdigest()[:12]}"


def local_identity(engine: Engine) -> tuple[str, str]:
    """The local owner's id and a working token for it, created on first use."""
    from cockpit.store.users import add_user, get_user, issue_token, principal_for_token

    user_id = local_user_id()
    path = _token_file(engine)
    with engine.begin() as conn:
        if get_user(conn, user_id) is None:
            add_user(conn, user_id, Role.OWNER)
        if path.is_file():
            token = path.read_text().strip()
            found = principal_for_token(conn, token)
            if found is not None and found.id == user_id:
                return user_id, token
        token = issue_token(conn, user_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(token + "\n")
    return user_id, token


def open_local(db_url: str | None, *, seed_demo: bool) -> tuple[Engine, str, str]:
    """The local engine, user and token; a new empty database gets the demo inbox."""
    from cockpit.store import open_engine
    from cockpit.store.db import is_empty

    try:
        engine = open_engine(db_url)
    except Exception as exc:  # noqa: BLE001 - shown to the user as one line
        raise SetupError(f"cannot open database {db_url or 'default'}: {exc}") from exc
    user_id, token = local_identity(engine)
    if seed_demo and is_empty(engine):
        from cockpit.server import seed  # (only then: it loads the ingest path's patterns)

        seed.seed_demo(engine, user_id, datetime.now(UTC))
    return engine, user_id, token


@asynccontextmanager
async def in_process_client(engine: Engine, token: str, origin: str,
                            options: ServerOptions | None = None) -> AsyncIterator[CockpitClient]:
    """A client wired straight to an in-process server: the CLI's local mode, no sockets."""
    import httpx

    from cockpit.client import CockpitClient
    from cockpit.server.app import create_app

    app = create_app(options, engine=engine)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with CockpitClient("http://cockpit.local", token, origin=origin,
                                 transport=transport) as client:
            yield client


@dataclass
class EmbeddedServer:
    """A real server on a loopback port, in a thread: what the app talks to when run alone."""

    engine: Engine
    host: str = "127.0.0.1"
    options: ServerOptions | None = None
    port: int = 0  # 0: any free port

    def start(self) -> str:
        import uvicorn

        from cockpit.server.app import create_app

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        port = self.port = sock.getsockname()[1]
        config = uvicorn.Config(create_app(self.options, engine=self.engine), log_level="warning",
                                lifespan="on", **CONNECTIONS)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        name="cockpit-embedded-server", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise SetupError("the embedded server did not start")
            time.sleep(0.02)
        return f"http://{self.host}:{port}"

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


@dataclass
class ServerProcess:
    """The app's own server in a child process, on a loopback socket bound and listening here.

    The app starts drawing while the server starts (the first requests wait in the socket's
    backlog), and the two never wait on one interpreter lock: on two cores the list stays
    responsive while the server works, and the app's memory is the app's alone. The child's
    output goes to `server.log` in the data folder, never to the terminal the app draws on.
    """

    db_url: str
    host: str = "127.0.0.1"

    def start(self) -> str:
        import subprocess

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        sock.listen(128)
        port = sock.getsockname()[1]
        log = open(data_dir() / "server.log", "ab")  # noqa: SIM115 - the child's, kept open
        env = {**os.environ, "COCKPIT_SERVER_FD": str(sock.fileno()), "COCKPIT_DB": self.db_url,
               "COCKPIT_PARENT_PID": str(os.getpid())}
        self._process = subprocess.Popen(
            [sys.executable, "-c", "from cockpit.runtime import serve_socket; serve_socket()"],
            pass_fds=[sock.fileno()], env=env, stdin=subprocess.DEVNULL, stdout=log,
            stderr=log)
        log.close()
        sock.close()  # the child holds the listening socket now
        return f"http://{self.host}:{port}"

    def stop(self) -> None:
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except Exception:  # noqa: BLE001 - a child that will not stop is killed
            self._process.kill()


def serve_socket() -> None:
    """The child of `ServerProcess`: serve on the inherited socket until told to stop, or
    until the app that started it is gone (killed, it cannot say so)."""
    import uvicorn

    from cockpit.server.app import ServerOptions, create_app

    settings = Settings()  # COCKPIT_* from the environment the app passed on
    sock = socket.socket(fileno=int(os.environ["COCKPIT_SERVER_FD"]))
    parent = int(os.environ["COCKPIT_PARENT_PID"])
    options = ServerOptions(db_url=os.environ["COCKPIT_DB"],
                            webhook_secret=settings.webhook_secret)
    server = uvicorn.Server(uvicorn.Config(create_app(options), log_level="warning",
                                           lifespan="on", **CONNECTIONS))

    def watch_parent() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        server.should_exit = True

    threading.Thread(target=watch_parent, name="cockpit-parent-watch", daemon=True).start()
    server.run(sockets=[sock])


def app_connection(settings: Settings) -> tuple[str, str, ServerProcess | None]:
    """(server URL, token, the app's own server or None) for the app, per the settings."""
    if settings.server:
        if not settings.token:
            raise SetupError("--server needs --token (or COCKPIT_TOKEN, or token in the config)")
        return settings.server, settings.token, None
    # The child starts importing at once; meanwhile this process makes sure of the database,
    # the local account and (on a first run) the demo inbox.
    data_dir().mkdir(parents=True, exist_ok=True)
    server = ServerProcess(settings.db or default_db_url())
    url = server.start()
    try:
        _engine, _user, token = open_local(settings.db, seed_demo=True)
    except BaseException:
        server.stop()
        raise
    return url, token, server


def serve(settings: Settings, host: str, port: int, *, log_format: str = "text",
          metrics_port: int | None = None, drain_delay: float = 0.0,
          graceful_timeout: float = 30.0) -> None:
    """`cockpit serve`: run the server in the foreground until a stop signal drains it (see
    cockpit.server.serving)."""
    import logging

    from cockpit.server.logs import configure_logging

    configure_logging(log_format, secrets=[settings.webhook_secret, settings.metrics_token,
                                           settings.token])
    log = logging.getLogger("cockpit.serve")
    if not settings.webhook_secret:
        log.warning("COCKPIT_WEBHOOK_SECRET is not set: outbound webhooks go out unsigned")
    import uvicorn

    from cockpit.server.app import ServerOptions, create_app
    from cockpit.server.serving import DrainingServer, serve_metrics

    options = ServerOptions(db_url=settings.db, webhook_secret=settings.webhook_secret,
                            metrics_token=settings.metrics_token)
    app = create_app(options)
    if metrics_port is not None:
        bound = serve_metrics(app, metrics_port)
        log.info("metrics on http://127.0.0.1:%s/metrics", bound)
    config = uvicorn.Config(app, host=host, port=port, log_config=None, log_level="info",
                            access_log=False, **CONNECTIONS,
                            timeout_graceful_shutdown=graceful_timeout)
    DrainingServer(config, app.state.readiness, drain_delay).run()
