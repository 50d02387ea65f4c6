"""IAM parse functions on canned responses: no AWS, no boto3 client."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from collector.services.iam import parse
from collector.services.iam.records import (
    AccessKey,
    AwsManagedPolicy,
    Group,
    GroupMembership,
    InlinePolicy,
    InstanceProfile,
    Policy,
    PolicyAttachment,
    Role,
    User,
)
from tests.collector import canned as c

BOUNDARY = c.arn("policy", "boundary")
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


def _pages() -> list[dict[str, Any]]:
    # Two pages, the way GetAccountAuthorizationDetails splits them: a user's group is on the second page.
    first = {
        "UserDetailList": [
            c.user(
                "alice",
                groups=("admins",),
                boundary=BOUNDARY,
                UserPolicyList=[{"PolicyName": "inline-s3", "PolicyDocument": c.encoded(c.ALLOW_ALL_S3)}],
                AttachedManagedPolicies=[{"PolicyName": "ReadOnlyAccess", "PolicyArn": READ_ONLY}],
                Tags=[{"Key": "team", "Value": "red"}],
            )
        ],
        "GroupDetailList": [],
        "RoleDetailList": [],
        "Policies": [c.managed(READ_ONLY, versions=3)],
        "IsTruncated": True,
        "Marker": "m1",
    }
    profile = {
        "Path": "/",
        "InstanceProfileName": "web",
        "InstanceProfileId": "AIPAWEB",
        "Arn": c.arn("instance-profile", "web"),
        "CreateDate": c.CREATED,
        "Roles": [{"Arn": c.arn("role", "web")}],
    }
    second = {
        "UserDetailList": [],
        "GroupDetailList": [
            c.group("admins", AttachedManagedPolicies=[{"PolicyArn": c.arn("policy", "local")}])
        ],
        "RoleDetailList": [
            c.role(
                "web",
                InstanceProfileList=[profile],
                RoleLastUsed={"LastUsedDate": c.CREATED, "Region": "eu-west-1"},
                # botocore hands documents over decoded; both shapes are accepted.
                RolePolicyList=[{"PolicyName": "r", "PolicyDocument": c.ALLOW_ALL_S3}],
            )
        ],
        "Policies": [c.managed(c.arn("policy", "local"))],
        "IsTruncated": False,
    }
    return [first, second]


def test_authorization_details_become_typed_records() -> None:
    details = parse.parse_authorization_details(c.ACCOUNT, _pages())
    by_type: dict[type, list[Any]] = {}
    for record in details.records:
        by_type.setdefault(type(record), []).append(record)

    (alice,) = by_type[User]
    assert alice.arn == c.arn("user", "alice") and alice.permissions_boundary_arn == BOUNDARY
    assert alice.tags == {"team": "red"} and alice.create_date == "2024-01-02T03:04:05+00:00"
    (membership,) = by_type[GroupMembership]
    # The group is listed on a later page than its member: the ARN still comes from the group itself.
    assert membership.group_arn == c.arn("group", "admins") and membership.user_name == "alice"
    (inline_role, inline_user) = sorted(by_type[InlinePolicy], key=lambda p: p.principal_kind)
    assert inline_user.principal_kind == "user" and inline_user.document == c.ALLOW_ALL_S3  # URL-decoded
    assert inline_role.principal_arn == c.arn("role", "web")
    (web,) = by_type[Role]
    assert web.trust_policy == c.TRUST_EC2 and web.last_used_region == "eu-west-1"
    (profile,) = by_type[InstanceProfile]
    assert profile.role_arns == [c.arn("role", "web")]
    (aws_policy,) = by_type[AwsManagedPolicy]
    assert aws_policy.default_version_id == "v3" and aws_policy.document == c.ALLOW_ALL_S3
    (local,) = by_type[Policy]
    assert local.arn == c.arn("policy", "local") and local.name == "local"
    attachments = {(a.principal_arn, a.policy_arn, a.attachment) for a in by_type[PolicyAttachment]}
    assert attachments == {
        (alice.arn, READ_ONLY, "attached"),
        (alice.arn, BOUNDARY, "permissions_boundary"),
        (c.arn("group", "admins"), c.arn("policy", "local"), "attached"),
    }
    assert by_type[Group][0].group_id == c.entity_id("AGPA", "admins")
    # The boundary-only policy did not come with the details: it must be backfilled.
    assert parse.missing_policies(details) == (BOUNDARY,)


def test_a_missing_required_field_fails_loudly() -> None:
    page = {"UserDetailList": [{"UserName": "no-arn", "Path": "/", "UserId": "x", "CreateDate": c.CREATED}]}
    with pytest.raises(KeyError, match="Arn"):
        parse.parse_authorization_details(c.ACCOUNT, [page])


def test_a_default_version_missing_from_the_version_list_fails_loudly() -> None:
    policy = c.managed(c.arn("policy", "p"))
    policy["DefaultVersionId"] = "v9"
    policy["PolicyVersionList"][0]["IsDefaultVersion"] = False
    with pytest.raises(KeyError, match="v9"):
        parse.parse_authorization_details(c.ACCOUNT, [{"Policies": [policy]}])


def test_credential_report_rows_keep_only_slots_with_keys() -> None:
    rows = parse.parse_credential_report(
        c.report(
            c.report_line("alice", key1=("2024-01-02T03:04:05+00:00", "2024-06-01T00:00:00+00:00")),
            c.report_line("bob"),
        )
    )
    by_user = {r.user: r for r in rows}
    assert by_user["<root_account>"].password_enabled is None  # "not_supported"
    assert by_user["alice"].has_keys and by_user["alice"].keys[0].last_used_service == "iam"
    assert not by_user["bob"].has_keys
    creds = parse.user_credentials(c.ACCOUNT, rows, "2024-07-01T00:00:00+00:00")
    assert {x.user_name for x in creds} == {"alice", "bob"}  # the root row is not a user
    assert all(x.mfa_active is True for x in creds)


def test_access_keys_match_report_slots_by_creation_time() -> None:
    older = datetime(2023, 1, 1, tzinfo=UTC)
    newer = datetime(2024, 3, 1, 12, 0, 0, tzinfo=UTC)
    # Slot 1 rotated at the newer key's creation: the report does not keep creation order.
    row = parse.parse_credential_report(
        c.report(
            c.report_line(
                "alice",
                key1=("2024-03-01T12:00:00+00:00", "2024-06-02T00:00:00+00:00"),
                key2=("2023-01-01T00:00:00+00:00", "N/A"),
            )
        )
    )[1]
    metadata = [
        {"UserName": "alice", "AccessKeyId": "AKIAOLDER", "Status": "Inactive", "CreateDate": older},
        {"UserName": "alice", "AccessKeyId": "AKIANEWER", "Status": "Active", "CreateDate": newer},
    ]
    keys = {k.access_key_id: k for k in parse.access_keys(c.ACCOUNT, row.arn, metadata, row)}
    assert keys["AKIANEWER"].last_used_date == "2024-06-02T00:00:00+00:00"
    assert keys["AKIAOLDER"].last_used_date is None and keys["AKIAOLDER"].status == "Inactive"
    assert all(isinstance(k, AccessKey) and k.user_arn == row.arn for k in keys.values())


def test_access_keys_without_a_report_row_have_no_last_use() -> None:
    metadata = [{"UserName": "bob", "AccessKeyId": "AKIABOB", "Status": "Active", "CreateDate": c.CREATED}]
    (key,) = parse.access_keys(c.ACCOUNT, c.arn("user", "bob"), metadata, None)
    assert key.last_used_date is None and key.create_date == "2024-01-02T03:04:05+00:00"
