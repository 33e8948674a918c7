"""The command line: every command, option and check that argparse can do by itself.

Building the parser imports nothing heavy (no Rich, PyYAML, SQLAlchemy, HTTP or server), so
`cockpit --help`, `--version` and shell completion start in a few milliseconds.
"""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any

from cockpit.domain.agents import CAPACITY_MAX, CAPACITY_MIN, LEVEL_MAX, LEVEL_MIN, STATUSES
from cockpit.domain.reports import BY, REPORTS
from cockpit.domain.roles import Role
from cockpit.output import FORMATS

# Friendly shortcuts for `cockpit inbox act ID ACTION`.
ALIASES = ("approve", "deny", "reject", "retry", "cancel", "dismiss", "restore", "close")
# What `inbox list --state` takes (as `GET /inbox?state=` does).
STATES = ("active", "unread", "read", "resolved", "archived", "all")
# The kinds DESIGN.md names; `--kind` takes any other a producer used too.
KINDS = ("waitpoint", "escalation", "failed_run", "message", "ticket")
SHELLS = ("bash", "zsh", "fish")
MAX_ID = 2**63 - 1  # ids are 64-bit on every engine
USER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@-]{0,199}")


def _count(raw: str) -> int:
    """A whole number, zero or more (`demo --items`)."""
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number, zero or more: {raw!r}")
    return value


def _positive(raw: str) -> int:
    """A whole number, one or more (`--limit`)."""
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number, one or more: {raw!r}")
    return value


def _ranged(parse: Any, low: float, high: float, expected: str) -> Any:
    """An argparse type: `parse` of the text, within low..high."""
    def check(raw: str) -> Any:
        try:
            value = parse(raw)
        except ValueError:
            value = None
        if value is None or not low <= value <= high:  # NaN fails the comparison too
            raise argparse.ArgumentTypeError(f"expected {expected}: {raw!r}")
        return value
    return check


_port = _ranged(int, 0, 65535, "a port from 0 to 65535")  # 0: any free one
_seconds = _ranged(float, 0, 86_399, "seconds, from 0 to under a day")


