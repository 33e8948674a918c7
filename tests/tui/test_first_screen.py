"""The first screen's requests, sent while the app starts, and taken by its client once."""

from __future__ import annotations

import asyncio

import pytest

from cockpit.client import ApiError, CockpitClient
from cockpit.config import Settings
from cockpit.prefetch import FirstScreen
from tests.tui.pilot import SIZE, ready, wait_for


def first_screen(server, rows: int = 40, **kwargs) -> FirstScreen:
    options = {"state": "active", "group_by": "kind", "sort": "newest", "page": 200,
               "rows": rows, **kwargs}
    return FirstScreen(server.url, server.token, **options)


async def test_the_client_takes_each_answer_once(server, client) -> None:
    prefetched = first_screen(server)
    async with CockpitClient(server.url, server.token, origin="tui",
                             first_screen=prefetched) as fast:
        groups = await fast.groups(state="active", group_by="kind")
        assert groups == await client.groups(state="active", group_by="kind")
        first = groups["groups"][0]["key"]
        page = await fast.list_inbox(state="active", sort="newest", group_by="kind",
                                     group=first, limit=200)
        assert page == await client.list_inbox(state="active", sort="newest",
                                               group_by="kind", group=first, limit=200)
        assert all(key[0] != "/inbox/groups" for key in prefetched.untaken)
        assert all(dict(params)["group"] != first for _path, params in prefetched.untaken)
        # asked again, it is asked of the server: an answer serves once
        assert await fast.groups(state="active", group_by="kind") == groups


async def test_only_the_folders_the_screen_reaches_are_asked_for(server, client) -> None:
    groups = (await client.groups(state="active", group_by="kind"))["groups"]
    assert len(groups) > 2
    prefetched = first_screen(server, rows=1 + groups[0]["count"])  # the first folder fills it
    async with CockpitClient(server.url, server.token, first_screen=prefetched) as fast:
        await fast.groups(state="active", group_by="kind")
        for _ in range(200):  # the thread registers the windows once the groups are in
            if prefetched.untaken:
                break
            await asyncio.sleep(0.05)
    assert [dict(params)["group"] for _path, params in prefetched.untaken] == \
        [groups[0]["key"]]


async def test_a_server_out_of_reach_is_reported_as_without_it(server) -> None:
    prefetched = FirstScreen("http://127.0.0.1:9", server.token, state="active",
                             group_by="kind", sort="newest", page=200, rows=40)
    async with CockpitClient("http://127.0.0.1:9", server.token,
                             first_screen=prefetched) as fast:
        with pytest.raises(ApiError) as failed:
            await fast.groups(state="active", group_by="kind")
    assert failed.value.status == 0 and "cannot reach" in failed.value.message


async def test_the_app_paints_its_first_rows_from_the_answers_sent_at_launch(
        server, monkeypatch: pytest.MonkeyPatch) -> None:
    from cockpit.tui import create_app

    monkeypatch.setenv("LINES", str(SIZE[1]))  # the terminal the requests are sized for
    app = create_app(Settings(group_by="kind"), server.url, server.token, live=False,
                     keymap={})
    app.animation_level = "none"
    prefetched = app.client.first_screen
    assert prefetched is not None
    async with app.run_test(size=SIZE) as pilot:
        await ready(app, pilot, live=False)
        await wait_for(pilot, lambda: not prefetched.untaken, what="every answer taken")
        assert app.item_list.items


def test_the_first_requests_can_leave_before_the_app_loads() -> None:
    """`start_first_screen` is reached without Textual, the HTTP client or the models: the
    requests it sends are answered while those load."""
    import subprocess
    import sys

    code = ("import sys, cockpit.tui, cockpit.tui.view_names, cockpit.prefetch; "
            "print(sorted(m for m in ('textual', 'httpx', 'cockpit.domain.models') "
            "if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"


def test_the_settings_name_only_groupings_and_sorts_the_server_knows() -> None:
    """The first requests take the settings' group_by and sort as they are."""
    from typing import get_args

    from cockpit.domain.grouping import GROUP_BY
    from cockpit.tui.view_names import SORTS

    fields = Settings.model_fields
    assert set(get_args(fields["group_by"].annotation)) == set(GROUP_BY)
    assert set(get_args(fields["sort"].annotation)) == set(SORTS)
