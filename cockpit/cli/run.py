"""`cockpit` (the app), `cockpit serve` and `cockpit completion SHELL`."""

from __future__ import annotations

import argparse

from cockpit.config import Settings


def cmd_app(args: argparse.Namespace, settings: Settings) -> int:
    from cockpit.cli.web import is_web_session
    from cockpit.runtime import app_connection

    web = is_web_session()
    if web or (settings.server and not settings.token):
        # No token (or a browser session, which never inherits one): sign in first.
        from cockpit.tui import create_signing_in_app

        create_signing_in_app(settings, settings.server or "",
                              url_fixed=web and bool(settings.server)).run()
        return 0
    url, token, embedded = app_connection(settings)  # the server starts while the app loads
    try:
        from cockpit.tui import create_app, start_first_screen

        first_screen = start_first_screen(settings, url, token)  # answered while Textual loads
        create_app(settings, url, token, first_screen=first_screen).run()
    finally:
        if embedded:
            embedded.stop()
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from cockpit.runtime import serve

    serve(settings, args.host, args.port, log_format=args.log_format,
          metrics_port=args.metrics_port, drain_delay=args.drain_delay,
          graceful_timeout=args.graceful_timeout)
    return 0


def cmd_completion(args: argparse.Namespace, _settings: Settings) -> int:
    """The completion script argcomplete writes for `shell`; the shell then asks `cockpit`
    itself for candidates (with `_ARGCOMPLETE` set), so it never goes stale."""
    import argcomplete

    print(argcomplete.shellcode(["cockpit"], shell=args.shell), end="")
    return 0
