"""EC2 and CloudTrail against the local AWS (moto plus its LookupEvents emulation): counts equal the seeded
ground truth in two regions, instances link to IAM roles, the high-water mark across runs, a throttled
page retried, and the catalog proven in both directions under IAM enforcement."""

from __future__ import annotations

import io
import json
import math
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
import pytest

from collector import aws as collector_aws
from collector.cli.app import main
from collector.models import ScopeKey
from collector.permissions import Feature, permissions_for
from collector.runner import execute, prepare
from collector.services.cloudtrail import fetch as cloudtrail
from collector.services.cloudtrail.parse import parse_mark
from collector.services.ec2 import fetch as ec2
from collector.services.ec2 import listings
from collector.settings import RunSettings
from collector.store import SqliteStore
from local_aws.emulator.server import LocalAws
from local_aws.seed import (
    CloudTrailSpec,
    Ec2Spec,
    IamSpec,
    cloudtrail_snapshot,
    management_session,
    peer_vpcs,
    seed_cloudtrail,
    seed_ec2,
    seed_iam,
)
from local_aws.seed.truth import CloudTrailTruth, Ec2RegionTruth
from tests.e2e.iam_seed import TRUST

pytestmark = pytest.mark.e2e
ACCOUNT = "123456789012"  # moto's default account
REGIONS = ("us-east-1", "eu-west-1")
EC2_KINDS = (
    "vpcs",
    "subnets",
    "security_groups",
    "security_group_rules",
    "ec2_instances",
    "network_interfaces",
    "route_tables",
    "internet_gateways",
    "nat_gateways",
)


