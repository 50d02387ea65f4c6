"""``python -m benchmarks.guarded_collect collect ...``: the collector's CLI with the endpoint guard on (the
``benchmarks`` package installs it), for benchmarks that run the collector in its own process."""

from __future__ import annotations

import sys

from collector.cli.app import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
