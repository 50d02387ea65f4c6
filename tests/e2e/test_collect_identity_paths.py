"""Every way a person reaches a role, on the local AWS as the customer deploys the integration and the vendor
collects (IAM enforcement on, the deployed policy only): federation providers, trust edges, MFA devices and
account settings equal the seeded truth, with no AccessDenied anywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from collector.store import SqliteStore
from local_aws.demo.summary import count_of, render_summary
from tests.e2e.deployed import CollectorRun, DeployedCustomer, collect

pytestmark = [pytest.mark.e2e, pytest.mark.cdk]


@pytest.fixture(scope="module")
def identity_run(
    deployed_customer: DeployedCustomer, tmp_path_factory: pytest.TempPathFactory
) -> tuple[CollectorRun, Path]:
    db = tmp_path_factory.mktemp("identity-paths") / "inventory.sqlite"
    with pytest.MonkeyPatch.context() as monkeypatch:
        run = collect(deployed_customer, monkeypatch, db, "--regions", "us-east-1")
    return run, db


def _rows(db: Path, kind: str) -> list[dict[str, Any]]:
    with SqliteStore(db) as store:
        return list(store.rows(kind))


def test_the_run_is_complete_without_any_access_denied(identity_run: tuple[CollectorRun, Path]) -> None:
    run, _ = identity_run
    assert [r for r in run.responses if r.denied] == []
    assert run.code == 0, [r for r in run.manifest.scopes if not r.status.is_ok]


def test_providers_mfa_devices_and_password_policies_equal_the_seeded_truth(
    deployed_customer: DeployedCustomer, identity_run: tuple[CollectorRun, Path]
) -> None:
    _, db = identity_run
    truth = deployed_customer.customer.organization
    saml = {r["arn"]: r for r in _rows(db, "saml_providers")}
    assert set(saml) == {p.arn for f in truth.federation for p in f.saml_providers}
    for provider in (p for f in truth.federation for p in f.saml_providers):
        found = saml[provider.arn]
        assert (found["entity_id"], found["sso_urls"]) == (provider.entity_id, [provider.sso_url])
        assert found["earliest_certificate_expiry"] == provider.certificate_expiry
        assert found["metadata_error"] is None
    oidc = {r["arn"]: r for r in _rows(db, "oidc_providers")}
    assert set(oidc) == {arn for f in truth.federation for arn in f.oidc_providers}
    assert all(r["client_ids"] == ["sts.amazonaws.com"] for r in oidc.values())

    devices = {
        (r["account_id"], r["serial_number"], r["user_name"]) for r in _rows(db, "virtual_mfa_devices")
    }
    assert devices == {
        (f.account_id, serial, user) for f in truth.federation for serial, user in f.mfa_devices
    }

    policies = {r["account_id"]: r for r in _rows(db, "password_policies")}
    with_policy = {f.account_id for f in truth.federation if f.password_policy}
    assert set(policies) == set(truth.organization.account_ids)  # one row per account, policy or not
    assert {a for a, r in policies.items() if r["exists"]} == with_policy
    assert all(policies[a]["minimum_password_length"] == 14 for a in with_policy)
    summaries = {r["account_id"]: r for r in _rows(db, "account_summaries")}
    assert set(summaries) == set(truth.organization.account_ids)
    assert all(r["summary"]["Providers"] == 4 for a, r in summaries.items() if a in with_policy)


def test_trust_edges_equal_the_seeded_truth_and_cover_every_role(
    deployed_customer: DeployedCustomer, identity_run: tuple[CollectorRun, Path]
) -> None:
    _, db = identity_run
    truth = deployed_customer.customer.organization
    edges = {
        (r["role_arn"], r["principal_type"], r["principal"]): r for r in _rows(db, "role_trust_principals")
    }
    for expected in (e for f in truth.federation for e in f.trust_edges):
        found = edges[(expected.role_arn, expected.principal_type, expected.principal)]
        assert (found["external_account"], found["external_id_required"]) == (
            expected.external_account,
            expected.external_id_required,
        ), expected
    # Every collected role has its edges, and every edge belongs to a collected role.
    roles = {r["arn"] for r in _rows(db, "roles")}
    assert {arn for arn, _, _ in edges} == roles
    # The integration's own roles trust the vendor (outside the organization) with the ExternalId.
    vendor = deployed_customer.customer.vendor.user_arn
    integration = [e for (_, _, principal), e in edges.items() if principal == vendor]
    assert integration and all(e["external_account"] and e["external_id_required"] for e in integration)


def test_resource_control_policies_and_the_roots_enabled_types_equal_the_seeded_truth(
    deployed_customer: DeployedCustomer, identity_run: tuple[CollectorRun, Path]
) -> None:
    _, db = identity_run
    truth = deployed_customer.customer.organization.organization
    (root,) = _rows(db, "organization_roots")
    assert root["id"] == truth.root_id and set(root["enabled_policy_types"]) >= set(
        truth.enabled_policy_types
    )
    policies = {r["id"]: r for r in _rows(db, "resource_control_policies")}
    targets = {(r["policy_id"], r["target_id"]) for r in _rows(db, "resource_control_policy_targets")}
    for rcp in truth.resource_control_policies:
        assert policies[rcp.id]["name"] == rcp.name and not policies[rcp.id]["aws_managed"]
        assert policies[rcp.id]["document"]["Statement"][0]["Effect"] == "Deny"
        assert {(rcp.id, t) for t in rcp.target_ids} <= targets
    # Besides the seeded ones, only AWS's own (RCPFullAWSAccess) is there; no RCP leaks into the SCPs.
    seeded = {rcp.id for rcp in truth.resource_control_policies}
    assert all(r["aws_managed"] for i, r in policies.items() if i not in seeded)
    assert not seeded & {r["id"] for r in _rows(db, "service_control_policies")}


def test_identity_center_applications_assignments_and_issuers_equal_the_seeded_truth(
    deployed_customer: DeployedCustomer, identity_run: tuple[CollectorRun, Path]
) -> None:
    _, db = identity_run
    center = deployed_customer.customer.organization.identity_center
    apps = {r["application_arn"]: r for r in _rows(db, "sso_applications")}
    assert set(apps) == {a.arn for a in center.applications}
    for app in center.applications:
        assert (apps[app.arn]["name"], apps[app.arn]["assignment_required"]) == (
            app.name,
            app.assignment_required,
        )
        assert apps[app.arn]["instance_arn"] == center.instance_arn
    assignments = {
        (r["application_arn"], r["principal_type"], r["principal_id"])
        for r in _rows(db, "sso_application_assignments")
    }
    assert assignments == {(a.arn, kind, who) for a in center.applications for kind, who in a.assignments}
    # Each assignment links to a collected identity-store user or group.
    users = {r["user_id"] for r in _rows(db, "identity_store_users")}
    groups = {r["group_id"] for r in _rows(db, "identity_store_groups")}
    assert all(who in (users if kind == "USER" else groups) for _, kind, who in assignments)
    issuers = {r["arn"]: r for r in _rows(db, "trusted_token_issuers")}
    assert {a: r["issuer_url"] for a, r in issuers.items()} == {
        i.arn: i.issuer_url for i in center.trusted_token_issuers
    }


def test_account_access_manager_entitlements_equal_the_truth_and_link_to_roles_and_people(
    deployed_customer: DeployedCustomer, identity_run: tuple[CollectorRun, Path]
) -> None:
    _, db = identity_run
    truth = deployed_customer.customer.organization.account_access
    assert truth is not None
    center = deployed_customer.customer.organization.identity_center
    (app,) = _rows(db, "access_manager_applications")
    assert (app["application_arn"], app["instance_arn"], app["status"]) == (
        truth.application_arn,
        center.instance_arn,
        "ACTIVE",
    )
    found = {r["entitlement_id"]: r for r in _rows(db, "access_manager_entitlements")}
    assert {
        i: (r["principal_type"], r["principal_id"], r["role_arn"], r["target_account_id"])
        for i, r in found.items()
    } == {
        e.entitlement_id: (e.principal_type, e.principal_id, e.role_arn, e.account_id)
        for e in truth.entitlements
    }
    # Each entitlement links to a collected role of its account and to a collected user or group.
    roles = {(r["account_id"], r["arn"]) for r in _rows(db, "roles")}
    users = {r["user_id"] for r in _rows(db, "identity_store_users")}
    groups = {r["group_id"] for r in _rows(db, "identity_store_groups")}
    for entitlement in found.values():
        assert (entitlement["target_account_id"], entitlement["role_arn"]) in roles
        assert entitlement["principal_id"] in (users if entitlement["principal_type"] == "USER" else groups)


def test_the_demo_summary_shows_who_reaches_roles(identity_run: tuple[CollectorRun, Path]) -> None:
    _, db = identity_run
    summary = render_summary(db)
    with SqliteStore(db) as store:
        counts = store.counts()
    assert "Who reaches roles" in summary
    for kind, label in (
        ("role_trust_principals", "trust edges (role, principal)"),
        ("access_manager_entitlements", "entitlements to roles"),
        ("resource_control_policies", "RCPs"),
        ("sso_applications", "applications"),
    ):
        assert counts[kind] and count_of(counts[kind], label) in summary, kind
