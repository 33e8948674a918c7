# PYTHON_ARGCOMPLETE_OK  (argcomplete's global completion looks for this line)
"""The `cockpit` command: the app, the server, and every inbox operation for scripts.

`main` parses the command line and imports only the module of the command it runs, so
`cockpit --help` and shell completion stay fast; see `cockpit.cli.parser` for the commands.
"""

from cockpit.cli.main import main

__all__ = ["main"]
