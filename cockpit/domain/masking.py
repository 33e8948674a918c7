"""Payload values under credential-looking keys, masked for every reader who did not ask to
reveal them (DESIGN.md, "Items"). Pure: standard library only, no IO.

Free text is redacted at ingest, but a value under a key such as `db_password` is kept for the
people allowed to reveal it; every other read gets it masked (`••••••••` and at most its last
two characters), in the API, the CLI and the app alike.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from cockpit.domain.redaction import MARKER_RE, is_credential_key, mask


# Payload keys repeat across items: classify each distinct (path, key) once.
@lru_cache(maxsize=16384)
def _credential_at(path: str, key: str) -> bool:
    """Whether `key` of the dict at dotted `path` holds a credential, by its own name or by
    its dotted path (as in `db.password`)."""
    return is_credential_key(key) or bool(path) and is_credential_key(f"{path}.{key}")


def _mask_leaf(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return mask(str(value))
    if isinstance(value, str):
        return value if not value.strip() or MARKER_RE.fullmatch(value) else mask(value)
    if isinstance(value, list):
        return [_mask_leaf(v) for v in value]
    if isinstance(value, dict):
        return {k: _mask_leaf(v) for k, v in value.items()}
    return value


def _walk(value: Any, path: str, found: list[bool]) -> Any:
    """`value` with what is under credential keys masked; a dict or list holding nothing to
    mask is answered as it is, not copied (most payloads: the read path walks every one)."""
    if isinstance(value, dict):
        out: dict[str, Any] | None = None
        for key, child in value.items():
            if _credential_at(path, str(key)):
                new = _mask_leaf(child)
                found[0] = found[0] or new != child
            elif isinstance(child, (dict, list)):
                new = _walk(child, f"{path}.{key}" if path else str(key), found)
            else:
                continue
            if new is not child:
                if out is None:
                    out = dict(value)
                out[key] = new
        return value if out is None else out
    if isinstance(value, list):
        walked = [_walk(v, path, found) for v in value]
        return value if all(a is b for a, b in zip(walked, value)) else walked
    return value


def masked_payload(payload: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """`payload` with every value under a credential-looking key masked (a key's own name, or
    its dotted path as in `db.password`), and whether anything was masked."""
    found = [False]
    return _walk(payload, "", found), found[0]
