"""The revision the store takes for the newest migration is Alembic's own answer."""

from __future__ import annotations

import subprocess
import sys

from alembic.script import ScriptDirectory

from cockpit.store.db import HEAD, MIGRATIONS


def test_head_is_the_newest_migration() -> None:
    """A new migration must move HEAD: a database at the old one would count as migrated."""
    assert ScriptDirectory(str(MIGRATIONS)).get_current_head() == HEAD


def test_opening_a_migrated_database_loads_no_alembic(tmp_path) -> None:
    """Every process that opens the database (the app, its server, a local CLI command) pays
    for what this loads: a migrated database is checked with one read."""
    from cockpit.store import open_engine

    url = f"sqlite:///{tmp_path / 'c.db'}"
    open_engine(url).dispose()  # migrates the new database
    code = (f"import sys; from cockpit.store import open_engine; open_engine({url!r}); "
            "print(sorted(m for m in sys.modules if m.startswith('alembic')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"
