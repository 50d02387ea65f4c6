"""``doctor`` against a moto server under IAM enforcement, with trust policies evaluated as AWS does.

moto alone accepts a missing ExternalId and skips the trust policy across accounts (docs/local-aws.md);
``local_aws.evaluate_trust(True)`` makes it decide as AWS does, so the vendor's principal lives in its own
account here, as in reality. One test also runs the open-trust case on plain moto: the trust-policy
inspection catches it there too.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import boto3
import pytest

import cdk_app.__main__ as cdk_app_main
from collector.cli.app import main
from collector.customers.onboarding import parse_context
from collector.permissions import DEFAULT_FEATURES, Feature, actions_for
from local_aws.emulator.protocol import MOTO_DEFAULT_ACCOUNT_ID
from local_aws.emulator.server import LocalAws
from local_aws.seed import (
    AccountSession,
    AccountSpec,
    OrganizationalUnitSpec,
    OrganizationSpec,
    VendorPrincipal,
    create_organization,
    create_vendor_principal,
    management_session,
    member_session,
)

pytestmark = pytest.mark.e2e
CUSTOMER = MOTO_DEFAULT_ACCOUNT_ID
EXTERNAL_ID = "Customer-External-Id-1"


def _cli(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def _doctor_json(*argv: str) -> tuple[int, dict[str, Any]]:
    code, out, err = _cli("doctor", *argv, "--json")
    assert code in (0, 1), err
    return code, json.loads(out)


def _by_check(report: dict[str, Any], account: str) -> dict[str, dict[str, Any]]:
    return {f["check"]: f for f in report["findings"] if f["account_id"] == account}


def _trust(principal: str, external_id: str | None) -> str:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": "sts:AssumeRole",
    }
    if external_id is not None:
        statement["Condition"] = {"StringEquals": {"sts:ExternalId": external_id}}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _role(iam: Any, name: str, trust: str, actions: tuple[str, ...]) -> str:
    arn: str = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}],
    }
    iam.put_role_policy(RoleName=name, PolicyName="read", PolicyDocument=json.dumps(policy))
    return arn


@pytest.fixture
def vendor(local_aws: LocalAws, monkeypatch: pytest.MonkeyPatch) -> VendorPrincipal:
    """The vendor's user, in its own account; doctor and collect run with its key once enforcement is on."""
    return create_vendor_principal(local_aws.endpoint_url)


def _as_vendor(
    local_aws: LocalAws, vendor: VendorPrincipal, monkeypatch: pytest.MonkeyPatch, *, faithful: bool = True
) -> None:
    local_aws.enforce_iam(True)
    local_aws.evaluate_trust(faithful)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", vendor.access_key_id)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", vendor.secret_access_key)


@pytest.mark.cdk
def test_a_deployment_from_the_instructions_passes_then_a_rotation_until_redeployed(
    local_aws: LocalAws, vendor: VendorPrincipal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "vendor.sqlite")
    assert _cli(
        "customers", "add", "acme", "--method", "account", "--account-id", CUSTOMER,
        "--trusted-principal", vendor.user_arn, "--db", db,
    )[0] == 0  # fmt: skip
    _, text, _ = _cli("customers", "instructions", "acme", "--db", db)
    command = next(line.strip() for line in text.splitlines() if line.strip().startswith("npx cdk deploy"))
    # The customer deploys exactly what the instructions say (synthesized here, created by CloudFormation).
    assert cdk_app_main.main(parse_context(command), str(tmp_path / "cdk.out")) == 0
    template = (tmp_path / "cdk.out" / "ReadOnlyIntegration.template.json").read_text()
    boto3.client("cloudformation").create_stack(
        StackName="ReadOnlyIntegration", TemplateBody=template, Capabilities=["CAPABILITY_NAMED_IAM"]
    )
    _as_vendor(local_aws, vendor, monkeypatch)

    code, report = _doctor_json("--customer", "acme", "--db", db)
    checks = _by_check(report, CUSTOMER)
    assert code == 0, report
    assert {c: f["outcome"] for c, f in checks.items()} == {
        "assume": "ok",
        "no-external-id": "ok",
        "wrong-external-id": "ok",
        "trust-policy": "ok",
        "permissions:iam": "ok",
        "permissions:ec2": "ok",
        "permissions:cloudtrail": "ok",
    }
    assert report["missing_actions"] == [] and report["api_calls"] > 0
    assert "iam:GenerateCredentialReport not probed" in checks["permissions:iam"]["detail"]
    # collect uses the recorded role and ExternalId: nothing to paste.
    assert _cli("collect", "--customer", "acme", "--fetchers", "iam", "--db", db)[0] == 0

    code, rotated, _ = _cli("customers", "rotate-external-id", "acme", "--db", db)
    assert code == 0 and "must redeploy" in rotated
    code, report = _doctor_json("--customer", "acme", "--db", db)
    assert code == 1
    assume = _by_check(report, CUSTOMER)["assume"]
    assert assume["outcome"] == "problem" and "has not redeployed since the rotation" in assume["detail"]

    # The customer redeploys with the new ExternalId (here: its trust policy updated to it).
    _, shown, _ = _cli("customers", "show", "acme", "--json", "--db", db)
    local_aws.enforce_iam(False)
    boto3.client(
        "iam", aws_access_key_id="FOOBARKEY", aws_secret_access_key="FOOBARSECRET"
    ).update_assume_role_policy(
        RoleName="ReadOnlyIntegrationRole",
        PolicyDocument=_trust(vendor.user_arn, json.loads(shown)["external_id"]),
    )
    local_aws.enforce_iam(True)
    code, report = _doctor_json("--customer", "acme", "--db", db)
    assert code == 0
    assert _by_check(report, CUSTOMER)["previous-external-id"]["outcome"] == "ok"


