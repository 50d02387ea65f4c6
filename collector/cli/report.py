"""``report``: one self-contained HTML page of the inventory (collector/report). Reads the database
read-only; writes only ``--out``, 0600 like the database (collector.private_files): the page shows the
inventory."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from collector import private_files
from collector.cli.options import EXIT_OK, add_db, existing_store
from collector.formats import InvalidSettingError
from collector.report.inventory import StoreInventory
from collector.report.model import build_report
from collector.report.page import render


def add_parser(commands: Any) -> None:
    report = commands.add_parser("report", help="one self-contained HTML page of what was collected")
    add_db(report)
    report.add_argument("--out", required=True, help="the HTML file to write (e.g. report.html)")


def cmd_report(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    target = Path(args.out)
    if target.is_dir() or not target.parent.is_dir():
        raise InvalidSettingError("--out", args.out, "a file path in an existing directory")
    if target.resolve() == Path(args.db).resolve():
        raise InvalidSettingError(
            "--out", args.out, "another file than --db (the page would replace the database)"
        )
    with existing_store(args.db) as store:
        report = build_report(StoreInventory(store), generated_from=Path(args.db).name)
    page = render(report)
    with private_files.open_for_writing(target) as handle:
        handle.write(page)
    print(f"wrote {target} ({len(page.encode('utf-8')):,} bytes)", file=out)
    return EXIT_OK
