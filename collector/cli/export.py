"""``export``: the database as JSON Lines, one file per entity kind."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from collector.cli.options import EXIT_OK, add_db, existing_store
from collector.formats import InvalidSettingError


def add_parser(commands: Any) -> None:
    export = commands.add_parser("export", help="JSON Lines, one file per entity kind")
    add_db(export)
    export.add_argument("--out", required=True, help="directory to write <kind>.jsonl files into")


def cmd_export(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if Path(args.out).exists() and not Path(args.out).is_dir():
        raise InvalidSettingError("--out", args.out, "a directory to write into (this is an existing file)")
    with existing_store(args.db) as store:
        written = store.export(args.out)
    print(f"wrote {sum(written.values())} lines in {len(written)} files to {args.out}", file=out)
    return EXIT_OK
