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
        "--json",
        action="store_true",
        help='one JSON object {"counts": ..., "scopes": [...], "last_run": {...}}',
    )


def cmd_summary(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with existing_store(args.db) as store:
        counts, scopes, runs = store.counts(), store.scopes(), store.runs()
    last = runs[-1] if runs else None
    if args.json:
        document = {"counts": counts, "scopes": scopes, "last_run": last}
        json.dump(document, out, indent=2, sort_keys=True)
        out.write("\n")
        return EXIT_OK
    print(_last_run(last), file=out)
    print("", file=out)
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


_STATES = {
    "complete": "complete",
    "incomplete": "incomplete (some scope is not complete: see below)",
    "interrupted": "interrupted ({by}): what it collected is kept; the scopes below say what each holds",
    "unfinished": "unfinished: it has no end (killed, or still running); what it collected is kept",
}


def _last_run(run: dict[str, Any] | None) -> str:
    if run is None:
        return "last run: none yet"
    state = _STATES[run["state"]].format(by=run["interrupted"])
    return f"last run {run['run_id']} (started {run['started_at']}): {state}"
