"""Organization mode against a moto server: discovery, OU filters, member roles, the organization scope,
and the permission catalog proven in both directions for the implemented fetchers."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import boto3
import pytest

from collector.cli.app import main
from collector.permissions import Feature, permissions_for
from collector.store import SqliteStore
from local_aws.emulator.server import LocalAws
from tests.e2e.iam_seed import TRUST

pytestmark = pytest.mark.e2e
MEMBER_ROLE = "OrganizationAccountAccessRole"  # moto lets the management account assume it in members
SCP = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"}]}
)


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def _member_iam(account_id: str) -> Any:
    creds = boto3.client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/{MEMBER_ROLE}", RoleSessionName="seed"
    )["Credentials"]
    return boto3.client(
        "iam",
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


def store_rows(db: Path, kind: str) -> list[dict[str, Any]]:
    with SqliteStore(db) as store:
        return list(store.rows(kind))


def _organization() -> dict[str, Any]:
    org = boto3.client("organizations")
    org.create_organization(FeatureSet="ALL")
    root = org.list_roots()["Roots"][0]["Id"]
    prod = org.create_organizational_unit(ParentId=root, Name="Prod")["OrganizationalUnit"]["Id"]
    team = org.create_organizational_unit(ParentId=prod, Name="Team")["OrganizationalUnit"]["Id"]
    dev = org.create_organizational_unit(ParentId=root, Name="Dev")["OrganizationalUnit"]["Id"]
    accounts = {}
    for name, parent in (("prod-a", prod), ("team-b", team), ("dev-c", dev)):
        status = org.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]
        accounts[name] = status["AccountId"]
        org.move_account(AccountId=status["AccountId"], SourceParentId=root, DestinationParentId=parent)
    policy = org.create_policy(Name="no-users", Description="d", Type="SERVICE_CONTROL_POLICY", Content=SCP)[
        "Policy"
    ]
    org.attach_policy(PolicyId=policy["PolicySummary"]["Id"], TargetId=prod)
    # moto knows no delegated administrator for sso.amazonaws.com; any service shows the listing works.
    org.register_delegated_administrator(
        AccountId=accounts["team-b"], ServicePrincipal="guardduty.amazonaws.com"
    )
    for name, account_id in accounts.items():
        member = _member_iam(account_id)
        member.create_user(UserName=f"{name}-user")
        member.create_access_key(UserName=f"{name}-user")
    return {"root": root, "prod": prod, "dev": dev, "accounts": accounts}


def test_organization_mode_with_an_ou_filter(local_aws: LocalAws, tmp_path: Path) -> None:
    seeded = _organization()
    iam = boto3.client("iam")
    reader = iam.create_role(RoleName="OrgReader", AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    db = tmp_path / "org.sqlite"
    args = [
        "collect",
        "--role-arn",
        reader,
        "--external-id",
        "Org-Customer-1",
        "--organization",
        "--member-role-name",
        MEMBER_ROLE,
        "--exclude-ou",
        seeded["dev"],
        "--db",
        str(db),
        "--fetchers",
        "iam,organizations,identity_center",
    ]

    code, out, err = _cli(*args, "--dry-run")
    assert code == 0, err
    assert "3 work items, 5 scopes, 3 accounts" in out
    # moto rejects the sso.amazonaws.com filter and has a guardduty administrator: the management account.
    assert "identity center in 123456789012: the management account (the organization does not filter" in out
    assert f"leave out {seeded['accounts']['dev-c']}: in an excluded OU" in out
    assert not db.exists()  # a dry run stores nothing

    code, out, err = _cli(*args)
    assert code == 0, out + err
    with SqliteStore(db) as store:
        scopes = {(s["account_id"], s["service"]): s["status"] for s in store.scopes()}
        users = {r["account_id"]: r["name"] for r in store.rows("users")}
        org_accounts = {r["id"]: r for r in store.rows("organization_accounts")}
        scps = {r["name"]: r for r in store.rows("service_control_policies")}
        targets = list(store.rows("service_control_policy_targets"))
        delegated = list(store.rows("delegated_administrators"))
        (run,) = store.runs()
        calls = store.api_calls(run["run_id"])
    management = "123456789012"
    a, b, c = (seeded["accounts"][n] for n in ("prod-a", "team-b", "dev-c"))
    assert scopes == {
        (management, "iam"): "complete",
        (management, "organizations"): "complete",
        (management, "identity_center"): "complete",  # read once, where the organization administers it
        (a, "iam"): "complete",
        (b, "iam"): "complete",
    }
    assert users == {a: "prod-a-user", b: "team-b-user"}  # dev-c was excluded with its OU
    assert len(org_accounts) == 4 and org_accounts[b]["status"] == "ACTIVE"
    assert scps["no-users"]["document"]["Statement"][0]["Effect"] == "Deny"
    assert any(t["target_id"] == seeded["prod"] for t in targets)
    assert [d["delegated_account_id"] for d in delegated] == [b]
    assert (c, "sts", "AssumeRole") not in calls
    assert {r["user_name"] for r in store_rows(db, "access_keys")} == {"prod-a-user", "team-b-user"}

    # Both directions for the implemented fetchers: every call made is declared, and every declared
    # IAM and Organizations action was called (here, or in the offline paths named below).
    declared = {p.api for p in permissions_for([Feature.IAM, Feature.ORGANIZATIONS])}
    made = {f"{service}:{operation}" for (_, service, operation) in calls} - {"sts:AssumeRole"}
    assert made <= {p.api for p in permissions_for(Feature)}, made - declared
    # moto returns every managed policy with the details, so nothing needs a backfill here; the
    # backfill path (GetPolicy + GetPolicyVersion) runs against the Stubber in test_iam_fetcher.py.
    offline_only = {"iam:GetPolicy", "iam:GetPolicyVersion"}
    # No identity provider is seeded here: the deployed customer's run calls both Gets
    # (tests/e2e/test_collect_identity_paths.py, test_deployed_integration.py).
    providers = {"iam:GetSAMLProvider", "iam:GetOpenIDConnectProvider"}
    assert declared - made == offline_only | providers
