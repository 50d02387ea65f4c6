"""Identity Center parsers and choices on canned responses, and the permission-set-to-role links."""

from __future__ import annotations

import json

import pytest

from collector import links
from collector.links import Provisioned, StoredRole
from collector.services.identity_center import parse
from collector.services.identity_center.parse import Administration, AssignmentListing
from collector.services.identity_center.records import InstanceType, PermissionSet, RoleMatch
from tests.collector.canned import ACCOUNT, CREATED

INSTANCE = "arn:aws:sso:::instance/ssoins-1111222233334444"
PS_ARN = f"arn:aws:sso:::permissionSet/ssoins-1111222233334444/ps-{'a' * 16}"
MANAGEMENT, MEMBER, DELEGATED = "111111111111", "222222222222", "333333333333"
INLINE = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}],
}


def _ps() -> PermissionSet:
    return parse.permission_set(
        ACCOUNT,
        INSTANCE,
        {
            "PermissionSetArn": PS_ARN,
            "Name": "Developer",
            "Description": "developers",
            "SessionDuration": "PT8H",
            "CreatedDate": CREATED,
        },
    )


def test_permission_set_from_describe() -> None:
    ps = _ps()
    assert (ps.name, ps.session_duration, ps.created_date) == (
        "Developer",
        "PT8H",
        "2024-01-02T03:04:05+00:00",
    )
    assert ps.relay_state is None and ps.instance_arn == INSTANCE


