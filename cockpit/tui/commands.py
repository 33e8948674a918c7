"""The command palette (`ctrl+p`): every action of the app, group-by modes, themes, tabs, and
each action of the item under the cursor; on the Agents or Reports screen, that screen's keys
and the screens to switch to."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.dom import DOMNode
from textual.markup import escape


@dataclass(frozen=True)
class PaletteCommand:
    text: str  # plain text (may hold item text: shown literally)
    help: str  # markup-free by construction; escaped again before display
    run: Callable[[], object]


class PaletteSource(Protocol):
    def palette_commands(self) -> list[PaletteCommand]: ...


def split_action(action: str) -> tuple[str, tuple[str, ...]]:
    """"page('agents')" -> ("page", ("agents",))."""
    name, _, rest = action.partition("(")
    return name, tuple(p.strip().strip("'\"") for p in rest.rstrip(")").split(",") if p)


def action_runner(node: DOMNode, action: str) -> Callable[[], Awaitable[None]]:
    """A palette entry's callback: run `action` as the binding would, on `node`."""
    async def run() -> None:
        await node.run_action(action)

    return run


class CockpitCommands(Provider):
    def _commands(self) -> list[PaletteCommand]:
        # Opened over the Agents or Reports screen: that screen's commands; else the app's.
        source = self.screen if hasattr(self.screen, "palette_commands") else self.app
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
