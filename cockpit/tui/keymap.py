"""The app's key bindings, each with a stable id so users can remap it.

Remap keys in `<user config dir>/cockpit/keymap.toml`:

    "cockpit.archive" = "E"
    "cockpit.approve" = "Y,ctrl+a"

The ids are those below (and the list widget's own ids, e.g. "list.down"). `?` in the app lists
every binding with its id. At start the app reports, one line each, an id it does not know and
a key that another binding of the same screen already has (the ctrl+p palette too); those
entries are ignored, so no action loses its key without a word.
"""

from __future__ import annotations

import difflib
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from platformdirs import user_config_dir
from textual.binding import Binding
from textual.keys import KEY_NAME_REPLACEMENTS

# Item actions that have a key of their own: action name -> (key, label).
ITEM_KEYS: dict[str, tuple[str, str]] = {
    "approve": ("a", "Approve"),
    "deny": ("d", "Deny"),
    "reject": ("d", "Reject"),
    "retry": ("r", "Retry"),
    "cancel": ("c", "Cancel run"),
    "dismiss": ("x", "Dismiss"),
    "close": ("x", "Close"),
    "restore": ("u", "Restore"),
    "note": ("N", "Add note"),
    "assign": ("A", "Assign…"),
    "tag": ("T", "Add tags"),
    # the support desk (DESIGN.md, "Keys": on a ticket r N m t P T x); `r` is also retry
    "reply": ("r", "Reply"),
    "macro": ("m", "Macro…"),
    "transfer": ("t", "Transfer…"),
    "priority": ("P", "Priority…"),
}

APP_BINDINGS: list[Binding] = [
    Binding("e", "archive", "Archive", id="cockpit.archive"),
    Binding("I", "mark('read')", "Read", id="cockpit.mark_read"),
    Binding("U", "mark('unread')", "Unread", id="cockpit.mark_unread"),
    Binding("z", "undo", "Undo", id="cockpit.undo"),
    *(Binding(key, f"item('{name}')", label, id=f"cockpit.{name}")
      for name, (key, label) in ITEM_KEYS.items()),
    Binding("o", "open_link", "Open link", id="cockpit.open_link"),
    Binding("R", "reveal", "Reveal secrets", id="cockpit.reveal"),
    Binding("1", "tab('inbox')", "Inbox", show=False, id="cockpit.tab_inbox"),
    Binding("2", "tab('unread')", "Unread tab", show=False, id="cockpit.tab_unread"),
    Binding("3", "tab('archived')", "Archived tab", show=False, id="cockpit.tab_archived"),
    Binding("n", "next_unread", "Next unread", show=False, id="cockpit.next_unread"),
    Binding("v", "cycle_group", "Group by", show=False, id="cockpit.group_by"),
    Binding("s", "cycle_sort", "Sort", show=False, id="cockpit.sort"),
    Binding("colon", "pick_view", "Views", key_display=":", id="cockpit.views"),
    Binding("asterisk", "select_all", "Select all", key_display="*", show=False,
            id="cockpit.select_all"),
    # priority: runs before the key reaches the list, so what is typed right after `/` (a
    # fast typist, a paste) already lands in the search box
    Binding("slash", "search", "Search", key_display="/", id="cockpit.search", priority=True),
    # priority, and only in the search box: the keys typed right after it go to the list
    # (an Input's own submit is handled after they were already typed into the box)
    Binding("enter", "keep_search", "Keep the search", show=False, id="cockpit.keep_search",
            priority=True),
    Binding("escape", "clear", "Clear", show=False, id="cockpit.clear"),
    # the screens beside the inbox (pages.py); the Agents and Reports screens use the same ids
    Binding("f2", "page('agents')", "Agents", id="cockpit.screen_agents"),
    Binding("f3", "page('reports')", "Reports", id="cockpit.screen_reports"),
    Binding("question_mark", "help", "Help", key_display="?", id="cockpit.help"),
    Binding("q", "quit", "Quit", id="cockpit.quit"),
]


def keymap_path() -> Path:
    return Path(user_config_dir("cockpit", appauthor=False)) / "keymap.toml"


def load_keymap(path: Path | None = None) -> tuple[dict[str, str], str | None]:
    """The user's remapped keys (binding id -> keys), and a problem to report, if any."""
    path = path or keymap_path()
    if not path.is_file():
        return {}, None
    try:
        data = tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return {}, f"{path}: {exc}"
    keymap = {str(k): str(v) for k, v in data.items() if isinstance(v, str)}
    ignored = sorted(str(k) for k, v in data.items() if not isinstance(v, str))
    return keymap, (f"{path}: ignored non-string entries {', '.join(ignored)}" if ignored else None)


