"""AWS Account Access Manager, emulated on the real server: routes and shapes of botocore's model, paging,
the modelled errors, idempotent entitlements, filters, and the caller's IAM authorization."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from local_aws.emulator.server import LocalAws
from tests.local_aws.emulator.helpers import session_with_actions
from tests.local_aws.emulator.test_identity_center_server import error_code

pytestmark = pytest.mark.e2e

ROLE = "arn:aws:iam::222233334444:role/OnCall"


def _application() -> tuple[Any, str]:
    instance = boto3.client("sso-admin").list_instances()["Instances"][0]["InstanceArn"]
    client = boto3.client("account-access")
    arn = client.create_application(identitySource={"identityCenter": {"instanceArn": instance}})[
        "applicationArn"
    ]
    return client, arn


def _entitle(client: Any, arn: str, principal: dict[str, str], role: str = ROLE) -> str:
    entitlement: Any = {"principalRole": {"principal": {"identityCenter": principal}, "roleArn": role}}
    return str(client.create_entitlement(applicationArn=arn, entitlement=entitlement)["entitlementId"])


def test_one_application_per_account_read_listed_and_deleted(local_aws: LocalAws) -> None:
    client, arn = _application()
    instance = boto3.client("sso-admin").list_instances()["Instances"][0]["InstanceArn"]
    detail = client.get_application(applicationArn=arn)
    assert (
        detail["identitySource"] == {"identityCenter": {"instanceArn": instance}}
        and detail["status"] == "ACTIVE"
    )
    assert [a["applicationArn"] for a in client.list_applications()["applications"]] == [arn]
    again = {"identityCenter": {"instanceArn": instance}}
    assert error_code(client.create_application, identitySource=again) == "AlreadyCreatedException"
    missing = {"identityCenter": {"instanceArn": instance[:-4] + "zzzz"}}
    assert error_code(client.create_application, identitySource=missing) == "ValidationException"
    client.delete_application(applicationArn=arn)
    assert error_code(client.get_application, applicationArn=arn) == "ResourceNotFoundException"


def test_entitlements_are_idempotent_filtered_paged_and_deleted(local_aws: LocalAws) -> None:
    client, arn = _application()
    first = _entitle(client, arn, {"userId": "u-1"})
    assert _entitle(client, arn, {"userId": "u-1"}) == first  # idempotent
    _entitle(client, arn, {"groupId": "g-1"})
    _entitle(client, arn, {"userId": "u-1"}, "arn:aws:iam::555566667777:role/Audit")
    every: Any = {"principalRole": {}}
    page = client.list_entitlements(applicationArn=arn, filter=every, maxResults=2)
    rest = client.list_entitlements(applicationArn=arn, filter=every, nextToken=page["nextToken"])
    assert len(page["entitlements"]) + len(rest["entitlements"]) == 3 and "nextToken" not in rest
    by_user: Any = {"principalRole": {"principal": {"identityCenter": {"userId": "u-1"}}}}
    assert len(client.list_entitlements(applicationArn=arn, filter=by_user)["entitlements"]) == 2
    both: Any = {
        "principalRole": {"principal": {"identityCenter": {"userId": "u-1"}}, "account": "555566667777"}
    }
    (only,) = client.list_entitlements(applicationArn=arn, filter=both)["entitlements"]
    assert only["entitlement"]["principalRole"]["roleArn"] == "arn:aws:iam::555566667777:role/Audit"
    got = client.get_entitlement(applicationArn=arn, entitlementId=first)
    assert got["entitlement"]["principalRole"]["account"] == "222233334444" and got["applicationArn"] == arn
    assert error_code(client.delete_application, applicationArn=arn) == "ConflictException"
    client.delete_entitlement(applicationArn=arn, entitlementId=first)
    assert (
        error_code(client.get_entitlement, applicationArn=arn, entitlementId=first)
        == "ResourceNotFoundException"
    )
    bad: Any = {
        "principalRole": {
            "principal": {"identityCenter": {"userId": "u"}},
            "roleArn": "arn:aws:iam::1:user/x",
        }
    }
    assert error_code(client.create_entitlement, applicationArn=arn, entitlement=bad) == "ValidationException"
    assert error_code(client.list_entitlements, applicationArn=arn, filter=every, maxResults=101) == (
        "ValidationException"
    )


def test_the_callers_iam_policy_decides(local_aws: LocalAws) -> None:
    client, arn = _application()
    entitlement = _entitle(client, arn, {"groupId": "g-1"})
    caller = session_with_actions("aam-lister", ["account-access:ListApplications"])
    reader = session_with_actions("aam-reader", ["account-access:GetEntitlement"])
    local_aws.enforce_iam(True)
    # A body-less GET with a query string, signed and authorized as AWS would.
    got = reader.client("account-access").get_entitlement(applicationArn=arn, entitlementId=entitlement)
    assert got["entitlementId"] == entitlement
    limited = caller.client("account-access")
    assert [a["applicationArn"] for a in limited.list_applications()["applications"]] == [arn]
    assert error_code(limited.get_application, applicationArn=arn) == "AccessDeniedException"
    every: Any = {"principalRole": {}}
    assert error_code(limited.list_entitlements, applicationArn=arn, filter=every) == "AccessDeniedException"
