"""The sign-in screen: what the app shows when it has no token (a first run against a server, a
browser session of `cockpit web`), against the real test server."""

from __future__ import annotations

from textual.command import CommandPalette
from textual.widgets import Input, Static

from cockpit.config import Settings
from cockpit.tui import create_signing_in_app
from cockpit.tui.screens.sign_in import NOT_COCKPIT, REFUSED, SignInScreen
from tests.tui.conftest import USER
from tests.tui.pilot import SIZE, ready, showing, wait_for


def error_text(app) -> str:
    line = app.screen.query_one("#sign-in-error", Static)
    return str(line.content) if line.display else ""


async def test_a_bad_token_is_refused_inline_and_nothing_loads(server) -> None:
    app = create_signing_in_app(Settings(group_by="kind"), server.url, live=False, keymap={})
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: showing(app, SignInScreen), what="sign-in")
        token = app.screen.query_one("#sign-in-token", Input)
        assert token.password and app.focused is token  # the address is given: the token next
        await pilot.press(*"ck_wrong", "enter")
        await wait_for(pilot, lambda: error_text(app) == REFUSED, what="the refusal")
        assert "ck_wrong" not in error_text(app)
        assert isinstance(app.screen, SignInScreen) and not app.signed_in
        assert app.feeds.feeds() == [] and app.user == ""  # no view was ever opened
        await pilot.press("ctrl+p")  # nothing of the app acts before sign-in
        await pilot.pause()
        assert not isinstance(app.screen, CommandPalette)


async def test_a_good_token_opens_the_inbox(server) -> None:
    app = create_signing_in_app(Settings(group_by="kind"), server.url, keymap={})
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: showing(app, SignInScreen), what="sign-in")
        app.screen.query_one("#sign-in-token", Input).value = server.token
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.signed_in, what="signed in")
        await ready(app, pilot)  # loaded, every folder on screen, the live link up
        assert not isinstance(app.screen, SignInScreen)
        assert app.user == USER and app.header.user == USER
        assert app.item_list.rows and app.client.token == server.token


async def test_the_address_is_checked_before_anything_is_sent(server) -> None:
    app = create_signing_in_app(Settings(), "", live=False, keymap={})
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: showing(app, SignInScreen), what="sign-in")
        assert app.focused is app.screen.query_one("#sign-in-url", Input)
        await pilot.press(*"cockpit.example", "enter", *"ck_x", "enter")
        await wait_for(pilot, lambda: "http://" in error_text(app), what="the address error")
        url = app.screen.query_one("#sign-in-url", Input)
        url.value = "http://[::1"  # malformed: explained, not a crash
        app.screen.show_error("")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "http://" in error_text(app), what="the address error")
        url.value = "http://127.0.0.1:9"  # nothing listens on the discard port
        app.screen.query_one("#sign-in-token", Input).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: "cannot reach" in error_text(app), what="unreachable")
        url.value = server.url + "/elsewhere"  # a web server, but no Cockpit API there
        await pilot.press("enter")
        await wait_for(pilot, lambda: error_text(app) == NOT_COCKPIT, what="not Cockpit")
        assert not app.signed_in


async def test_a_browser_session_cannot_change_the_server(server) -> None:
    app = create_signing_in_app(Settings(), server.url, url_fixed=True, live=False, keymap={})
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: showing(app, SignInScreen), what="sign-in")
        url = app.screen.query_one("#sign-in-url", Input)
        assert url.disabled and url.value == server.url
