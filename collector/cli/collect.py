"""``collect``: assume the integration role(s) and collect the inventory (``--dry-run``: print the plan)."""

from __future__ import annotations

import argparse
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, TextIO

from collector import registry
from collector.aws import DEFAULT_API_RATE, LOOKUP_EVENTS_RATE
from collector.cli.options import (
    DEFAULT_DB,
    EXIT_INCOMPLETE,
    EXIT_OK,
    add_db,
    nothing_with_customer,
    role_and_external_id,
    settings_options,
)
from collector.cli.signals import Interrupted, interruptible
from collector.customers.record import EXTERNAL_ID_ENV, customer_name
from collector.customers.run_settings import run_settings
from collector.customers.store import CustomerStore
from collector.external_id import ExternalIdMode
from collector.models import ScopeStatus
from collector.runner import Prepared, execute, exit_code, prepare
from collector.services.cloudtrail import fetch as cloudtrail
from collector.services.cloudtrail.trails import Source
from collector.services.ec2 import refresh
from collector.settings import (
    ALL_REGIONS,
    DEFAULT_WORKERS,
    MAX_RETENTION_DAYS,
    OPTIONS,
    RETENTION_DAYS,
    RunSettings,
    one_per_core,
)
from collector.shards import InProcesses
from collector.sink import ScopeResult
from collector.store import SqliteStore

log = logging.getLogger("collector")


def add_parser(commands: Any) -> None:
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
    add_db(collect, f"SQLite database (default {DEFAULT_DB})")
    collect.add_argument(
        "--profile", help="AWS profile for the base credentials (default: the standard chain)"
    )
    collect.add_argument(
        "--workers",
        type=int,
        default=DEFAULT_WORKERS,
        help=f"work items in flight in each worker process (default {DEFAULT_WORKERS})",
    )
    collect.add_argument(
        "--processes",
        type=int,
        default=one_per_core(),
        help="worker processes, each collecting a share of the accounts (default: one per core, "
        f"{one_per_core()} here; 1: all in this process)",
    )
    collect.add_argument(
        "--api-rate",
        type=float,
        default=DEFAULT_API_RATE,
        help=f"requests/s per account, region and API (default {DEFAULT_API_RATE:g}; "
        f"CloudTrail LookupEvents: always {LOOKUP_EVENTS_RATE:g})",
    )
    collect.add_argument(
        "--cloudtrail-retention-days",
        default=str(RETENTION_DAYS),
        help="keep stored CloudTrail events this many days: older ones are deleted at the end of a complete "
        f"run (default {RETENTION_DAYS}, as the event history; at most {MAX_RETENTION_DAYS})",
    )
    collect.add_argument(
        "--cloudtrail-lookback-days",
        default=str(cloudtrail.DEFAULT_LOOKBACK_DAYS),
        metavar="DAYS",
        help="how far back the first run reads CloudTrail events; later runs go on from where the last "
        f"stopped (default {cloudtrail.DEFAULT_LOOKBACK_DAYS}, at most {cloudtrail.MAX_LOOKBACK_DAYS})",
    )
    collect.add_argument(
        "--cloudtrail-source",
        default=Source.AUTO.value,
        choices=[s.value for s in Source],
        help="where CloudTrail management events are read: lookup (LookupEvents, no setup, 2 requests/s per "
        "account and region), s3 (the trail's log files; the role needs the CloudTrailLogs grant) or auto "
        "(default: the trail's files where a trail delivers them and the role may read them)",
    )
    collect.add_argument(
        "--log-archive-account-id",
        metavar="ACCOUNT",
        help="with --organization: the member account whose role reads the organization trail's bucket "
        "(default: the --role-arn role)",
    )
    collect.add_argument(
        "--identity-center-region",
        metavar="REGION",
        help="IAM Identity Center's home region (default: found with one ListInstances call)",
    )
    collect.add_argument(
        "--skip-unchanged-ec2",
        action="store_true",
        help="daily runs: read CloudTrail first and skip a region's EC2 listings (keeping its stored rows) "
        "when no EC2 write event happened there since its last complete read",
    )
    collect.add_argument(
        "--ec2-full-refresh-days",
        default=str(refresh.DEFAULT_FULL_REFRESH_DAYS),
        metavar="DAYS",
        help="with --skip-unchanged-ec2: read every region's EC2 fully at least this often (default "
        f"{refresh.DEFAULT_FULL_REFRESH_DAYS}, at most {refresh.MAX_FULL_REFRESH_DAYS})",
    )
    collect.add_argument(
        "--dry-run", action="store_true", help="discover and print the plan; collect nothing"
    )


