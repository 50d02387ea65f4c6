"""The Identity Center fetcher against botocore's Stubber: paging through empty pages, every policy kind, the
assignment listing chosen by shape, no instance, account instances, AccessDenied, the administrator lookup."""

from __future__ import annotations

import json
from typing import Any

from botocore.stub import Stubber

from collector.fetch import FetchOptions
from collector.models import Record, ScopeStatus
from collector.runner import collect_scope
from collector.services.identity_center import fetch as identity_center
from collector.services.identity_center.parse import Administration
from collector.services.identity_center.records import (
    AccountAssignment,
    IdentityStoreMembership,
    IdentityStoreUser,
    PermissionSetPolicy,
    ProvisionedPermissionSet,
    SsoInstance,
)
from collector.services.organizations import fetch as organizations
from collector.sink import ScopeOutcome
from tests.collector.canned import ACCOUNT, CREATED
from tests.collector.stubs import StubbedClients, context

MEMBER_A, MEMBER_B = "222222222222", "333333333333"
INSTANCE = "arn:aws:sso:::instance/ssoins-1111222233334444"
STORE = "d-1234567890"
PAGE = {"MaxResults": 100}
INLINE = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}],
}


def _ps_arn(n: int) -> str:
    return f"arn:aws:sso:::permissionSet/ssoins-1111222233334444/ps-{n:016x}"


def _user(n: int) -> dict[str, Any]:
    return {
        "UserId": _user_id(n),
        "UserArn": f"arn:aws:identitystore:::user/{_user_id(n)}",
        "Revision": "1",
        "UserName": f"user-{n}",
        "IdentityStoreId": STORE,
    }


def _group(n: int) -> dict[str, Any]:
    return {
        "GroupId": _group_id(n),
        "GroupArn": f"arn:aws:identitystore:::group/{_group_id(n)}",
        "Revision": "1",
        "DisplayName": f"group-{n}",
        "IdentityStoreId": STORE,
    }


def _user_id(n: int) -> str:
    return f"90676{n:05d}-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"


def _group_id(n: int) -> str:
    return f"90676{n:05d}-11111111-2222-3333-4444-555555555555"


def _instance(owner: str = ACCOUNT, **extra: Any) -> dict[str, Any]:
    return {
        "InstanceArn": INSTANCE,
        "IdentityStoreId": STORE,
        "OwnerAccountId": owner,
        "Status": "ACTIVE",
        "CreatedDate": CREATED,
        **extra,
    }


def _organization(management: str = ACCOUNT) -> dict[str, Any]:
    return {
        "Organization": {
            "Id": "o-abcdefghij",
            "Arn": f"arn:aws:organizations::{management}:organization/o-abcdefghij",
            "MasterAccountId": management,
        }
    }


def _start(clients: StubbedClients, *, management: str = ACCOUNT, owner: str = ACCOUNT) -> Stubber:
    sso = clients.stub("sso-admin")
    sso.add_response(
        "list_instances",
        {"Instances": [_instance(owner, PrimaryRegion="eu-west-1")]},
        {"RegionScope": "ALL_REGIONS", **PAGE},
    )
    clients.stub("organizations").add_response("describe_organization", _organization(management), {})
    return sso


def _identity_store(clients: StubbedClients, users: int, groups: int) -> None:
    """Users over two pages with an empty page between; every group has user 0 as a member."""
    store = clients.stub("identitystore")
    ids = {"IdentityStoreId": STORE, **PAGE}
    all_users = [_user(n) for n in range(users)]
    half = users // 2
    store.add_response("list_users", {"Users": all_users[:half], "NextToken": "u1"}, ids)
    store.add_response("list_users", {"Users": [], "NextToken": "u2"}, {**ids, "NextToken": "u1"})
    store.add_response("list_users", {"Users": all_users[half:]}, {**ids, "NextToken": "u2"})
    store.add_response("list_groups", {"Groups": [_group(n) for n in range(groups)]}, ids)
    for n in range(groups):
        member = {
            "IdentityStoreId": STORE,
            "MembershipId": _user_id(100 + n),
            "MembershipArn": f"arn:aws:identitystore:::membership/{_user_id(100 + n)}",
            "GroupId": _group_id(n),
            "MemberId": {"UserId": _user_id(0)},
        }
        store.add_response(
            "list_group_memberships", {"GroupMemberships": [member]}, {**ids, "GroupId": _group_id(n)}
        )


