"""`python -m cockpit.cli`."""

import sys

from cockpit.cli.main import main

sys.exit(main())
