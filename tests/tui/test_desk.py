"""The support desk in the app, driven with Pilot against the real server: a ticket's pane is
its conversation (customer card, SLA, messages, replies, notes, changes), the keys r m t x work
end to end, an agent at capacity is asked about, and who else views the ticket is shown."""

from __future__ import annotations

import asyncio
import contextlib
import itertools

from sqlalchemy import update

from cockpit.domain.models import State
from cockpit.tui import describe
from cockpit.tui.screens import ConfirmScreen, PromptScreen
from cockpit.tui.screens.compose import ComposeScreen
from cockpit.tui.screens.macro_picker import MacroPickerScreen
from cockpit.tui.screens.transfer import TransferScreen
from cockpit.tui.widgets.conversation import Conversation
from tests.tui.pilot import SIZE, move_to, ready, record_toasts, showing, text_of, wait_for

_n = itertools.count()


@contextlib.asynccontextmanager
async def on_a_ticket(make_app, client, new_item, **fields):
    """A new ticket, the app open with the cursor (and the pane) on it."""
    ticket = await _ticket(client, new_item, **fields)
    app = make_app(live=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        await move_to(app, pilot, lambda i: i.id == ticket)
        yield app, pilot, ticket
ADA = {"id": "cust-ada", "name": "Ada Lovelace", "email": "ada@example.com", "vip": True}


async def _ticket(client, new_item, *, title: str = "Refund for order 991",
                  body: str = "I was charged twice for order 991.") -> int:
    answer = await client.ingest(new_item(
        f"desk-{next(_n)}", kind="ticket", title=title, body_md=body,
        sender={"type": "customer", "id": ADA["id"], "name": ADA["name"]},
        payload={"customer": ADA, "callback_url": "http://127.0.0.1:9/hook"}))
    return answer["id"]


def said(app) -> tuple[describe.Said, ...]:
    return app.detail.query_one("#detail-conversation", Conversation).shown


async def test_the_pane_is_the_conversation_with_the_customer_on_top(make_app, client,
                                                                     new_item):
    ticket = await _ticket(client, new_item)
    await client.act(ticket, "note", {"body_md": "Called back [b]twice[/b]"})
    await client.act(ticket, "reply", {"body_md": "Refund is on its way."})
    await client.act(ticket, "priority", {"priority": "high"})
    app = make_app(live=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        await move_to(app, pilot, lambda i: i.id == ticket)
        await wait_for(pilot, lambda: len(said(app)) == 4, what="the whole timeline")
        kinds = [s.kind for s in said(app)]
        assert kinds == ["customer", "note", "reply", "change"]  # oldest first
        boxes = [b for b in app.detail.query_one("#detail-conversation").children if b.display]
        note = boxes[1]
        assert note.has_class("-note") and note.border_title.startswith("Internal note · alex")
        assert "never sent" in note.border_subtitle
        assert "Called back [b]twice[/b]" in text_of(note)  # literally, never markup
        assert boxes[2].has_class("-reply") and boxes[0].has_class("-customer")
        assert "priority normal → high" in text_of(boxes[3])
        card = app.detail.query_one("#detail-customer")
        await wait_for(pilot, lambda: "closed" in text_of(card), what="the customer card")
        assert "Ada Lovelace" in text_of(card) and "VIP" in text_of(card)
        assert app.detail.query_one("#detail-body").has_class("-hidden")
        badges = [text_of(b) for b in app.detail.query("#detail-badges .badge") if b.display]
        assert any(b.startswith("SLA") and "resolution due" in b for b in badges)


async def test_reply_is_written_in_a_dialog_and_sent_with_ctrl_s(make_app, client, new_item):
    async with on_a_ticket(make_app, client, new_item) as (app, pilot, ticket):
        await pilot.press("r")
        await wait_for(pilot, lambda: showing(app, ComposeScreen), what="dialog")
        await pilot.press(*"x", "escape")  # something typed: esc asks first
        await wait_for(pilot, lambda: showing(app, ConfirmScreen), what="discard?")
        await pilot.press("n")
        await wait_for(pilot, lambda: showing(app, ComposeScreen), what="back")
        await pilot.press("backspace", *"Thanks Ada,", "enter", *"refund sent.", "ctrl+s")
        await wait_for(pilot, lambda: not isinstance(app.screen, ComposeScreen), what="sent")
        await wait_for(pilot, lambda: any(s.kind == "reply" for s in said(app)),
                       what="the reply in the pane")
        reply = next(s for s in said(app) if s.kind == "reply")
        assert reply.text == "Thanks Ada,\nrefund sent."
        timeline = await client.timeline(ticket)
        assert [e["body_md"] for e in timeline if e["type"] == "reply"] == [reply.text]


async def test_macro_preview_is_edited_then_run(make_app, client, new_item):
    ticket = await _ticket(client, new_item)
    await client.add_macro({"name": "refund", "title": "Refund done", "actions": [
        {"action": "reply", "body_md": "Hi {{ customer.first_name }}, your refund is sent."},
        {"action": "tag", "tags": ["refund"]}]})
    app = make_app(live=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        await move_to(app, pilot, lambda i: i.id == ticket)
        await pilot.press("m")
        await wait_for(pilot, lambda: showing(app, MacroPickerScreen), what="picker")
        picker = app.screen
        text = picker.query_one("#macro-text")
        await wait_for(pilot, lambda: text.text == "Hi Ada, your refund is sent.",
                       what="the rendered preview")
        assert "2. tag: refund" in text_of(picker.query_one("#macro-steps"))
        await pilot.press("tab", *"PS ", "ctrl+s")
        await wait_for(pilot, lambda: app.screen is not picker, what="run")
        await wait_for(pilot, lambda: "refund" in app.detail.item.tags, what="tagged")
        timeline = await client.timeline(ticket)
        assert [e["body_md"] for e in timeline if e["type"] == "reply"] == \
            ["PS Hi Ada, your refund is sent."]


async def test_transfer_to_a_queue(make_app, client, new_item):
    ticket = await _ticket(client, new_item)
    await client.put_queue("billing")
    app = make_app(live=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        await move_to(app, pilot, lambda i: i.id == ticket)
        await pilot.press("t")
        await wait_for(pilot, lambda: showing(app, TransferScreen), what="picker")
        await pilot.press(*"billing", "tab", "tab", *"over to you", "enter")
        await wait_for(pilot, lambda: app.detail.item.payload.get("queue") == "billing",
                       what="moved to the queue")
        await wait_for(pilot, lambda: any("transferred to queue billing: over to you" in s.text
                                          for s in said(app)), what="the change in the pane")
        assert (await client.get(ticket)).payload["queue"] == "billing"


async def test_close_asks_then_closes(make_app, client, new_item):
    async with on_a_ticket(make_app, client, new_item) as (app, pilot, ticket):
        await pilot.press("x")
        await wait_for(pilot, lambda: showing(app, ConfirmScreen), what="question")
        await pilot.press("y")
        await wait_for(pilot, lambda: app.known[ticket].state == State.RESOLVED, what="closed")
        assert (await client.get(ticket)).resolved_action == "closed"


async def test_an_agent_at_capacity_is_asked_about_then_forced(make_app, client, maria,
                                                             new_item):
    busy = await _ticket(client, new_item, title="Already hers")
    ticket = await _ticket(client, new_item)
    await client.patch_agent("maria", capacity=1)
    await client.act(busy, "assign", {"assignee_id": "maria", "force": True})  # full now
    app = make_app(live=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        await move_to(app, pilot, lambda i: i.id == ticket)
        await pilot.press("t")
        await wait_for(pilot, lambda: showing(app, TransferScreen), what="picker")
        listed = str(app.screen.query_one("#transfer-list").get_option("maria").prompt)
        assert "full" in listed
        await pilot.press(*"maria", "enter")
        await wait_for(pilot, lambda: showing(app, ConfirmScreen), what="question")
        assert "maria is at capacity" in app.screen.question
        await pilot.press("y")
        await wait_for(pilot, lambda: app.known[ticket].assignee_id == "maria",
                       what="given to maria past her capacity")


async def test_who_else_views_the_ticket_is_shown(make_app, client, maria, new_item):
    ticket = await _ticket(client, new_item)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot)
        await move_to(app, pilot, lambda i: i.id == ticket)
        answer: dict = {}

        async def maria_looks() -> bool:
            answer.update(await maria.viewing(ticket))
            return "alex" in answer["viewers"]

        line = app.detail.query_one("#detail-viewers")
        await wait_for(pilot, lambda: line.display and "maria" in text_of(line),
                       what="maria shown") if await _until(maria_looks) else None
        assert text_of(line) == "Also viewing: maria"
        await maria.viewing(ticket, False)
        await wait_for(pilot, lambda: not line.display, what="maria gone")


async def _until(check) -> bool:
    """The app announces its viewing from a worker: wait until the server has it."""
    for _ in range(600):
        if await check():
            return True
        await asyncio.sleep(0.1)
    raise AssertionError("the app never told the server it views the ticket")


async def test_a_huge_body_never_blocks_the_keys(make_app, client, server, new_item):
    from cockpit.store.tables import items

    answer = await client.ingest(new_item(f"huge-{next(_n)}", title="A huge log"))
    line = "word " * 15 + "\n\n"
    huge = line * (1_000_000 // len(line))
    with server.engine.begin() as conn:  # past what ingest takes: as an older server kept it
        conn.execute(update(items).where(items.c.id == answer["id"]).values(body_md=huge))
    app = make_app(live=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        item = await move_to(app, pilot, lambda i: i.id == answer["id"])
        assert len(item.body_md) >= 990_000
        body = app.detail.query_one("#detail-body")
        assert len(body.source) <= describe.TEXT_LIMIT
        more = app.detail.query_one("#detail-more")
        assert more.display and "more characters" in str(more.label)
        # Every key is handled and the pane follows it (a whole 1 MB markdown document takes
        # Textual minutes; the cut one is capped above). Speed itself is the benchmarks'.
        for key in "jkjkjkjk":
            before = app.cursor_item().id
            await pilot.press(key)
            await wait_for(pilot, lambda: app.cursor_item().id != before
                           and app.detail.item.id == app.cursor_item().id, what="moved")


async def test_a_ticket_key_over_a_selection_runs_on_every_ticket_and_counts(make_app, client,
                                                                           new_item):
    tickets = [await _ticket(client, new_item) for _ in range(2)]
    message = (await client.ingest(new_item(f"plain-{next(_n)}", title="Just a message")))["id"]
    app = make_app(live=False)
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        toasts = record_toasts(app)
        app.selection.set_many([*tickets, message], True)
        await pilot.pause()
        await pilot.press("P")
        await wait_for(pilot, lambda: showing(app, PromptScreen), what="priority?")
        await pilot.press(*"urgent", "enter")
        await wait_for(pilot, lambda: any(t.startswith("Priority:") for t in toasts),
                       what="the toast")
        assert "Priority: 2 ok, 0 failed, 1 not tickets" in toasts
        assert {(await client.get(t)).priority for t in tickets} == {"urgent"}

        await pilot.press("x")
        await wait_for(pilot, lambda: showing(app, ConfirmScreen), what="close?")
        await pilot.press("y")
        await wait_for(pilot, lambda: any(t.startswith("Close:") for t in toasts),
                       what="the close toast")
        assert "Close: 2 ok, 0 failed, 1 not tickets" in toasts
        assert {(await client.get(t)).state for t in tickets} == {State.RESOLVED}
        assert (await client.get(message)).state != State.RESOLVED
        records = await client.audit(origin="bulk", action="close")
        assert {r["item_id"] for r in records} >= set(tickets)  # each ticket journalled
