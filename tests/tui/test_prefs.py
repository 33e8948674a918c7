"""A theme picked in the app is written to the user's config file, keeping everything else."""

from __future__ import annotations

import tomllib
from pathlib import Path

from cockpit.tui.prefs import remember


def test_adds_the_setting_to_a_new_file(tmp_path: Path) -> None:
    path = tmp_path / "cockpit" / "config.toml"
    assert remember("theme", "cockpit-light", path) is None
    assert path.read_text() == 'theme = "cockpit-light"\n'
    assert path.stat().st_mode & 0o777 == 0o600  # the file may hold a token later


def test_replaces_the_line_and_keeps_comments_and_tables(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('# my settings\ntheme = "cockpit-dark"  # was\nbell = true\n\n'
                    '[extra]\ntheme = "not this one"\n')
    assert remember("theme", "cockpit-ansi", path) is None
    text = path.read_text()
    assert text.startswith('# my settings\ntheme = "cockpit-ansi"\nbell = true\n')
    data = tomllib.loads(text)
    assert data["theme"] == "cockpit-ansi" and data["extra"]["theme"] == "not this one"


def test_inserts_before_the_first_table(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("bell = true\n[extra]\nx = 1\n")
    assert remember("theme", 'odd "name"', path) is None
    data = tomllib.loads(path.read_text())
    assert data["theme"] == 'odd "name"' and data["extra"] == {"x": 1}


def test_a_file_that_does_not_parse_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("theme = \n")
    problem = remember("theme", "cockpit-light", path)
    assert problem is not None and str(path) in problem
    assert path.read_text() == "theme = \n"
