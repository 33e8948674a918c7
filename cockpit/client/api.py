"""The HTTP client every front end uses: the app, the CLI, and scripts."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import httpx

from cockpit.domain.models import BulkResult, Item, Page

if TYPE_CHECKING:
    from cockpit.prefetch import FirstScreen


# Seconds an idle connection is reused: below any server's keep-alive (uvicorn's default is 5
# s), so a request never goes out on a connection the server is closing (it fails as a
# ReadError with no answer, and a POST is not retried).
KEEPALIVE = 2.0


class ApiError(Exception):
    """The server said no (a 4xx/5xx), or could not be reached (status 0)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message

    def __str__(self) -> str:
        return f"{self.message} (HTTP {self.status})" if self.status else self.message


class CockpitClient:
    def __init__(self, base_url: str, token: str, *, origin: str = "api",
                 transport: httpx.AsyncBaseTransport | None = None,
                 timeout: float = 30.0, first_screen: FirstScreen | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.first_screen = first_screen  # answers already asked for at launch
        self._http = httpx.AsyncClient(
            base_url=self.base_url + "/api/v1",
            headers={"Authorization": f"Bearer {token}", "X-Cockpit-Origin": origin},
            transport=transport,
            timeout=timeout,
            limits=httpx.Limits(keepalive_expiry=KEEPALIVE),
        )

    async def __aenter__(self) -> CockpitClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        if method == "GET" and self.first_screen is not None:
            future = self.first_screen.take(path, kwargs.get("params") or {})
            if future is not None:
                try:
                    status, body = await asyncio.wrap_future(future)
                except Exception:  # noqa: BLE001 - asked again below, errors and all
                    status, body = 0, b""
                if status == 200:
                    return json.loads(body)
        try:
            response = await self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ApiError(0, f"cannot reach {self.base_url}: {exc.__class__.__name__}") from exc
        if response.is_error:
            try:
                detail = response.json().get("detail", response.text)
            except ValueError:
                detail = response.text or response.reason_phrase
            raise ApiError(response.status_code, str(detail))
        return None if response.status_code == 204 else response.json()

    async def list_inbox(self, *, state: str = "active", kind: str | None = None,
                         q: str | None = None, view: str | None = None, limit: int = 50,
                         cursor: str | None = None, sort: str | None = None,
                         group_by: str | None = None, group: str | None = None) -> Page:
        """A window of a view (of one folder with `group_by` and `group`)."""
        params = {"state": state, "kind": kind, "q": q, "view": view, "limit": limit,
                  "cursor": cursor, "sort": sort, "group_by": group_by, "group": group}
        data = await self._call("GET", "/inbox", params={k: v for k, v in params.items()
                                                         if v is not None})
        return Page.model_validate(data)

    async def groups(self, *, state: str = "active", q: str | None = None,
                     view: str | None = None, group_by: str = "smart") -> dict[str, Any]:
        """The folders of a view with exact counts: `{"groups": [{"key", "label", "count",
        "unread"}], "total": n}`."""
        params = {"state": state, "q": q, "view": view, "group_by": group_by}
        return await self._call("GET", "/inbox/groups",
                                params={k: v for k, v in params.items() if v})

    async def me(self) -> dict[str, str]:
        """The caller's user id and role."""
        return await self._call("GET", "/me")

    async def count(self) -> dict[str, int]:
        return await self._call("GET", "/inbox/count")

    async def get(self, item_id: int, *, reveal: bool = False) -> Item:
        """One item; `reveal` asks for its credentials unmasked (managers and above)."""
        params = {"reveal": "true"} if reveal else {}
        return Item.model_validate(await self._call("GET", f"/inbox/{item_id}", params=params))

    async def get_many(self, ids: Iterable[int], *, concurrency: int = 8
                       ) -> tuple[list[Item], list[int]]:
        """Several items at once (a few requests in flight): (the items, in the order asked,
        and the ids that are gone or invisible to this caller)."""
        limit = asyncio.Semaphore(concurrency)

        async def one(item_id: int) -> Item | int:
            async with limit:
                try:
                    return await self.get(item_id)
                except ApiError as exc:
                    if exc.status == 404:
                        return item_id
                    raise

        answers = await asyncio.gather(*(one(i) for i in ids))
        return ([a for a in answers if isinstance(a, Item)],
                [a for a in answers if isinstance(a, int)])

    async def patch(self, item_id: int, state: str, resolved_action: str | None = None) -> Item:
        body: dict[str, Any] = {"state": state}
        if resolved_action is not None:
            body["resolved_action"] = resolved_action
        return Item.model_validate(await self._call("PATCH", f"/inbox/{item_id}", json=body))

    async def bulk(self, ids: list[int], op: str,
                   params: dict[str, Any] | None = None) -> BulkResult:
        body = {"ids": ids, "op": op, **({"params": params} if params else {})}
        return BulkResult.model_validate(await self._call("POST", "/inbox/bulk", json=body))

    async def bulk_query(self, query: dict[str, Any], op: str, *, except_ids: list[int] = (),
                         params: dict[str, Any] | None = None) -> dict[str, Any]:
        """`op` on everything `query` matches, but `except_ids`: `{"updated": n, "skipped":
        {reason: n}}`, one transaction on the server."""
        body: dict[str, Any] = {"query": query, "op": op, "except": list(except_ids)}
        if params:
            body["params"] = params
        return await self._call("POST", "/inbox/bulk", json=body)

    async def ingest(self, item: dict[str, Any]) -> dict[str, Any]:
        return await self._call("POST", "/inbox/items", json=item)

    async def act(self, item_id: int, name: str, params: dict[str, Any] | None = None) -> Item:
        data = await self._call("POST", f"/inbox/{item_id}/actions/{name}", json=params or {})
        return Item.model_validate(data["item"])

    async def audit(self, **filters: str | int | None) -> list[dict[str, Any]]:
        params = {k: v for k, v in filters.items() if v is not None}
        return (await self._call("GET", "/audit", params=params))["records"]

    async def outbox(self, *, include_delivered: bool = False) -> list[dict[str, Any]]:
        params = {"all": "true"} if include_delivered else {}
        return (await self._call("GET", "/outbox", params=params))["deliveries"]

    async def users(self) -> list[dict[str, str]]:
        """Every user (id, role, status): for picking a person to assign."""
        return await self._call("GET", "/users")

    async def timeline(self, item_id: int) -> list[dict[str, Any]]:
        """A ticket's conversation, internal notes and changes, oldest first: entries
        `{"id", "type", "author", "body_md", "at", "internal", "data"}`."""
        return await self._call("GET", f"/inbox/{item_id}/timeline")

    # -- the support desk ------------------------------------------------------------------

    async def views(self) -> list[dict[str, Any]]:
        return await self._call("GET", "/views")

    async def add_view(self, name: str, query: str, *, title: str | None = None,
                       role: str | None = None) -> dict[str, Any]:
        body = {"name": name, "query": query, "title": title,
                "scope": "role" if role else "personal", "role": role}
        return await self._call("POST", "/views", json=body)

    async def remove_view(self, name: str) -> None:
        await self._call("DELETE", f"/views/{name}")

    async def macros(self) -> list[dict[str, Any]]:
        return await self._call("GET", "/macros")

    async def add_macro(self, macro: dict[str, Any]) -> dict[str, Any]:
        return await self._call("POST", "/macros", json=macro)

    async def remove_macro(self, name: str) -> None:
        await self._call("DELETE", f"/macros/{name}")

    async def preview_macro(self, item_id: int, name: str) -> dict[str, Any]:
        return await self._call("POST", f"/inbox/{item_id}/macros/{name}/preview")

    async def customer(self, customer_id: str) -> dict[str, Any]:
        return await self._call("GET", f"/customers/{customer_id}")

    # -- the floor: agents, queues, live metrics, reports ----------------------------------

    async def agents(self, *, status: str | None = None,
                     queue: str | None = None) -> list[dict[str, Any]]:
        params = {k: v for k, v in {"status": status, "queue": queue}.items() if v}
        return await self._call("GET", "/agents", params=params)

    async def agent(self, agent_id: str) -> dict[str, Any]:
        return await self._call("GET", f"/agents/{agent_id}")

    async def patch_agent(self, agent_id: str, **fields: Any) -> dict[str, Any]:
        """Status and aux code (yours); capacity, skills, queues (managers and above)."""
        return await self._call("PATCH", f"/agents/{agent_id}", json=fields)

    async def aux_codes(self) -> list[dict[str, str]]:
        return await self._call("GET", "/aux-codes")

    async def queues(self) -> list[dict[str, Any]]:
        return await self._call("GET", "/queues")

    async def put_queue(self, name: str, *, skills: list[str] | None = None,
                        skill_timeout_s: int | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"name": name, "skills": skills or []}
        if skill_timeout_s is not None:
            body["skill_timeout_s"] = skill_timeout_s
        return await self._call("POST", "/queues", json=body)

    async def live_metrics(self) -> dict[str, Any]:
        return await self._call("GET", "/metrics/live")

    async def report(self, name: str, *, start: str | None = None, end: str | None = None,
                     by: str | None = None) -> dict[str, Any]:
        params = {k: v for k, v in {"from": start, "to": end, "by": by}.items() if v}
        return await self._call("GET", f"/reports/{name}", params=params)

    # -- collision detection ---------------------------------------------------------------

    async def viewing(self, item_id: int, viewing: bool = True) -> dict[str, Any]:
        """Say that you view (or stopped viewing) a ticket; answers `{"item_id", "viewers"}`.
        A viewer is forgotten 60 s after their last call: repeat it while you look."""
        return await self._call("POST", f"/inbox/{item_id}/viewing", json={"viewing": viewing})