def _item_id(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_ID:
        raise argparse.ArgumentTypeError(f"not an item id (a whole number from 1): {raw!r}")
    return value


def _user_name(raw: str) -> str:
    if not USER_NAME.fullmatch(raw):
        raise argparse.ArgumentTypeError(
            f"{raw!r}: 1-200 letters, digits and . _ - : @, starting with a letter or digit")
    return raw


def _capacity(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not CAPACITY_MIN <= value <= CAPACITY_MAX:
        raise argparse.ArgumentTypeError(
            f"a whole number from {CAPACITY_MIN} to {CAPACITY_MAX}: {raw!r}")
    return value


def _skill(raw: str) -> tuple[str, int]:
    """`name=level` (`--skill billing=4`)."""
    name, sep, level = raw.rpartition("=")
    if not sep or not name.strip() or level not in {str(n) for n in
                                                     range(LEVEL_MIN, LEVEL_MAX + 1)}:
        raise argparse.ArgumentTypeError(
            f"expected NAME=LEVEL with a level from {LEVEL_MIN} to {LEVEL_MAX}: {raw!r}")
    return name.strip(), int(level)


class _Version(argparse.Action):
    """`--version`, read from the installed package only when asked for."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, **kwargs) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="print the version and exit", **kwargs)

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("cockpit")
        except PackageNotFoundError:
            number = "unknown (not installed)"
        print(f"cockpit {number}")
        parser.exit()


def _complete_kinds(**_kwargs: Any) -> tuple[str, ...]:
    return KINDS


# -- parser -----------------------------------------------------------------------------------

def _connection_options() -> argparse.ArgumentParser:
    shared = argparse.ArgumentParser(add_help=False)
    group = shared.add_argument_group("connection")
    group.add_argument("--server", default=argparse.SUPPRESS, help="Cockpit server URL")
    group.add_argument("--token", default=argparse.SUPPRESS, help="bearer token for --server")
    group.add_argument("--db", default=argparse.SUPPRESS,
                       help="database URL when working locally (default: COCKPIT_DB or SQLite)")
    return shared


def _db_option() -> argparse.ArgumentParser:
    shared = argparse.ArgumentParser(add_help=False)
    shared.add_argument("--db", default=argparse.SUPPRESS,
                        help="database URL (default: COCKPIT_DB or the local SQLite database)")
    return shared


def _format_option(quiet: str = "ids only, one a line") -> argparse.ArgumentParser:
    fmt = argparse.ArgumentParser(add_help=False)
    fmt.add_argument("--format", choices=FORMATS, default="table",
                     help=f"table for people; json or yaml for scripts; quiet: {quiet}")
    return fmt


EXIT_CODES = """\
exit status: 0 done; 1 an error, or nothing matched what was asked (an id not found, an
unknown --kind); 2 a mistake on the command line."""


def build_parser() -> argparse.ArgumentParser:
    conn, db, fmt = _connection_options(), _db_option(), _format_option()
    raw = argparse.RawDescriptionHelpFormatter

    parser = argparse.ArgumentParser(
        prog="cockpit", parents=[conn], formatter_class=raw,
        description="A keyboard-first terminal cockpit for triaging a team's inbox.",
        epilog="With no command, opens the app (on an embedded server unless --server is "
               "given).\n" + EXIT_CODES)
    parser.add_argument("--version", action=_Version)
    parser.add_argument("--theme", default=None, help="app theme (see themes/)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = sub.add_parser("serve", parents=[db], help="run the server")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--log-format", choices=("text", "json"), default="text",
                       help="one line per request as text, or as JSON for log shippers")
    serve.add_argument("--metrics-port", type=_port, default=None, metavar="P",
                       help="also serve GET /metrics without a token on 127.0.0.1:P (else "
                            "/metrics needs COCKPIT_METRICS_TOKEN, or answers 404)")
    serve.add_argument("--drain-delay", type=_seconds, default=0.0, metavar="S",
                       help="on SIGTERM, answer /readyz 503 for S seconds before stopping "
                            "(time for a load balancer to notice; a second signal cuts it)")
    serve.add_argument("--graceful-timeout", type=_seconds, default=30.0, metavar="S",
                       help="how long requests under way may take to finish on stopping")

    users_parser = sub.add_parser(
        "users", help="manage users and their tokens (on the database directly)",
        description="Users and their tokens, on the database directly (--db or COCKPIT_DB).")
    users = users_parser.add_subparsers(dest="users_command", metavar="COMMAND")
    add = users.add_parser("add", parents=[db], help="add a user and print its token last")
    add.add_argument("name", type=_user_name)
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    users.add_parser("list", parents=[db, _format_option("user ids, one a line")],
                     help="every user: id, role and status")
    revoke = users.add_parser("revoke", parents=[db],
                              help="disable a user and delete every token it has")
    revoke.add_argument("name", type=_user_name)
    rotate = users.add_parser("rotate", parents=[db],
                              help="delete a user's tokens and print a new one last")
    rotate.add_argument("name", type=_user_name)

    demo = sub.add_parser("demo", parents=[conn], help="seed demo data",
                          description="Seed the demo inbox: into the local database, or "
                                      "through the API of --server (each item a POST; needs "
                                      "a service, admin or owner token). Running it again "
                                      "adds only what is missing.")
    demo.add_argument("--items", type=_count, default=None, metavar="N",
                      help="also add N synthetic items (large inboxes)")

    inbox_parser = sub.add_parser("inbox", help="list and change items",
                                  description="List, show and change inbox items.",
                                  formatter_class=raw, epilog=EXIT_CODES)
    inbox = inbox_parser.add_subparsers(dest="inbox_command", metavar="COMMAND")
    lst = inbox.add_parser("list", parents=[conn, fmt], help="list items, newest first")
    lst.add_argument("--state", default="active", choices=STATES,
                     help="active (unread and read, the default), unread, read, resolved, "
                          "archived, or all")
    lst.add_argument("--kind", help="only items of this kind (waitpoint, escalation, "
                                    "failed_run, message, ticket, or a producer's own)"
                     ).completer = _complete_kinds
    lst.add_argument("--query", "--q", dest="q", metavar="Q",
                     help="the query language: words, kind:, is:unread, priority:>=high, "
                          "assignee:me, created:<2h, -word, ...")
    lst.add_argument("--view", help="a saved view's name")
    lst.add_argument("--sort", choices=["newest", "oldest", "priority", "due"],
                     default="newest", help="newest first (default), oldest, priority, due")
    lst.add_argument("--limit", type=_positive, default=50,
                     help="at most this many, one or more (default 50; pages are fetched "
                          "as needed)")
    get = inbox.add_parser(
        "get", parents=[conn, fmt], help="show one item whole",
        description="Show one item: its state, sender, times, body, context, notes and the "
                    "actions you may run. json and yaml print one object.")
    get.add_argument("id", type=_item_id)
    get.add_argument("--reveal", action="store_true",
                     help="show credentials in the payload unmasked (managers and above; "
                          "journalled)")
    for name, text in (("read", "mark read"), ("unread", "mark unread"), ("archive", "archive")):
        p = inbox.add_parser(name, parents=[conn, fmt], help=text)
        p.add_argument("ids", type=_item_id, nargs="+", metavar="ID")
    resolve = inbox.add_parser("resolve", parents=[conn, fmt], help="resolve an item")
    resolve.add_argument("id", type=_item_id)
    resolve.add_argument("--action", default=None, help="resolved_action to record")
    inbox.add_parser("count", parents=[conn, _format_option("the unread count alone")],
                     help="unread and active counts",
                     description="How many items are unread, and how many are active (unread "
                                 "and read). --format quiet prints the unread count alone, "
                                 "for a prompt or a status bar.")
    bulk = inbox.add_parser("bulk", parents=[conn, fmt],
                            help="one bulk operation; ids as arguments or '-' for stdin",
                            description="One bulk operation over many ids (more than 10,000 "
                                        "go in several requests). Decision and blocking items "
                                        "are skipped by the server, with the reason.")
    bulk.add_argument("op", choices=["read", "unread", "resolve", "archive", "restore",
                                     "close", "assign", "priority", "tag", "untag", "macro"],
                      help="on tickets also close, assign, priority, tag, untag, macro, with "
                           "--param (assignee_id=, priority=, tags=, name=)")
    bulk.add_argument("ids", nargs="+", metavar="ID")
    bulk.add_argument("--param", action="append", default=[], metavar="K=V",
                      help="a parameter of the op (repeatable); V is JSON when it parses")
    bulk.add_argument("--force", action="store_true",
                      help="assign: even to an agent past capacity (journalled as forced)")
    act = inbox.add_parser("act", parents=[conn, fmt], help="run any action on an item")
    act.add_argument("id", type=_item_id)
    act.add_argument("action")
    act.add_argument("--param", action="append", default=[], metavar="K=V",
                     help="an action parameter (repeatable); V is JSON when it parses as JSON")
    act.add_argument("--force", action="store_true",
                     help="assign or transfer to an agent even past their capacity "
                          "(journalled as forced)")
    for alias in ALIASES:
        short = sub.add_parser(alias, parents=[conn, fmt],
                               help=f"{alias} an item (inbox act ID {alias})")
        short.add_argument("id", type=_item_id)
        short.add_argument("--param", action="append", default=[], metavar="K=V")

    audit = sub.add_parser("audit", parents=[conn, fmt], help="the audit journal: who did what")
    audit.add_argument("--item-id", type=_item_id)
    audit.add_argument("--actor")
    audit.add_argument("--origin", choices=["tui", "cli", "api", "bulk", "system"])
    audit.add_argument("--action")
    audit.add_argument("--limit", type=_positive, default=50)

    out = sub.add_parser("outbox", parents=[conn, fmt], help="outbound webhooks and their state")
    out.add_argument("--all", action="store_true", help="include delivered ones")

    views_parser = sub.add_parser("views", help="saved views (the query language, by name)")
    views = views_parser.add_subparsers(dest="views_command", metavar="COMMAND")
    views.add_parser("list", parents=[conn, fmt], help="built-in, yours and shared, with counts")
    add_view = views.add_parser("add", parents=[conn, fmt], help="save a query as a view")
    add_view.add_argument("name")
    add_view.add_argument("query", help="e.g. 'kind:ticket is:active tag:billing'")
    add_view.add_argument("--title")
    add_view.add_argument("--shared", metavar="ROLE",
                          help="share with this role and those above it (managers and above)")
    views.add_parser("rm", parents=[conn], help="remove a view").add_argument("name")

    macros_parser = sub.add_parser("macros", help="ticket macros: actions run in order")
    macros = macros_parser.add_subparsers(dest="macros_command", metavar="COMMAND")
    macros.add_parser("list", parents=[conn, fmt], help="yours and those shared with you")
    add_macro = macros.add_parser(
        "add", parents=[conn, fmt], help="save a macro", formatter_class=raw,
        epilog="""example:
  cockpit macros add refund --title "Refund and close" \\
    --step '{"action": "reply", "body_md": "Hi {{ customer.first_name | default(\\"there\\") }}, refunded."}' \\
    --step '{"action": "close", "reason": "refunded"}'""")
    add_macro.add_argument("name")
    add_macro.add_argument("--step", action="append", default=[], metavar="JSON",
                           help="one action as JSON, in order (repeatable)")
    add_macro.add_argument("--file", help="a JSON file: {\"title\", \"actions\": [...]}")
    add_macro.add_argument("--title")
    add_macro.add_argument("--shared", metavar="ROLE", help="share with this role and above")
    macros.add_parser("rm", parents=[conn], help="remove a macro").add_argument("name")
    preview = macros.add_parser("preview", parents=[conn, fmt],
                                help="what a macro would do to a ticket, changing nothing")
    preview.add_argument("name")
    preview.add_argument("id", type=_item_id)

    customers_parser = sub.add_parser("customers", help="customers' history")
    customers = customers_parser.add_subparsers(dest="customers_command", metavar="COMMAND")
    customers.add_parser("get", parents=[conn, fmt],
                         help="a customer's history card").add_argument("id")

    helps = _floor_commands(sub, conn, fmt)
    _web_command(sub, db)

    completion = sub.add_parser(
        "completion", help="print the shell completion script (bash, zsh or fish)",
        formatter_class=raw,
        description="Print the completion script for a shell (made by argcomplete).",
        epilog='bash, zsh:  eval "$(cockpit completion bash)"   (or zsh)\n'
               "fish:       cockpit completion fish | source")
    completion.add_argument("shell", choices=SHELLS)

    shots = sub.add_parser("screenshots", help="regenerate the README screenshots",
                           description="Draw the README screenshots from a throwaway demo "
                                       "server on a temporary database (your data is never "
                                       "touched).")
    shots.add_argument("--out", default="screenshots", help="folder to write the SVGs to")
    shots.add_argument("--theme", dest="shot_theme", default="cockpit-dark")
    shots.add_argument("--only", action="append", default=None, metavar="NAME",
                       help="only this screenshot (repeatable), e.g. help.svg")

    parser.set_defaults(_helps={"inbox": inbox_parser, "users": users_parser,
                                "views": views_parser, "macros": macros_parser,
                                "customers": customers_parser, **helps})
    return parser


def _web_command(sub, db: argparse.ArgumentParser) -> None:
    """`cockpit web`: the app in a browser (textual-serve), each session signing in."""
    web = sub.add_parser(
        "web", parents=[db], help="serve the app in a browser",
        description="Serve the app in a browser: each browser session runs the app (the same "
                    "keys, themes and settings) and signs in with its own token first. With "
                    "no server configured, the local database is served.")
    web.add_argument("--host", default="127.0.0.1",
                     help="address to listen on (default 127.0.0.1; another one warns)")
    web.add_argument("--port", type=_port, default=8080, help="port (default 8080)")
    web.add_argument("--server", default=argparse.SUPPRESS,
                     help="a Cockpit server's URL for the sessions (default: COCKPIT_SERVER, "
                          "or the local database)")
    web.add_argument("--public-url", metavar="URL",
                     help="the address browsers open, when behind a proxy or listening on "
                          "every address (default http://HOST:PORT)")
    web.add_argument("--local", action="store_true",
                     help="open the local owner's inbox without signing in (loopback only; "
                          "for a machine nobody else uses)")


def _floor_commands(sub, conn: argparse.ArgumentParser,
                    fmt: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """`agents`, `aux-codes`, `queues` and `report`: the support floor."""
    agents_parser = sub.add_parser("agents", help="the floor's agents: status, load, skills")
    agents = agents_parser.add_subparsers(dest="agents_command", metavar="COMMAND")
    lst = agents.add_parser("list", parents=[conn, fmt], help="the roster, by id")
    lst.add_argument("--status", choices=STATUSES, help="only agents showing this status")
    lst.add_argument("--queue", help="only agents of this queue")
    put = agents.add_parser(
        "set", parents=[conn, fmt], help="set an agent's status, aux code, capacity, ...",
        description="Your own status and aux code (an aux code alone sets its status); "
                    "managers and above set anyone's, and capacity, skills and queues. "
                    "--skill and --queue replace the agent's whole list.")
    put.add_argument("id", metavar="ID", type=_user_name)
    put.add_argument("--status", choices=STATUSES)
    put.add_argument("--aux-code", metavar="CODE", help="why away or busy: Break, Lunch, "
                                                        "Wrap-up, ... (cockpit aux-codes list)")
    put.add_argument("--capacity", type=_capacity, metavar="N",
                     help=f"open tickets at once, {CAPACITY_MIN}-{CAPACITY_MAX}")
    put.add_argument("--skill", type=_skill, action="append", metavar="NAME=LEVEL",
                     help=f"a skill and its proficiency {LEVEL_MIN}-{LEVEL_MAX} (repeatable)")
    put.add_argument("--queue", action="append", metavar="Q", help="a queue (repeatable)")

    aux_parser = sub.add_parser("aux-codes", help="why agents are away or busy")
    aux = aux_parser.add_subparsers(dest="aux_codes_command", metavar="COMMAND")
    aux.add_parser("list", parents=[conn, _format_option("codes, one a line")],
                   help="each code and the status it explains")

    queues_parser = sub.add_parser("queues", help="routing queues")
    queues = queues_parser.add_subparsers(dest="queues_command", metavar="COMMAND")
    queues.add_parser("list", parents=[conn, _format_option("names, one a line")],
                      help="queues, their skills and agents")
    add = queues.add_parser("add", parents=[conn, _format_option("the name")],
                            help="create a queue, or change one (managers and above)")
    add.add_argument("name")
    add.add_argument("--skill", action="append", metavar="S",
                     help="a skill its tickets need (repeatable)")
    add.add_argument("--skill-timeout", type=_count, metavar="SECONDS",
                     help="after this wait a ticket goes to anyone free in the queue")

    report = sub.add_parser(
        "report", parents=[conn], help="a report for a period: volume, first_response, ...",
        description="A report over the tickets you may see, by agent, queue, tag or day. "
                    "table: figures with units; json: the server's answer; csv: one row per "
                    "report row, the figures as columns, then the ticket ids behind it.")
    report.add_argument("name", choices=REPORTS)
    report.add_argument("--from", dest="start", metavar="WHEN",
                        help="a date (YYYY-MM-DD) or ISO time; default: 7 days before --to")
    report.add_argument("--to", dest="end", metavar="WHEN",
                        help="a date (that day included) or ISO time; default: now")
    report.add_argument("--by", choices=BY)
    report.add_argument("--format", choices=("table", "json", "yaml", "csv"), default="table")
    return {"agents": agents_parser, "aux-codes": aux_parser, "queues": queues_parser}


def print_help_of(args: argparse.Namespace) -> bool:
    """For `cockpit inbox` and `cockpit users` alone: print that command's help; True if so."""
    group = getattr(args, "_helps", {}).get(args.command)
    chosen = f"{args.command.replace('-', '_')}_command" if args.command else ""
    if group is None or getattr(args, chosen, None) is not None:
        return False
    group.print_help(sys.stdout)
    return True
