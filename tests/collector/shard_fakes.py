"""Fake AWS for the worker-process tests: picklable and importable in a spawned worker (it is installed on
the worker's own botocore sessions), answering in-process like the benchmarks' synthetic account."""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks.synthetic_account import SyntheticAccount
from benchmarks.synthetic_iam import Shape
from collector import registry
from collector.discovery import Discovery
from collector.models import Account
from collector.plan import build_plan
from collector.runner import Prepared, new_sessions
from collector.settings import RunSettings
from local_aws.emulator import endpoint_guard

ACCOUNTS = ("111111111111", "222222222222", "333333333333", "444444444444")
REGIONS: tuple[str, ...] = ("us-east-1", "eu-west-1")
FETCHERS = ("iam", "ec2", "cloudtrail")
CRASH_EXIT = 3


def role(account_id: str) -> str:
    return f"arn:aws:iam::{account_id}:role/Reader"


class FakeAws:
    """The synthetic account's answers for every account. ``crash_on``: the process that assumes this role
    dies there (os._exit, no clean-up: as a crash or a kill would). ``stall``: every IAM call hangs."""

    def __init__(
        self,
        *,
        crash_on: str | None = None,
        stall: bool = False,
        events_per_region: int = 3,
        report_to: Path | None = None,
    ) -> None:
        self.account = SyntheticAccount(Shape.for_roles(4), events_per_region=events_per_region)
        self.crash_on = crash_on
        self.stall = stall
        self.report_to = report_to  # a folder: each process that installs the fake writes how it runs there

    def install(self, session: Any) -> None:
        endpoint_guard.install()  # (a worker process is a fresh interpreter: the tests' guard is not in it)
        if self.report_to is not None:
            self._report()
        # Before the synthetic account's own answers (handlers run in the order registered).
        for service in ("iam", "ec2", "cloudtrail"):  # (botocore runs the most specific names first)
            session.register(f"before-call.{service}", self._sign)
        session.register("before-call.sts", self._maybe_crash)
        if self.stall:
            session.register("before-call.iam", self._hang)
        self.account.install(session)

    def _report(self) -> None:
        """This process's program and whether gevent patched its sockets and threads, in a file of its own."""
        from gevent import monkey  # noqa: PLC0415 - (imports nothing it patches)

        assert self.report_to is not None
        spec = getattr(sys.modules["__main__"], "__spec__", None)
        patched = monkey.is_module_patched("socket") and monkey.is_module_patched("threading")
        line = f"{spec.name if spec else None} {patched}"
        (self.report_to / str(os.getpid())).write_text(line)

    @staticmethod
    def _sign(request_signer: Any, **_: Any) -> None:
        """What signing a real request does first: get the caller's credentials (assuming its role on first
        use). The synthetic answers come before botocore signs, so this fake asks for them itself."""
        credentials = request_signer._credentials
        if credentials is not None:
            credentials.get_frozen_credentials()

    def _maybe_crash(self, params: dict[str, Any], **_: Any) -> None:
        if self.crash_on is not None and (params.get("body") or {}).get("RoleArn") == self.crash_on:
            os._exit(CRASH_EXIT)

    @staticmethod
    def _hang(**_: Any) -> None:
        time.sleep(300)


def prepared(fake: FakeAws, *, run_id: str = "run-1", skip_unchanged_ec2: bool = False) -> Prepared:
    """Four accounts, two regions, IAM, EC2 and CloudTrail: planned without discovery (no call here)."""
    settings = RunSettings(
        role_arn=role(ACCOUNTS[0]),
        external_id="Shard-Test-1",
        fetchers=FETCHERS,
        api_rate=1e6,
        skip_unchanged_ec2=skip_unchanged_ec2,
    )
    accounts = tuple(Account(a, role(a)) for a in ACCOUNTS)
    regions = {a: REGIONS for a in ACCOUNTS}
    fetchers = registry.select(FETCHERS)
    sessions = new_sessions(settings, run_id, prepare_session=fake.install)
    plan = build_plan(accounts, fetchers, regions=regions, findings=skip_unchanged_ec2)
    return Prepared(run_id, settings, sessions, fetchers, Discovery(accounts, regions=regions), plan)


def offline_environment() -> None:
    for key in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_SESSION_TOKEN"):
        os.environ.pop(key, None)
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "AKIDSHARDS",
            "AWS_SECRET_ACCESS_KEY": "shards",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }
    )


def worker_pids() -> list[int]:
    """This process's children that run collector.worker_process."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            command = (stat.parent / "cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue  # (ended meanwhile)
        if ppid == os.getpid() and b"collector.worker_process" in command:
            found.append(int(stat.parent.name))
    return sorted(found)


def stalled_run() -> None:
    """A run whose two workers hang on their first IAM call: prints the workers' PIDs once they run, then
    waits (for the test's Ctrl-C)."""
    from collector.runner import execute  # noqa: PLC0415 - the child process's entry
    from collector.shards import InProcesses  # noqa: PLC0415
    from collector.store import SqliteStore  # noqa: PLC0415

    offline_environment()

    def announce() -> None:
        while len(workers := worker_pids()) < 2:
            time.sleep(0.05)
        time.sleep(1.0)  # (the workers have imported the collector and begun their items)
        print(f"WORKERS {' '.join(map(str, workers))}", flush=True)

    threading.Thread(target=announce, daemon=True).start()
    with tempfile.TemporaryDirectory() as tmp, SqliteStore(Path(tmp) / "stalled.sqlite") as store:
        fake = FakeAws(stall=True)
        execute(prepared(fake), store, items_runner=InProcesses(2, prepare_session=fake.install))
    sys.exit(0)
