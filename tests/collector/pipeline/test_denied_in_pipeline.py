"""Under IAM enforcement, a customer role that lacks some of the catalog's actions gives the pipeline's
collect step denied scope statuses naming those actions: the item succeeds (its Lambda returns), and
nothing read is lost. The results go to an in-memory store; the customer side is the local AWS."""

from __future__ import annotations

import json

import boto3
import pytest

from collector.models import GLOBAL, Account
from collector.pipeline import codec, layout, steps
from collector.pipeline.jsonl import read_json_lines
from collector.pipeline.objects import MemoryObjects
from collector.plan import WorkItem
from collector.services.ec2 import fetch as ec2
from collector.services.ec2 import listings
from local_aws.emulator.server import LocalAws

pytestmark = pytest.mark.e2e

RUN = "20260506T120000Z-a1b2c3"
EXTERNAL_ID = "Customer-9"


def _allow(*actions: str) -> str:
    statement = {"Effect": "Allow", "Action": list(actions), "Resource": "*"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def test_access_denied_is_a_scope_status_not_a_failed_item(
    local_aws: LocalAws, monkeypatch: pytest.MonkeyPatch
) -> None:
    iam = boto3.client("iam")
    vendor = iam.create_user(UserName="vendor")["User"]["Arn"]
    key = iam.create_access_key(UserName="vendor")["AccessKey"]
    iam.put_user_policy(UserName="vendor", PolicyName="assume", PolicyDocument=_allow("sts:AssumeRole"))
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": vendor},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}},
            }
        ],
    }
    role = iam.create_role(RoleName="Reader", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    # IAM is granted; EC2 is not (the customer deployed an older role, say).
    iam.put_role_policy(
        RoleName="Reader",
        PolicyName="read",
        PolicyDocument=_allow(
            "iam:GetAccountAuthorizationDetails",
            "iam:ListAccountAliases",
            "iam:GetCredentialReport",
            "iam:GenerateCredentialReport",
            "iam:ListAccessKeys",
        ),
    )
    iam.create_user(UserName="alice")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    account = role.split(":")[4]
    run = {
        "run_id": RUN,
        "customer": "acme",
        "request": {"customer": "acme", "role_arn": role, "regions": ["us-east-1"]},
    }
    objects = MemoryObjects()
    env = steps.StepEnv(objects, external_ids=lambda customer: EXTERNAL_ID)
    local_aws.enforce_iam(True)

    summaries = [
        steps.collect({"item": WorkItem(Account(account, role), unit, fetchers).to_json(), "run": run}, env)
        for unit, fetchers in ((GLOBAL, ("iam",)), ("us-east-1", ("ec2",)))
    ]

    assert summaries[0]["statuses"] == {"complete": 1}
    assert summaries[1]["statuses"] == {"denied": 1}  # returned, not raised: the Map counts no failure
    manifest = json.loads(objects.get(layout.item_key(RUN, account, "us-east-1")) or b"")
    (denied,) = [codec.result_from_json(s) for s in manifest["scopes"]]
    # Every EC2 read the catalog declares for the scope is named (ec2:DescribeRegions is discovery's), but
    # the follow-ups of listings that listed nothing (a snapshot's attribute...): they were never called.
    follow_ups = {f"ec2:{listings.api_name(d.details.call.operation)}" for d in listings.DETAILED}
    expected = {p.action for p in ec2.FETCHER.permissions.permissions} - {"ec2:DescribeRegions"} - follow_ups
    assert set(denied.missing_actions) == expected
    users = read_json_lines(
        objects.get(layout.kind_prefix(RUN, "users") + f"{account}.global.iam.jsonl") or b""
    )
    assert "alice" in {u["name"] for u in users}
    assert any(c["operation"] == "AssumeRole" for c in manifest["api_calls"])
