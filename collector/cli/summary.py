"""``summary``: counts per entity kind and the status of every scope (``--json``: one object)."""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from collector.cli.options import EXIT_OK, add_db, existing_store


def add_parser(commands: Any) -> None:
    summary = commands.add_parser("summary", help="counts per entity kind and the status of every scope")
    add_db(summary)
    summary.add_argument(
        "--json", action="store_true", help='one JSON object {"counts": ..., "scopes": [...]}'
    )


def cmd_summary(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with existing_store(args.db) as store:
        counts, scopes = store.counts(), store.scopes()
    if args.json:
        json.dump({"counts": counts, "scopes": scopes}, out, indent=2, sort_keys=True)
        out.write("\n")
        return EXIT_OK
    width = max(len(k) for k in counts)
    for kind, count in counts.items():
        print(f"{kind:<{width}}  {count}", file=out)
    print("", file=out)
    for scope in scopes:
        detail = f"  {scope['detail']}" if scope["detail"] else ""
        print(
            f"{scope['account_id']}/{scope['region']}/{scope['service']}  {scope['status']}"
            f"  (run {scope['run_id']}){detail}",
            file=out,
        )
    return EXIT_OK
