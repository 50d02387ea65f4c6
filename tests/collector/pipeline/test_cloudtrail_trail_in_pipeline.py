"""The pipeline finds the trail as the CLI does: its discover step chooses the organization trail
(DescribeTrails, GetEventSelectors, a listing through the log-archive account's role) and hands it to every
collect step in the run state, so that ``cloudtrail_source`` s3 and auto read the trail's log files there
too, and store the very events the CLI stores. On the local AWS, with the emulator's trail delivery."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from collector.cli.app import main as collector
from collector.pipeline import layout, steps
from collector.pipeline.jsonl import read_json_lines
from collector.pipeline.objects import MemoryObjects
from collector.services.cloudtrail.records import CloudTrailEvent
from collector.store import SqliteStore
from local_aws.emulator.cloudtrail.events import ManagementEvent, Resource
from local_aws.emulator.server import LocalAws
from local_aws.seed import (
    AccountSpec,
    OrganizationSpec,
    create_organization,
    management_session,
    seed_organization_trail,
)

pytestmark = pytest.mark.e2e

EXTERNAL_ID = "Trail-Pipeline-1"
REGIONS = ("us-east-1", "eu-west-1")
ROLE = "arn:aws:iam::{}:role/OrganizationAccountAccessRole"

Events = dict[tuple[str, str], set[str]]


def _events(accounts: list[str], per_place: int) -> list[ManagementEvent]:
    now = datetime.now(UTC).replace(microsecond=0)
    return [
        ManagementEvent.create(
            account_id=account,
            region=region,
            event_name="RunInstances",
            event_source="ec2.amazonaws.com",
            event_time=now,
            resources=[Resource("AWS::EC2::Instance", f"i-{i:017x}")],
        )
        for account in accounts
        for region in REGIONS
        for i in range(per_place)
    ]


def _pipeline(request: dict[str, Any]) -> tuple[dict[str, Any], Events, list[dict[str, Any]], dict[str, int]]:
    """discover, then collect each item with the run state as Step Functions passes it (JSON); the run,
    the stored events, the scope results and the API calls (by account:service:operation)."""
    objects = MemoryObjects()
    env = steps.StepEnv(objects, lambda customer: EXTERNAL_ID)
    out = steps.discover({"request": request, "execution": "arn:x"}, env)
    run = json.loads(json.dumps(out["run"]))
    scopes: list[dict[str, Any]] = []
    calls: dict[str, int] = {}
    for item in json.loads(objects.get(out["items_key"]) or b""):
        steps.collect({"item": item, "run": run}, env)
        manifest = json.loads(
            objects.get(layout.item_key(run["run_id"], item["account"]["account_id"], item["unit"])) or b""
        )
        scopes.extend(manifest["scopes"])
        for call in manifest["api_calls"]:
            name = f"{call['account_id']}:{call['service']}:{call['operation']}"
            calls[name] = calls.get(name, 0) + call["calls"]
    stored: Events = {}
    for key in objects.keys(layout.kind_prefix(run["run_id"], CloudTrailEvent.KIND)):
        for row in read_json_lines(objects.get(key) or b""):
            stored.setdefault((row["account_id"], row["region"]), set()).add(row["event_id"])
    return run, stored, scopes, calls


def _cli(argv: list[str], db: Path) -> Events:
    out, err = io.StringIO(), io.StringIO()
    assert collector([*argv, "--db", str(db)], out=out, err=err) == 0, out.getvalue() + err.getvalue()
    with SqliteStore(db) as store:
        rows = list(store.rows(CloudTrailEvent.KIND))
    stored: Events = {}
    for row in rows:
        stored.setdefault((row["account_id"], row["region"]), set()).add(row["event_id"])
    return stored


def test_the_pipeline_reads_the_trails_files_like_the_cli(local_aws: LocalAws, tmp_path: Path) -> None:
    management = management_session(local_aws.endpoint_url)
    org = create_organization(management, OrganizationSpec(accounts=(AccountSpec("log-archive"),)))
    log_archive = next(a.id for a in org.accounts if a.name == "log-archive")
    accounts = [org.management_account_id, log_archive]
    trail = seed_organization_trail(management, log_archive)
    local_aws.seed_cloudtrail_events(_events(accounts, 4))
    delivery = local_aws.deliver_trail_logs()
    truth: Events = {
        (a, r): {e.event_id for e in local_aws.cloudtrail_events(a, r)} for a in accounts for r in REGIONS
    }
    assert all(truth.values())

    request: dict[str, Any] = {
        "customer": "acme",
        "role_arn": ROLE.format(org.management_account_id),
        "organization": True,
        "regions": list(REGIONS),
        "fetchers": ["cloudtrail"],
        "log_archive_account_id": log_archive,
    }
    argv = [
        "collect",
        "--organization",
        "--role-arn",
        request["role_arn"],
        "--external-id",
        EXTERNAL_ID,
        "--regions",
        ",".join(REGIONS),
        "--fetchers",
        "cloudtrail",
        "--log-archive-account-id",
        log_archive,
    ]
    for source in ("s3", "auto"):
        run, stored, scopes, calls = _pipeline({**request, "cloudtrail_source": source})
        assert run[steps.TRAIL]["trail_arn"] == trail.trail_arn, source
        assert run[steps.TRAIL]["reader_role_arn"] == ROLE.format(log_archive)
        assert {s["status"] for s in scopes} == {"complete"}, scopes
        assert len(scopes) == len(accounts) * len(REGIONS)
        assert all("from s3://" in (s["detail"] or "") for s in scopes), scopes
        # Every file read through the log-archive account's role; LookupEvents not called at all.
        assert calls[f"{log_archive}:s3:GetObject"] == delivery["logFiles"]
        assert not [c for c in calls if c.endswith(":LookupEvents")]
        cli = _cli([*argv, "--cloudtrail-source", source], tmp_path / f"{source}.sqlite")
        assert stored == cli == truth, source


def test_without_a_trail_s3_fails_each_scope_with_the_reason_and_auto_reads_lookup_events(
    local_aws: LocalAws,
) -> None:
    management = management_session(local_aws.endpoint_url)
    account = management.account_id
    local_aws.seed_cloudtrail_events(_events([account], 3))
    request: dict[str, Any] = {
        "customer": "acme",
        "role_arn": ROLE.format(account),
        "regions": list(REGIONS),
        "fetchers": ["cloudtrail"],
    }
    run, stored, scopes, calls = _pipeline({**request, "cloudtrail_source": "s3"})
    assert run[steps.TRAIL] is None and "no trail" in run[steps.TRAIL_PROBLEM]
    assert {s["status"] for s in scopes} == {"failed"}
    assert all(run[steps.TRAIL_PROBLEM] in s["detail"] for s in scopes), scopes
    assert stored == {}

    run, stored, scopes, calls = _pipeline({**request, "cloudtrail_source": "auto"})
    assert {s["status"] for s in scopes} == {"complete"}
    assert stored == {
        (account, r): {e.event_id for e in local_aws.cloudtrail_events(account, r)} for r in REGIONS
    }
    assert calls[f"{account}:cloudtrail:LookupEvents"] >= len(REGIONS)
