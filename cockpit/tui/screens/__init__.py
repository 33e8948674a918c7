"""Modal screens: confirmations, the help listing, and a one-line prompt."""

from cockpit.tui.screens.confirm import ConfirmScreen
from cockpit.tui.screens.help import HelpScreen
from cockpit.tui.screens.prompt import PromptScreen

__all__ = ["ConfirmScreen", "HelpScreen", "PromptScreen"]
