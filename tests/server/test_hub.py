"""The hub never waits on a slow subscriber: it flags it to be disconnected instead."""

from __future__ import annotations

from cockpit.domain.roles import Principal
from cockpit.server.hub import EventHub


def event(seq: int, **target) -> dict:
    entry = {"id": seq, "kind": "message", "state": "unread", "resolved_action": None,
             "target_user_id": target.get("user"), "target_role": target.get("role")}
    return {"seq": seq, "type": "item.created", "data": {"items": [entry]}}


async def test_a_slow_subscriber_is_flagged_and_the_others_keep_receiving(engine):
    hub = EventHub(engine, queue_size=3)
    slow = hub.subscribe(Principal("mel", "member"))
    fast = hub.subscribe(Principal("mia", "manager"))
    received = []
    for seq in range(1, 11):
        hub.dispatch(event(seq))
        received.append((await fast.queue.get()).seq)  # the fast one keeps up
    assert received == list(range(1, 11))
    assert slow.too_slow.is_set() and slow.queue.qsize() == 3
    assert not fast.too_slow.is_set()


async def test_dispatch_filters_by_visibility(engine):
    hub = EventHub(engine)
    mel = hub.subscribe(Principal("mel", "member"))
    hub.dispatch(event(1, user="mia"))
    hub.dispatch(event(2, role="admin"))
    hub.dispatch(event(3, role="member"))
    assert mel.queue.qsize() == 1 and (await mel.queue.get()).seq == 3


def test_a_gap_in_seq_is_waited_for_then_passed(engine, monkeypatch):
    import cockpit.server.hub as hub_module

    clock = [100.0]
    monkeypatch.setattr(hub_module.time, "monotonic", lambda: clock[0])
    hub = EventHub(engine, gap_wait=2.0)
    hub.last_seq = 4
    batch = [event(5), event(7), event(8)]  # 6 is still being committed by another process
    assert [e["seq"] for e in hub._in_order(batch)] == [5]
    hub.last_seq = 5
    clock[0] += 1.0
    assert hub._in_order(batch[1:]) == []  # still waiting for 6
    assert [e["seq"] for e in hub._in_order([event(6), *batch[1:]])] == [6, 7, 8]
    hub.last_seq = 8
    clock[0] += 0.1
    assert hub._in_order([event(10)]) == []
    clock[0] += 2.5  # 9 never came: it was rolled back
    assert [e["seq"] for e in hub._in_order([event(10)])] == [10]


async def test_an_event_is_cut_and_encoded_once_per_audience(engine, monkeypatch):
    import cockpit.server.hub as hub_module

    cuts = []
    real = hub_module.visible_event
    monkeypatch.setattr(hub_module, "visible_event",
                        lambda event, user: cuts.append(user) or real(event, user))
    hub = EventHub(engine)
    members = [hub.subscribe(Principal(f"m{n}", "member")) for n in range(50)]
    mel = hub.subscribe(Principal("mel", "member"))
    mia = hub.subscribe(Principal("mia", "manager"))
    shared = event(1)["data"]["items"][0]
    personal = event(2, user="mel")["data"]["items"][0]
    hub.dispatch({"seq": 1, "type": "item.updated", "data": {"items": [shared, personal]}})
    frames = {sub: await sub.queue.get() for sub in [*members, mel, mia]}
    # three audiences: the members, the manager, and mel, whom the event names
    assert sorted((u.role, u.id == "mel") for u in cuts) == [
        ("manager", False), ("member", False), ("member", True)]
    assert len({id(frames[m]) for m in members}) == 1  # one frame, so one encoding
    assert frames[mia] is frames[members[0]]  # the same cut for the manager: shared too
    assert [e["id"] for e in frames[mel].event["data"]["items"]] == [1, 2]
    assert [e["id"] for e in frames[members[0]].event["data"]["items"]] == [1]
    text = frames[members[0]].text
    assert frames[members[7]].text is text


def test_only_a_postgres_hub_listens(engine):
    hub = EventHub(engine)
    assert (hub.listener is not None) == (engine.dialect.name == "postgresql")
