"""Under IAM enforcement, a role that lacks some catalog actions yields denied/partial scopes naming them,
exit code 1, and the previous run's data stays."""

from __future__ import annotations

import io
import json
from pathlib import Path

import boto3
import pytest

from collector.cli.app import main
from collector.permissions import Feature, actions_for
from collector.store import SqliteStore
from local_aws.emulator.server import LocalAws

pytestmark = pytest.mark.e2e


def _policy(*actions: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}],
        }
    )


def test_missing_actions_are_named_and_nothing_is_lost(
    local_aws: LocalAws, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    iam = boto3.client("iam")
    vendor = iam.create_user(UserName="vendor")["User"]["Arn"]
    key = iam.create_access_key(UserName="vendor")["AccessKey"]
    iam.put_user_policy(UserName="vendor", PolicyName="assume", PolicyDocument=_policy("sts:AssumeRole"))
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": vendor},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": "Customer-9"}},
            }
        ],
    }
    role = iam.create_role(RoleName="Reader", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    everything = actions_for([Feature.IAM])  # every IAM action of the catalog
    iam.put_role_policy(RoleName="Reader", PolicyName="read", PolicyDocument=_policy(*everything))
    for n in range(3):
        iam.create_user(UserName=f"person-{n}")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
    db = tmp_path / "inv.sqlite"
    argv = [
        "collect",
        "--role-arn",
        role,
        "--external-id",
        "Customer-9",
        "--db",
        str(db),
        "--fetchers",
        "iam",
    ]
    local_aws.enforce_iam(True)

    assert main(argv, out=io.StringIO(), err=io.StringIO()) == 0

    # The customer narrows the role: the credential report is no longer allowed.
    local_aws.enforce_iam(False)
    boto3.client("iam", aws_access_key_id="FOOBARKEY", aws_secret_access_key="FOOBARSECRET").put_role_policy(
        RoleName="Reader",
        PolicyName="read",
        PolicyDocument=_policy(*(a for a in everything if "CredentialReport" not in a)),
    )
    local_aws.enforce_iam(True)
    out = io.StringIO()
    assert main(argv, out=out, err=io.StringIO()) == 1
    assert "partial: credential_report: denied iam:GetCredentialReport" in out.getvalue()

    # Then the details themselves: the scope is denied, never an empty inventory.
    local_aws.enforce_iam(False)
    boto3.client("iam", aws_access_key_id="FOOBARKEY", aws_secret_access_key="FOOBARSECRET").put_role_policy(
        RoleName="Reader", PolicyName="read", PolicyDocument=_policy("iam:ListAccountAliases")
    )
    local_aws.enforce_iam(True)
    assert main(argv, out=io.StringIO(), err=io.StringIO()) == 1
    with SqliteStore(db) as store:
        (scope,) = store.scopes()
        assert scope["status"] == "denied"
        assert "iam:GetAccountAuthorizationDetails" in scope["missing_actions"]
        assert store.counts()["users"] == 4  # vendor + 3 people, from the first run
        assert scope["data_run_id"] == store.runs()[0]["run_id"]