# Bindings that share a key on purpose: they never apply to the same item.
SHARED_KEYS: tuple[frozenset[str], ...] = (
    frozenset({"cockpit.deny", "cockpit.reject"}),
    frozenset({"cockpit.dismiss", "cockpit.close"}),
    frozenset({"cockpit.retry", "cockpit.reply"}),
)
# Keys Textual itself holds on the main screen.
RESERVED_KEYS: dict[str, str] = {
    "ctrl+p": "the command palette",
    "ctrl+q": "quit",
    "ctrl+c": "copy",
    "tab": "moving the focus",
    "shift+tab": "moving the focus",
}


def normalize_key(key: str) -> str:
    """A key as Textual names it: "?" -> "question_mark", "/" -> "slash", "E" stays "E"."""
    key = key.strip()
    if len(key) != 1 or key.isalnum():
        return key
    try:
        name = unicodedata.name(key).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return key
    return KEY_NAME_REPLACEMENTS.get(name, name)


def normalize_keys(keys: str) -> list[str]:
    return [normalize_key(k) for k in keys.split(",") if k.strip()]


def check_keymap(keymap: Mapping[str, str], scopes: Mapping[str, Sequence[Binding]], *,
                 reserved: Mapping[str, str] = RESERVED_KEYS,
                 source: str = "keymap.toml") -> tuple[dict[str, str], list[str]]:
    """The part of a user's keymap that is safe to apply, and one line per problem.

    `scopes` are the sets of bindings that are live together (the inbox: the app's and the
    list's bindings; each dialog on its own). An unknown id is reported and ignored. A remap
    onto a key another binding of its scope keeps (or a reserved key) is reported and ignored,
    so that no action ever loses its key silently; two remaps onto one key are both ignored.
    Moving one binding of a shared key (d: deny/reject) leaves its partner on the old key.
    """
    problems: list[str] = []
    known: dict[str, tuple[str, Binding]] = {}
    for scope, bindings in scopes.items():
        for binding in bindings:
            if binding.id and binding.id not in known:
                known[binding.id] = (scope, binding)
    kept: dict[str, list[str]] = {}
    for binding_id, keys in keymap.items():
        if binding_id not in known:
            close = difflib.get_close_matches(binding_id, list(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else " (? lists the ids)"
            problems.append(f"{source}: unknown binding id {binding_id!r}{hint}; ignored")
            continue
        wanted = normalize_keys(keys)
        if not wanted:
            problems.append(f"{source}: {binding_id} names no key; ignored")
            continue
        kept[binding_id] = wanted

    def label(binding_id: str) -> str:
        binding = known[binding_id][1]
        return binding.description or binding.action

    def default_keys(binding_id: str) -> str:
        return known[binding_id][1].key

    while True:
        clash = _first_clash(kept, scopes, reserved)
        if clash is None:
            break
        key, remapped, others = clash
        for binding_id in remapped:
            kept.pop(binding_id, None)
        shown = ", ".join(f'{b} = "{keymap[b]}"' for b in remapped)
        if len(remapped) > 1:
            problems.append(f"{source}: {shown} all want {key}; ignored, each keeps its own key")
        elif others and others[0] in reserved.values():
            problems.append(f"{source}: {shown} ignored: {key} is kept for {others[0]}; "
                            f"{remapped[0]} stays on {default_keys(remapped[0])}")
        else:
            taken = ", ".join(f"{label(o)} ({o})" for o in others)
            problems.append(f"{source}: {shown} ignored: {key} is already {taken}; "
                            f"{remapped[0]} stays on {default_keys(remapped[0])}")

    effective = {binding_id: ",".join(keys) for binding_id, keys in kept.items()}
    for group in SHARED_KEYS:
        if group & kept.keys():
            for partner in group - kept.keys():
                if partner in known:
                    effective[partner] = default_keys(partner)
    return effective, problems


def _first_clash(kept: Mapping[str, list[str]], scopes: Mapping[str, Sequence[Binding]],
                 reserved: Mapping[str, str]) -> tuple[str, list[str], list[str]] | None:
    """(key, the remapped ids involved, the other holders) of the first clash, if any."""
    for scope, bindings in scopes.items():
        holders: dict[str, list[str]] = {}
        for binding in bindings:
            binding_id = binding.id
            keys = kept.get(binding_id) if binding_id else None
            for key in keys if keys is not None else normalize_keys(binding.key):
                owner = binding_id or f"{scope}:{binding.action}"
                if owner not in holders.setdefault(key, []):
                    holders[key].append(owner)
        if scope == "inbox":
            for key, what in reserved.items():
                holders.setdefault(key, []).append(what)
        for key, owners in holders.items():
            if len(owners) < 2 or _shared(owners):
                continue
            remapped = [o for o in owners if o in kept and key in kept[o]]
            if not remapped:
                continue  # the defaults themselves: not the user's doing
            others = [o for o in owners if o not in remapped]
            return key, remapped, others
    return None


def _shared(owners: Iterable[str]) -> bool:
    found = set(owners)
    return any(found <= group for group in SHARED_KEYS)
