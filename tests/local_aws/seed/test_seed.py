"""The seeder's ground truth equals what the local AWS reports, read back here with plain API calls."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from local_aws.emulator.server import LocalAws
from local_aws.seed import (
    SSO_ROLE_PREFIX,
    AccountSession,
    OrganizationSpec,
    SeededOrganization,
    management_session,
    member_session,
    seed_organization,
    sso_role_path,
)

pytestmark = pytest.mark.e2e
SPEC = OrganizationSpec.demo()


@pytest.fixture(scope="module")
def seeded() -> Iterator[tuple[LocalAws, SeededOrganization]]:
    with LocalAws(load_aws_managed_policies=True) as server:
        yield server, seed_organization(server, SPEC)


@pytest.fixture(scope="module")
def sessions(seeded: tuple[LocalAws, SeededOrganization]) -> dict[str, AccountSession]:
    server, truth = seeded
    management = management_session(server.endpoint_url)
    members = {
        a: member_session(management, a, session_name="verify") for a in truth.organization.member_account_ids
    }
    return {truth.organization.management_account_id: management, **members}


def pages(client: Any, operation: str, key: str, **kwargs: Any) -> list[Any]:
    return [item for page in client.get_paginator(operation).paginate(**kwargs) for item in page[key]]


def test_the_organization_has_the_seeded_accounts_in_their_ous(
    seeded: tuple[LocalAws, SeededOrganization], sessions: dict[str, AccountSession]
) -> None:
    _, truth = seeded
    org = sessions[truth.organization.management_account_id].client("organizations")
    accounts = pages(org, "list_accounts", "Accounts")
    assert sorted(a["Id"] for a in accounts) == sorted(truth.organization.account_ids)
    assert len(truth.organization.accounts) == len(SPEC.accounts) + 1
    for account in truth.organization.accounts:
        assert org.list_parents(ChildId=account.id)["Parents"][0]["Id"] == account.parent_id
    for ou in truth.organization.organizational_units:
        children = org.list_organizational_units_for_parent(ParentId=ou.parent_id)["OrganizationalUnits"]
        assert (ou.id, ou.name) in {(c["Id"], c["Name"]) for c in children}
    prod = truth.organization.account_named("prod")
    assert org.describe_organizational_unit(OrganizationalUnitId=prod.parent_id)["OrganizationalUnit"][
        "Name"
    ] == ("Production")


def test_iam_of_every_account_matches_its_truth(
    seeded: tuple[LocalAws, SeededOrganization], sessions: dict[str, AccountSession]
) -> None:
    _, truth = seeded
    for account_id, session in sessions.items():
        expected = truth.iam_of(account_id)
        iam = session.client("iam")
        assert sorted(u["UserName"] for u in pages(iam, "list_users", "Users")) == list(expected.users)
        assert sorted(g["GroupName"] for g in pages(iam, "list_groups", "Groups")) == list(expected.groups)
        assert sorted(r["RoleName"] for r in pages(iam, "list_roles", "Roles")) == list(expected.role_names)
        local = pages(iam, "list_policies", "Policies", Scope="Local")
        assert sorted(p["Arn"] for p in local) == list(expected.customer_managed_policies)
        profiles = pages(iam, "list_instance_profiles", "InstanceProfiles")
        assert sorted(p["Arn"] for p in profiles) == list(expected.instance_profiles)
        memberships = {
            (group, user["UserName"])
            for group in expected.groups
            for user in iam.get_group(GroupName=group)["Users"]
        }
        assert memberships == set(expected.group_memberships)
        attached, inline = set(), set()
        for kind, names in (
            ("user", expected.users),
            ("group", expected.groups),
            ("role", expected.role_names),
        ):
            for name in names:
                argument = {f"{kind.capitalize()}Name": name}
                listed = getattr(iam, f"list_attached_{kind}_policies")(**argument)["AttachedPolicies"]
                for policy in listed:
                    attached.add((kind, name, policy["PolicyArn"]))
                for policy_name in getattr(iam, f"list_{kind}_policies")(**argument)["PolicyNames"]:
                    inline.add((kind, name, policy_name))
        assert attached == {(a.principal_type, a.principal_name, a.policy_arn) for a in expected.attachments}
        assert inline == {
            (p.principal_type, p.principal_name, p.policy_name) for p in expected.inline_policies
        }
        keys = {
            (user, key["AccessKeyId"], key["Status"])
            for user in expected.users
            for key in iam.list_access_keys(UserName=user)["AccessKeyMetadata"]
        }
        assert keys == {(k.user_name, k.access_key_id, k.status) for k in expected.access_keys}
        for role in expected.roles:
            described = iam.get_role(RoleName=role.name)["Role"]
            assert (described["Arn"], described["Path"]) == (role.arn, role.path)
            assert (
                described.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn")
                == role.permissions_boundary_arn
            )


def test_member_accounts_follow_the_spec_pattern(seeded: tuple[LocalAws, SeededOrganization]) -> None:
    _, truth = seeded
    for account_id in truth.organization.member_account_ids:
        counts = truth.iam_of(account_id).counts()
        assert counts["users"] == len(SPEC.iam.users)
        assert counts["access_keys"] == len(SPEC.iam.users) * SPEC.iam.access_keys_per_user
        assert counts["groups"] == len(SPEC.iam.groups)
        assert set(SPEC.iam.aws_managed_policies) <= set(
            truth.iam_of(account_id).aws_managed_policies_attached
        )
        # seeded roles + OrganizationAccountAccessRole + one role per permission set assigned to the account
        # + the federation's roles (one per provider, two partner roles, organization-wide, from-management)
        assigned = {
            a.permission_set_arn for a in truth.identity_center.assignments if a.account_id == account_id
        }
        federated = len(SPEC.federation.saml_providers) + len(SPEC.federation.oidc_providers) + 4
        assert counts["roles"] == len(SPEC.iam.roles) + 1 + len(assigned) + federated


def test_ec2_of_every_account_and_region_matches_its_truth(
    seeded: tuple[LocalAws, SeededOrganization], sessions: dict[str, AccountSession]
) -> None:
    _, truth = seeded
    for expected in truth.ec2:
        ec2 = sessions[expected.account_id].client("ec2", expected.region)
        assert sorted(v["VpcId"] for v in pages(ec2, "describe_vpcs", "Vpcs")) == list(expected.vpcs)
        assert sorted(s["SubnetId"] for s in pages(ec2, "describe_subnets", "Subnets")) == list(
            expected.subnets
        )
        groups = pages(ec2, "describe_security_groups", "SecurityGroups")
        assert sorted(g["GroupId"] for g in groups) == list(expected.security_groups)
        rules = pages(ec2, "describe_security_group_rules", "SecurityGroupRules")
        assert len(rules) == expected.security_group_rules
        instances = [i for r in pages(ec2, "describe_instances", "Reservations") for i in r["Instances"]]
        assert sorted(i["InstanceId"] for i in instances) == list(expected.instances)
        profiles = {
            i["InstanceId"]: i["IamInstanceProfile"]["Arn"] for i in instances if "IamInstanceProfile" in i
        }
        assert profiles == dict(expected.instance_profiles)
        interfaces = pages(ec2, "describe_network_interfaces", "NetworkInterfaces")
        assert sorted(n["NetworkInterfaceId"] for n in interfaces) == list(expected.network_interfaces)
        tables = pages(ec2, "describe_route_tables", "RouteTables")
        assert sorted(t["RouteTableId"] for t in tables) == list(expected.route_tables)
        gateways = pages(ec2, "describe_internet_gateways", "InternetGateways")
        assert sorted(g["InternetGatewayId"] for g in gateways) == list(expected.internet_gateways)
        nats = pages(ec2, "describe_nat_gateways", "NatGateways")
        assert sorted(n["NatGatewayId"] for n in nats) == list(expected.nat_gateways)
        peerings = pages(ec2, "describe_vpc_peering_connections", "VpcPeeringConnections")
        assert sorted(p["VpcPeeringConnectionId"] for p in peerings) == list(expected.vpc_peering_connections)


def test_instances_of_member_accounts_run_with_the_seeded_instance_profile(
    seeded: tuple[LocalAws, SeededOrganization],
) -> None:
    _, truth = seeded
    for account_id in truth.organization.member_account_ids:
        profiles = truth.iam_of(account_id).instance_profiles
        for region in truth.regions:
            regional = truth.ec2_of(account_id, region)
            assert regional.instances and set(regional.instance_profiles.values()) == set(profiles)


def test_identity_center_matches_its_truth(
    seeded: tuple[LocalAws, SeededOrganization], sessions: dict[str, AccountSession]
) -> None:
    _, truth = seeded
    center = truth.identity_center
    management = sessions[center.management_account_id]
    sso = management.client("sso-admin", center.home_region)
    store = management.client("identitystore", center.home_region)
    instance = {"InstanceArn": center.instance_arn}
    assert sorted(pages(sso, "list_permission_sets", "PermissionSets", **instance)) == sorted(
        p.arn for p in center.permission_sets
    )
    kinds = set()
    for ps in center.permission_sets:
        ids = {**instance, "PermissionSetArn": ps.arn}
        managed = pages(sso, "list_managed_policies_in_permission_set", "AttachedManagedPolicies", **ids)
        assert sorted(p["Arn"] for p in managed) == list(ps.aws_managed_policies)
        references = pages(
            sso,
            "list_customer_managed_policy_references_in_permission_set",
            "CustomerManagedPolicyReferences",
            **ids,
        )
        assert sorted((r["Name"], r["Path"]) for r in references) == list(ps.customer_managed_policies)
        assert bool(sso.get_inline_policy_for_permission_set(**ids)["InlinePolicy"]) == ps.inline_policy
        if ps.permissions_boundary is None:
            with pytest.raises(sso.exceptions.ResourceNotFoundException):
                sso.get_permissions_boundary_for_permission_set(**ids)
        else:
            boundary = sso.get_permissions_boundary_for_permission_set(**ids)["PermissionsBoundary"]
            reference = boundary.get("CustomerManagedPolicyReference")
            got = reference["Path"] + reference["Name"] if reference else boundary["ManagedPolicyArn"]
            assert got == ps.permissions_boundary
        kinds |= {
            *(["aws_managed"] if ps.aws_managed_policies else []),
            *(["customer_managed"] if ps.customer_managed_policies else []),
            *(["inline"] if ps.inline_policy else []),
            *(["boundary"] if ps.permissions_boundary else []),
        }
        assigned = pages(sso, "list_accounts_for_provisioned_permission_set", "AccountIds", **ids)
        assert sorted(assigned) == list(center.provisioned_accounts(ps.arn))
        assignments = {
            (ps.arn, account, a["PrincipalType"], a["PrincipalId"])
            for account in assigned
            for a in pages(sso, "list_account_assignments", "AccountAssignments", AccountId=account, **ids)
        }
        assert assignments == {
            (a.permission_set_arn, a.account_id, a.principal_type, a.principal_id)
            for a in center.assignments
            if a.permission_set_arn == ps.arn
        }
    assert kinds == {"aws_managed", "customer_managed", "inline", "boundary"}
    store_id = {"IdentityStoreId": center.identity_store_id}
    users = pages(store, "list_users", "Users", **store_id)
    assert sorted((u["UserId"], u["UserName"]) for u in users) == sorted(
        (u.user_id, u.user_name) for u in center.users
    )
    groups = pages(store, "list_groups", "Groups", **store_id)
    assert sorted(g["GroupId"] for g in groups) == sorted(g.group_id for g in center.groups)
    memberships = {
        (g.group_id, m["MemberId"]["UserId"])
        for g in center.groups
        for m in pages(store, "list_group_memberships", "GroupMemberships", GroupId=g.group_id, **store_id)
    }
    assert memberships == set(center.memberships)
    assert len({a.account_id for a in center.assignments}) >= 3  # several accounts
    assert {a.principal_type for a in center.assignments} == {"USER", "GROUP"}


def test_every_assignment_has_its_reserved_role_with_the_permission_sets_policies(
    seeded: tuple[LocalAws, SeededOrganization], sessions: dict[str, AccountSession]
) -> None:
    _, truth = seeded
    center = truth.identity_center
    by_arn = {p.arn: p for p in center.permission_sets}
    pairs = {(a.permission_set_arn, a.account_id) for a in center.assignments}
    assert {(r.permission_set_arn, r.account_id) for r in center.provisioned_roles} == pairs
    for role in center.provisioned_roles:
        ps = by_arn[role.permission_set_arn]
        iam = sessions[role.account_id].client("iam")
        reserved = [
            r for r in pages(iam, "list_roles", "Roles", PathPrefix="/aws-reserved/sso.amazonaws.com/")
        ]
        matching = [r for r in reserved if r["RoleName"].startswith(f"{SSO_ROLE_PREFIX}{ps.name}_")]
        assert [r["Arn"] for r in matching] == [role.role_arn]
        described = iam.get_role(RoleName=role.role_name)["Role"]
        assert described["Path"] == sso_role_path(center.home_region)
        assert len(role.role_name.rsplit("_", 1)[1]) == 16
        statement = described["AssumeRolePolicyDocument"]["Statement"][0]
        assert "saml-provider/AWSSSO_" in statement["Principal"]["Federated"]
        attached = {
            p["PolicyArn"]
            for p in iam.list_attached_role_policies(RoleName=role.role_name)["AttachedPolicies"]
        }
        customer = {
            f"arn:aws:iam::{role.account_id}:policy{path}{name}"
            for name, path in ps.customer_managed_policies
        }
        assert attached == set(ps.aws_managed_policies) | customer
        inline = iam.list_role_policies(RoleName=role.role_name)["PolicyNames"]
        assert inline == (["AwsSSOInlinePolicy"] if ps.inline_policy else [])


def test_cloudtrail_holds_exactly_the_truths_events(
    seeded: tuple[LocalAws, SeededOrganization], sessions: dict[str, AccountSession]
) -> None:
    _, truth = seeded
    assert truth.cloudtrail.seeded  # synthetic history on top of the recorded seeding calls
    recorded = 0
    for (account_id, region), expected in truth.cloudtrail.visible.items():
        cloudtrail = sessions[account_id].client("cloudtrail", region)
        events = pages(cloudtrail, "lookup_events", "Events")
        assert [e["EventId"] for e in events] == list(expected), (account_id, region)
        recorded += sum(e["EventId"] not in truth.cloudtrail.seeded for e in events)
        assert len(truth.cloudtrail.stored[(account_id, region)]) >= len(expected)
    assert recorded > 0  # the seeding's own mutating calls became events
    expired = sum(
        len(s) - len(v)
        for s, v in zip(truth.cloudtrail.stored.values(), truth.cloudtrail.visible.values(), strict=True)
    )
    assert expired == SPEC.cloudtrail.expired_events * len(truth.organization.accounts) * len(truth.regions)


def test_totals_use_the_collectors_summary_keys(seeded: tuple[LocalAws, SeededOrganization]) -> None:
    _, truth = seeded
    counts = truth.counts()
    summary_keys = {
        "sso_instances",
        "permission_sets",
        "account_assignments",
        "identity_store_users",
        "identity_store_groups",
        "identity_store_memberships",
        "ec2_instances",
        "vpcs",
        "subnets",
        "security_groups",
        "network_interfaces",
        "cloudtrail_events",
    }
    assert summary_keys <= set(counts)
    assert counts["permission_sets"] == len(SPEC.identity_center.permission_sets)
    assert counts["ec2_instances"] == (
        len(SPEC.accounts)
        * len(SPEC.regions)
        * SPEC.ec2.vpcs
        * SPEC.ec2.subnets_per_vpc
        * SPEC.ec2.instances_per_subnet
    )
    assert counts["vpc_peering_connections"] == len(SPEC.accounts)


def test_resource_control_policies_are_enabled_and_attached_as_the_truth_says(
    seeded: tuple[LocalAws, SeededOrganization], sessions: dict[str, AccountSession]
) -> None:
    _, truth = seeded
    org = sessions[truth.organization.management_account_id].client("organizations")
    (root,) = org.list_roots()["Roots"]
    enabled = {t["Type"] for t in root["PolicyTypes"] if t["Status"] == "ENABLED"}
    assert enabled == set(truth.organization.enabled_policy_types) == {"RESOURCE_CONTROL_POLICY"}
    listed = {p["Id"] for p in org.list_policies(Filter="RESOURCE_CONTROL_POLICY")["Policies"]}
    for rcp in truth.organization.resource_control_policies:
        assert rcp.id in listed
        targets = org.list_targets_for_policy(PolicyId=rcp.id)["Targets"]
        assert tuple(t["TargetId"] for t in targets) == rcp.target_ids
    assert len(truth.organization.resource_control_policies) == len(SPEC.resource_control_policies)


def test_federation_of_every_member_account_matches_its_truth(
    seeded: tuple[LocalAws, SeededOrganization], sessions: dict[str, AccountSession]
) -> None:
    _, truth = seeded
    assert {f.account_id for f in truth.federation} == set(truth.organization.member_account_ids)
    for federation in truth.federation:
        iam = sessions[federation.account_id].client("iam")
        saml = iam.list_saml_providers()["SAMLProviderList"]
        assert sorted(p["Arn"] for p in saml) == [p.arn for p in federation.saml_providers]
        oidc = iam.list_open_id_connect_providers()["OpenIDConnectProviderList"]
        assert sorted(p["Arn"] for p in oidc) == list(federation.oidc_providers)
        devices = iam.list_virtual_mfa_devices(AssignmentStatus="Any")["VirtualMFADevices"]
        assert sorted((d["SerialNumber"], d.get("User", {}).get("UserName")) for d in devices) == list(
            federation.mfa_devices
        )
        assert iam.get_account_password_policy()["PasswordPolicy"]["MinimumPasswordLength"] == 14
        roles = {r.arn for r in truth.iam_of(federation.account_id).roles}
        assert {e.role_arn for e in federation.trust_edges} <= roles


def test_identity_center_applications_and_issuers_match_their_truth(
    seeded: tuple[LocalAws, SeededOrganization], sessions: dict[str, AccountSession]
) -> None:
    _, truth = seeded
    center = truth.identity_center
    sso = sessions[center.management_account_id].client("sso-admin", center.home_region)
    apps = {
        a["ApplicationArn"]: a for a in sso.list_applications(InstanceArn=center.instance_arn)["Applications"]
    }
    assert set(apps) == {a.arn for a in center.applications}
    assert len(center.applications) == len(SPEC.identity_center.applications)
    for app in center.applications:
        assert apps[app.arn]["Name"] == app.name
        configuration = sso.get_application_assignment_configuration(ApplicationArn=app.arn)
        assert configuration["AssignmentRequired"] is app.assignment_required
        listed = sso.list_application_assignments(ApplicationArn=app.arn)["ApplicationAssignments"]
        assert sorted((a["PrincipalType"], a["PrincipalId"]) for a in listed) == list(app.assignments)
    issuers = sso.list_trusted_token_issuers(InstanceArn=center.instance_arn)["TrustedTokenIssuers"]
    assert sorted(i["TrustedTokenIssuerArn"] for i in issuers) == [
        i.arn for i in center.trusted_token_issuers
    ]


def test_account_access_manager_matches_its_truth(
    seeded: tuple[LocalAws, SeededOrganization], sessions: dict[str, AccountSession]
) -> None:
    _, truth = seeded
    found = truth.account_access
    assert found is not None and len(found.entitlements) == 2
    center = truth.identity_center
    client = sessions[center.management_account_id].client("account-access", center.home_region)
    assert [a["applicationArn"] for a in client.list_applications()["applications"]] == [
        found.application_arn
    ]
    listed = client.list_entitlements(applicationArn=found.application_arn, filter={"principalRole": {}})
    assert sorted(e["entitlementId"] for e in listed["entitlements"]) == [
        e.entitlement_id for e in found.entitlements
    ]
    roles = {r.arn for t in truth.iam for r in t.roles}
    assert {e.role_arn for e in found.entitlements} <= roles
    assert {e.principal_id for e in found.entitlements} <= {u.user_id for u in center.users} | {
        g.group_id for g in center.groups
    }


def test_member_accounts_share_snapshots_and_amis_as_the_truth_says(
    seeded: tuple[LocalAws, SeededOrganization], sessions: dict[str, AccountSession]
) -> None:
    _, truth = seeded
    member = truth.organization.member_account_ids[0]
    for region in truth.regions:
        resources = truth.ec2_of(member, region).resources
        assert resources is not None
        ec2 = sessions[member].client("ec2", region)
        owned = {s["SnapshotId"] for s in ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]}
        assert owned == set(resources.snapshots)
        snapshot_grants = {
            (snapshot, next(iter(p.values())))
            for snapshot in resources.snapshots
            for p in ec2.describe_snapshot_attribute(SnapshotId=snapshot, Attribute="createVolumePermission")[
                "CreateVolumePermissions"
            ]
        }
        assert snapshot_grants == {(g.resource_id, g.grantee) for g in resources.snapshot_shares}
        image_grants = {
            (image, next(iter(p.values())))
            for image in resources.images
            for p in ec2.describe_image_attribute(ImageId=image, Attribute="launchPermission")[
                "LaunchPermissions"
            ]
        }
        assert image_grants == {(g.resource_id, g.grantee) for g in resources.image_shares}
        assert {g.grantee_type for g in resources.image_shares} >= {"public", "organization"}
    assert not any(t.resources for t in truth.ec2 if t.account_id == truth.organization.management_account_id)
