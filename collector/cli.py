"""The command line: ``python -m collector`` or ``aws-readonly-collector``.

``collect``, ``summary`` and ``export`` live here; ``customers`` in collector/cli_customers.py and ``doctor``
(its own exit codes) in collector/cli_doctor.py.

Exit codes: 0 every scope complete; 1 some scope partial, denied or failed (what was read is stored);
2 usage or configuration error (nothing ran).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from collector import __version__, cli_customers, cli_doctor, customers, external_id, registry, validation
from collector.aws import DEFAULT_API_RATE, LOOKUP_EVENTS_RATE, ConfigurationError
from collector.customer_store import CustomerStore
from collector.customers import Method, customer_name
from collector.external_id import ExternalIdMode
from collector.models import ScopeStatus
from collector.runner import ALL_REGIONS, Prepared, RunSettings, execute, exit_code, prepare
from collector.services.cloudtrail import fetch as cloudtrail
from collector.sink import ScopeResult
from collector.store import SqliteStore, StoreError
from collector.validation import InvalidSettingError

EXIT_OK, EXIT_INCOMPLETE, EXIT_USAGE = 0, 1, 2
EXTERNAL_ID_ENV = customers.EXTERNAL_ID_ENV
DEFAULT_DB = "inventory.sqlite"
log = logging.getLogger("collector")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse's own usage errors: exit 2, as ours
        self.print_usage(sys.stderr)
        raise UsageError(message)


class UsageError(Exception):
    pass


def _split(values: Sequence[str] | None) -> list[str]:
    return [part.strip() for value in values or () for part in value.split(",") if part.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="aws-readonly-collector", description="Read-only AWS identity inventory collector.")
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    collect = commands.add_parser("collect", help="assume the integration role(s) and collect the inventory")
    collect.add_argument(
        "--customer", help="a recorded customer (`customers add`): its role(s), ExternalId and profile"
    )
    collect.add_argument(
        "--role-arn", help="the integration role (management role with --organization), unless --customer"
    )
    collect.add_argument(
        "--external-id",
        help=f"the customer's sts:ExternalId (or set {EXTERNAL_ID_ENV}, which keeps it out of shell history)",
    )
    collect.add_argument(
        "--external-id-mode",
        default=ExternalIdMode.SHARED.value,
        help="shared (default): the same ExternalId in every account; per-account: the ExternalId, '-' and "
        "the account ID (the organization stack's ExternalIdMode output says which)",
    )
    collect.add_argument(
        "--organization", action="store_true", help="collect every ACTIVE account of the organization"
    )
    collect.add_argument(
        "--member-role-name", help="role name in member accounts (default: the --role-arn role's name)"
    )
    collect.add_argument(
        "--include-ou", action="append", metavar="ID", help="only accounts under these roots/OUs"
    )
    collect.add_argument("--exclude-ou", action="append", metavar="ID", help="no account under these OUs")
    collect.add_argument(
        "--regions", default=ALL_REGIONS, help="comma-separated regions, or 'all' (enabled ones)"
    )
    collect.add_argument("--fetchers", action="append", help=f"only these ({', '.join(registry.by_name())})")
    collect.add_argument("--db", default=DEFAULT_DB, help=f"SQLite database (default {DEFAULT_DB})")
    collect.add_argument(
        "--profile", help="AWS profile for the base credentials (default: the standard chain)"
    )
    collect.add_argument("--workers", type=int, default=8, help="parallel work items (default 8)")
    collect.add_argument(
        "--api-rate",
        type=float,
        default=DEFAULT_API_RATE,
        help=f"requests/s per account, region and API (default {DEFAULT_API_RATE:g}; "
        f"CloudTrail LookupEvents: always {LOOKUP_EVENTS_RATE:g})",
    )
    collect.add_argument(
        "--cloudtrail-lookback-days",
        default=str(cloudtrail.DEFAULT_LOOKBACK_DAYS),
        metavar="DAYS",
        help="how far back the first run reads CloudTrail events; later runs go on from where the last "
        f"stopped (default {cloudtrail.DEFAULT_LOOKBACK_DAYS}, at most {cloudtrail.MAX_LOOKBACK_DAYS})",
    )
    collect.add_argument(
        "--identity-center-region",
        metavar="REGION",
        help="IAM Identity Center's home region (default: found with one ListInstances call)",
    )
    collect.add_argument(
        "--dry-run", action="store_true", help="discover and print the plan; collect nothing"
    )

    summary = commands.add_parser("summary", help="counts per entity kind and the status of every scope")
    summary.add_argument("--db", default=DEFAULT_DB)
    summary.add_argument(
        "--json", action="store_true", help='one JSON object {"counts": ..., "scopes": [...]}'
    )

    export = commands.add_parser("export", help="JSON Lines, one file per entity kind")
    export.add_argument("--db", default=DEFAULT_DB)
    export.add_argument("--out", required=True, help="directory to write <kind>.jsonl files into")

    cli_customers.add_parsers(commands, DEFAULT_DB)
    cli_doctor.add_parser(commands, DEFAULT_DB)
    return parser


def settings_from(args: argparse.Namespace) -> RunSettings:
    """Validated settings; InvalidSettingError names the option, the value and what it expects."""
    if args.customer is not None:
        for option, value in (
            ("--role-arn", args.role_arn),
            ("--external-id", args.external_id),
            ("--organization", args.organization or None),
            ("--member-role-name", args.member_role_name),
        ):
            if value is not None:
                raise InvalidSettingError(
                    option, value, "nothing with --customer (the customer record has it)"
                )
        customer = CustomerStore(args.db).get(customer_name(args.customer, "--customer"))
        organization = customer.method is Method.ORGANIZATION
        return cli_customers.run_settings(customer, **_run_options(args, organization=organization))
    if args.role_arn is None:
        raise InvalidSettingError("--role-arn", None, "the integration role's ARN (or --customer NAME)")
    role_arn = validation.role_arn(args.role_arn, "--role-arn")
    given = args.external_id if args.external_id is not None else os.environ.get(EXTERNAL_ID_ENV)
    if given is None:
        raise InvalidSettingError(
            "--external-id", None, f"the customer's ExternalId (or set {EXTERNAL_ID_ENV})"
        )
    id_mode = external_id.mode(args.external_id_mode, "--external-id-mode")
    customer_id = external_id.check_base(given, id_mode, "--external-id")
    member_role = args.member_role_name
    if member_role is not None:
        if not args.organization:
            raise InvalidSettingError("--member-role-name", member_role, "to be used with --organization")
        validation.role_name(member_role, "--member-role-name")
    return RunSettings(
        role_arn=role_arn,
        external_id=customer_id,
        external_id_mode=id_mode,
        organization=args.organization,
        member_role_name=member_role,
        **_run_options(args, organization=args.organization),
    )


def _run_options(args: argparse.Namespace, *, organization: bool) -> dict[str, Any]:
    """The RunSettings fields that do not say whose roles to assume."""
    include = tuple(validation.root_or_ou_id(v, "--include-ou") for v in _split(args.include_ou))
    exclude = tuple(validation.root_or_ou_id(v, "--exclude-ou") for v in _split(args.exclude_ou))
    if (include or exclude) and not organization:
        raise InvalidSettingError(
            "--include-ou/--exclude-ou", include or exclude, "to be used with --organization"
        )
    regions = (
        None
        if args.regions.strip() == ALL_REGIONS
        else validation.regions(_split([args.regions]), "--regions")
    )
    identity_center_region = (
        None
        if args.identity_center_region is None
        else validation.region(args.identity_center_region, "--identity-center-region")
    )
    fetchers = tuple(_split(args.fetchers))
    registry.select(fetchers, "--fetchers")
    if not 1 <= args.workers <= 64:
        raise InvalidSettingError("--workers", args.workers, "a number from 1 to 64")
    if not args.api_rate > 0:
        raise InvalidSettingError("--api-rate", args.api_rate, "a positive number of requests per second")
    lookback = validation.days(
        args.cloudtrail_lookback_days, "--cloudtrail-lookback-days", cloudtrail.MAX_LOOKBACK_DAYS
    )
    return {
        "regions": regions,
        "include_ous": include,
        "exclude_ous": exclude,
        "fetchers": fetchers,
        "workers": args.workers,
        "api_rate": args.api_rate,
        "profile": args.profile,
        "cloudtrail_lookback_days": lookback,
        "identity_center_region": identity_center_region,
    }


class Progress:
    """Accounts and scopes done, calls made, problems: a refreshed line on a terminal, else log lines."""

    def __init__(self, prepared: Prepared, stream: TextIO) -> None:
        self._prepared = prepared
        self._stream = stream
        self._tty = stream.isatty()
        self._lock = threading.Lock()
        plan = prepared.plan
        self._total = plan.scope_count + len(plan.skipped) + len(prepared.discovery.problems)
        self._per_account: dict[str, int] = {}
        for item in plan.items:
            self._per_account[item.account.account_id] = self._per_account.get(
                item.account.account_id, 0
            ) + len(item.fetchers)
        self._done = 0
        self._accounts_done = 0
        self._problems = 0

    def __call__(self, result: ScopeResult) -> None:
        with self._lock:
            self._done += 1
            account = result.scope.account_id
            if account in self._per_account and result.status is not ScopeStatus.SKIPPED:
                self._per_account[account] -= 1
                if self._per_account[account] == 0:
                    self._accounts_done += 1
            if not result.status.is_ok:
                self._problems += 1
            if self._tty:
                calls = self._prepared.sessions.recorder.total()
                self._stream.write(
                    f"\r\x1b[Kscopes {self._done}/{self._total} · accounts {self._accounts_done}/"
                    f"{len(self._per_account)} · API calls {calls} · problems {self._problems}"
                )
                self._stream.flush()
            else:
                detail = f": {result.detail}" if result.detail else ""
                log.info(
                    "%s %s (%d records)%s", result.scope, result.status.value, result.record_count, detail
                )

    def close(self) -> None:
        if self._tty:
            self._stream.write("\n")
            self._stream.flush()


def cmd_collect(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    settings = settings_from(args)
    store = None if args.dry_run else SqliteStore(args.db)  # fail on a bad --db before any AWS call
    prepared = prepare(settings)
    discovery = prepared.discovery
    if args.dry_run:
        for line in prepared.plan.describe():
            print(line, file=out)
        for account_id, why in discovery.left_out:
            print(f"  leave out {account_id}: {why}", file=out)
        if discovery.identity_center is not None:
            ic = discovery.identity_center
            print(f"  identity center in {ic.account_id}: {ic.reason}", file=out)
        for scope, problem in discovery.problems:
            print(f"  discovery {scope}: {problem.status.value}: {problem.describe()}", file=out)
        return EXIT_OK if not discovery.problems else EXIT_INCOMPLETE
    assert store is not None
    progress = Progress(prepared, err)
    with store:
        try:
            manifest = execute(prepared, store, state=store, on_scope=progress)
        finally:
            progress.close()
    bad = [s for s in manifest.scopes if not s.status.is_ok]
    calls = sum(c.calls for c in manifest.api_calls)
    print(
        f"run {manifest.run_id}: {len(manifest.scopes) - len(bad)} of {len(manifest.scopes)} scopes complete,"
        " "
        f"{calls} API calls, stored in {args.db}",
        file=out,
    )
    for result in bad:
        print(f"  {result.scope} {result.status.value}: {result.detail}", file=out)
    return EXIT_OK if exit_code(manifest.scopes) == 0 else EXIT_INCOMPLETE


def _existing_store(path: str) -> SqliteStore:
    if not Path(path).is_file():
        raise InvalidSettingError("--db", path, "an existing collector database (run `collect` first)")
    return SqliteStore(path)


def cmd_summary(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with _existing_store(args.db) as store:
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


def cmd_export(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    with _existing_store(args.db) as store:
        written = store.export(args.out)
    print(f"wrote {sum(written.values())} lines in {len(written)} files to {args.out}", file=out)
    return EXIT_OK


COMMANDS = {
    "collect": cmd_collect,
    "summary": cmd_summary,
    "export": cmd_export,
    "customers": cli_customers.cmd_customers,
    "doctor": cli_doctor.cmd_doctor,
}


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


if __name__ == "__main__":
    sys.exit(main())
