"""``python -m collector``."""

import sys

from collector.cli.app import main

sys.exit(main())
