"""Remembering what the user chose in the app (the theme) in their config file.

The config file (`cockpit.config.config_path()`) is TOML that the user may have written by hand:
only the one top-level line is replaced or added; comments and every other setting stay as they
were. A file that does not parse is left alone.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import tomllib
from pathlib import Path

from cockpit.config import config_path

_TABLE = re.compile(r"^\s*\[")


def remember(key: str, value: str, path: Path | None = None) -> str | None:
    """Set top-level `key = "value"` in the config file; None when done, else the problem."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8") if path.is_file() else ""
        tomllib.loads(text)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return f"cannot remember {key} in {path}: {exc}"
    line = f"{key} = {json.dumps(value)}"  # a JSON string is a valid TOML basic string
    lines = text.splitlines()
    setting = re.compile(rf"^\s*{re.escape(key)}\s*=")
    end = next((i for i, text_line in enumerate(lines) if _TABLE.match(text_line)), len(lines))
    for i in range(end):
        if setting.match(lines[i]):
            lines[i] = line
            break
    else:
        lines.insert(end, line)
    new_text = "\n".join(lines) + "\n"
    try:
        if tomllib.loads(new_text).get(key) != value:
            return f"cannot remember {key} in {path}: the file has an unusual layout"
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".config-", suffix=".toml")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(new_text)
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        return f"cannot remember {key} in {path}: {exc}"
    return None
