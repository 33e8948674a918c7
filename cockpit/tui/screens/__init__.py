"""Screens: the inbox, confirmations, the help listing, a one-line prompt, the assign picker."""

from cockpit.tui.screens.assign import Assignee, AssignScreen
from cockpit.tui.screens.confirm import ConfirmScreen
from cockpit.tui.screens.help import HelpScreen
from cockpit.tui.screens.inbox import InboxScreen
from cockpit.tui.screens.prompt import PromptScreen

__all__ = ["AssignScreen", "Assignee", "ConfirmScreen", "HelpScreen", "InboxScreen",
           "PromptScreen"]
