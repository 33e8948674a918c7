"""`cockpit screenshots` (once scripts/screenshots.py) draws the README's pictures."""

from __future__ import annotations

import os

from cockpit.cli import main


def test_screenshots_writes_an_svg_and_leaves_the_user_data_alone(capsys, tmp_path):
    data_dir = os.environ["COCKPIT_DATA_DIR"]
    code = main(["screenshots", "--only", "help.svg", "--out", str(tmp_path / "shots")])
    out, err = capsys.readouterr()
    assert code == 0, err
    svg = (tmp_path / "shots" / "help.svg").read_text()
    assert svg.startswith("<svg") and "cockpit.archive" in svg.replace("&#160;", " ")
    assert out.strip() == f"wrote {tmp_path / 'shots' / 'help.svg'}"
    assert os.environ["COCKPIT_DATA_DIR"] == data_dir and not os.path.exists(data_dir)


def test_an_unknown_screenshot_is_a_clear_error(capsys, tmp_path):
    code = main(["screenshots", "--only", "nope.svg", "--out", str(tmp_path)])
    assert code == 1 and "no screenshot named nope.svg" in capsys.readouterr().err
