"""``--skip-unchanged-ec2`` against the local AWS, whose every mutating call is a CloudTrail management
event: after a full run, a security group created in one region makes that region read fully (the group is
stored); the other regions read no EC2 listing and keep their rows and the run they came from."""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

import boto3
import pytest

from collector.cli.app import main
from collector.store import SqliteStore
from local_aws.emulator.server import LocalAws
from tests.e2e.iam_seed import TRUST

pytestmark = pytest.mark.e2e
ACCOUNT = "123456789012"  # moto's default account
REGIONS = ("eu-west-1", "us-east-1", "us-west-2")
CHANGED = "eu-west-1"


def _collect(db: Path, role: str, *extra: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    argv = ["collect", "--role-arn", role, "--external-id", "Customer-1", "--db", str(db)]
    code = main(
        [*argv, "--regions", ",".join(REGIONS), "--fetchers", "ec2,cloudtrail", *extra], out=out, err=err
    )
    assert code == 0, out.getvalue() + err.getvalue()


def _new_group(region: str) -> str:
    ec2 = boto3.client("ec2", region_name=region)
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    return str(
        ec2.create_security_group(GroupName="daily", Description="made between runs", VpcId=vpc)["GroupId"]
    )


def _ec2_calls(store: SqliteStore, run_id: str) -> int:
    return sum(n for (account, service, _), n in store.api_calls(run_id).items() if service == "ec2")


def test_only_the_region_with_an_ec2_change_is_read_again(local_aws: LocalAws, tmp_path: Path) -> None:
    role = boto3.client("iam").create_role(RoleName="Reader", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    db = tmp_path / "inv.sqlite"
    _collect(db, role)
    with SqliteStore(db) as store:
        groups_before = {(r["region"], r["group_id"], r["run_id"]) for r in store.rows("security_groups")}
    created = _new_group(CHANGED)
    time.sleep(1.1)  # (the next run's CloudTrail window ends at a whole second: after the event)

    _collect(db, role, "--skip-unchanged-ec2")

    with SqliteStore(db) as store:
        first, second = (r["run_id"] for r in store.runs())
        scopes = {s["region"]: s for s in store.scopes() if s["service"] == "ec2"}
        groups = {(r["region"], r["group_id"], r["run_id"]) for r in store.rows("security_groups")}
        calls = _ec2_calls(store, first), _ec2_calls(store, second)
    assert {s["status"] for s in scopes.values()} == {"complete"}
    read = scopes.pop(CHANGED)
    assert read["data_run_id"] == second, read
    assert read["detail"].startswith("refresh: full read: a write event in CloudTrail at"), read["detail"]
    assert (CHANGED, created, second) in groups
    for region, scope in scopes.items():  # unchanged: nothing read, the first run's rows kept
        assert scope["run_id"] == second and scope["data_run_id"] == first, region
        assert scope["detail"].startswith("refresh: unchanged: no EC2 write event in CloudTrail"), region
        kept = {g for g in groups_before if g[0] == region}
        assert kept and kept == {g for g in groups if g[0] == region}
    # One region of three read its listings again.
    assert 0 < calls[1] < calls[0] / 2, calls


def test_the_trail_s_log_files_tell_the_same(local_aws: LocalAws, tmp_path: Path) -> None:
    """With ``--cloudtrail-source s3``: the multi-region trail's files (delivered by the local AWS) vouch
    for the regions, the new group's file makes its region read again."""
    role = boto3.client("iam").create_role(RoleName="Reader", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    boto3.client("s3").create_bucket(Bucket="trail-logs")
    trail = boto3.client("cloudtrail")
    trail.create_trail(Name="everything", S3BucketName="trail-logs", IsMultiRegionTrail=True)
    selector: Any = {
        "Name": "management",
        "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}],
    }
    trail.put_event_selectors(TrailName="everything", AdvancedEventSelectors=[selector])
    trail.start_logging(Name="everything")
    local_aws.deliver_trail_logs()
    db = tmp_path / "inv.sqlite"
    _collect(db, role, "--cloudtrail-source", "s3")
    _new_group(CHANGED)
    local_aws.deliver_trail_logs()

    _collect(db, role, "--cloudtrail-source", "s3", "--skip-unchanged-ec2")

    with SqliteStore(db) as store:
        first, second = (r["run_id"] for r in store.runs())
        scopes = {(s["service"], s["region"]): s for s in store.scopes()}
    assert all("source: read" in scopes[("cloudtrail", region)]["detail"] for region in REGIONS)
    read = scopes[("ec2", CHANGED)]
    assert read["data_run_id"] == second and "full read: a write event" in read["detail"], read
    for region in set(REGIONS) - {CHANGED}:
        scope = scopes[("ec2", region)]
        assert scope["data_run_id"] == first and "unchanged: no EC2 write event" in scope["detail"], scope
