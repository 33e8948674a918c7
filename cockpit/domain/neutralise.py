"""Control, bidi and invisible format characters made visible and inert (``neutralise``).

Split from cockpit.domain.sanitize, which re-exports it: the app and the CLI neutralise what
they print, and sanitize imports redaction's scanners (~30 ms to import) for what it cleans
on the way in.
"""

from __future__ import annotations

import re
from typing import Any

_ESCAPED_RANGES: tuple[tuple[int, int], ...] = (
    (0x80, 0x9F),  # C1 controls
    (0x061C, 0x061C),  # Arabic letter mark
    (0x115F, 0x1160),  # Hangul choseong / jungseong fillers
    (0x180E, 0x180E),  # Mongolian vowel separator
    (0x200B, 0x200B),  # zero width space
    (0x200E, 0x200F),  # LRM, RLM
    (0x202A, 0x202E),  # LRE RLE PDF LRO RLO
    (0x2060, 0x2064),  # word joiner, invisible operators
    (0x2066, 0x2069),  # LRI RLI FSI PDI
    (0x206A, 0x206F),  # deprecated format characters
    (0x3164, 0x3164),  # Hangul filler
    (0xFEFF, 0xFEFF),  # BOM / zero width no-break space
    (0xFFA0, 0xFFA0),  # halfwidth Hangul filler
    (0xFFF9, 0xFFFB),  # interlinear annotation
    (0xE0000, 0xE007F),  # tag characters
)


def _escape(cp: int) -> str:
    return "\\u{%02X}" % cp


_TABLE: dict[str, str] = {}
for _cp in range(0x20):
    if _cp not in (0x09, 0x0A, 0x0D):
        _TABLE[chr(_cp)] = chr(0x2400 + _cp)
_TABLE["\x7f"] = "\u2421"
for _lo, _hi in _ESCAPED_RANGES:
    for _cp in range(_lo, _hi + 1):
        _TABLE[chr(_cp)] = _escape(_cp)
del _cp, _lo, _hi

_CLASS = (
    r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
    + "".join(
        re.escape(chr(lo)) if lo == hi else f"{re.escape(chr(lo))}-{re.escape(chr(hi))}"
        for lo, hi in _ESCAPED_RANGES
    )
    + r"\ud800-\udfff"
)
# an emoji subdivision flag (black flag + tag letters + cancel tag) is kept whole
_FLAG = "\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f"
_BAD_KEEP = re.compile(f"({_FLAG})|\r\n?|[\u2028\u2029]|[{_CLASS}]")
_BAD_ONE_LINE = re.compile(f"({_FLAG})|\r\n?|[\n\t\u2028\u2029]|[{_CLASS}]")


def _replacement(newline: str) -> Any:
    def repl(m: re.Match[str]) -> str:
        if m.group(1):
            return m.group(1)
        ch = m.group(0)
        if ch[0] in "\r\n\t\u2028\u2029":
            return newline
        mapped = _TABLE.get(ch)
        if mapped is not None:
            return mapped
        return "\ufffd"  # a lone surrogate

    return repl


_REPL_KEEP = _replacement("\n")
_REPL_ONE_LINE = _replacement(" ")


def neutralise(text: str, *, keep_newlines: bool = True) -> str:
    """Replace every control, bidi and invisible format character by a visible inert form."""
    if not text:
        return text
    pattern = _BAD_KEEP if keep_newlines else _BAD_ONE_LINE
    if pattern.search(text) is None:
        return text
    return pattern.sub(_REPL_KEEP if keep_newlines else _REPL_ONE_LINE, text)
