"""The synthesized pipeline, deployed by CloudFormation onto the local AWS and executed by moto's Step
Functions interpreter (its Lambda tasks running the real handlers, see tests/e2e/pipeline_local.py), over a
seeded organization: what lands in S3 equals what the CLI collects from the same organization; the next
run continues from the checkpoints in S3; a real fault in one item fails that item, not the run's record of
every other scope."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
import pytest

from collector.cli.app import main as cli
from collector.models import ScopeKey
from collector.pipeline import layout
from collector.pipeline.jsonl import read_json_lines
from collector.services.cloudtrail.fetch import OVERLAP
from collector.store import SqliteStore
from constructs_lib.collector_pipeline import CustomerRoles
from local_aws.emulator.server import LocalAws
from local_aws.seed import (
    AccountSpec,
    CloudTrailSpec,
    OrganizationSpec,
    SeededOrganization,
    seed_organization,
)
from tests.e2e.pipeline_local import DeployedPipeline, deploy, execute, read_objects
from tests.local_env import point_at, role_trusting

pytestmark = [pytest.mark.e2e, pytest.mark.cdk]

CUSTOMER, BROKEN_CUSTOMER = "acme", "acme-broken"
EXTERNAL_ID = "Acme-External-1"
READER = "CollectorReader"  # the management account's integration role
MEMBER_ROLE = "OrganizationAccountAccessRole"
REGIONS = ("us-east-1", "eu-west-1")
LOOKBACK_DAYS = 30  # seeded events span 7 days: a 30-day window holds all of them in both runs
SPEC = OrganizationSpec(
    accounts=(AccountSpec("prod", ou="Production"), AccountSpec("dev", ou="Workloads")),
    regions=REGIONS,
    cloudtrail=CloudTrailSpec(events_per_account_region=20),
)
NOT_KINDS = {layout.SCOPES, layout.ITEMS}


@dataclass(frozen=True)
class Deployed:
    aws: LocalAws
    truth: SeededOrganization
    reader_arn: str
    pipeline: DeployedPipeline


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployed]:
    patch = pytest.MonkeyPatch()
    with LocalAws(load_aws_managed_policies=True) as aws:
        point_at(aws, patch)
        try:
            truth = seed_organization(aws, SPEC)
            reader_arn = role_trusting(READER, truth.organization.management_account_id)
            pipeline = deploy(aws, tmp_path_factory.mktemp("cdk"), CustomerRoles.named(READER, MEMBER_ROLE))
            for customer in (CUSTOMER, BROKEN_CUSTOMER):
                boto3.client("ssm").put_parameter(
                    Name=layout.external_id_parameter(layout.DEFAULT_PARAMETER_PREFIX, customer),
                    Value=EXTERNAL_ID,
                    Type="SecureString",
                )
            yield Deployed(aws, truth, reader_arn, pipeline)
        finally:
            patch.undo()


def _request(deployed: Deployed, customer: str) -> dict[str, Any]:
    return {
        "customer": customer,
        "role_arn": deployed.reader_arn,
        "organization": True,
        "member_role_name": MEMBER_ROLE,
        "regions": list(REGIONS),
        "cloudtrail_lookback_days": LOOKBACK_DAYS,
    }


def _run_objects(deployed: Deployed, run_id: str) -> dict[str, bytes]:
    return read_objects(deployed.pipeline.bucket, layout.run_prefix(run_id))


def _pipeline_rows(objects: dict[str, bytes], run_id: str) -> dict[str, list[str]]:
    """Every record line of the run, per kind, without the run ID, sorted."""
    rows: dict[str, list[str]] = {}
    prefix = layout.run_prefix(run_id)
    for key, body in objects.items():
        parts = key[len(prefix) :].split("/")
        if len(parts) == 2 and parts[0] not in NOT_KINDS:
            for line in read_json_lines(body):
                line.pop("run_id")
                rows.setdefault(parts[0], []).append(json.dumps(line, sort_keys=True))
    return {kind: sorted(lines) for kind, lines in rows.items()}


def _cli_rows(db: Path) -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {}
    with SqliteStore(db) as store:
        for kind, count in store.counts().items():
            if count:
                lines = []
                for row in store.rows(kind):
                    row.pop("run_id")
                    lines.append(json.dumps(row, sort_keys=True))
                rows[kind] = sorted(lines)
    return rows


def _own_roles(deployed: Deployed) -> set[str]:
    """The roles the two collections assume themselves: the integration role, each member role, and (the
    vendor sharing the emulator's default account with the management account) the pipeline's own roles."""
    members = {
        f"arn:aws:iam::{account}:role/{MEMBER_ROLE}" for account in deployed.truth.organization.account_ids
    }
    iam = boto3.client("iam")
    pipeline = {r["Arn"] for r in iam.list_roles()["Roles"] if r["RoleName"].startswith("CollectorPipeline-")}
    return {deployed.reader_arn, *members, *pipeline}


def _without_own_footprint(rows: dict[str, list[str]], own: set[str]) -> dict[str, list[str]]:
    """Each collection changes the last use of the roles it assumes, a minute apart: only those fields of
    only those roles are left out of the comparison."""
    kept = []
    for line in rows.get("roles", []):
        role = json.loads(line)
        if role["arn"] in own:
            role.pop("last_used_date")
            role.pop("last_used_region")
            role["raw"].pop("RoleLastUsed", None)
        kept.append(json.dumps(role, sort_keys=True))
    return {**rows, "roles": sorted(kept)} if "roles" in rows else rows


def test_the_pipeline_collects_what_the_cli_collects(deployed: Deployed, tmp_path: Path) -> None:
    execution = execute(deployed.pipeline.state_machine_arn, _request(deployed, CUSTOMER))
    assert execution.status == "SUCCEEDED", (execution.error, execution.cause)
    run_id = execution.output["run"]["run_id"]
    accounts = len(deployed.truth.organization.account_ids)
    assert execution.output["item_count"] == accounts * (1 + len(REGIONS))
    assert execution.output["manifest"]["complete"] is True
    objects = _run_objects(deployed, run_id)
    manifest = json.loads(objects[layout.manifest_key(run_id)])
    items = json.loads(objects[layout.items_key(run_id)])
    assert not any("external" in json.dumps(item).lower() for item in items)  # never in an item payload

    db = tmp_path / "cli.sqlite"
    out, err = io.StringIO(), io.StringIO()
    argv = [
        "collect",
        "--organization",
        "--role-arn",
        deployed.reader_arn,
        "--external-id",
        EXTERNAL_ID,
        "--member-role-name",
        MEMBER_ROLE,
        "--regions",
        ",".join(REGIONS),
        "--cloudtrail-lookback-days",
        str(LOOKBACK_DAYS),
        "--db",
        str(db),
    ]
    assert cli(argv, out=out, err=err) == 0, out.getvalue() + err.getvalue()

    own = _own_roles(deployed)
    pipeline_rows = _without_own_footprint(_pipeline_rows(objects, run_id), own)
    cli_rows = _without_own_footprint(_cli_rows(db), own)
    assert set(pipeline_rows) == set(cli_rows)
    for kind in cli_rows:
        assert pipeline_rows[kind] == cli_rows[kind], kind
    assert len(cli_rows["users"]) == deployed.truth.counts()["users"]

    with SqliteStore(db) as store:
        cli_scopes = {(s["account_id"], s["region"], s["service"]): s["status"] for s in store.scopes()}
        (cli_run,) = store.runs()
        cli_calls = store.api_calls(cli_run["run_id"])
    pipeline_scopes = {(s["account_id"], s["region"], s["service"]): s["status"] for s in manifest["scopes"]}
    assert pipeline_scopes == cli_scopes and set(pipeline_scopes.values()) == {"complete"}
    # The same calls, except AssumeRole: each Lambda assumes the roles it needs, the CLI once per role.
    pipeline_calls = {
        (c["account_id"], c["service"], c["operation"]): c["calls"]
        for c in manifest["api_calls"]
        if c["service"] != "sts"
    }
    assert pipeline_calls == {k: v for k, v in cli_calls.items() if k[1] != "sts"}

    # Every scope's status line is there for Athena, and the run is in the index.
    scope_lines = [k for k in objects if k.startswith(layout.kind_prefix(run_id, layout.SCOPES))]
    assert len(scope_lines) == len(pipeline_scopes)
    index = read_objects(deployed.pipeline.bucket, layout.index_key(run_id))
    assert read_json_lines(index[layout.index_key(run_id)])[0]["complete"] is True

    # The next run reads CloudTrail from the checkpoint the first one left in S3.
    management = deployed.truth.organization.management_account_id
    checkpoint = ScopeKey(management, "us-east-1", "cloudtrail")
    state = read_objects(deployed.pipeline.bucket, layout.state_key(CUSTOMER, checkpoint))
    mark = json.loads(state[layout.state_key(CUSTOMER, checkpoint)])["state"]["mark"]
    second = execute(deployed.pipeline.state_machine_arn, _request(deployed, CUSTOMER))
    assert second.status == "SUCCEEDED", (second.error, second.cause)
    second_id = second.output["run"]["run_id"]
    second_events = _pipeline_rows(_run_objects(deployed, second_id), second_id).get("cloudtrail_events", [])
    assert len(second_events) < len(pipeline_rows["cloudtrail_events"])
    window_start = _minus_overlap(mark)
    assert all(json.loads(e)["event_time"] >= window_start for e in second_events)


def _minus_overlap(mark: str) -> str:
    return (datetime.fromisoformat(mark) - OVERLAP).isoformat()


def test_a_real_fault_fails_its_item_and_the_manifest_still_has_every_scope(deployed: Deployed) -> None:
    # A corrupt checkpoint (not JSON) for one scope: reading it is a fault of the pipeline, not of AWS.
    management = deployed.truth.organization.management_account_id
    corrupt = ScopeKey(management, "eu-west-1", "cloudtrail")
    boto3.client("s3").put_object(
        Bucket=deployed.pipeline.bucket, Key=layout.state_key(BROKEN_CUSTOMER, corrupt), Body=b"{not json"
    )
    execution = execute(deployed.pipeline.state_machine_arn, _request(deployed, BROKEN_CUSTOMER))
    # moto's Distributed Map counts a failed child and goes on (it evaluates no tolerated-failure threshold),
    # so the run reaches Aggregate through the Map's success path; in AWS, 1 failed item of 12 exceeds the
    # 5% threshold, the Map fails and its Catch runs the same Aggregate (steps tested in
    # tests/collector/pipeline, the wiring in tests/constructs_lib).
    assert execution.status == "SUCCEEDED", execution
    assert execution.output["manifest"]["failed_items"] == [{"account_id": management, "unit": "eu-west-1"}]
    assert execution.output["manifest"]["complete"] is False

    (run_key,) = [
        k
        for k, body in read_objects(deployed.pipeline.bucket, layout.RUNS).items()
        if k.endswith("/run.json") and json.loads(body)["customer"] == BROKEN_CUSTOMER
    ]
    run_id = run_key.split("/")[1]
    objects = _run_objects(deployed, run_id)
    manifest = json.loads(objects[layout.manifest_key(run_id)])
    items = json.loads(objects[layout.items_key(run_id)])
    planned = {(i["account"]["account_id"], i["unit"], f) for i in items for f in i["fetchers"]}
    scopes = {(s["account_id"], s["region"], s["service"]): s for s in manifest["scopes"]}
    assert set(scopes) == planned  # no scope lost, none silently empty
    broken = scopes[(management, "eu-west-1", "cloudtrail")]
    assert broken["status"] == "failed" and "work item failed" in broken["detail"]
    # The broken item's first scope finished before the fault: its status line was salvaged.
    assert scopes[(management, "eu-west-1", "ec2")]["status"] == "complete"
    assert manifest["complete"] is False
    for key, scope in scopes.items():
        has_result = layout.item_key(run_id, key[0], key[1]) in objects
        assert scope["status"] == "complete" or not has_result, key  # finished items are complete
