"""Requests that carry a unique marker in everything a log line must never hold."""

from __future__ import annotations

import uuid
from typing import Any


def new_marker() -> str:
    return "zq" + uuid.uuid4().hex[:12]


def send_marked_requests(http: Any, owner: dict[str, str], svc: dict[str, str], marker: str,
                         metrics_token: str) -> None:
    """Through `http` (a TestClient or an httpx.Client on the server): a ticket whose customer
    message and callback URL hold `marker`, a note, a reply and a customer message holding it,
    a search for it, a made-up token holding it, and a scrape with the metrics token."""
    ticket = http.post("/api/v1/inbox/items", headers=svc, json={
        "kind": "ticket", "source_id": f"t-{marker}", "title": "Refund",
        "body_md": f"first message {marker}-3",
        "sender": {"type": "customer", "id": "customer:c", "name": "Ana"},
        "payload": {"customer": {"id": "c", "name": "Ana", "email": "a@example.com",
                                 "vip": False},
                    "callback_url": f"http://127.0.0.1:9/hook?key={marker}-4"}}).json()
    act = f"/api/v1/inbox/{ticket['id']}/actions"
    for name, who in (("note", owner), ("reply", owner), ("customer_message", svc)):
        answer = http.post(f"{act}/{name}", headers=who, json={"body_md": f"{name} {marker}-5"})
        assert answer.status_code == 200, answer.text
    assert http.get(f"/api/v1/inbox?q={marker}-6", headers=owner).status_code == 200
    assert http.get("/api/v1/inbox", headers={
        "Authorization": f"Bearer ck_{marker}-7"}).status_code == 401
    assert http.get("/metrics", headers={
        "Authorization": f"Bearer {metrics_token}"}).status_code == 200
    assert http.get("/metrics").status_code == 401
