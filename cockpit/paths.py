"""Where Cockpit keeps its files, and the database it opens when none is named.

Its own module, free of the database stack, so the app can find its folder without importing it.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir


def data_dir() -> Path:
    return Path(os.environ.get("COCKPIT_DATA_DIR") or user_data_dir("cockpit", appauthor=False))


def default_db_url() -> str:
    return os.environ.get("COCKPIT_DB") or f"sqlite:///{data_dir() / 'cockpit.db'}"