def settings_from(args: argparse.Namespace) -> RunSettings:
    """Validated settings; InvalidSettingError names the option, the value and what it expects."""
    options = settings_options(args)
    if args.customer is not None:
        without = (
            "--role-arn",
            "--external-id",
            "--external-id-mode",
            "--organization",
            "--member-role-name",
        )
        nothing_with_customer(args, *without)
        customer = CustomerStore(args.db, read_only=True).get(customer_name(args.customer, "--customer"))
        return run_settings(customer, options)
    given = role_and_external_id(args, "the integration role's ARN (or --customer NAME)")
    mode = {"external_id_mode": options.get("external_id_mode") or ExternalIdMode.SHARED.value}
    return RunSettings.parse({**options, **given, **mode}, OPTIONS)


class Progress:
    """Accounts and scopes done, calls made, problems and the time left: a refreshed line on a terminal,
    else log lines."""

    def __init__(
        self, prepared: Prepared, stream: TextIO, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._prepared = prepared
        self._clock = clock
        self._started = clock()
        self._collected = 0  # scopes of the plan's items done (the ETA's base: the rest come at once)
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
                self._collected += 1
                self._per_account[account] -= 1
                if self._per_account[account] == 0:
                    self._accounts_done += 1
            if not result.status.is_ok:
                self._problems += 1
            if self._tty:
                calls = self._prepared.sessions.recorder.total()
                self._stream.write(
                    f"\r\x1b[Kscopes {self._done}/{self._total} · accounts {self._accounts_done}/"
                    f"{len(self._per_account)} · API calls {calls} · problems {self._problems}{self._eta()}"
                )
                self._stream.flush()
            else:
                detail = f": {result.detail}" if result.detail else ""
                log.info(
                    "%s %s (%d records)%s", result.scope, result.status.value, result.record_count, detail
                )

    def _eta(self) -> str:
        left = self._prepared.plan.scope_count - self._collected
        if not self._collected or left <= 0:
            return ""
        seconds = round((self._clock() - self._started) / self._collected * left)
        return f" · about {seconds // 60} min {seconds % 60:02d} s left"

    def close(self) -> None:
        if self._tty:
            self._stream.write("\n")
            self._stream.flush()


def items_runner(prepared: Prepared) -> InProcesses | None:
    """Worker processes when asked for more than one and the plan has more than one account."""
    accounts = {item.account.account_id for item in prepared.plan.items}
    processes = min(prepared.settings.processes, len(accounts))
    return InProcesses(processes) if processes > 1 else None


def cmd_collect(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    settings = settings_from(args)
    store = None if args.dry_run else SqliteStore(args.db)  # fail on a bad --db before any AWS call
    with interruptible():
        try:
            return _collect(args, settings, store, out, err)
        except Interrupted as stop:
            print(f"{stop}: {_kept(store, args.db)}", file=err)
            return stop.exit_code


def _kept(store: SqliteStore | None, db: str) -> str:
    """What an interrupted collect leaves: the scopes its run stored, kept."""
    if store is not None:
        store.flush()  # the scopes of items that ended after the signal are written before they are counted
    runs = store.runs() if store is not None else []
    if not runs or runs[-1]["state"] != "interrupted":
        return "nothing was collected"
    run_id = runs[-1]["run_id"]
    stored = sum(1 for scope in store.scopes() if scope["run_id"] == run_id) if store is not None else 0
    return f"run {run_id} is marked interrupted; the {stored} scopes it collected are kept in {db}"


def _collect(
    args: argparse.Namespace, settings: RunSettings, store: SqliteStore | None, out: TextIO, err: TextIO
) -> int:
    prepared = prepare(settings, check_base_identity=True)
    discovery = prepared.discovery
    if args.dry_run:
        for line in prepared.plan.describe():
            print(line, file=out)
        for account_id, why in discovery.left_out:
            print(f"  leave out {account_id}: {why}", file=out)
        if discovery.identity_center is not None:
            ic = discovery.identity_center
            print(f"  identity center in {ic.account_id}: {ic.reason}", file=out)
        if discovery.cloudtrail_trail is not None:
            print(f"  cloudtrail from {discovery.cloudtrail_trail.describe()}", file=out)
        elif discovery.cloudtrail_trail_problem is not None:
            print(f"  cloudtrail from LookupEvents: {discovery.cloudtrail_trail_problem}", file=out)
        for scope, problem in discovery.problems:
            print(f"  discovery {scope}: {problem.status.value}: {problem.describe()}", file=out)
        return EXIT_OK if not discovery.problems else EXIT_INCOMPLETE
    assert store is not None
    progress = Progress(prepared, err)
    with store:
        try:
            manifest = execute(
                prepared, store, state=store, on_scope=progress, items_runner=items_runner(prepared)
            )
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
