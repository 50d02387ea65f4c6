"""IAM Identity Center against a moto server, seeded by local_aws.seed: an organization whose Identity Center
has permission sets with every policy kind and assignments to users and groups over several accounts. What
the collector stores equals the seeded ground truth, the permission-set-to-role mapping is exact, both
assignment listings are exercised (each organization shape picks one), and under IAM enforcement the catalog's
actions are enough: every declared Identity Center action is called and every call is declared."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from collector.cli.app import main
from collector.permissions import Feature, actions_for, all_permissions
from collector.services.identity_center import fetch as identity_center
from collector.store import SqliteStore
from local_aws.emulator.server import LocalAws
from local_aws.seed import (
    AccountSession,
    IdentityCenterSpec,
    IdentityCenterTruth,
    OrganizationSpec,
    OrganizationTruth,
    create_organization,
    management_session,
    member_session,
    seed_identity_center,
)

pytestmark = pytest.mark.e2e
MEMBER_ROLE = "OrganizationAccountAccessRole"  # moto lets the management account assume it in members
READER = "IdcReader"
EXTERNAL_ID = "Idc-Customer-1"
IC_APIS = {p.api for p in identity_center.FETCHER.permissions.permissions}
PER_PAIR = "sso-admin:ListAccountAssignments"
PER_PRINCIPAL = "sso-admin:ListAccountAssignmentsForPrincipal"


@pytest.fixture(scope="module")
def local_aws_server() -> Iterator[LocalAws]:
    """This module's own server: the seeded permission sets attach AWS-managed policies, which must exist."""
    with LocalAws(load_aws_managed_policies=True) as server:
        yield server


def _seed(
    aws: LocalAws, spec: IdentityCenterSpec
) -> tuple[OrganizationTruth, IdentityCenterTruth, dict[str, AccountSession]]:
    management = management_session(aws.endpoint_url)
    organization = create_organization(management, OrganizationSpec(identity_center=spec))
    members = {a: member_session(management, a) for a in organization.member_account_ids}
    truth, _ = seed_identity_center(management, spec, members)
    return organization, truth, members


