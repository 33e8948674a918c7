"""`cockpit web`: the same app in a browser, one app process per browser session (textual-serve).

Every session signs in with its own token on the sign-in screen: a browser on a shared machine
that reaches a loopback port must not get anyone's inbox without a secret. `--local` opens the
local owner's inbox without one, on a loopback address only, for a machine used by one person.
No token is ever put in the served command (visible in `ps`), a URL or a log: with `--local` the
sessions get it through their environment, which only this user can read.
"""

from __future__ import annotations

import argparse
import ipaddress
import os
import shlex
import socket
import sys
from urllib.parse import urlsplit

from cockpit.cli.errors import UsageError
from cockpit.config import Settings

# Set for the app processes of a browser session: sign in first, to the served server only,
# whatever token the config file or the environment holds.
WEB_SESSION = "COCKPIT_WEB_SESSION"
WILDCARDS = ("0.0.0.0", "::", "")


def is_web_session() -> bool:
    return os.environ.get(WEB_SESSION) == "1"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def exposure_warning(host: str) -> str:
    """What to tell someone who serves the app beyond this machine, or ""."""
    if is_loopback(host):
        return ""
    return (f"cockpit web: listening on {host or 'every address'}, reachable from other "
            "machines; every session signs in, but plain HTTP carries tokens in clear: put "
            "HTTPS in front (a reverse proxy) and pass its address as --public-url")


def public_url(host: str, port: int) -> str:
    """The address browsers use by default: this machine's name when bound to every address."""
    name = socket.getfqdn() if host in WILDCARDS else host
    if ":" in name:  # an IPv6 literal
        name = f"[{name}]"
    return f"http://{name}:{port}"


def allowed_origins(host: str, port: int, url: str) -> frozenset[str]:
    """The pages whose scripts may open a session: the served page under its public address,
    and under the loopback names when the server listens there. Any other page (a web site
    in the same browser, a DNS-rebound name) is refused."""
    parts = urlsplit(url)
    origins = {f"{parts.scheme}://{parts.netloc}".lower()}
    if is_loopback(host) or host in WILDCARDS:
        origins |= {f"http://{name}:{port}" for name in ("localhost", "127.0.0.1", "[::1]")}
    return frozenset(origins)


def session_environment(url: str, token: str | None) -> dict[str, str | None]:
    """The variables each session's app process inherits (None: removed): the server to use,
    and either the token (`--local`) or the duty to sign in."""
    if token is not None:
        return {"COCKPIT_SERVER": url, "COCKPIT_TOKEN": token, WEB_SESSION: None}
    return {"COCKPIT_SERVER": url, "COCKPIT_TOKEN": None, WEB_SESSION: "1"}


def cmd_web(args: argparse.Namespace, settings: Settings) -> int:
    if not 1 <= args.port <= 65535:  # the page names its port: "any free one" cannot be
        raise UsageError(f"--port: a port number from 1 to 65535, not {args.port}")
    if args.local and settings.server:
        raise UsageError("--local serves the local database's owner; it does not combine "
                         "with --server (or COCKPIT_SERVER)")
    if args.local and not is_loopback(args.host):
        raise UsageError("--local opens the owner's inbox without signing in: only on a "
                         "loopback --host (127.0.0.1)")
    warning = exposure_warning(args.host)
    if warning:
        print(warning, file=sys.stderr)

    from cockpit.runtime import app_connection

    own_server = None
    if settings.server:
        url, token = settings.server, None
    else:  # the local database, served once for every session (live changes reach them all)
        url, owner_token, own_server = app_connection(settings)
        token = owner_token if args.local else None
    for name, value in session_environment(url, token).items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    if args.theme:  # `cockpit --theme T web`: the sessions too
        os.environ["COCKPIT_THEME"] = settings.theme

    from cockpit.cli.web_server import BrowserServer

    address = args.public_url or public_url(args.host, args.port)
    command = shlex.join([sys.executable, "-m", "cockpit.cli"])
    try:
        BrowserServer(command, host=args.host, port=args.port, public_url=address,
                      origins=allowed_origins(args.host, args.port, address),
                      signs_in=token is None).serve()
    finally:
        if own_server is not None:
            own_server.stop()
    return 0