def test_every_policy_kind_of_a_permission_set() -> None:
    ps = _ps()
    aws = parse.aws_managed_policies(
        ps, [{"Name": "PowerUserAccess", "Arn": "arn:aws:iam::aws:policy/PowerUserAccess"}]
    )
    customer = parse.customer_managed_policies(ps, [{"Name": "extras"}, {"Name": "deploy", "Path": "/ci/"}])
    inline = parse.inline_policy(ps, json.dumps(INLINE))
    boundary_ref = parse.permissions_boundary(
        ps, {"CustomerManagedPolicyReference": {"Name": "boundary", "Path": "/boundaries/"}}
    )
    boundary_arn = parse.permissions_boundary(
        ps, {"ManagedPolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}
    )

    assert [(p.usage, p.policy_type, p.reference, p.policy_arn) for p in aws] == [
        (
            "attached",
            "aws_managed",
            "arn:aws:iam::aws:policy/PowerUserAccess",
            "arn:aws:iam::aws:policy/PowerUserAccess",
        )
    ]
    # A customer-managed reference names a policy by path and name; it has an ARN only inside each account.
    assert [(p.reference, p.policy_name, p.policy_path, p.policy_arn) for p in customer] == [
        ("/extras", "extras", "/", None),
        ("/ci/deploy", "deploy", "/ci/", None),
    ]
    assert [(p.usage, p.reference, p.document) for p in inline] == [("inline", "inline", INLINE)]
    assert [(p.usage, p.policy_type, p.reference) for p in boundary_ref + boundary_arn] == [
        ("permissions_boundary", "customer_managed", "/boundaries/boundary"),
        ("permissions_boundary", "aws_managed", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
    ]
    assert {p.permission_set_name for p in aws + customer + inline} == {"Developer"}
    assert parse.inline_policy(ps, "") == () and parse.permissions_boundary(ps, None) == ()


def test_provisioned_accounts_are_de_duplicated_and_sorted() -> None:
    found = parse.provisioned(ACCOUNT, INSTANCE, _ps(), [MEMBER, MANAGEMENT, MEMBER])
    assert [(p.target_account_id, p.permission_set_name) for p in found] == [
        (MANAGEMENT, "Developer"),
        (MEMBER, "Developer"),
    ]


def test_account_assignments_from_either_listing_shape() -> None:
    items = [
        {"AccountId": MEMBER, "PermissionSetArn": PS_ARN, "PrincipalType": "GROUP", "PrincipalId": "g-1"}
    ]
    (found,) = parse.account_assignments(ACCOUNT, INSTANCE, items)
    assert (found.target_account_id, found.principal_type, found.principal_id) == (MEMBER, "GROUP", "g-1")
    with pytest.raises(KeyError):  # a required field missing fails loudly
        list(parse.account_assignments(ACCOUNT, INSTANCE, [{"AccountId": MEMBER}]))


def test_identity_store_records() -> None:
    user = parse.identity_store_user(
        ACCOUNT,
        "d-1234567890",
        {
            "UserId": "u-1",
            "UserName": "alice",
            "DisplayName": "Alice",
            "Emails": [{"Value": "a@old.example"}, {"Value": "alice@example.com", "Primary": True}],
            "ExternalIds": [{"Issuer": "https://idp.example", "Id": "123"}],
            "UserStatus": "ENABLED",
            "IdentityStoreId": "d-1234567890",
        },
    )
    bare = parse.identity_store_user(ACCOUNT, "d-1234567890", {"UserId": "u-2"})
    group = parse.identity_store_group(ACCOUNT, "d-1234567890", {"GroupId": "g-1", "DisplayName": "Admins"})
    member = parse.identity_store_membership(
        ACCOUNT, "d-1234567890", {"MembershipId": "m-1", "GroupId": "g-1", "MemberId": {"UserId": "u-1"}}
    )
    assert (user.user_name, user.primary_email, user.user_status) == ("alice", "alice@example.com", "ENABLED")
    assert user.external_ids == [{"Issuer": "https://idp.example", "Id": "123"}]
    assert (bare.user_name, bare.primary_email, bare.emails) == (None, None, [])
    assert (group.group_id, group.display_name, group.external_ids) == ("g-1", "Admins", [])
    assert (member.group_id, member.user_id) == ("g-1", "u-1")


def test_instances_home_region_and_type() -> None:
    item = {"InstanceArn": INSTANCE, "IdentityStoreId": "d-1", "OwnerAccountId": MANAGEMENT}
    assert parse.home_region(item, "us-east-1") == "us-east-1"
    assert parse.home_region({**item, "PrimaryRegion": "eu-west-1"}, "us-east-1") == "eu-west-1"
    assert parse.instance_type(MANAGEMENT, MANAGEMENT) is InstanceType.ORGANIZATION
    # Whoever lists it (the delegated administrator too), the management account owns the organization's.
    assert parse.instance_type(MEMBER, MANAGEMENT) is InstanceType.ACCOUNT
    assert parse.instance_type(MEMBER, None) is InstanceType.ACCOUNT  # outside any organization
    record = parse.sso_instance(ACCOUNT, item, "eu-west-1", None)
    assert (record.home_region, record.instance_type, record.owner_account_id) == (
        "eu-west-1",
        None,
        MANAGEMENT,
    )


@pytest.mark.parametrize(
    ("admin", "collected", "expected", "why"),
    [
        (
            Administration(MANAGEMENT, DELEGATED),
            {MANAGEMENT, DELEGATED},
            (DELEGATED, True),
            "delegated administrator",
        ),
        (
            Administration(MANAGEMENT, DELEGATED),
            {MANAGEMENT},
            (MANAGEMENT, True),
            f"{DELEGATED} is not collected",
        ),
        (
            Administration(MANAGEMENT, None),
            {MANAGEMENT, MEMBER},
            (MANAGEMENT, True),
            "no delegated administrator",
        ),
        (Administration(MANAGEMENT, None, False), {MANAGEMENT}, (MANAGEMENT, True), "does not filter"),
        (
            Administration(MANAGEMENT, DELEGATED),
            {MEMBER},
            (DELEGATED, False),
            "which this run does not collect",
        ),
        (Administration(MANAGEMENT, None), {MEMBER}, (MANAGEMENT, False), "which this run does not collect"),
    ],
)
def test_the_account_identity_center_is_read_in(
    admin: Administration, collected: set[str], expected: tuple[str, bool], why: str
) -> None:
    home = parse.choose_account(admin, collected)
    assert (home.account_id, home.collected) == expected
    assert why in home.reason


def test_one_delegated_administrator_at_most() -> None:
    assert parse.delegated_administrator([]) is None
    assert parse.delegated_administrator([{"Id": DELEGATED}]) == DELEGATED
    with pytest.raises(ValueError, match="several delegated administrators"):
        parse.delegated_administrator([{"Id": DELEGATED}, {"Id": MEMBER}])


@pytest.mark.parametrize(
    ("pairs", "principals", "management", "expected"),
    [
        (10, 7, True, AssignmentListing.PER_PRINCIPAL),  # few people, many accounts
        (10, 500, True, AssignmentListing.PER_PROVISIONED_PAIR),  # many people
        (10, 10, True, AssignmentListing.PER_PROVISIONED_PAIR),  # a tie: the exhaustive listing
        (10, 7, False, AssignmentListing.PER_PROVISIONED_PAIR),  # per principal: management account only
        (None, 7, True, AssignmentListing.PER_PRINCIPAL),  # provisioned accounts not read
        (10, None, True, AssignmentListing.PER_PROVISIONED_PAIR),  # identity store not read
        (None, 7, False, None),
        (None, None, True, None),
    ],
)
def test_the_cheaper_complete_assignment_listing(
    pairs: int | None, principals: int | None, management: bool, expected: AssignmentListing | None
) -> None:
    assert parse.assignment_listing(pairs, principals, from_management_account=management) is expected


# --- permission set -> AWSReservedSSO_ role -----------------------------------------------------------------


def _role(account: str, name: str, path: str = "/aws-reserved/sso.amazonaws.com/") -> StoredRole:
    return StoredRole(account, f"arn:aws:iam::{account}:role{path}{name}", name, path)


def _provisioned(account: str, name: str, region: str = "us-east-1") -> Provisioned:
    return Provisioned(account, f"{PS_ARN}-{name}", name, INSTANCE, region)


def test_role_names_carry_the_permission_set_name_and_a_16_hex_suffix() -> None:
    assert links.permission_set_name_of("AWSReservedSSO_Dev_Ops_0123456789abcdef") == "Dev_Ops"
    assert links.permission_set_name_of("AWSReservedSSO_Dev_0123456789abcde") is None  # 15 digits
    assert links.permission_set_name_of("AWSReservedSSO__0123456789abcdef") is None
    assert links.permission_set_name_of("MyRole_0123456789abcdef") is None
    assert links.sso_role_path("us-east-1") == "/aws-reserved/sso.amazonaws.com/"
    assert links.sso_role_path("eu-west-2") == "/aws-reserved/sso.amazonaws.com/eu-west-2/"


def test_each_provisioned_permission_set_maps_to_exactly_its_role() -> None:
    roles = [
        _role(MEMBER, "AWSReservedSSO_Dev_0123456789abcdef"),
        # A permission set whose name extends another's never steals its role.
        _role(MEMBER, "AWSReservedSSO_Dev_Ops_fedcba9876543210"),
        # Same name in another account: that account's own role.
        _role(MANAGEMENT, "AWSReservedSSO_Dev_1111111111111111"),
        # A look-alike outside the reserved path is not Identity Center's.
        _role(MANAGEMENT, "AWSReservedSSO_Admin_2222222222222222", path="/"),
        # An eu-west-1 instance's role is under the region's path.
        _role(
            DELEGATED,
            "AWSReservedSSO_Admin_3333333333333333",
            path="/aws-reserved/sso.amazonaws.com/eu-west-1/",
        ),
    ]
    provisioned = [
        _provisioned(MEMBER, "Dev"),
        _provisioned(MEMBER, "Dev_Ops"),
        _provisioned(MANAGEMENT, "Dev"),
        _provisioned(MANAGEMENT, "Admin"),
        _provisioned(DELEGATED, "Admin", region="eu-west-1"),
        _provisioned("444444444444", "Dev"),
    ]
    found = {
        (r.account_id, r.permission_set_name): (r.match, r.role_name)
        for r in links.permission_set_roles(provisioned, roles, [MEMBER, MANAGEMENT, DELEGATED])
    }
    assert found == {
        (MEMBER, "Dev"): (RoleMatch.MATCHED, "AWSReservedSSO_Dev_0123456789abcdef"),
        (MEMBER, "Dev_Ops"): (RoleMatch.MATCHED, "AWSReservedSSO_Dev_Ops_fedcba9876543210"),
        (MANAGEMENT, "Dev"): (RoleMatch.MATCHED, "AWSReservedSSO_Dev_1111111111111111"),
        (MANAGEMENT, "Admin"): (RoleMatch.ROLE_NOT_FOUND, None),
        (DELEGATED, "Admin"): (RoleMatch.MATCHED, "AWSReservedSSO_Admin_3333333333333333"),
        ("444444444444", "Dev"): (RoleMatch.IAM_NOT_COLLECTED, None),
    }


def test_two_candidate_roles_are_ambiguous_and_none_is_chosen() -> None:
    roles = [
        _role(MEMBER, "AWSReservedSSO_Dev_0123456789abcdef"),
        _role(MEMBER, "AWSReservedSSO_Dev_fedcba9876543210"),
    ]
    (record,) = links.permission_set_roles([_provisioned(MEMBER, "Dev")], roles, [MEMBER])
    assert record.match == RoleMatch.AMBIGUOUS and record.role_arn is None
    assert record.candidates == sorted(r.arn for r in roles)