def _reader_role(trusted: str, policy: dict[str, Any] | None = None, iam: Any = None) -> str:
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": trusted}, "Action": "sts:AssumeRole"}],
    }
    iam = iam or boto3.client("iam")
    arn = iam.create_role(RoleName=READER, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    if policy is not None:
        iam.put_role_policy(RoleName=READER, PolicyName="catalog", PolicyDocument=json.dumps(policy))
    return str(arn)


def _collect(db: Path, reader: str, member_role: str, fetchers: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    argv = ["collect", "--organization", "--role-arn", reader, "--external-id", EXTERNAL_ID]
    argv += ["--member-role-name", member_role, "--fetchers", fetchers, "--db", str(db)]
    code = main(argv, out=out, err=err)
    return code, out.getvalue() + err.getvalue()


def _summary(db: Path) -> dict[str, Any]:
    out = io.StringIO()
    assert main(["summary", "--db", str(db), "--json"], out=out, err=io.StringIO()) == 0
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def _rows(db: Path, kind: str) -> list[dict[str, Any]]:
    with SqliteStore(db) as store:
        return list(store.rows(kind))


def _calls(db: Path) -> set[str]:
    with SqliteStore(db) as store:
        (run,) = store.runs()
        return {f"{service}:{operation}" for (_, service, operation) in store.api_calls(run["run_id"])}


def _assert_equals_truth(db: Path, organization: OrganizationTruth, truth: IdentityCenterTruth) -> None:
    management = organization.management_account_id
    counts = _summary(db)["counts"]
    expected = truth.counts()
    for kind in (
        "sso_instances",
        "permission_sets",
        "account_assignments",
        "identity_store_users",
        "identity_store_groups",
        "identity_store_memberships",
    ):
        assert counts[kind] == expected[kind], kind
    assert counts["provisioned_permission_sets"] == len(truth.role_mapping)

    (instance,) = _rows(db, "sso_instances")
    assert (instance["account_id"], instance["instance_arn"], instance["identity_store_id"]) == (
        management,
        truth.instance_arn,
        truth.identity_store_id,
    )
    assert (instance["instance_type"], instance["home_region"]) == ("organization", truth.home_region)

    users = {r["user_id"]: r["user_name"] for r in _rows(db, "identity_store_users")}
    assert users == {u.user_id: u.user_name for u in truth.users}
    groups = {r["group_id"]: r["display_name"] for r in _rows(db, "identity_store_groups")}
    assert groups == {g.group_id: g.display_name for g in truth.groups}
    memberships = {(r["group_id"], r["user_id"]) for r in _rows(db, "identity_store_memberships")}
    assert memberships == set(truth.memberships)

    assignments = {
        (r["permission_set_arn"], r["target_account_id"], r["principal_type"], r["principal_id"])
        for r in _rows(db, "account_assignments")
    }
    assert assignments == {
        (a.permission_set_arn, a.account_id, a.principal_type, a.principal_id) for a in truth.assignments
    }
    assert {a[1] for a in assignments} == set(organization.account_ids)  # over every account

    # Every policy kind of every permission set.
    policies: dict[str, dict[str, set[str]]] = {}
    for row in _rows(db, "permission_set_policies"):
        key = f"{row['usage']}/{row['policy_type']}"
        policies.setdefault(row["permission_set_name"], {}).setdefault(key, set()).add(row["reference"])
    for ps in truth.permission_sets:
        found = policies.get(ps.name, {})
        assert found.get("attached/aws_managed", set()) == set(ps.aws_managed_policies), ps.name
        assert found.get("attached/customer_managed", set()) == {
            p + n for n, p in ps.customer_managed_policies
        }
        assert ("inline/inline" in found) is ps.inline_policy, ps.name
        boundary = {r for k, refs in found.items() if k.startswith("permissions_boundary/") for r in refs}
        assert boundary == ({ps.permissions_boundary} if ps.permissions_boundary else set()), ps.name
    kinds = {k for found in policies.values() for k in found}
    assert kinds == {
        "attached/aws_managed",
        "attached/customer_managed",
        "inline/inline",
        "permissions_boundary/aws_managed",
        "permissions_boundary/customer_managed",
    }


def _mapping(db: Path) -> dict[tuple[str, str], tuple[str, str | None]]:
    """(permission set ARN, account) -> (match, role ARN), as the store derived it."""
    rows = _rows(db, "permission_set_roles")
    return {(r["permission_set_arn"], r["account_id"]): (r["match"], r["role_arn"]) for r in rows}


def test_collected_identity_center_equals_the_seeded_organization(
    local_aws: LocalAws, tmp_path: Path
) -> None:
    # The demo shape: 4 users and 3 groups against 10 provisioned (permission set, account) pairs, read from
    # the management account: the per-principal listing is the cheaper one.
    organization, truth, _ = _seed(local_aws, IdentityCenterSpec())
    reader = _reader_role(f"arn:aws:iam::{organization.management_account_id}:root")
    db = tmp_path / "idc.sqlite"

    code, out = _collect(db, reader, MEMBER_ROLE, "identity_center")  # IAM: the next test

    assert code == 0, out
    scopes = {(s["account_id"], s["service"]): s for s in _summary(db)["scopes"]}
    ic_scope = scopes[(organization.management_account_id, "identity_center")]
    assert ic_scope["status"] == "complete"
    assert "listed per_principal: 10 provisioned pairs, 7 users and groups" in ic_scope["detail"]
    assert [k for k in scopes if k[1] == "identity_center"] == [
        (organization.management_account_id, "identity_center")
    ]
    _assert_equals_truth(db, organization, truth)
    # Without the accounts' IAM inventory no role is claimed: every pair says why it has none.
    assert _mapping(db) == {pair: ("iam_not_collected", None) for pair in truth.role_mapping}

    calls = _calls(db)
    assert calls <= {p.api for p in all_permissions()} | {"sts:AssumeRole"}
    assert IC_APIS - calls == {PER_PAIR}  # the other listing: the next test makes it


def test_many_people_under_iam_enforcement_with_only_the_catalog_actions(
    local_aws: LocalAws, tmp_path: Path
) -> None:
    # 30 users and 3 groups against 10 provisioned pairs: the per-pair listing is the cheaper one.
    spec = IdentityCenterSpec.sized(users=30, groups=3)
    organization, truth, members = _seed(local_aws, spec)
    iam = boto3.client("iam")
    vendor = iam.create_user(UserName="vendor")["User"]["Arn"]
    key = iam.create_access_key(UserName="vendor")["AccessKey"]
    assume = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}],
    }
    iam.put_user_policy(UserName="vendor", PolicyName="assume", PolicyDocument=json.dumps(assume))

    # The management role gets IAM, Organizations and Identity Center; member roles IAM only.
    def policy(*features: Feature) -> dict[str, Any]:
        allow = {"Effect": "Allow", "Action": list(actions_for(features)), "Resource": "*"}
        return {"Version": "2012-10-17", "Statement": [allow]}

    reader = _reader_role(vendor, policy(Feature.IAM, Feature.ORGANIZATIONS, Feature.IDENTITY_CENTER))
    for member in members.values():
        _reader_role(vendor, policy(Feature.IAM), member.client("iam"))
    db = tmp_path / "idc.sqlite"
    local_aws.enforce_iam(True)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
        env.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
        code, out = _collect(db, reader, READER, "iam,identity_center")
    local_aws.enforce_iam(False)

    assert code == 0, out
    (ic_scope,) = [s for s in _summary(db)["scopes"] if s["service"] == "identity_center"]
    assert ic_scope["status"] == "complete"
    assert "listed per_provisioned_pair: 10 provisioned pairs, 33 users and groups" in ic_scope["detail"]
    _assert_equals_truth(db, organization, truth)
    # Each provisioned permission set maps to the exact AWSReservedSSO_ role of each account, found in
    # that account's IAM inventory.
    assert _mapping(db) == {pair: ("matched", role) for pair, role in truth.role_mapping.items()}
    assert len({r["account_id"] for r in _rows(db, "permission_set_roles")}) == len(organization.account_ids)

    calls = _calls(db)
    assert calls <= {p.api for p in all_permissions()} | {"sts:AssumeRole"}
    assert IC_APIS - calls == {PER_PRINCIPAL}  # the other listing: the previous test makes it


def test_a_standalone_accounts_instance_is_recorded_as_an_account_instance(
    local_aws: LocalAws, tmp_path: Path
) -> None:
    # moto gives every account an instance; outside any organization it can only be an account instance.
    reader = _reader_role("arn:aws:iam::123456789012:root")
    db = tmp_path / "idc.sqlite"
    out, err = io.StringIO(), io.StringIO()
    argv = ["collect", "--role-arn", reader, "--external-id", EXTERNAL_ID, "--fetchers", "identity_center"]
    code = main([*argv, "--db", str(db)], out=out, err=err)

    assert code == 0, out.getvalue() + err.getvalue()
    (scope,) = _summary(db)["scopes"]
    assert scope["status"] == "complete" and "is an account instance" in scope["detail"]
    (instance,) = _rows(db, "sso_instances")
    assert (instance["instance_type"], instance["home_region"]) == ("account", "us-east-1")
    assert _calls(db) & IC_APIS == {
        "organizations:DescribeOrganization",
        "sso-admin:ListInstances",
        "identitystore:ListUsers",
        "identitystore:ListGroups",
        "sso-admin:ListApplications",  # account instances have applications and issuers too (none here)
        "sso-admin:ListTrustedTokenIssuers",
    }
