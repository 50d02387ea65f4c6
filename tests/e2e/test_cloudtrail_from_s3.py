"""CloudTrail from the organization trail's log files, end to end on the local AWS, under IAM enforcement.

An organization trail (multi-region, SSE-KMS, log file validation) delivers into a bucket of the
log-archive member account, as AWS Control Tower lays it out. The organization stack is the app's own
synthesis with ``cloudTrailBucket``, ``cloudTrailKmsKeyArn`` and ``logArchiveAccountId``, deployed as the
rollout test deploys it (CloudFormation, then the StackSet replayed through the API). The collector reads
the files through the log-archive account's member role, twice: the second run reads only the new files.
The emulator is the truth: every management event it delivered is stored once, no data event is.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from cdk_app.__main__ import main as synth
from cdk_app.build import ORGANIZATION_STACK_ID
from collector.cli.app import main as collector
from collector.services.cloudtrail import catalog as cloudtrail_catalog
from collector.store import SqliteStore
from local_aws.emulator.cloudtrail.events import ManagementEvent, Resource
from local_aws.emulator.server import LocalAws
from local_aws.seed import (
    AccountSpec,
    OrganizationalUnitSpec,
    OrganizationSpec,
    create_organization,
    create_vendor_principal,
    management_session,
    member_session,
    seed_organization_trail,
)
from tests.e2e.test_organization_rollout import _replay_stack_set

pytestmark = [pytest.mark.e2e, pytest.mark.cdk]

EXTERNAL_ID = "Org-Trail-Customer"
REGIONS = ("us-east-1", "eu-west-1")
ROLE_NAME = "ReadOnlyIntegration"
SPEC = OrganizationSpec(
    organizational_units=(OrganizationalUnitSpec("Security"), OrganizationalUnitSpec("Workloads")),
    accounts=(AccountSpec("log-archive", ou="Security"), AccountSpec("prod", ou="Workloads")),
)


def _events(accounts: list[str], per_place: int, tag: str) -> list[ManagementEvent]:
    now = datetime.now(UTC).replace(microsecond=0)
    return [
        ManagementEvent.create(
            account_id=account,
            region=region,
            event_name="RunInstances",
            event_source="ec2.amazonaws.com",
            event_time=now,
            resources=[Resource("AWS::EC2::Instance", f"i-{tag}{i:016x}")],
        )
        for account in accounts
        for region in REGIONS
        for i in range(per_place)
    ]


def _data_events(account: str, count: int, tag: str) -> list[dict[str, Any]]:
    return [
        {
            "eventVersion": "1.10",
            "eventID": f"data-{tag}-{i}",
            "eventTime": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "eventSource": "s3.amazonaws.com",
            "eventName": "GetObject",
            "awsRegion": "eu-west-1",
            "recipientAccountId": account,
            "readOnly": True,
            "eventType": "AwsApiCall",
            "managementEvent": False,
            "eventCategory": "Data",
        }
        for i in range(count)
    ]


def _collect(argv: list[str]) -> str:
    """Collect; the run's ID."""
    out, err = io.StringIO(), io.StringIO()
    code = collector(argv, out=out, err=err)
    assert code == 0, out.getvalue() + err.getvalue()
    return out.getvalue().split()[1].rstrip(":")


def _stored(
    db: Path, run_id: str
) -> tuple[dict[tuple[str, str], set[str]], dict[tuple[str, str, str], int], list[dict[str, Any]]]:
    """The stored events per account and region, the run's API calls, the scopes."""
    with SqliteStore(db) as store:
        rows = list(store.rows("cloudtrail_events"))
        calls = store.api_calls(run_id)
        scopes = store.scopes()
    found: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        found.setdefault((row["account_id"], row["region"]), set()).add(row["event_id"])
    return found, calls, scopes


