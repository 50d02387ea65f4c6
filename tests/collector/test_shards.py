"""Worker processes (collector.shards), offline: the same store as one process, a crashed worker loses
nothing of the others (and none of its own scopes goes missing), Ctrl-C stops every worker."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from collector.models import GLOBAL, Account, ApiCallCount, ScopeKey
from collector.plan import WorkItem
from collector.runner import RECORDS_PER_WRITE, execute
from collector.shards import WORKER_EXIT, InProcesses, split
from collector.sink import RunManifest
from collector.store import SqliteStore
from tests.collector import shard_fakes
from tests.collector.shard_fakes import ACCOUNTS, FakeAws, prepared, role

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _offline(offline_aws: None) -> None:
    pass


def _collect(db: Path, fake: FakeAws, runner: InProcesses | None) -> RunManifest:
    with SqliteStore(db) as store:
        return execute(prepared(fake), store, state=store, items_runner=runner)


def _rows(db: Path, accounts: set[str] | None = None) -> dict[str, list[str]]:
    """Every stored row of every kind, without the run ID, sorted (of ``accounts`` only, if given). The
    fake's credential report says when it was generated (now): that time is left out."""
    rows: dict[str, list[str]] = {}
    with SqliteStore(db) as store:
        for kind, count in store.counts().items():
            if count:
                lines = []
                for row in store.rows(kind):
                    row.pop("run_id")
                    if kind == "user_credentials":
                        row.pop("report_generated")
                    if accounts is None or row["account_id"] in accounts:
                        lines.append(json.dumps(row, sort_keys=True, default=str))
                rows[kind] = sorted(lines)
    return rows


REPORT = {"GenerateCredentialReport", "GetCredentialReport"}


def _call(c: ApiCallCount) -> tuple[str, str, str]:
    return (c.account_id, c.service, c.operation)


def _statuses(manifest: RunManifest) -> dict[tuple[str, str, str], str]:
    return {(s.scope.account_id, s.scope.region, s.scope.service): s.status.value for s in manifest.scopes}


def test_split_keeps_an_account_whole_balances_and_keeps_plan_order() -> None:
    def items(account: str, units: int) -> list[WorkItem]:
        return [WorkItem(Account(account, role(account)), f"unit-{u}", ("ec2",)) for u in range(units)]

    plan = [*items("a", 1), *items("b", 3), *items("c", 2), *items("d", 2)]
    shares = split(plan, 2)
    assert [len(s) for s in shares] == [4, 4]
    for share in shares:
        assert [plan.index(i) for i in share] == sorted(plan.index(i) for i in share)
    owners = [{i.account.account_id for i in share} for share in shares]
    assert owners[0].isdisjoint(owners[1]) and owners[0] | owners[1] == {"a", "b", "c", "d"}
    assert len(split(plan[:1], 8)) == 1  # never more shares than accounts
    assert split([], 4) == []


def test_worker_processes_store_exactly_what_one_process_stores(tmp_path: Path) -> None:
    fake = FakeAws()
    alone = _collect(tmp_path / "one.sqlite", fake, None)
    sharded = _collect(tmp_path / "two.sqlite", fake, InProcesses(2, prepare_session=fake.install))
    assert _statuses(sharded) == _statuses(alone)
    assert set(_statuses(alone).values()) == {"complete"}
    assert _rows(tmp_path / "two.sqlite") == _rows(tmp_path / "one.sqlite")
    assert _rows(tmp_path / "one.sqlite")["users"]  # (something was collected)
    # The calls made in the workers reach the manifest (each role assumed once, in its worker). (The fake
    # has one credential report for every account of a process: whose run generates it differs.)
    calls, expected = (
        {_call(c): c.calls for c in m.api_calls if _call(c)[2] not in REPORT} for m in (sharded, alone)
    )
    assert calls == expected
    assert all(calls[(a, "sts", "AssumeRole")] == 1 for a in ACCOUNTS)


def test_worker_processes_run_their_items_as_greenlets_and_this_process_keeps_its_threads(
    tmp_path: Path,
) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    fake = FakeAws(report_to=reports)
    manifest = _collect(tmp_path / "two.sqlite", fake, InProcesses(2, prepare_session=fake.install))
    assert {s.status.value for s in manifest.scopes} == {"complete"}
    workers = {int(p.name): p.read_text() for p in reports.iterdir() if int(p.name) != os.getpid()}
    assert sorted(workers.values()) == ["collector.worker_process True"] * 2
    assert not (reports / str(os.getpid())).exists() or "False" in (reports / str(os.getpid())).read_text()


