"""The command palette (`ctrl+p`): every action of the app, group-by modes, themes, tabs, and
each action of the item under the cursor."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape


@dataclass(frozen=True)
class PaletteCommand:
    text: str  # plain text (may hold item text: shown literally)
    help: str  # markup-free by construction; escaped again before display
    run: Callable[[], object]


class PaletteSource(Protocol):
    def palette_commands(self) -> list[PaletteCommand]: ...


class CockpitCommands(Provider):
    def _commands(self) -> list[PaletteCommand]:
        source = self.app
        if not hasattr(source, "palette_commands"):
            return []
        return source.palette_commands()  # type: ignore[no-any-return]

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(Content(command.text), command.run, text=command.text,
                               help=escape(command.help))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            score = matcher.match(command.text)
            if score > 0:
                yield Hit(score, matcher.highlight(command.text), command.run,
                          text=command.text, help=escape(command.help))
