"""Small drawing helpers for the item list: sender badges, kind icons, pills, times.

Pure functions (rich only, no Textual). Every glyph is a single terminal cell so columns line
up. Nothing here parses markup: text is always built from plain strings.
"""

from __future__ import annotations

import colorsys
import datetime as _dt
import unicodedata
import zlib
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from rich.cells import cell_len
from rich.style import Style

from cockpit.domain.neutralise import neutralise

# --------------------------------------------------------------------------- inert text

_REPLACEMENT = "\ufffd"
_INERT_TABLE: dict[int, str] = {}
for _code in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)):
    _INERT_TABLE[_code] = _REPLACEMENT
for _code in (0x09, 0x0A, 0x0B, 0x0C, 0x0D):  # whitespace controls: a plain space on one line
    _INERT_TABLE[_code] = " "
for _code in (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)):
    _INERT_TABLE[_code] = _REPLACEMENT  # bidi marks, embeddings, overrides and isolates
_INERT_TABLE[0x2028] = " "  # line separator
_INERT_TABLE[0x2029] = " "  # paragraph separator


def inert(text: Any) -> str:
    """A one-line, control-free version of untrusted text, safe to hand to the terminal.

    `cockpit.domain.sanitize.neutralise` (one line) turns controls into visible inert forms
    (ESC -> "␛", bidi overrides -> "\\u{202E}", tabs and newlines -> spaces); a final pass
    replaces anything control-like that might remain with U+FFFD. The result is plain text:
    callers must still never parse it as markup.
    """
    if text is None:
        return ""
    if not isinstance(text, str):
        try:
            text = str(text)
        except Exception:
            return _REPLACEMENT
    return neutralise(text, keep_newlines=False).translate(_INERT_TABLE)


# --------------------------------------------------------------------------- kinds

KIND_ICONS: dict[str, str] = {
    "waitpoint": "⏸",
    "escalation": "⚑",
    "failed_run": "✗",
    "ticket": "✉",
    "message": "❝",
}
GENERIC_ICON = "•"


def kind_icon(kind: str) -> str:
    """One cell: the kind's icon, or a generic bullet for unknown kinds."""
    return KIND_ICONS.get(kind, GENERIC_ICON)


# --------------------------------------------------------------------------- priority

PRIORITY_PILLS: dict[str, str] = {"urgent": " URG ", "high": " HIGH "}


def priority_pill(priority: Any) -> str | None:
    """The pill text for high/urgent, else None (normal and low show nothing)."""
    value = getattr(priority, "value", priority)
    return PRIORITY_PILLS.get(str(value))


# --------------------------------------------------------------------------- senders

# Hue ranges (degrees) per sender type: a colour family each, a stable hue per sender id.
_HUE_FAMILIES: dict[str, tuple[int, int]] = {
    "agent": (190, 300),  # blues to violets
    "crew": (90, 170),  # greens
    "pipeline": (200, 230),  # steel blues (desaturated below)
    "system": (0, 360),  # greys (saturation 0 below)
    "customer": (15, 50),  # oranges and ambers
}
_SATURATION: dict[str, float] = {"pipeline": 0.25, "system": 0.0}


def _hash(text: str) -> int:
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


@lru_cache(maxsize=4096)
def sender_colour(sender_type: str, sender_id: str) -> str:
    """A stable `#rrggbb` for a sender: same id, same colour, on every run."""
    low, high = _HUE_FAMILIES.get(sender_type, (0, 360))
    h = _hash(f"{sender_type}:{sender_id}")
    hue = (low + h % max(1, high - low)) / 360.0
    saturation = _SATURATION.get(sender_type, 0.55 + ((h >> 8) % 25) / 100)
    lightness = 0.42 + ((h >> 16) % 20) / 100
    r, g, b = colorsys.hls_to_rgb(hue, lightness, saturation)
    return f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"


def _foreground_for(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#000000" if luminance > 140 else "#ffffff"


def initials(name: str) -> str:
    """Two cells of initials from a display name ("Ada Lovelace" -> "AL", "deploy-bot" -> "DB")."""
    clean = inert(name)
    words = [w for w in "".join(c if c.isalnum() else " " for c in clean).split() if w]
    if len(words) >= 2:
        letters = words[0][0] + words[1][0]
    elif words:
        letters = words[0][:2]
    else:
        letters = ""
    out = ""
    for char in letters.upper():
        if unicodedata.combining(char):
            continue
        if cell_len(out + char) > 2:
            break
        out += char
    out = out or "?"
    return out + " " * (2 - cell_len(out))


# The same families in the 16 ANSI colours, for ANSI themes: (background, foreground) pairs.
_ANSI_FAMILIES: dict[str, tuple[tuple[str, str], ...]] = {
    "agent": (("blue", "bright_white"), ("magenta", "bright_white"),
              ("bright_blue", "black"), ("bright_magenta", "black")),
    "crew": (("green", "black"), ("bright_green", "black")),
    "pipeline": (("cyan", "black"), ("bright_cyan", "black")),
    "system": (("bright_black", "bright_white"), ("white", "black")),
    "customer": (("yellow", "black"), ("bright_yellow", "black"), ("red", "bright_white")),
}


@lru_cache(maxsize=4096)
def sender_badge_style(sender_type: str, sender_id: str, *, ansi: bool = False) -> Style:
    """The initials badge of a sender; `ansi`: only the 16 ANSI colours (the terminal's own)."""
    if ansi:
        pairs = _ANSI_FAMILIES.get(sender_type, _ANSI_FAMILIES["system"])
        background, foreground = pairs[_hash(f"{sender_type}:{sender_id}") % len(pairs)]
        return Style(color=foreground, bgcolor=background, bold=True)
    background = sender_colour(sender_type, sender_id)
    return Style(color=_foreground_for(background), bgcolor=background, bold=True)


# --------------------------------------------------------------------------- time


def _as_aware(value: Any) -> datetime | None:
    if isinstance(value, _dt.datetime):  # the real class: `datetime` may be patched in tests
        moment = value
    elif isinstance(value, str) and value.strip():
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            moment = _dt.datetime.fromisoformat(text)
        except ValueError:
            return None
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            moment = _dt.datetime.fromtimestamp(float(value), UTC)
        except (OverflowError, OSError, ValueError):
            return None
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment


def relative_time(moment: datetime | None, now: datetime | None = None) -> str:
    """"now", "5m", "3h", "2d", "5w", "3mo", "2y": at most 3 cells."""
    if moment is None:
        return ""
    now = now or datetime.now(UTC)
    moment = _as_aware(moment)
    if moment is None:
        return ""
    seconds = (now - moment).total_seconds()
    if seconds < 60:
        return "now"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 24:
        return f"{hours}h"
    days = hours // 24
    if days < 14:
        return f"{days}d"
    if days < 70:
        return f"{days // 7}w"
    if days < 365:
        return f"{max(1, days // 30)}mo"
    return f"{min(99, days // 365)}y"


SLA_SOON = timedelta(hours=1)


def sla_flag(payload: dict[str, Any], now: datetime | None = None) -> str | None:
    """"late" when `timeout_at`/`sla_due_at` has passed, "soon" within an hour, else None."""
    now = now or datetime.now(UTC)
    state: str | None = None
    for name in ("timeout_at", "sla_due_at"):
        due = _as_aware(payload.get(name))
        if due is None:
            continue
        if due <= now:
            return "late"
        if due - now <= SLA_SOON:
            state = "soon"
    return state


SLA_GLYPHS: dict[str, str] = {"soon": "⏱", "late": "⚠ late"}