def _permission_sets(sso: Stubber, count: int, accounts: list[str], *, denied_inline: bool = False) -> None:
    """``count`` permission sets listed over two pages; each has one policy of every kind but the last, which
    has no boundary; each is provisioned to ``accounts``."""
    ids = {"InstanceArn": INSTANCE}
    arns = [_ps_arn(n) for n in range(count)]
    sso.add_response("list_permission_sets", {"PermissionSets": arns[:1], "NextToken": "p1"}, {**ids, **PAGE})
    sso.add_response("list_permission_sets", {"PermissionSets": arns[1:]}, {**ids, **PAGE, "NextToken": "p1"})
    for n, arn in enumerate(arns):
        described = {
            "PermissionSetArn": arn,
            "Name": f"Set{n}",
            "SessionDuration": "PT1H",
            "CreatedDate": CREATED,
        }
        sso.add_response(
            "describe_permission_set", {"PermissionSet": described}, {**ids, "PermissionSetArn": arn}
        )
    for arn in arns:
        sso.add_response(
            "list_managed_policies_in_permission_set",
            {
                "AttachedManagedPolicies": [
                    {"Name": "ReadOnlyAccess", "Arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}
                ]
            },
            {**ids, "PermissionSetArn": arn, **PAGE},
        )
    for arn in arns:
        sso.add_response(
            "list_customer_managed_policy_references_in_permission_set",
            {"CustomerManagedPolicyReferences": [{"Name": "extras", "Path": "/team/"}]},
            {**ids, "PermissionSetArn": arn, **PAGE},
        )
    if denied_inline:
        sso.add_client_error("get_inline_policy_for_permission_set", "AccessDeniedException", "no", 400)
    else:
        for arn in arns:
            sso.add_response(
                "get_inline_policy_for_permission_set",
                {"InlinePolicy": json.dumps(INLINE)},
                {**ids, "PermissionSetArn": arn},
            )
    for n, arn in enumerate(arns):
        if n == count - 1:
            sso.add_client_error(
                "get_permissions_boundary_for_permission_set", "ResourceNotFoundException", "none", 400
            )
        else:
            sso.add_response(
                "get_permissions_boundary_for_permission_set",
                {
                    "PermissionsBoundary": {
                        "CustomerManagedPolicyReference": {"Name": "boundary", "Path": "/"}
                    }
                },
                {**ids, "PermissionSetArn": arn},
            )
    for arn in arns:
        sso.add_response(
            "list_accounts_for_provisioned_permission_set",
            {"AccountIds": accounts},
            {**ids, "PermissionSetArn": arn, **PAGE},
        )


def no_applications(sso: Stubber, instance: str = INSTANCE) -> None:
    """The instance's last listings (applications, trusted token issuers), for an instance without any."""
    sso.add_response("list_applications", {"Applications": []}, {"InstanceArn": instance, **PAGE})
    sso.add_response(
        "list_trusted_token_issuers", {"TrustedTokenIssuers": []}, {"InstanceArn": instance, **PAGE}
    )


def _run(clients: StubbedClients, region: str | None = None, *, applications: bool = True) -> ScopeOutcome:
    """Collect; ``applications``: the instance's empty application listings are queued last (every test
    that reaches an instance)."""
    if applications:
        no_applications(clients.stub("sso-admin"))
    ctx = context(identity_center.FETCHER, clients)
    ctx.options = FetchOptions(identity_center_region=region)
    outcome = collect_scope(ctx)
    clients.assert_no_pending()
    return outcome


def _of(outcome: ScopeOutcome, kind: type[Record]) -> list[Any]:
    return [r for r in outcome.records if isinstance(r, kind)]


def test_many_accounts_and_few_people_list_assignments_per_principal() -> None:
    clients = StubbedClients()
    sso = _start(clients)
    _identity_store(clients, users=3, groups=2)
    _permission_sets(sso, 3, [MEMBER_A, MEMBER_B])  # 6 provisioned pairs > 5 principals
    for principal_type, ids in (
        ("USER", [_user_id(n) for n in range(3)]),
        ("GROUP", [_group_id(n) for n in range(2)]),
    ):
        for principal in ids:
            answer = (
                {
                    "AccountAssignments": [
                        {
                            "AccountId": MEMBER_A,
                            "PermissionSetArn": _ps_arn(0),
                            "PrincipalType": principal_type,
                            "PrincipalId": principal,
                        }
                    ]
                }
                if principal_type == "GROUP"
                else {"AccountAssignments": []}
            )
            sso.add_response(
                "list_account_assignments_for_principal",
                answer,
                {"InstanceArn": INSTANCE, "PrincipalType": principal_type, "PrincipalId": principal, **PAGE},
            )

    outcome = _run(clients)

    assert outcome.result.status is ScopeStatus.COMPLETE, outcome.result.detail
    assert "listed per_principal: 6 provisioned pairs, 5 users and groups" in outcome.result.detail
    (instance,) = _of(outcome, SsoInstance)
    assert (instance.home_region, instance.instance_type) == ("eu-west-1", "organization")
    assert len(_of(outcome, IdentityStoreUser)) == 3  # through the empty page
    assert len(_of(outcome, IdentityStoreMembership)) == 2
    policies = {(p.permission_set_name, p.usage, p.policy_type) for p in _of(outcome, PermissionSetPolicy)}
    assert len(policies) == 3 * 4 - 1  # every kind for each set, but no boundary on the last
    assert ("Set2", "permissions_boundary", "customer_managed") not in policies
    assert len(_of(outcome, ProvisionedPermissionSet)) == 6
    assert {(a.principal_type, a.target_account_id) for a in _of(outcome, AccountAssignment)} == {
        ("GROUP", MEMBER_A)
    }


def test_many_people_list_assignments_per_provisioned_pair_through_pages() -> None:
    clients = StubbedClients()
    sso = _start(clients)
    _identity_store(clients, users=6, groups=2)
    _permission_sets(sso, 2, [MEMBER_A])  # 2 provisioned pairs < 8 principals
    for n in range(2):
        ids = {"InstanceArn": INSTANCE, "AccountId": MEMBER_A, "PermissionSetArn": _ps_arn(n), **PAGE}
        first = {
            "AccountId": MEMBER_A,
            "PermissionSetArn": _ps_arn(n),
            "PrincipalType": "USER",
            "PrincipalId": _user_id(n),
        }
        second = {**first, "PrincipalType": "GROUP", "PrincipalId": _group_id(n)}
        sso.add_response("list_account_assignments", {"AccountAssignments": [first], "NextToken": "a1"}, ids)
        sso.add_response(
            "list_account_assignments",
            {"AccountAssignments": [], "NextToken": "a2"},
            {**ids, "NextToken": "a1"},
        )
        sso.add_response(
            "list_account_assignments", {"AccountAssignments": [second]}, {**ids, "NextToken": "a2"}
        )

    outcome = _run(clients)

    assert outcome.result.status is ScopeStatus.COMPLETE, outcome.result.detail
    assert "listed per_provisioned_pair: 2 provisioned pairs, 8 users and groups" in outcome.result.detail
    assert len(_of(outcome, AccountAssignment)) == 4


def test_from_a_delegated_administrator_assignments_are_listed_per_pair_even_for_few_people() -> None:
    clients = StubbedClients()
    sso = _start(clients, management=MEMBER_B, owner=MEMBER_B)  # we run in ACCOUNT, the delegated admin
    _identity_store(clients, users=1, groups=1)
    _permission_sets(sso, 2, [MEMBER_A, MEMBER_B])
    for n in range(2):
        for account in (MEMBER_A, MEMBER_B):
            sso.add_response(
                "list_account_assignments",
                {"AccountAssignments": []},
                {"InstanceArn": INSTANCE, "AccountId": account, "PermissionSetArn": _ps_arn(n), **PAGE},
            )
    outcome = _run(clients)
    assert outcome.result.status is ScopeStatus.COMPLETE, outcome.result.detail
    assert _of(outcome, SsoInstance)[0].instance_type == "organization"
    assert "per_provisioned_pair" in outcome.result.detail


def test_no_instance_is_a_complete_scope_that_says_so() -> None:
    clients = StubbedClients()
    clients.stub("sso-admin").add_response(
        "list_instances", {"Instances": []}, {"RegionScope": "ALL_REGIONS", **PAGE}
    )
    outcome = _run(clients, applications=False)
    assert outcome.result.status is ScopeStatus.COMPLETE
    assert outcome.records == ()
    assert "no IAM Identity Center instance is visible to this account in any region" in outcome.result.detail


def test_the_region_option_reads_that_region_only() -> None:
    clients = StubbedClients()
    clients.stub("sso-admin").add_response("list_instances", {"Instances": []}, PAGE)  # no RegionScope
    outcome = _run(clients, "eu-central-1", applications=False)
    assert "in eu-central-1" in outcome.result.detail


def test_an_account_instance_has_its_identity_store_and_no_permission_sets() -> None:
    clients = StubbedClients()
    clients.stub("sso-admin").add_response(
        "list_instances", {"Instances": [_instance(ACCOUNT)]}, {"RegionScope": "ALL_REGIONS", **PAGE}
    )
    clients.stub("organizations").add_client_error(
        "describe_organization", "AWSOrganizationsNotInUseException", "not in an organization", 400
    )
    _identity_store(clients, users=2, groups=1)

    outcome = _run(clients)  # no permission set call is queued: any would fail the test

    assert outcome.result.status is ScopeStatus.COMPLETE, outcome.result.detail
    (instance,) = _of(outcome, SsoInstance)
    assert (instance.instance_type, instance.home_region) == ("account", "us-east-1")  # the listing region
    assert len(_of(outcome, IdentityStoreUser)) == 2
    assert "is an account instance" in outcome.result.detail


def test_access_denied_on_list_instances_denies_the_scope_and_names_the_action() -> None:
    clients = StubbedClients()
    clients.stub("sso-admin").add_client_error("list_instances", "AccessDeniedException", "no", 400)
    outcome = _run(clients, applications=False)
    assert outcome.result.status is ScopeStatus.DENIED
    assert outcome.result.missing_actions == ("sso:ListInstances",)
    assert outcome.records == ()


def test_a_denied_policy_kind_loses_only_that_kind() -> None:
    clients = StubbedClients()
    sso = _start(clients)
    _identity_store(clients, users=4, groups=0)
    _permission_sets(sso, 2, [MEMBER_A], denied_inline=True)
    for n in range(2):
        sso.add_response(
            "list_account_assignments",
            {"AccountAssignments": []},
            {"InstanceArn": INSTANCE, "AccountId": MEMBER_A, "PermissionSetArn": _ps_arn(n), **PAGE},
        )
    outcome = _run(clients)
    assert outcome.result.status is ScopeStatus.PARTIAL
    assert outcome.result.missing_actions == ("sso:GetInlinePolicyForPermissionSet",)
    usages = {p.usage for p in _of(outcome, PermissionSetPolicy)}
    assert usages == {"attached", "permissions_boundary"}
    assert len(_of(outcome, ProvisionedPermissionSet)) == 2


def test_denied_users_fall_back_to_the_pair_listing_and_a_denied_organization_leaves_the_type_unknown() -> (
    None
):
    clients = StubbedClients()
    sso = clients.stub("sso-admin")
    sso.add_response("list_instances", {"Instances": [_instance()]}, {"RegionScope": "ALL_REGIONS", **PAGE})
    clients.stub("organizations").add_client_error(
        "describe_organization", "AccessDeniedException", "no", 400
    )
    store = clients.stub("identitystore")
    store.add_client_error("list_users", "AccessDeniedException", "no", 400)
    store.add_response("list_groups", {"Groups": []}, {"IdentityStoreId": STORE, **PAGE})
    _permission_sets(sso, 2, [MEMBER_A])
    for n in range(2):
        sso.add_response(
            "list_account_assignments",
            {"AccountAssignments": []},
            {"InstanceArn": INSTANCE, "AccountId": MEMBER_A, "PermissionSetArn": _ps_arn(n), **PAGE},
        )
    outcome = _run(clients)
    assert outcome.result.status is ScopeStatus.PARTIAL
    assert outcome.result.missing_actions == ("identitystore:ListUsers", "organizations:DescribeOrganization")
    assert _of(outcome, SsoInstance)[0].instance_type is None
    assert "per_provisioned_pair: 2 provisioned pairs, None users and groups" in outcome.result.detail


def test_assignments_that_cannot_be_listed_completely_are_a_recorded_failure() -> None:
    clients = StubbedClients()
    sso = _start(clients)
    store = clients.stub("identitystore")
    store.add_client_error("list_users", "AccessDeniedException", "no", 400)
    store.add_response("list_groups", {"Groups": []}, {"IdentityStoreId": STORE, **PAGE})
    sso.add_client_error("list_permission_sets", "AccessDeniedException", "no", 400)
    outcome = _run(clients)
    assert outcome.result.status is ScopeStatus.PARTIAL
    parts = {p.part: p for p in outcome.result.problems}
    assert set(parts) == {"identity_store_users", "permission_sets", "account_assignments"}
    assert parts["account_assignments"].status is ScopeStatus.FAILED
    assert "were not read" in parts["account_assignments"].message
    assert parts["permission_sets"].missing_action == "sso:ListPermissionSets"


# --- where Identity Center is administered (discovery) ------------------------------------------------------


def test_the_delegated_administrator_for_sso_when_the_organization_filters_by_it() -> None:
    clients = StubbedClients()
    org = clients.stub("organizations")
    org.add_response("describe_organization", _organization(), {})
    org.add_response(
        "list_delegated_administrators",
        {"DelegatedAdministrators": [{"Id": MEMBER_A, "Name": "identity"}]},
        {"ServicePrincipal": "sso.amazonaws.com"},
    )
    assert organizations.identity_center_administration(clients.client("organizations")) == Administration(
        ACCOUNT, MEMBER_A
    )
    clients.assert_no_pending()


def test_an_organization_that_rejects_the_sso_filter_is_listed_unfiltered() -> None:
    for others, known in (([], True), ([{"Id": MEMBER_B, "Name": "guardduty"}], False)):
        clients = StubbedClients()
        org = clients.stub("organizations")
        org.add_response("describe_organization", _organization(), {})
        org.add_client_error(
            "list_delegated_administrators", "InvalidInputException", "unrecognized service principal", 400
        )
        org.add_response("list_delegated_administrators", {"DelegatedAdministrators": others}, {})
        found = organizations.identity_center_administration(clients.client("organizations"))
        clients.assert_no_pending()
        assert found == Administration(ACCOUNT, None, delegation_known=known)


def test_a_fault_on_a_later_page_keeps_the_earlier_pages_and_counts_the_listing_as_incomplete() -> None:
    clients = StubbedClients()
    sso = _start(clients)
    store = clients.stub("identitystore")
    ids = {"IdentityStoreId": STORE, **PAGE}
    store.add_response("list_users", {"Users": [_user(0), _user(1)], "NextToken": "u1"}, ids)
    store.add_client_error("list_users", "InternalServerException", "boom", 500)  # as after every retry
    store.add_response("list_groups", {"Groups": []}, ids)
    _permission_sets(sso, 2, [MEMBER_A])
    for n in range(2):
        sso.add_response(
            "list_account_assignments",
            {"AccountAssignments": []},
            {"InstanceArn": INSTANCE, "AccountId": MEMBER_A, "PermissionSetArn": _ps_arn(n), **PAGE},
        )
    outcome = _run(clients)
    assert outcome.result.status is ScopeStatus.PARTIAL
    (problem,) = [p for p in outcome.result.problems if p.status is not ScopeStatus.COMPLETE]
    assert problem.part == "identity_store_users" and problem.error_code == "InternalServerException"
    assert [u.user_name for u in _of(outcome, IdentityStoreUser)] == ["user-0", "user-1"]
    # Two users read is not "two users": the per-principal listing would miss the others' assignments.
    assert "per_provisioned_pair: 2 provisioned pairs, None users and groups" in outcome.result.detail
