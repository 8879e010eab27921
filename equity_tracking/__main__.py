"""Entry point for ``python -m equity_tracking``; the commands live in :mod:`equity_tracking.cli`."""

import sys

from equity_tracking.cli import main

sys.exit(main())
