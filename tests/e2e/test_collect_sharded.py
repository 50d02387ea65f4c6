"""Worker processes against the local AWS: ``collect --organization`` over a seeded organization stores the
same rows and the same statuses with one worker process per core as all in one process."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from collector.cli import collect as collect_command
from collector.cli.app import main as cli
from collector.runner import Prepared
from collector.shards import InProcesses
from collector.store import SqliteStore
from local_aws.emulator.server import LocalAws
from local_aws.seed import (
    AccountSpec,
    CloudTrailSpec,
    OrganizationSpec,
    SeededOrganization,
    seed_organization,
)
from tests.local_env import point_at, role_trusting

pytestmark = pytest.mark.e2e

READER = "CollectorReader"
MEMBER_ROLE = "OrganizationAccountAccessRole"
REGIONS = ("us-east-1", "eu-west-1")
SPEC = OrganizationSpec(
    accounts=(
        AccountSpec("prod", ou="Production"),
        AccountSpec("dev", ou="Workloads"),
        AccountSpec("sandbox"),
    ),
    regions=REGIONS,
    cloudtrail=CloudTrailSpec(events_per_account_region=20),
)


@dataclass(frozen=True)
class Seeded:
    truth: SeededOrganization
    reader_arn: str


@pytest.fixture(scope="module")
def seeded() -> Iterator[Seeded]:
    patch = pytest.MonkeyPatch()
    # Calls the collections make are not recorded as CloudTrail events: the second would read the first's.
    with LocalAws(load_aws_managed_policies=True, record_api_calls=False) as aws:
        point_at(aws, patch)
        try:
            truth = seed_organization(aws, SPEC)
            yield Seeded(truth, role_trusting(READER, truth.organization.management_account_id))
        finally:
            patch.undo()


def _collect(
    seeded: Seeded, db: Path, processes: int, workers: int | None = None
) -> tuple[dict[tuple[str, str, str], str], str]:
    out, err = io.StringIO(), io.StringIO()
    argv = ["collect", "--role-arn", seeded.reader_arn, "--external-id", "Sharded-1", "--organization"]
    argv += [
        "--member-role-name",
        MEMBER_ROLE,
        "--regions",
        ",".join(REGIONS),
        "--cloudtrail-lookback-days",
        "30",
    ]
    argv += ["--db", str(db), "--processes", str(processes)]
    code = cli([*argv, *(["--workers", str(workers)] if workers else [])], out=out, err=err)
    assert code == 0, out.getvalue() + err.getvalue()
    with SqliteStore(db) as store:
        statuses = {(s["account_id"], s["region"], s["service"]): s["status"] for s in store.scopes()}
    return statuses, out.getvalue()


def _rows(db: Path, own_roles: set[str]) -> dict[str, list[str]]:
    """Every row of every kind without the run ID, sorted; the roles the collection assumes change their
    last use with each run: only those fields of only those roles are left out."""
    rows: dict[str, list[str]] = {}
    with SqliteStore(db) as store:
        for kind, count in store.counts().items():
            if count:
                lines = []
                for row in store.rows(kind):
                    row.pop("run_id")
                    if kind == "roles" and row["arn"] in own_roles:
                        _forget_last_use(row)
                    lines.append(json.dumps(row, sort_keys=True))
                rows[kind] = sorted(lines)
    return rows


def _forget_last_use(role: dict[str, Any]) -> None:
    role.pop("last_used_date")
    role.pop("last_used_region")
    role["raw"].pop("RoleLastUsed", None)


def test_worker_processes_store_what_one_process_stores(
    seeded: Seeded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts = seeded.truth.organization.account_ids
    own = {seeded.reader_arn, *(f"arn:aws:iam::{a}:role/{MEMBER_ROLE}" for a in accounts)}
    runners: list[InProcesses | None] = []
    chosen = collect_command.items_runner

    def spy(prepared: Prepared) -> InProcesses | None:
        runners.append(chosen(prepared))
        return runners[-1]

    monkeypatch.setattr(collect_command, "items_runner", spy)
    alone, _ = _collect(seeded, tmp_path / "one.sqlite", processes=1, workers=1)  # one thread in all
    sharded, _ = _collect(seeded, tmp_path / "two.sqlite", processes=2)  # greenlets, 256 a process
    assert runners[0] is None and runners[1] is not None and runners[1].processes == 2
    assert sharded == alone
    assert set(alone.values()) <= {"complete", "skipped"} and len(accounts) == 4
    assert len({k[0] for k in alone}) == 4
    one, two = _rows(tmp_path / "one.sqlite", own), _rows(tmp_path / "two.sqlite", own)
    assert set(two) == set(one)
    for kind in one:
        assert two[kind] == one[kind], kind
    assert len(one["users"]) == seeded.truth.counts()["users"]
