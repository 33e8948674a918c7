"""Sign in: a server's address and a token, checked with `GET /api/v1/me` before the inbox opens.

Shown when the app has no token: a first run against a server, and every browser session of
`cockpit web`. The token field is masked; the token is never shown, logged or put in a message.
Dismisses with the checked `Credentials`.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from cockpit.client import ApiError, CockpitClient

REFUSED = ("The server did not accept this token: it may be mistyped, revoked or rotated. "
           "Ask an admin for a new one.")
NOT_COCKPIT = "No Cockpit server answers at this address (GET /api/v1/me)."


@dataclass(frozen=True)
class Credentials:
    url: str
    token: str = ""
    user: str = ""

    def __repr__(self) -> str:  # a token never reaches a log line or a traceback by repr
        return f"Credentials(url={self.url!r}, user={self.user!r})"


def url_problem(url: str) -> str:
    """Why `url` cannot be a Cockpit server's address, or ""."""
    try:
        parts = urlsplit(url)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:  # a malformed address ("http://[::1")
        valid = False
    if not valid:
        return ("The server's address starts with http:// or https://, "
                "e.g. https://cockpit.example.com")
    return ""


def refusal(exc: ApiError) -> str:
    """What went wrong, in words; the server's own text only when it is not about the token."""
    if exc.status in (401, 403):
        return REFUSED
    if exc.status == 404:
        return NOT_COCKPIT
    return str(exc)


class SignInScreen(ModalScreen[Credentials]):
    """Two fields and a check; `url_fixed` locks the address (a browser session may only sign
    in to the server `cockpit web` serves, never make this machine call another)."""

    CSS_PATH = "sign_in.tcss"
    BINDINGS = [Binding("escape", "app.quit", "Quit", id="sign_in.quit")]

    def __init__(self, url: str = "", *, url_fixed: bool = False) -> None:
        super().__init__()
        self.url = url
        self.url_fixed = url_fixed

    def compose(self) -> ComposeResult:
        with Vertical(id="sign-in-box"):
            yield Static("Sign in to Cockpit", id="sign-in-title", markup=False)
            yield Static("Your token comes from an admin (cockpit users add NAME --role "
                         "ROLE prints one).", id="sign-in-why", markup=False)
            yield Static("Server", classes="sign-in-label", markup=False)
            yield Input(self.url, placeholder="https://cockpit.example.com", id="sign-in-url",
                        disabled=self.url_fixed)
            yield Static("Token", classes="sign-in-label", markup=False)
            yield Input(placeholder="your token", password=True, id="sign-in-token")
            yield Static("", id="sign-in-error", markup=False)
            yield Static("enter signs in · tab next field · esc quits", id="sign-in-hint",
                         markup=False)

    def on_mount(self) -> None:
        self.show_error("")
        self.query_one("#sign-in-token" if self.url else "#sign-in-url", Input).focus()

    def show_error(self, text: str) -> None:
        line = self.query_one("#sign-in-error", Static)
        line.update(text)
        line.display = bool(text)

    @on(Input.Submitted, "#sign-in-url")
    def _url_entered(self, event: Input.Submitted) -> None:
        event.stop()
        self.query_one("#sign-in-token", Input).focus()

    @on(Input.Submitted, "#sign-in-token")
    def _token_entered(self, event: Input.Submitted) -> None:
        event.stop()
        url = self.query_one("#sign-in-url", Input).value.strip().rstrip("/")
        token = event.value.strip()
        problem = url_problem(url) or ("" if token else "Enter your token.")
        if problem:
            self.show_error(problem)
            return
        self.show_error("Checking…")
        self.check(url, token)

    @work(exclusive=True, group="sign-in", exit_on_error=False)
    async def check(self, url: str, token: str) -> None:
        async with CockpitClient(url, token, origin="tui") as client:
            try:
                me = await client.me()
            except ApiError as exc:
                self.show_error(refusal(exc))
                if exc.status in (401, 403):  # masked: retyped whole, as a password is
                    self.query_one("#sign-in-token", Input).clear()
                return
            except ValueError:  # an answer that is not JSON: some other web server
                self.show_error(NOT_COCKPIT)
                return
        self.dismiss(Credentials(url, token, str(me.get("id", ""))))