def test_a_role_missing_one_catalog_action_is_reported_by_that_action(
    local_aws: LocalAws, vendor: VendorPrincipal, monkeypatch: pytest.MonkeyPatch
) -> None:
    granted = tuple(a for a in actions_for(DEFAULT_FEATURES) if a != "ec2:DescribeSubnets")
    role = _role(boto3.client("iam"), "Reader", _trust(vendor.user_arn, EXTERNAL_ID), granted)
    _as_vendor(local_aws, vendor, monkeypatch)

    code, report = _doctor_json("--role-arn", role, "--external-id", EXTERNAL_ID)
    checks = _by_check(report, CUSTOMER)
    assert code == 1
    assert report["missing_actions"] == ["ec2:DescribeSubnets"]
    assert checks["permissions:ec2"]["outcome"] == "problem"
    assert checks["permissions:ec2"]["missing_actions"] == ["ec2:DescribeSubnets"]
    assert checks["permissions:iam"]["outcome"] == "ok" and checks["no-external-id"]["outcome"] == "ok"
    code, table, _ = _cli("doctor", "--role-arn", role, "--external-id", EXTERNAL_ID)
    assert code == 1 and "missing ec2:DescribeSubnets" in table and "problems found" in table


@pytest.mark.parametrize("faithful", [True, False], ids=["trust-evaluated", "plain-moto"])
def test_an_open_trust_policy_is_critical(
    local_aws: LocalAws, vendor: VendorPrincipal, monkeypatch: pytest.MonkeyPatch, faithful: bool
) -> None:
    role = _role(boto3.client("iam"), "Reader", _trust(vendor.user_arn, None), actions_for(DEFAULT_FEATURES))
    _as_vendor(local_aws, vendor, monkeypatch, faithful=faithful)

    code, report = _doctor_json("--role-arn", role, "--external-id", EXTERNAL_ID)
    checks = _by_check(report, CUSTOMER)
    assert code == 1
    assert checks["assume"]["outcome"] == "ok"
    assert checks["no-external-id"]["outcome"] == "critical"
    assert checks["wrong-external-id"]["outcome"] == "critical"
    assert checks["trust-policy"]["outcome"] == "critical"
    assert "without the ExternalId" in checks["trust-policy"]["detail"]
    assert report["counts"]["critical"] == 3


def _organization(local_aws: LocalAws) -> tuple[AccountSession, dict[str, str]]:
    """Workloads: three accounts (one is closed, so suspended); Sandbox: one account. Identity Center
    (moto has an instance in every region) with a permission set and a group, so every probe has a target."""
    management = management_session(local_aws.endpoint_url)
    spec = OrganizationSpec(
        organizational_units=(OrganizationalUnitSpec("Workloads"), OrganizationalUnitSpec("Sandbox")),
        accounts=(
            AccountSpec("with-role", ou="Workloads"),
            AccountSpec("no-role", ou="Workloads"),
            AccountSpec("closed", ou="Workloads"),
            AccountSpec("sandbox", ou="Sandbox"),
        ),
    )
    truth = create_organization(management, spec)
    ids = {a.name: a.id for a in truth.accounts}
    ids["management"] = truth.management_account_id
    ids["workloads"] = next(ou.id for ou in truth.organizational_units if ou.name == "Workloads")
    management.client("organizations").close_account(AccountId=ids["closed"])
    sso = management.client("sso-admin")
    instance = sso.list_instances()["Instances"][0]
    sso.create_permission_set(InstanceArn=instance["InstanceArn"], Name="ReadOnly")
    management.client("identitystore").create_group(
        IdentityStoreId=instance["IdentityStoreId"], DisplayName="team"
    )
    return management, ids


