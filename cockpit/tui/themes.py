"""Theme files: small TOML files whose keys are the fields of `textual.theme.Theme`.

    name = "cockpit-dark"          # optional: defaults to the file name
    dark = true
    primary = "#4C9AFF"
    secondary = "#7A5AF8"
    accent = "#F5A524"
    warning = "#F5A524"
    error = "#F2555A"
    success = "#3DD68C"
    foreground = "#DDE3EA"
    background = "#0F1419"
    surface = "#161C23"
    panel = "#1D252E"
    ansi = false                   # true: colours are ANSI names (ansi_red, ansi_bright_blue)

    [variables]                    # any Textual design variable
    "footer-key-foreground" = "#4C9AFF"

The app's own themes ship with the package; users add theirs in
`<user config dir>/cockpit/themes/*.toml` (a user file with the same name wins).
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from platformdirs import user_config_dir
from textual.theme import Theme

import cockpit

DEFAULT_THEME = "cockpit-dark"
ANSI_THEME = "cockpit-ansi"

_FIELDS = {f.name for f in dataclasses.fields(Theme)}
_STRINGS = _FIELDS - {"dark", "luminosity_spread", "text_alpha", "variables", "ansi"}


class ThemeFileError(ValueError):
    """A theme file that cannot be used (the message names the file and the field)."""


def shipped_theme_dirs() -> list[Path]:
    """Where the bundled themes are: inside the installed package, or the checkout's `themes/`."""
    found: list[Path] = []
    try:
        packaged = resources.files("cockpit") / "themes"
        if packaged.is_dir():
            found.append(Path(str(packaged)))
    except (ModuleNotFoundError, TypeError):
        pass
    checkout = Path(cockpit.__file__).resolve().parent.parent / "themes"
    if checkout.is_dir() and checkout not in found:
        found.append(checkout)
    return found


def user_theme_dir() -> Path:
    return Path(user_config_dir("cockpit", appauthor=False)) / "themes"


def parse_theme(text: str, *, default_name: str, source: str = "<theme>") -> Theme:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ThemeFileError(f"{source}: {exc}") from exc
    data.setdefault("name", default_name)
    unknown = sorted(set(data) - _FIELDS)
    if unknown:
        raise ThemeFileError(f"{source}: unknown field {unknown[0]!r} "
                             f"(fields: {', '.join(sorted(_FIELDS))})")
    if "primary" not in data:
        raise ThemeFileError(f"{source}: 'primary' is required")
    for key in _STRINGS & set(data):
        if data[key] is not None and not isinstance(data[key], str):
            raise ThemeFileError(f"{source}: {key} must be a colour string")
    for key in ("dark", "ansi"):
        if key in data and not isinstance(data[key], bool):
            raise ThemeFileError(f"{source}: {key} must be true or false")
    variables = data.get("variables", {})
    if not isinstance(variables, dict) or not all(isinstance(v, str) for v in variables.values()):
        raise ThemeFileError(f"{source}: [variables] maps names to colour strings")
    try:
        theme = Theme(**data)
        theme.to_color_system()  # validates every colour now, not on first paint
    except Exception as exc:  # noqa: BLE001 - a bad colour string names itself in the message
        raise ThemeFileError(f"{source}: {exc}") from exc
    return theme


def load_theme_file(path: Path) -> Theme:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ThemeFileError(f"{path}: {exc}") from exc
    return parse_theme(text, default_name=path.stem, source=str(path))


def load_themes(dirs: Iterable[Path] | None = None) -> tuple[dict[str, Theme], list[str]]:
    """Every theme found (later directories win), and the problems met on the way."""
    if dirs is None:
        dirs = [*shipped_theme_dirs(), user_theme_dir()]
    themes: dict[str, Theme] = {}
    problems: list[str] = []
    for folder in dirs:
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.toml")):
            try:
                theme = load_theme_file(path)
            except ThemeFileError as exc:
                problems.append(str(exc))
                continue
            themes[theme.name] = theme
    return themes, problems


def choose_theme(wanted: str | None, available: Iterable[str]) -> str:
    """The theme to start with: the setting, else the default.

    NO_COLOR is honoured by Textual itself, which renders whatever theme in monochrome. The
    ANSI theme must not be forced then: its "default" colours turn to black on black there.
    """
    names = set(available)
    if os.environ.get("NO_COLOR") is not None and wanted == ANSI_THEME:
        wanted = DEFAULT_THEME
    if wanted and wanted in names:
        return wanted
    return DEFAULT_THEME if DEFAULT_THEME in names else "textual-dark"
