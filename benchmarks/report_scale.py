"""The report at scale: ``python -m benchmarks.report_scale --accounts 1000 --roles 100``.

Writes a synthetic organization's inventory through the real SQLite store (every kind this collector
declares: scopes with some problems, IAM users, keys and roles whose trust policies the store turns into
trust edges of every sort, Identity Center, snapshots with shares, CloudTrail events), then times the
``report`` command on it in its own process (read, model, render; its peak memory), and, where headless
Chromium is installed, the page's load: the browser's wall time to the DOM after the page's script ran, and
the script's own time. Prints one JSON line of figures; no assertion.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from collector.kinds import record_types
from collector.models import GLOBAL, Problem, Record, ScopeKey, ScopeStatus
from collector.sink import RunManifest, ScopeOutcome, ScopeResult
from collector.store import SqliteStore

REGIONS = ("us-east-1", "eu-west-1", "eu-central-1", "ap-southeast-2")
VENDOR, PARTNER = "999988887777", "444455556666"
STAMP = "2026-12-01T12:00:00+00:00"
KINDS = {k.KIND: k for k in record_types()}


def _records(kind: str, rows: list[dict[str, Any]]) -> list[Record]:
    """Records of ``kind`` if this collector declares it (fields it lacks are dropped), else none."""
    record = KINDS.get(kind)
    if record is None:
        return []
    names = {"account_id", "region", *record.columns()}
    return [record(**{k: v for k, v in row.items() if k in names}) for row in rows]


def _account_ids(count: int) -> list[str]:
    return [f"{100000000000 + i:012d}" for i in range(count)]


def _iam(account: str, roles: int, rng: random.Random, management: str) -> list[Record]:
    arn = f"arn:aws:iam::{account}"
    users = [f"user-{i}" for i in range(10)]
    out = _records("accounts", [{"account_id": account, "id": account, "alias": f"alias-{account[-4:]}"}])
    out += _records(
        "users",
        [
            {
                "account_id": account,
                "arn": f"{arn}:user/{u}",
                "name": u,
                "user_id": f"AIDA{account}{i}",
                "path": "/",
                "create_date": STAMP,
            }
            for i, u in enumerate(users)
        ],
    )
    out += _records(
        "access_keys",
        [
            {
                "account_id": account,
                "access_key_id": f"AKIA{account}{i:04d}",
                "user_name": u,
                "user_arn": f"{arn}:user/{u}",
                "status": "Active" if i % 4 else "Inactive",
                "create_date": f"202{i % 6}-0{1 + i % 9}-01T00:00:00+00:00",
                "last_used_date": None if i % 5 == 0 else "2026-11-01T00:00:00+00:00",
                "last_used_service": "s3",
            }
            for i, u in enumerate(users)
        ],
    )
    out += _records(
        "user_credentials",
        [
            {
                "account_id": account,
                "user_arn": f"{arn}:user/{u}",
                "user_name": u,
                "password_enabled": i % 2 == 0,
                "password_last_used": None,
                "password_last_changed": None,
                "mfa_active": i % 3 != 0,
                "report_generated": STAMP,
            }
            for i, u in enumerate(users)
        ],
    )
    role_rows = [
        {
            "account_id": account,
            "arn": f"{arn}:role/role-{i:05d}",
            "name": f"role-{i:05d}",
            "role_id": f"AROA{account}{i}",
            "path": "/",
            "create_date": STAMP,
            "trust_policy": _trust_policy(account, i, rng, management),
        }
        for i in range(roles)
    ]
    return out + _records("roles", role_rows)


def _trust_policy(account: str, i: int, rng: random.Random, management: str) -> dict[str, Any]:
    """Mostly AWS services and the account itself; some of the organization; the vendor (with its
    ExternalId); a few worth a look. The store derives ``role_trust_principals`` from these documents."""
    condition = None
    roll = rng.random()
    if i == 0:
        principal: Any = {"AWS": f"arn:aws:iam::{VENDOR}:role/Vendor"}
        condition = {"StringEquals": {"sts:ExternalId": "synthetic-external-id"}}
    elif i == 1:
        principal = {"Federated": f"arn:aws:iam::{account}:saml-provider/Okta"}
    elif roll < 0.002:
        principal = "*"
    elif roll < 0.005:
        principal = {"AWS": f"arn:aws:iam::{PARTNER}:root"}
    elif roll < 0.08:
        principal = {"AWS": f"arn:aws:iam::{management}:role/Admin"}
    elif roll < 0.35:
        principal = {"AWS": f"arn:aws:iam::{account}:root"}
    else:
        principal = {"Service": "lambda.amazonaws.com"}
    statement = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def _identity_center(management: str, accounts: list[str]) -> list[Record]:
    store = "d-1"
    users = [
        {
            "account_id": management,
            "identity_store_id": store,
            "user_id": f"u-{i}",
            "user_name": f"person{i}@example.com",
        }
        for i in range(200)
    ]
    groups = [
        {
            "account_id": management,
            "identity_store_id": store,
            "group_id": f"g-{i}",
            "display_name": f"team-{i}",
        }
        for i in range(20)
    ]
    members = [
        {
            "account_id": management,
            "identity_store_id": store,
            "membership_id": f"m-{i}",
            "group_id": f"g-{i % 20}",
            "user_id": f"u-{i}",
        }
        for i in range(200)
    ]
    sets = [
        {
            "account_id": management,
            "permission_set_arn": f"arn:ps/{i}",
            "instance_arn": "arn:sso",
            "name": f"Set{i}",
        }
        for i in range(10)
    ]
    assignments = [
        {
            "account_id": management,
            "permission_set_arn": f"arn:ps/{gi % 10}",
            "target_account_id": a,
            "principal_type": "GROUP",
            "principal_id": f"g-{gi}",
            "instance_arn": "arn:sso",
        }
        for gi in range(20)
        for a in accounts[gi::3]
    ]
    return (
        _records("identity_store_users", users)
        + _records("identity_store_groups", groups)
        + _records("identity_store_memberships", members)
        + _records("permission_sets", sets)
        + _records("account_assignments", assignments)
    )


def _ec2(account: str, region: str, rng: random.Random) -> list[Record]:
    snapshots = [
        {
            "account_id": account,
            "region": region,
            "snapshot_id": f"snap-{account}-{region}-{i}",
            "arn": "arn:snap",
            "volume_id": None,
            "state": "completed",
            "encrypted": bool(i % 2),
        }
        for i in range(5)
    ]
    shares = [
        {
            "account_id": account,
            "region": region,
            "snapshot_id": s["snapshot_id"],
            "grantee_type": "public",
            "grantee": "all",
        }
        for s in snapshots
        if rng.random() < 0.01
    ]
    return _records("ebs_snapshots", snapshots) + _records("snapshot_shares", shares)


def _events(account: str, region: str, count: int) -> list[Record]:
    return _records(
        "cloudtrail_events",
        [
            {
                "account_id": account,
                "region": region,
                "event_id": f"{account}-{region}-{i}",
                "event_time": f"2026-11-{1 + i % 28:02d}T{i % 24:02d}:00:00+00:00",
                "event_name": ("AssumeRole", "CreateUser", "PutRolePolicy")[i % 3],
                "event_source": "iam.amazonaws.com",
                "read_only": False,
                "principal_arn": f"arn:aws:iam::{account}:role/role-00001",
            }
            for i in range(count)
        ],
    )


def _scopes(
    accounts: list[str], roles: int, events: int, seed: int
) -> Iterator[tuple[ScopeResult, list[Record]]]:
    rng = random.Random(seed)
    management = accounts[0]
    for account in accounts:
        plan: list[tuple[str, str, list[Record]]] = [("iam", GLOBAL, _iam(account, roles, rng, management))]
        if account == management:
            plan.append(("identity_center", GLOBAL, _identity_center(management, accounts)))
            plan.append(
                (
                    "organizations",
                    GLOBAL,
                    _records(
                        "organization_accounts",
                        [
                            {
                                "account_id": management,
                                "id": a,
                                "arn": f"arn:acct/{a}",
                                "name": f"account-{a[-4:]}",
                                "email": "x@example.com",
                                "status": "ACTIVE",
                            }
                            for a in accounts
                        ],
                    ),
                )
            )
        for region in REGIONS:
            plan.append(("ec2", region, _ec2(account, region, rng)))
            plan.append(("cloudtrail", region, _events(account, region, events)))
        for service, region, records in plan:
            status = ScopeStatus.COMPLETE
            problems: tuple[Problem, ...] = ()
            if rng.random() < 0.02:
                status = ScopeStatus.DENIED
                problems = (Problem(status, "", "AccessDenied", f"{service}:Describe"),)
            yield (
                ScopeResult(ScopeKey(account, region, service), status, problems, len(records), STAMP, STAMP),
                records,
            )


def write_store(path: Path, accounts: int, roles: int, events: int) -> int:
    ids = _account_ids(accounts)
    results, rows = [], 0
    with SqliteStore(path) as store:
        store.start_run("run-1", STAMP, {"organization": True})
        for result, records in _scopes(ids, roles, events, seed=7):
            kinds = tuple({type(r) for r in records})
            store.write_scope("run-1", ScopeOutcome(result, tuple(records), kinds))
            results.append(result)
            rows += len(records)
        store.finish_run(RunManifest("run-1", STAMP, STAMP, {"organization": True}, tuple(results), ()))
    return rows


def browser_load(page: Path) -> dict[str, Any]:
    binary = shutil.which("chromium")
    if binary is None:
        return {"browser": "none installed"}
    with tempfile.TemporaryDirectory() as profile:
        began = time.monotonic()
        done = subprocess.run(
            [
                binary,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--dump-dom",
                page.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        wall = time.monotonic() - began
    found = done.stdout.split('data-rendered-ms="', 1)
    script_ms = int(found[1].split('"', 1)[0]) if len(found) == 2 else None
    return {"browser_wall_seconds": round(wall, 2), "script_ms": script_ms, "browser_exit": done.returncode}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--roles", type=int, default=100, help="roles per account")
    parser.add_argument("--events", type=int, default=50, help="CloudTrail events per account and region")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        db, page = Path(work) / "inventory.sqlite", Path(work) / "report.html"
        began = time.monotonic()
        rows = write_store(db, args.accounts, args.roles, args.events)
        seeded = time.monotonic() - began
        began = time.monotonic()
        done = subprocess.run(  # the command as a user runs it, in its own process
            [sys.executable, "-m", "collector", "report", "--db", str(db), "--out", str(page)],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        report_seconds = time.monotonic() - began
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # the only child so far
        figures = {
            "accounts": args.accounts,
            "roles": args.accounts * args.roles,
            "rows": rows,
            "db_mib": round(db.stat().st_size / 2**20, 1),
            "seed_seconds": round(seeded, 1),
            "report_exit": done.returncode,
            "report_seconds": round(report_seconds, 2),
            "peak_rss_mib": round(peak / 1024, 1),
            "page_mib": round(page.stat().st_size / 2**20, 2),
            **browser_load(page),
        }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
