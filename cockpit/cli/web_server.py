"""textual-serve's server, with the page's own origin required of every session.

textual-serve starts an app process for anyone who opens its websocket. Browsers let any web
site open a websocket to 127.0.0.1, and a rebound DNS name reaches it too: without this check a
page elsewhere could drive a session in the user's browser. Clients without an `Origin`
(scripts, not browsers) could connect anyway and are let through; they meet the sign-in.
"""

from __future__ import annotations

from aiohttp import web
from textual_serve.server import Server


class BrowserServer(Server):
    def __init__(self, command: str, *, host: str, port: int, public_url: str,
                 origins: frozenset[str], signs_in: bool) -> None:
        super().__init__(command, host=host, port=port, title="Cockpit", public_url=public_url)
        self.origins = origins
        self.signs_in = signs_in

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        if origin is not None and origin.lower() not in self.origins:
            raise web.HTTPForbidden(text=f"a session for a page at {origin} is refused")
        return await super().handle_websocket(request)

    async def on_startup(self, app: web.Application) -> None:
        who = ("each browser session signs in with a token" if self.signs_in else
               "sessions open signed in as the local owner (--local)")
        self.console.print(f"cockpit web: serving the app at {self.public_url} ({who}); "
                           "ctrl+c stops", highlight=False, markup=False, soft_wrap=True)
