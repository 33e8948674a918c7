"""Settings from one validated place: defaults, then the config file, then COCKPIT_* variables.

The config file is TOML at `$COCKPIT_CONFIG` or `<user config dir>/cockpit/config.toml`:

    server = "https://cockpit.example.com"
    token = "ck_..."
    theme = "cockpit-dark"
    bell = true
    confirm_decisions = true
    group_by = "smart"
    sort = "newest"
    advance = false
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from platformdirs import user_config_dir
from pydantic import BaseModel, ConfigDict, Field, ValidationError

GroupBy = Literal["smart", "kind", "sender", "routine", "issue", "crew", "priority", "assignee",
                  "none"]


class ConfigError(ValueError):
    """The config file or a COCKPIT_* variable holds something invalid."""


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    server: str | None = Field(default=None, description="URL of a Cockpit server")
    token: str | None = Field(default=None, description="bearer token for that server")
    db: str | None = Field(default=None, description="database URL for serve and local commands")
    theme: str = "cockpit-dark"
    bell: bool = Field(default=False, description="ring the terminal bell on a new decision item")
    confirm_decisions: bool = Field(default=True, description="confirm one-key decisions")
    group_by: GroupBy = "smart"
    sort: Literal["newest", "oldest", "priority", "due"] = "newest"
    advance: bool = Field(default=False, description="after closing a ticket or running a "
                          "macro on it, go on to the next one (as `n` would)")
    webhook_secret: str | None = Field(default=None, description="key for outbound signatures")
    metrics_token: str | None = Field(default=None, description="bearer token GET /metrics "
                                      "asks for (without one, /metrics answers 404)")


_ENV = {
    "server": "COCKPIT_SERVER",
    "token": "COCKPIT_TOKEN",
    "db": "COCKPIT_DB",
    "theme": "COCKPIT_THEME",
    "bell": "COCKPIT_BELL",
    "confirm_decisions": "COCKPIT_CONFIRM",
    "group_by": "COCKPIT_GROUP_BY",
    "sort": "COCKPIT_SORT",
    "advance": "COCKPIT_ADVANCE",
    "webhook_secret": "COCKPIT_WEBHOOK_SECRET",
    "metrics_token": "COCKPIT_METRICS_TOKEN",
}


def config_path() -> Path:
    return Path(os.environ.get("COCKPIT_CONFIG")
                or Path(user_config_dir("cockpit", appauthor=False)) / "config.toml")


def load_settings(**overrides: Any) -> Settings:
    """Defaults < config file < environment < explicit overrides (command-line flags)."""
    values: dict[str, Any] = {}
    path = config_path()
    if path.is_file():
        try:
            values.update(tomllib.loads(path.read_text()))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: {exc}") from exc
    values.update({key: os.environ[var] for key, var in _ENV.items() if os.environ.get(var)})
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings.model_validate(values)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"setting {field}: {first['msg']} (from {path} or COCKPIT_*)") from exc
