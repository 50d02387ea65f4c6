"""EC2 resources, shares, settings and the wider network against the local AWS (moto and its EC2 emulations):
two seeded regions and one left as AWS makes it, collected by a role that holds exactly the policy the
constructs deploy, under IAM enforcement. Counts, shares, endpoint policies, allowed principals and settings
equal the seeded truth; the per-resource calls are made once per resource that exists, and nowhere else."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path
from typing import Any

import boto3
import pytest

from collector.cli.app import main
from collector.permissions import Feature
from collector.services.ec2 import listings
from collector.services.ec2.parse_resources import SETTINGS
from collector.store import SqliteStore
from constructs_lib import policies
from local_aws.demo.summary import render_summary
from local_aws.emulator.server import LocalAws
from local_aws.seed import Ec2Spec, IamSpec, management_session, seed_ec2, seed_iam
from local_aws.seed.ec2_resources import seed_ec2_resources
from local_aws.seed.truth import Ec2RegionTruth, Grant

pytestmark = pytest.mark.e2e
ACCOUNT = "123456789012"  # moto's default account
SEEDED = ("us-east-1", "eu-west-1")
UNTOUCHED = "ap-southeast-2"  # only what AWS creates in every region: no follow-up call may be made there
ORGANIZATION = f"arn:aws:organizations::{ACCOUNT}:organization/o-exampleorg1"
OU = f"arn:aws:organizations::{ACCOUNT}:ou/o-exampleorg1/ou-ab12-cdef3456"
NEW_KINDS = (
    "ebs_volumes",
    "ebs_snapshots",
    "snapshot_shares",
    "images",
    "image_shares",
    "key_pairs",
    "launch_templates",
    "elastic_ips",
    "ec2_account_settings",
    "network_acls",
    "vpc_endpoints",
    "vpc_endpoint_services",
    "transit_gateways",
    "transit_gateway_attachments",
    "egress_only_internet_gateways",
    "managed_prefix_lists",
    "flow_logs",
    "vpn_gateways",
    "customer_gateways",
    "vpn_connections",
    "instance_connect_endpoints",
)


def _seed() -> list[Ec2RegionTruth]:
    account = management_session(boto3.client("ec2").meta.endpoint_url)
    profile = seed_iam(account, IamSpec(aws_managed_policies=())).instance_profiles[0]
    return [
        seed_ec2_resources(
            account,
            seed_ec2(account, region, Ec2Spec(), instance_profile_arn=profile, vpc_offset=index),
            organization_arn=ORGANIZATION,
            ou_arn=OU,
            instance_profile_arn=profile,
            variant=index,
        )
        for index, region in enumerate(SEEDED)
    ]


def _deployed_role(monkeypatch: pytest.MonkeyPatch) -> str:
    """The vendor's user, and the role as the constructs deploy it for EC2: its managed policies (the
    catalog's EC2 actions, packed) and the Deny of data-plane reads, trusting the vendor's user."""
    iam = boto3.client("iam")
    vendor = iam.create_user(UserName="vendor")["User"]["Arn"]
    key = iam.create_access_key(UserName="vendor")["AccessKey"]
    assume = {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}
    iam.put_user_policy(
        UserName="vendor",
        PolicyName="assume",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [assume]}),
    )
    trust = {"Effect": "Allow", "Principal": {"AWS": vendor}, "Action": "sts:AssumeRole"}
    role = iam.create_role(
        RoleName="Reader",
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [trust]}),
    )["Role"]["Arn"]
    documents = [*policies.read_only_documents([Feature.EC2]), (policies.deny_statement(),)]
    for index, statements in enumerate(documents):
        arn = iam.create_policy(
            PolicyName=f"ReadOnly{index}", PolicyDocument=json.dumps(policies.document(statements))
        )["Policy"]["Arn"]
        iam.attach_role_policy(RoleName="Reader", PolicyArn=arn)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    return str(role)


def _rows(store: SqliteStore, kind: str) -> list[dict[str, Any]]:
    return list(store.rows(kind))


def test_every_new_kind_equals_the_seeded_truth_under_the_deployed_policy(
    local_aws: LocalAws, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    truth = {t.region: t for t in _seed()}
    role = _deployed_role(monkeypatch)
    local_aws.enforce_iam(True)
    db = tmp_path / "inv.sqlite"
    out, err = io.StringIO(), io.StringIO()
    regions = ",".join((*SEEDED, UNTOUCHED))
    argv = ["collect", "--role-arn", role, "--external-id", "Customer-1", "--db", str(db)]
    code = main([*argv, "--fetchers", "ec2", "--regions", regions], out=out, err=err)
    assert code == 0, out.getvalue() + err.getvalue()

    with SqliteStore(db) as store:
        scopes = store.scopes()
        rows = {kind: _rows(store, kind) for kind in NEW_KINDS}
        calls = store.api_calls(store.runs()[0]["run_id"])
    assert {(s["region"], s["status"]) for s in scopes} == {(r, "complete") for r in (*SEEDED, UNTOUCHED)}

    per_region = {kind: Counter(r["region"] for r in found) for kind, found in rows.items()}
    for region, seeded in truth.items():
        assert seeded.resources is not None
        expected = seeded.resources.counts()
        for kind in NEW_KINDS:
            assert per_region[kind][region] == expected[kind], (region, kind)
    # What is shared outside the account, grantee by grantee.
    snapshot_shares = {
        Grant(r["snapshot_id"], r["grantee_type"], r["grantee"]) for r in rows["snapshot_shares"]
    }
    image_shares = {Grant(r["image_id"], r["grantee_type"], r["grantee"]) for r in rows["image_shares"]}
    assert snapshot_shares == {g for t in truth.values() if t.resources for g in t.resources.snapshot_shares}
    assert image_shares == {g for t in truth.values() if t.resources for g in t.resources.image_shares}
    assert {g.grantee_type for g in snapshot_shares | image_shares} == {
        "public",
        "account",
        "organization",
        "organizational_unit",
    }
    for region, seeded in truth.items():
        assert seeded.resources is not None
        resources = seeded.resources
        here = {kind: [r for r in found if r["region"] == region] for kind, found in rows.items()}
        assert {r["vpc_endpoint_id"]: r["policy_document"] for r in here["vpc_endpoints"]} == dict(
            resources.endpoint_policies
        )
        assert {
            r["service_id"]: tuple(p["principal"] for p in r["allowed_principals"])
            for r in here["vpc_endpoint_services"]
        } == dict(resources.allowed_principals)
        (settings,) = here["ec2_account_settings"]
        assert {name: settings[name] for name in resources.settings} == dict(resources.settings), region
        assert {
            r["name"]: (r["default_metadata_http_tokens"], r["latest_metadata_http_tokens"])
            for r in here["launch_templates"]
        } == dict(resources.launch_templates)
        (gateway,) = here["transit_gateways"]
        assert gateway["route_tables"] and all(t["default_association"] for t in gateway["route_tables"])
    assert all("PublicKey" not in r["raw"] for r in rows["key_pairs"])
    assert not any(
        "UserData" in json.dumps(r["raw"]) or "PreSharedKey" in json.dumps(r["raw"])
        for kind in ("launch_templates", "vpn_connections")
        for r in rows[kind]
    )
    # Nothing seeded in the untouched region but what AWS creates there: its default VPC's ACL, AWS's prefix
    # lists, its settings.
    assert {kind for kind, counts in per_region.items() if counts[UNTOUCHED]} == {
        "network_acls",
        "managed_prefix_lists",
        "ec2_account_settings",
    }

    # The per-resource calls: one per resource that exists, none in the untouched region; every listing
    # and setting once per region (moto answers each in one page).
    made = {operation: count for (_, service, operation), count in calls.items() if service == "ec2"}
    owned = {
        "DescribeSnapshotAttribute": sum(len(t.resources.snapshots) for t in truth.values() if t.resources),
        "DescribeImageAttribute": sum(len(t.resources.images) for t in truth.values() if t.resources),
        "DescribeVpcEndpointServicePermissions": len(SEEDED),
        "DescribeLaunchTemplateVersions": len(SEEDED),
        "DescribeTransitGatewayRouteTables": len(SEEDED),
    }
    once = {listings.api_name(c.operation) for c in listings.calls()} - set(owned)
    settings_calls = {listings.api_name(op) for op in SETTINGS}
    # --regions: one DescribeRegions per account, which skips a given region the account has not enabled
    assert made == {**owned, **dict.fromkeys(once | settings_calls, 3), "DescribeRegions": 1}

    # make demo's summary: the new kinds counted, and what is shared outside the account, every kind of
    # grantee among the rows shown.
    text = render_summary(db)
    assert f"{len(rows['image_shares'])} AMI shares (" in text and "Instance Connect endpoint" in text
    shown = text.split("Shared outside the account", 1)[1].split("\n\n", 1)[0]
    for share in (*snapshot_shares, *image_shares):
        if share.grantee_type != "public":
            assert share.grantee.split("/")[-1] in shown  # every account, organization and OU shared with
    assert all(kind in shown for kind in ("public", "account", "organization", "organizational_unit"))
