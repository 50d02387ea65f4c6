"""Identity Center operations the emulator adds to moto, and JSON-protocol auth errors, on the real server."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from local_aws.emulator.server import LocalAws
from tests.local_aws.emulator.helpers import session_with_actions

pytestmark = pytest.mark.e2e


def instance_and_permission_set(name: str = "Admins") -> tuple[str, str]:
    sso = boto3.client("sso-admin")
    instance = sso.list_instances()["Instances"][0]["InstanceArn"]
    arn = sso.create_permission_set(InstanceArn=instance, Name=name)["PermissionSet"]["PermissionSetArn"]
    return instance, arn


def error_code(call: object, **kwargs: object) -> str:
    with pytest.raises(ClientError) as raised:
        call(**kwargs)  # type: ignore[operator]
    return str(raised.value.response["Error"]["Code"])


def test_a_permissions_boundary_is_put_read_replaced_and_deleted(local_aws: LocalAws) -> None:
    sso = boto3.client("sso-admin")
    instance, arn = instance_and_permission_set()
    ids = {"InstanceArn": instance, "PermissionSetArn": arn}
    assert error_code(sso.get_permissions_boundary_for_permission_set, **ids) == "ResourceNotFoundException"
    managed: Any = {"ManagedPolicyArn": "arn:aws:iam::aws:policy/PowerUserAccess"}
    sso.put_permissions_boundary_to_permission_set(**ids, PermissionsBoundary=managed)
    assert sso.get_permissions_boundary_for_permission_set(**ids)["PermissionsBoundary"] == managed
    customer: Any = {"CustomerManagedPolicyReference": {"Name": "Boundary", "Path": "/limits/"}}
    sso.put_permissions_boundary_to_permission_set(**ids, PermissionsBoundary=customer)
    assert sso.get_permissions_boundary_for_permission_set(**ids)["PermissionsBoundary"] == customer
    sso.delete_permissions_boundary_from_permission_set(**ids)
    assert error_code(sso.get_permissions_boundary_for_permission_set, **ids) == "ResourceNotFoundException"
    assert (
        error_code(sso.delete_permissions_boundary_from_permission_set, **ids) == "ResourceNotFoundException"
    )


def test_a_boundary_needs_an_existing_permission_set_and_exactly_one_kind(local_aws: LocalAws) -> None:
    sso = boto3.client("sso-admin")
    instance, arn = instance_and_permission_set()
    missing = arn[:-4] + "zzzz"
    managed = {"ManagedPolicyArn": "arn:aws:iam::aws:policy/PowerUserAccess"}
    put = sso.put_permissions_boundary_to_permission_set
    assert error_code(put, InstanceArn=instance, PermissionSetArn=missing, PermissionsBoundary=managed) == (
        "ResourceNotFoundException"
    )
    both = {**managed, "CustomerManagedPolicyReference": {"Name": "B"}}
    assert error_code(put, InstanceArn=instance, PermissionSetArn=arn, PermissionsBoundary=both) == (
        "ValidationException"
    )


def test_deleting_a_permission_set_takes_its_boundary_along(local_aws: LocalAws) -> None:
    sso = boto3.client("sso-admin")
    instance, arn = instance_and_permission_set()
    boundary: Any = {"ManagedPolicyArn": "arn:aws:iam::aws:policy/PowerUserAccess"}
    sso.put_permissions_boundary_to_permission_set(
        InstanceArn=instance, PermissionSetArn=arn, PermissionsBoundary=boundary
    )
    sso.delete_permission_set(InstanceArn=instance, PermissionSetArn=arn)
    get = sso.get_permissions_boundary_for_permission_set
    assert error_code(get, InstanceArn=instance, PermissionSetArn=arn) == "ResourceNotFoundException"


def test_provisioned_listings_follow_account_assignments(local_aws: LocalAws) -> None:
    sso = boto3.client("sso-admin")
    instance, admins = instance_and_permission_set("Admins")
    _, readers = instance_and_permission_set("Readers")
    accounts = ["111111111111", "222222222222", "333333333333"]
    for account in accounts:
        sso.create_account_assignment(
            InstanceArn=instance, TargetId=account, TargetType="AWS_ACCOUNT", PermissionSetArn=admins,
            PrincipalType="GROUP", PrincipalId="g-1",
        )  # fmt: skip
    sso.create_account_assignment(
        InstanceArn=instance, TargetId=accounts[0], TargetType="AWS_ACCOUNT", PermissionSetArn=readers,
        PrincipalType="USER", PrincipalId="u-1",
    )  # fmt: skip
    pages = sso.get_paginator("list_accounts_for_provisioned_permission_set").paginate(
        InstanceArn=instance, PermissionSetArn=admins, PaginationConfig={"PageSize": 2}
    )
    assert [p["AccountIds"] for p in pages] == [accounts[:2], accounts[2:]]
    first = sso.list_permission_sets_provisioned_to_account(InstanceArn=instance, AccountId=accounts[0])
    assert sorted(first["PermissionSets"]) == sorted([admins, readers])
    second = sso.list_permission_sets_provisioned_to_account(InstanceArn=instance, AccountId=accounts[1])
    assert second["PermissionSets"] == [admins]
    outdated = sso.list_permission_sets_provisioned_to_account(
        InstanceArn=instance,
        AccountId=accounts[1],
        ProvisioningStatus="LATEST_PERMISSION_SET_NOT_PROVISIONED",
    )
    assert outdated["PermissionSets"] == []
    sso.delete_account_assignment(
        InstanceArn=instance, TargetId=accounts[1], TargetType="AWS_ACCOUNT", PermissionSetArn=admins,
        PrincipalType="GROUP", PrincipalId="g-1",
    )  # fmt: skip
    left = sso.list_accounts_for_provisioned_permission_set(InstanceArn=instance, PermissionSetArn=admins)
    assert left["AccountIds"] == [accounts[0], accounts[2]]


def test_emulated_and_moto_json_services_deny_with_access_denied_exception(local_aws: LocalAws) -> None:
    instance, arn = instance_and_permission_set()
    caller = session_with_actions("limited", ["sso:DescribePermissionSet"])
    local_aws.enforce_iam(True)
    sso = caller.client("sso-admin")
    sso.describe_permission_set(InstanceArn=instance, PermissionSetArn=arn)
    for call in (
        lambda: sso.get_permissions_boundary_for_permission_set(InstanceArn=instance, PermissionSetArn=arn),
        lambda: sso.list_permission_sets(InstanceArn=instance),  # moto's own operation
        lambda: caller.client("organizations").list_accounts(),
    ):
        with pytest.raises(ClientError) as raised:
            call()
        error = raised.value.response["Error"]
        assert error["Code"] == "AccessDeniedException", error
        assert "is not authorized to perform" in error["Message"]
    with pytest.raises(ClientError) as raised:
        caller.client("iam").list_users()  # Query protocol: moto's XML error is already what botocore reads
    assert raised.value.response["Error"]["Code"] == "AccessDenied"
