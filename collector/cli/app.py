"""The command line: ``python -m collector`` or ``aws-readonly-collector``: the parser and ``main``.

Exit codes (collector.cli.options): 0 every scope complete; 1 some scope partial, denied or failed (what
was read is stored); 2 usage or configuration error (nothing ran). ``doctor``: 1 means problems found.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from collector import __version__
from collector.aws import ConfigurationError
from collector.cli import collect, customers, doctor, export, report, summary
from collector.cli.options import EXIT_USAGE, Parser, UsageError
from collector.formats import InvalidSettingError
from collector.store import StoreError

EXIT_SIGINT = 128 + signal.SIGINT
EXIT_BROKEN_PIPE = 128 + signal.SIGPIPE
Command = Callable[[argparse.Namespace, TextIO, TextIO], int]
COMMANDS: dict[str, Command] = {
    "collect": collect.cmd_collect,
    "summary": summary.cmd_summary,
    "export": export.cmd_export,
    "customers": customers.cmd_customers,
    "doctor": doctor.cmd_doctor,
    "report": report.cmd_report,
}


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="aws-readonly-collector", description="Read-only AWS identity inventory collector.")
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    for module in (collect, summary, export, report, customers, doctor):
        module.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, stream=err, format="%(asctime)s %(levelname)s %(message)s")
        logging.getLogger("botocore").setLevel(logging.WARNING)
    try:
        args = build_parser().parse_args(argv)
        return COMMANDS[args.command](args, out, err)
    except (UsageError, InvalidSettingError, ConfigurationError, StoreError) as exc:
        print(f"error: {exc}", file=err)
        return EXIT_USAGE
    except KeyboardInterrupt:  # Ctrl-C outside a collection (which handles its own: collector.cli.signals)
        print("interrupted by SIGINT", file=err)
        return EXIT_SIGINT
    except BrokenPipeError:  # the reader went away (`summary | head`): stop quietly, as a shell tool does
        if out is sys.stdout:
            # Python flushes stdout again at exit: point it at /dev/null so that flush cannot fail too
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
