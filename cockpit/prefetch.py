"""The first screen's requests, sent while the app is still starting.

Launching the app is mostly importing and composing; the server's answers for the first
screen (the folders of the view shown first, and the first page of each folder the screen
reaches) need not wait for that. `FirstScreen` asks for them on a thread as soon as the app's
settings are known, with the standard library's HTTP client (it is loaded long before the
app's own), and the app's client takes each answer instead of asking again, once.

Nothing here knows the app: the requests are named by their path and query parameters,
exactly as the client sends them.
"""

from __future__ import annotations

import http.client
import json
import threading
import urllib.parse
from collections.abc import Mapping
from concurrent.futures import Future
from typing import Any

RequestKey = tuple[str, tuple[tuple[str, str], ...]]
Answer = tuple[int, bytes]  # (HTTP status, body)


def request_key(path: str, params: Mapping[str, Any]) -> RequestKey:
    return path, tuple(sorted((k, str(v)) for k, v in params.items()))


class FirstScreen:
    """`GET /inbox/groups` of a view, then the first window of each folder within `rows` rows
    of the top, on a daemon thread; `take` hands an answer over (a future: it may still be on
    its way)."""

    def __init__(self, base_url: str, token: str, *, state: str, group_by: str, sort: str,
                 page: int, rows: int, origin: str = "tui") -> None:
        self._url = urllib.parse.urlsplit(base_url.rstrip("/") + "/api/v1")
        self._headers = {"Authorization": f"Bearer {token}", "X-Cockpit-Origin": origin,
                         "Accept": "application/json"}
        self._view = {"state": state, "group_by": group_by}
        self._window = {"state": state, "sort": sort, "group_by": group_by, "limit": page}
        self._rows = rows
        self._lock = threading.Lock()
        self._answers: dict[RequestKey, Future[Answer]] = {}
        self._groups = self._expect("/inbox/groups", self._view)
        threading.Thread(target=self._run, name="cockpit-first-screen", daemon=True).start()

    def take(self, path: str, params: Mapping[str, Any]) -> Future[Answer] | None:
        """The answer to this very request, if it was sent here and not taken yet."""
        with self._lock:
            return self._answers.pop(request_key(path, params), None)

    @property
    def untaken(self) -> list[RequestKey]:
        """The requests sent here that nobody has taken (yet)."""
        with self._lock:
            return list(self._answers)

    def _expect(self, path: str, params: Mapping[str, Any]) -> Future[Answer]:
        future: Future[Answer] = Future()
        with self._lock:
            self._answers[request_key(path, params)] = future
        return future

    def _run(self) -> None:
        pending = [self._groups]
        try:
            connection = self._connect()
            try:
                self._groups.set_result(answer := self._get(connection, "/inbox/groups",
                                                            self._view))
                if answer[0] != 200:
                    return
                windows, row = [], 0
                for group in json.loads(answer[1])["groups"]:
                    if row >= self._rows:
                        break
                    params = {**self._window, "group": group["key"]}
                    windows.append((params, self._expect("/inbox", params)))
                    pending.append(windows[-1][1])
                    row += 1 + group["count"]
                for params, future in windows:
                    future.set_result(self._get(connection, "/inbox", params))
            finally:
                connection.close()
        except Exception as exc:  # noqa: BLE001 - the app asks again itself
            for future in pending:
                if not future.done():
                    future.set_exception(exc)

    def _connect(self) -> http.client.HTTPConnection:
        kind = http.client.HTTPSConnection if self._url.scheme == "https" else \
            http.client.HTTPConnection
        return kind(self._url.hostname or "127.0.0.1", self._url.port, timeout=30)

    def _get(self, connection: http.client.HTTPConnection, path: str,
             params: Mapping[str, Any]) -> Answer:
        target = f"{self._url.path}{path}?{urllib.parse.urlencode(params)}"
        connection.request("GET", target, headers=self._headers)
        response = connection.getresponse()
        return response.status, response.read()