def test_worker_processes_send_a_scope_s_append_only_parts_before_its_outcome(tmp_path: Path) -> None:
    """More CloudTrail events per scope than one part (collector.runner.RECORDS_PER_WRITE): the parts
    travel from the workers to this process's store, which ends as one process's does."""
    fake = FakeAws(events_per_region=RECORDS_PER_WRITE + 7)
    alone = _collect(tmp_path / "one.sqlite", fake, None)
    sharded = _collect(tmp_path / "two.sqlite", fake, InProcesses(2, prepare_session=fake.install))
    assert _statuses(sharded) == _statuses(alone)
    assert set(_statuses(alone).values()) == {"complete"}
    counts = {s.scope: s.record_count for s in sharded.scopes if s.scope.service == "cloudtrail"}
    assert counts == {s.scope: s.record_count for s in alone.scopes if s.scope.service == "cloudtrail"}
    assert min(counts.values()) > RECORDS_PER_WRITE
    one, two = _rows(tmp_path / "one.sqlite"), _rows(tmp_path / "two.sqlite")
    assert two == one and len(one["cloudtrail_events"]) == sum(counts.values())


def test_worker_processes_skip_unchanged_ec2_as_one_process_does(tmp_path: Path) -> None:
    """``--skip-unchanged-ec2`` (no EC2 write in CloudTrail): the second run's EC2 scopes read nothing and
    keep the first run's rows, data run and their state, whichever path ran them (the outcome's
    ``unchanged`` crosses the worker pipe)."""
    fake = FakeAws(events_per_region=0)
    for name, runner in (("one", None), ("two", InProcesses(2, prepare_session=fake.install))):
        db = tmp_path / f"{name}.sqlite"
        _collect(db, fake, runner)
        with SqliteStore(db) as store:
            first = store.read_state(ScopeKey(ACCOUNTS[1], "eu-west-1", "ec2"))
            manifest = execute(
                prepared(fake, run_id="run-2", skip_unchanged_ec2=True),
                store,
                state=store,
                items_runner=runner,
            )
            second = store.read_state(ScopeKey(ACCOUNTS[1], "eu-west-1", "ec2"))
            ec2 = [s for s in store.scopes() if s["service"] == "ec2"]
            kept = {r["run_id"] for r in store.rows("ec2_account_settings")}
        assert set(_statuses(manifest).values()) == {"complete"}
        assert len(ec2) == len(ACCOUNTS) * 2
        assert all(s["run_id"] == "run-2" and s["data_run_id"] == "run-1" for s in ec2), ec2
        assert all(s["detail"].startswith("refresh: unchanged: no EC2 write event") for s in ec2)
        assert kept == {"run-1"}  # the rows of the first run are still there
        # Written again (CloudTrail vouches up to 15 minutes ago only: the mark stays where the read set it).
        assert second == first and set(second) == {"full_read_at", "current_through"}
        assert not [c for c in manifest.api_calls if c.service == "ec2"]  # no EC2 call at all
    assert _rows(tmp_path / "two.sqlite") == _rows(tmp_path / "one.sqlite")


def test_a_crashed_worker_loses_nothing_of_the_others_and_no_scope_goes_missing(tmp_path: Path) -> None:
    fake = FakeAws()
    alone = _collect(tmp_path / "one.sqlite", fake, None)
    victim = ACCOUNTS[2]  # dealt to the first worker, with ACCOUNTS[0]
    crashing = FakeAws(crash_on=role(victim))
    crashing.account.now = fake.account.now  # (its CloudTrail events at the same times)
    manifest = _collect(tmp_path / "crash.sqlite", crashing, InProcesses(2, prepare_session=crashing.install))

    statuses = _statuses(manifest)
    assert set(statuses) == set(_statuses(alone))  # every planned scope, once
    survivors = {ACCOUNTS[1], ACCOUNTS[3]}
    assert {k: v for k, v in statuses.items() if k[0] in survivors} == {
        k: v for k, v in _statuses(alone).items() if k[0] in survivors
    }
    assert _rows(tmp_path / "crash.sqlite", survivors) == _rows(tmp_path / "one.sqlite", survivors)
    lost = [s for s in manifest.scopes if s.scope.account_id == victim]
    assert lost and all(s.status.value == "failed" for s in lost)
    assert all(s.problems[0].error_code == WORKER_EXIT for s in lost)
    assert f"exit code {shard_fakes.CRASH_EXIT}" in lost[0].detail
    with SqliteStore(tmp_path / "crash.sqlite") as store:
        stored = {(s["account_id"], s["region"], s["service"]): s["status"] for s in store.scopes()}
    assert stored == statuses
    assert (victim, GLOBAL, "iam") in stored


def test_ctrl_c_stops_every_worker(tmp_path: Path) -> None:
    run = subprocess.Popen(
        [sys.executable, "-c", "from tests.collector.shard_fakes import stalled_run; stalled_run()"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    try:
        assert run.stdout is not None
        line = run.stdout.readline()
        assert line.startswith("WORKERS "), line + run.stderr.read() if run.stderr else line
        workers = [int(pid) for pid in line.split()[1:]]
        assert len(workers) == 2 and all(_alive(pid) for pid in workers)
        os.killpg(run.pid, signal.SIGINT)  # what Ctrl-C sends: the whole foreground group
        run.wait(timeout=30)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in workers)
        assert run.returncode != 0
    finally:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()


def _alive(pid: int) -> bool:
    """Running (not ended, not a zombie waiting to be reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in {"Z", "X"}