def _cli(*argv: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue() + err.getvalue()


def _collect(db: Path, role: str, *extra: str) -> None:
    code, output = _cli("collect", "--role-arn", role, "--external-id", "Customer-1", "--db", str(db), *extra)
    assert code == 0, output


def _seed_two_regions(local_aws: LocalAws, events_per_region: int) -> tuple[list[Ec2RegionTruth], Any]:
    account = management_session(local_aws.endpoint_url)
    iam = seed_iam(account, IamSpec(aws_managed_policies=()))
    profile = iam.instance_profiles[0]
    first, second = (
        seed_ec2(account, region, Ec2Spec(), instance_profile_arn=profile, vpc_offset=index)
        for index, region in enumerate(REGIONS)
    )
    created = [sorted(set(t.vpcs) - {t.default_vpc_id})[0] for t in (first, second)]
    peering = peer_vpcs(account, (first.region, created[0]), (second.region, created[1]))
    ec2 = [first.with_peering(peering), second.with_peering(peering)]
    spec = CloudTrailSpec(events_per_account_region=events_per_region)
    seeded = seed_cloudtrail(local_aws, spec, [iam], ec2, REGIONS)
    return ec2, seeded


def _events_by_region(store: SqliteStore) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for row in store.rows("cloudtrail_events"):
        found[row["region"]].add(row["event_id"])
    return found


def _lookups(store: SqliteStore, run_id: str) -> int:
    return store.api_calls(run_id).get((ACCOUNT, "cloudtrail", "LookupEvents"), 0)


def test_two_regions_equal_the_seeded_ground_truth_and_the_mark_carries_over(
    local_aws: LocalAws, tmp_path: Path
) -> None:
    ec2_truth, seeded = _seed_two_regions(local_aws, events_per_region=120)
    role = boto3.client("iam").create_role(RoleName="Reader", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    events_truth = cloudtrail_snapshot(local_aws, [ACCOUNT], REGIONS, seeded)
    db = tmp_path / "inv.sqlite"
    regions = ["--regions", ",".join(REGIONS), "--fetchers", "iam,ec2,cloudtrail"]

    _collect(db, role, *regions, "--cloudtrail-lookback-days", "90")

    code, output = _cli("summary", "--db", str(db), "--json")
    assert code == 0, output
    summary = json.loads(output)
    counts = summary["counts"]
    for kind in EC2_KINDS:
        assert counts[kind] == sum(t.counts()[kind] for t in ec2_truth), kind
    assert counts["vpc_peering_connections"] == 1  # listed by both regions, kept once
    assert {s["status"] for s in summary["scopes"]} == {"complete"}

    with SqliteStore(db) as store:
        instances = list(store.rows("ec2_instances"))
        profiles = {r["arn"]: r for r in store.rows("instance_profiles")}
        roles = {r["name"]: r["arn"] for r in store.rows("roles")}
        by_region = _events_by_region(store)
        (run,) = store.runs()
        first_lookups = _lookups(store, run["run_id"])
        first_marks = {r: _mark(store, r) for r in REGIONS}

    # Every instance links through its profile to the EC2 role of the IAM inventory.
    expected_profiles = {i: arn for t in ec2_truth for i, arn in t.instance_profiles.items()}
    assert {r["instance_id"]: r["instance_profile_arn"] for r in instances} == expected_profiles
    for row in instances:
        assert profiles[row["instance_profile_arn"]]["role_arns"] == [roles["app-server"]]

    # Every event LookupEvents can return, once, in its own region (IAM and STS ones in us-east-1 only).
    for region in REGIONS:
        assert by_region[region] == _until(local_aws, events_truth, region, first_marks[region]), region
    pages = sum(math.ceil(len(events_truth.visible[(ACCOUNT, r)]) / cloudtrail.PAGE_SIZE) for r in REGIONS)
    assert first_lookups == pages  # 50 events a page, each page read once

    # Later: new activity in both regions; the next run reads from the mark minus the overlap only.
    boto3.client("iam").create_user(UserName="newcomer")
    boto3.client("ec2", region_name="eu-west-1").create_security_group(GroupName="late", Description="d")
    later_truth = cloudtrail_snapshot(local_aws, [ACCOUNT], REGIONS, seeded)
    _collect(db, role, *regions)

    with SqliteStore(db) as store:
        by_region = _events_by_region(store)
        second_lookups = _lookups(store, store.runs()[-1]["run_id"])
        read = {s["region"]: s["record_count"] for s in store.scopes() if s["service"] == "cloudtrail"}
        second_marks = {r: _mark(store, r) for r in REGIONS}
    for region in REGIONS:
        # The store holds each event once: the first run's, the overlap read again, and the new ones.
        assert by_region[region] == _until(local_aws, later_truth, region, second_marks[region]), region
        start, end = first_marks[region] - cloudtrail.OVERLAP, second_marks[region]
        window = [e for e in local_aws.cloudtrail_events(ACCOUNT, region) if start <= e.event_time <= end]
        assert read[region] == len(window), region
        assert second_marks[region] > first_marks[region]
    assert second_lookups < first_lookups


def _until(local_aws: LocalAws, truth: CloudTrailTruth, region: str, end: datetime) -> set[str]:
    """The visible events up to a run's window end (its mark): the window ends at the whole second before
    the run started, so events of that last second are the next run's."""
    visible = set(truth.visible[(ACCOUNT, region)])
    return {
        e.event_id
        for e in local_aws.cloudtrail_events(ACCOUNT, region)
        if e.event_id in visible and e.event_time <= end
    }


def _mark(store: SqliteStore, region: str) -> datetime:
    state = store.read_state(ScopeKey(ACCOUNT, region, "cloudtrail"))
    return parse_mark(state[cloudtrail.MARK])


def test_a_throttled_page_is_retried_until_every_event_is_read(
    local_aws: LocalAws, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client ten times faster than LookupEvents allows: the emulator throttles, botocore retries the same
    page, and no event is lost (the collector's own pacing would not let this happen)."""
    account = management_session(local_aws.endpoint_url)
    iam = seed_iam(account, IamSpec(users=("alice",), roles=(), aws_managed_policies=()))
    seeded = seed_cloudtrail(
        local_aws, CloudTrailSpec(events_per_account_region=400), [iam], [], ["eu-west-1"]
    )
    truth = cloudtrail_snapshot(local_aws, [ACCOUNT], ["eu-west-1"], seeded)
    role = boto3.client("iam").create_role(RoleName="Reader", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    monkeypatch.setattr(collector_aws, "KNOWN_API_RATES", {"cloudtrail:LookupEvents": 20.0})
    settings = RunSettings(
        role_arn=role,
        external_id="Customer-1",
        regions=("eu-west-1",),
        fetchers=("cloudtrail",),
        cloudtrail_lookback_days=90,
    )

    with SqliteStore(tmp_path / "inv.sqlite") as store:
        manifest = execute(prepare(settings), store, state=store)
        collected = _events_by_region(store)["eu-west-1"]

    assert manifest.complete, [s.detail for s in manifest.scopes]
    visible = truth.visible[(ACCOUNT, "eu-west-1")]
    assert collected == set(visible)
    (lookups,) = [c for c in manifest.api_calls if c.operation == "LookupEvents"]
    assert lookups.throttled > 0  # the emulator did throttle the over-eager client
    assert lookups.calls == math.ceil(len(visible) / cloudtrail.PAGE_SIZE)  # and no page was skipped


def _policy(*actions: str) -> str:
    statement = {"Effect": "Allow", "Action": list(actions), "Resource": "*"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def test_every_enabled_region_under_iam_enforcement_proves_the_catalog_both_ways(
    local_aws: LocalAws, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The role holds exactly the catalog's EC2 and CloudTrail actions: every region completes (so nothing
    undeclared is needed), every declared action is called, and opt-in regions not enabled are skipped."""
    iam = boto3.client("iam")
    vendor = iam.create_user(UserName="vendor")["User"]["Arn"]
    key = iam.create_access_key(UserName="vendor")["AccessKey"]
    iam.put_user_policy(UserName="vendor", PolicyName="assume", PolicyDocument=_policy("sts:AssumeRole"))
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": vendor}, "Action": "sts:AssumeRole"}],
    }
    role = iam.create_role(RoleName="Reader", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    declared = permissions_for([Feature.EC2, Feature.CLOUDTRAIL])
    iam.put_role_policy(
        RoleName="Reader", PolicyName="read", PolicyDocument=_policy(*(p.action for p in declared))
    )
    # moto lists every partition's regions; the account's are the commercial ones.
    listed = boto3.client("ec2").describe_regions(AllRegions=True)["Regions"]
    regions = [r for r in listed if ec2.region_partition(r["RegionName"]) == "aws"]
    not_enabled = {r["RegionName"] for r in regions if r["OptInStatus"] == "not-opted-in"}
    enabled = {r["RegionName"] for r in regions} - not_enabled
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    local_aws.enforce_iam(True)
    db = tmp_path / "inv.sqlite"

    _collect(db, role, "--fetchers", "ec2,cloudtrail", "--workers", "16")

    with SqliteStore(db) as store:
        scopes = store.scopes()
        calls = store.api_calls(store.runs()[0]["run_id"])
        vpcs = {r["region"] for r in store.rows("vpcs")}
    skipped = {s["region"] for s in scopes if s["status"] == "skipped"}
    complete = {s["region"] for s in scopes if s["status"] == "complete"}
    assert not_enabled and skipped == not_enabled
    assert len(listed) > len(regions) and complete == enabled == vpcs  # a default VPC in each
    assert {s["status"] for s in scopes} == {"complete", "skipped"}
    made = {f"{service}:{operation}" for (_, service, operation) in calls} - {"sts:AssumeRole"}
    # Nothing is seeded, so the follow-ups of listings that list nothing (a snapshot's shares, a template's
    # versions...) are never made: test_collect_ec2_resources proves those, with everything seeded. Likewise
    # GetEventSelectors, called only for a trail that DescribeTrails lists (test_cloudtrail_from_s3.py).
    follow_ups = {f"ec2:{listings.api_name(d.details.call.operation)}" for d in listings.DETAILED}
    assert made == {p.api for p in declared} - follow_ups - {"cloudtrail:GetEventSelectors"}