def test_organization_accounts_member_roles_and_identity_center(
    local_aws: LocalAws, vendor: VendorPrincipal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    management, ids = _organization(local_aws)
    db = str(tmp_path / "vendor.sqlite")
    code, _, err = _cli(
        "customers", "add", "bigco", "--method", "organization", "--account-id", ids["management"],
        "--role-name", "Integration", "--organizational-unit-ids", ids["workloads"],
        "--trusted-principal", vendor.user_arn, "--db", db,
    )  # fmt: skip
    assert code == 0, err
    external_id = json.loads(_cli("customers", "show", "bigco", "--json", "--db", db)[1])["external_id"]
    # What the customer's stack and StackSet create: the management role, the member role (not in no-role).
    trust = _trust(vendor.user_arn, external_id)
    _role(management.client("iam"), "Integration", trust, actions_for(Feature))
    _role(
        member_session(management, ids["with-role"]).client("iam"),
        "Integration",
        trust,
        actions_for(DEFAULT_FEATURES),
    )
    _as_vendor(local_aws, vendor, monkeypatch)

    code, report = _doctor_json("--customer", "bigco", "--db", db)

    assert code == 1  # the account without the member role
    organization = _by_check(report, "organization")
    assert organization["accounts"]["outcome"] == "ok"
    assert "5 accounts (4 active): 2 need the member role Integration" in organization["accounts"]["detail"]
    management_checks = _by_check(report, ids["management"])
    note = management_checks.pop("member-role")
    assert note["outcome"] == "note" and "StackSets never deploy" in note["detail"]
    assert {c: f["outcome"] for c, f in management_checks.items()} == {
        "assume": "ok",
        "no-external-id": "ok",
        "wrong-external-id": "ok",
        "trust-policy": "ok",
        "identity-center": "ok",
        "permissions:iam": "ok",
        "permissions:identity_center": "ok",
        "permissions:organizations": "ok",
        "permissions:ec2": "ok",
        "permissions:cloudtrail": "ok",
    }
    assert "in us-east-1" in management_checks["identity-center"]["detail"]
    assert {f["outcome"] for f in _by_check(report, ids["with-role"]).values()} == {"ok"}
    missing = _by_check(report, ids["no-role"])
    assert missing["assume"]["outcome"] == "problem"
    assert "the StackSet has not deployed to this account yet" in missing["assume"]["detail"]
    assert "permissions:iam" not in missing  # nothing is probed without the role
    closed = _by_check(report, ids["closed"])["member-role"]
    assert closed["outcome"] == "note" and "status SUSPENDED" in closed["detail"]
    assert "not in an included OU" in _by_check(report, ids["sandbox"])["member-role"]["detail"]


def test_an_organization_that_lists_no_account_is_a_problem_not_an_empty_one(
    local_aws: LocalAws, vendor: VendorPrincipal, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A role outside the management account: moto shows a member account an organization without accounts
    # (it cannot act as a delegated administrator), which doctor must report rather than check nothing.
    management, ids = _organization(local_aws)
    trust = _trust(vendor.user_arn, EXTERNAL_ID)
    member = member_session(management, ids["sandbox"]).client("iam")
    role = _role(member, "Integration", trust, actions_for(Feature))
    _as_vendor(local_aws, vendor, monkeypatch)

    code, report = _doctor_json("--role-arn", role, "--external-id", EXTERNAL_ID, "--organization")

    assert code == 1
    organization = _by_check(report, "organization")
    assert organization["accounts"]["outcome"] == "problem"
    assert "listed no account" in organization["accounts"]["detail"]
    assert organization["management-account"]["outcome"] == "note"
    assert (
        f"not in the management account {ids['management']}" in organization["management-account"]["detail"]
    )
    assert _by_check(report, ids["sandbox"])["assume"]["outcome"] == "ok"  # the role itself is still checked