def _keys(local_aws: LocalAws, bucket: str, account: str) -> list[str]:
    local_aws.enforce_iam(False)
    try:
        listed = management_session(local_aws.endpoint_url)
        s3 = member_session(listed, account).client("s3")
        return [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    finally:
        local_aws.enforce_iam(True)


def _truth(local_aws: LocalAws, accounts: list[str]) -> dict[tuple[str, str], set[str]]:
    return {
        (a, r): {e.event_id for e in local_aws.cloudtrail_events(a, r)}
        for a in accounts
        for r in REGIONS
        if local_aws.cloudtrail_events(a, r)
    }


def test_the_organization_trail_is_read_from_s3_incrementally(
    local_aws: LocalAws, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    management = management_session(local_aws.endpoint_url)
    org = create_organization(management, SPEC)
    log_archive = next(a.id for a in org.accounts if a.name == "log-archive")
    prod = next(a.id for a in org.accounts if a.name == "prod")
    accounts = [org.management_account_id, log_archive, prod]
    vendor = create_vendor_principal(local_aws.endpoint_url)

    # The log-archive account's bucket and key; the organization trail in the management account.
    trail = seed_organization_trail(management, log_archive)
    bucket, key_arn = trail.bucket, trail.kms_key_arn

    # The organization stack with the trail's bucket, key and log-archive account.
    outdir = tmp_path / "cdk.out"
    ous = [ou.id for ou in org.organizational_units]
    context = {
        "integration": "organization",
        "trustedPrincipal": vendor.user_arn,
        "organizationalUnitIds": ",".join(ous),
        "callAs": "SELF",
        "cloudTrailBucket": bucket,
        "cloudTrailKmsKeyArn": key_arn,
        "logArchiveAccountId": log_archive,
    }
    assert synth(context, outdir=str(outdir)) == 0
    template = json.loads((outdir / f"{ORGANIZATION_STACK_ID}.template.json").read_text())
    cloudformation = management.client("cloudformation")
    cloudformation.create_stack(
        StackName=ORGANIZATION_STACK_ID,
        TemplateBody=json.dumps(template),
        Parameters=[{"ParameterKey": "ExternalId", "ParameterValue": EXTERNAL_ID}],
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )
    (stack,) = cloudformation.describe_stacks(StackName=ORGANIZATION_STACK_ID)["Stacks"]
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    assert f"--log-archive-account-id {log_archive}" in outputs["CollectorArguments"]
    _replay_stack_set(cloudformation, template, {"ExternalId": EXTERNAL_ID, "AWS::Region": "us-east-1"})
    # Only the log-archive member's role got the grant.
    for account, expected in ((log_archive, True), (prod, False)):
        iam = member_session(management, account).client("iam")
        attached = iam.list_attached_role_policies(RoleName=ROLE_NAME)["AttachedPolicies"]
        assert any("ReadTrailLogs" in p["PolicyName"] for p in attached) is expected, (account, attached)

    # Management events in every account and region, data events among them; delivered as files.
    local_aws.seed_cloudtrail_events(_events(accounts, 30, "a"))
    local_aws.seed_data_events(_data_events(prod, 5, "a"))
    first_delivery = local_aws.deliver_trail_logs()
    assert first_delivery["dataEvents"] == 5 and first_delivery["logFiles"] >= len(accounts) * len(REGIONS)

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", vendor.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", vendor.secret_access_key)
    local_aws.enforce_iam(True)
    db = tmp_path / "trail.sqlite"
    argv = [
        "collect",
        *outputs["CollectorArguments"].split(),
        "--external-id",
        EXTERNAL_ID,
        "--fetchers",
        "cloudtrail",
        "--regions",
        ",".join(REGIONS),
        "--cloudtrail-source",
        "s3",
        "--db",
        str(db),
    ]
    run_id = _collect(argv)
    truth = _truth(local_aws, accounts)
    stored, calls, scopes = _stored(db, run_id)
    assert stored == truth  # every delivered management event, once; nothing else
    assert not any(i.startswith("data-") for ids in stored.values() for i in ids)
    assert calls[(log_archive, "s3", "GetObject")] == first_delivery["logFiles"]  # every log file, no digest
    # Both directions of the trail's path: every call made is declared (the catalog and the log-file grant),
    # and each of them was made; LookupEvents was not needed.
    # the organization's accounts, and each account's enabled regions (the given --regions are checked)
    discovery = {"sts:AssumeRole", "organizations:ListAccounts", "ec2:DescribeRegions"}
    made = {f"{service}:{operation}" for (_, service, operation) in calls} - discovery
    assert (
        made
        == {
            "cloudtrail:DescribeTrails",
            "cloudtrail:GetEventSelectors",
            "s3:ListObjectsV2",
            "s3:GetObject",
        }
        == {
            p.api
            for p in (*cloudtrail_catalog.PERMISSIONS.permissions, *cloudtrail_catalog.LOG_FILE_PERMISSIONS)
        }
        - {"cloudtrail:LookupEvents"}
    )
    assert {s["status"] for s in scopes if s["service"] == "cloudtrail"} == {"complete"}
    # Enforcement is on for S3: a member role without the grant is denied the very same files.
    (log_key,) = [k for k in _keys(local_aws, bucket, log_archive) if f"/{prod}/CloudTrail/eu-west-1/" in k][
        :1
    ]
    # Explicit sessions: boto3's default one may hold another test's credentials.
    prod_role = (
        vendor.account_session(local_aws.endpoint_url)
        .client("sts")
        .assume_role(
            RoleArn=f"arn:aws:iam::{prod}:role/{ROLE_NAME}", RoleSessionName="check", ExternalId=EXTERNAL_ID
        )["Credentials"]
    )
    with pytest.raises(ClientError, match="AccessDenied"):
        boto3.Session(
            aws_access_key_id=prod_role["AccessKeyId"],
            aws_secret_access_key=prod_role["SecretAccessKey"],
            aws_session_token=prod_role["SessionToken"],
        ).client("s3", endpoint_url=local_aws.endpoint_url).get_object(Bucket=bucket, Key=log_key)
    assert len([s for s in scopes if s["service"] == "cloudtrail"]) == len(accounts) * len(REGIONS)

    # doctor probes the read through the log-archive account's role: the prefix listed, one file read.
    out, err = io.StringIO(), io.StringIO()
    collector(
        [
            "doctor",
            "--organization",
            "--role-arn",
            outputs["ManagementRoleArn"],
            "--external-id",
            EXTERNAL_ID,
            "--cloud-trail-bucket",
            bucket,
            "--log-archive-account-id",
            log_archive,
            "--json",
        ],
        out=out,
        err=err,
    )
    report = json.loads(out.getvalue())
    (trail_check,) = [f for f in report["findings"] if f["check"] == "trail-logs"]
    assert (trail_check["account_id"], trail_check["outcome"]) == (log_archive, "ok"), trail_check

    # The second run reads only the new files.
    local_aws.enforce_iam(False)
    local_aws.seed_cloudtrail_events(_events([prod], 7, "b"))
    local_aws.seed_data_events(_data_events(prod, 2, "b"))
    second_delivery = local_aws.deliver_trail_logs()
    assert second_delivery["managementEvents"] == 14 and second_delivery["logFiles"] == 2
    local_aws.enforce_iam(True)
    stored, calls, _ = _stored(db, _collect(argv))
    assert stored == _truth(local_aws, accounts)
    assert calls[(log_archive, "s3", "GetObject")] == 2

    # auto, with a reader whose role has no grant (prod's): the listing is denied, so every scope reads
    # LookupEvents instead, and the same events are stored once (one key across the two sources).
    auto = [*argv[: argv.index("--cloudtrail-source")], "--log-archive-account-id", prod, "--db", str(db)]
    stored, calls, scopes = _stored(db, _collect(auto))
    assert stored == _truth(local_aws, accounts)
    assert not any(service == "s3" and account != prod for account, service, _ in calls)
    assert calls[(prod, "cloudtrail", "LookupEvents")] >= len(REGIONS)
    assert not any("from s3://" in (s["detail"] or "") for s in scopes if s["service"] == "cloudtrail")
