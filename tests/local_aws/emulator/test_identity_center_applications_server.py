"""Identity Center applications, assignments and trusted token issuers, emulated on the real server:
shapes, paging, errors, and the caller's IAM authorization."""

from __future__ import annotations

from typing import Any

import boto3
import pytest

from local_aws.emulator.server import LocalAws
from tests.local_aws.emulator.helpers import session_with_actions
from tests.local_aws.emulator.test_identity_center_server import error_code

pytestmark = pytest.mark.e2e

PROVIDER = "arn:aws:sso::aws:applicationProvider/custom"
OIDC: Any = {
    "OidcJwtConfiguration": {
        "IssuerUrl": "https://idp.example.com",
        "ClaimAttributePath": "email",
        "IdentityStoreAttributePath": "emails.value",
        "JwksRetrievalOption": "OPEN_ID_DISCOVERY",
    }
}


def _instance() -> str:
    return str(boto3.client("sso-admin").list_instances()["Instances"][0]["InstanceArn"])


def test_applications_are_created_listed_in_pages_described_and_deleted(local_aws: LocalAws) -> None:
    sso = boto3.client("sso-admin")
    instance = _instance()
    arns = [
        sso.create_application(InstanceArn=instance, ApplicationProviderArn=PROVIDER, Name=f"app-{n}")[
            "ApplicationArn"
        ]
        for n in range(3)
    ]
    pages = sso.get_paginator("list_applications").paginate(
        InstanceArn=instance, PaginationConfig={"PageSize": 2}
    )
    listed = [[a["ApplicationArn"] for a in p["Applications"]] for p in pages]
    assert [len(p) for p in listed] == [2, 1] and sorted(a for p in listed for a in p) == sorted(arns)
    described = sso.describe_application(ApplicationArn=arns[0])
    assert (described["Name"], described["Status"], described["ApplicationProviderArn"]) == (
        "app-0",
        "ENABLED",
        PROVIDER,
    )
    assert sso.get_application_assignment_configuration(ApplicationArn=arns[0])["AssignmentRequired"] is True
    sso.put_application_assignment_configuration(ApplicationArn=arns[0], AssignmentRequired=False)
    assert sso.get_application_assignment_configuration(ApplicationArn=arns[0])["AssignmentRequired"] is False
    filtered = sso.list_applications(
        InstanceArn=instance, Filter={"ApplicationProvider": "arn:aws:sso::aws:applicationProvider/other"}
    )
    assert filtered["Applications"] == []
    sso.delete_application(ApplicationArn=arns[0])
    assert error_code(sso.describe_application, ApplicationArn=arns[0]) == "ResourceNotFoundException"
    assert (
        error_code(
            sso.create_application, InstanceArn=instance, ApplicationProviderArn=PROVIDER, Name="app-1"
        )
        == "ConflictException"
    )
    missing = instance[:-4] + "zzzz"
    assert (
        error_code(sso.create_application, InstanceArn=missing, ApplicationProviderArn=PROVIDER, Name="x")
        == "ResourceNotFoundException"
    )
    assert (
        error_code(
            sso.create_application, InstanceArn=instance, ApplicationProviderArn="not-an-arn", Name="x"
        )
        == "ValidationException"
    )


def test_assignments_are_listed_per_application_and_conflicts_refused(local_aws: LocalAws) -> None:
    sso = boto3.client("sso-admin")
    app = sso.create_application(InstanceArn=_instance(), ApplicationProviderArn=PROVIDER, Name="wiki")[
        "ApplicationArn"
    ]
    assignments: list[tuple[Any, str]] = [("USER", "u-1"), ("GROUP", "g-1"), ("USER", "u-2")]
    for kind, principal in assignments:
        sso.create_application_assignment(ApplicationArn=app, PrincipalType=kind, PrincipalId=principal)
    assert (
        error_code(
            sso.create_application_assignment, ApplicationArn=app, PrincipalType="USER", PrincipalId="u-1"
        )
        == "ConflictException"
    )
    assert (
        error_code(
            sso.create_application_assignment, ApplicationArn=app, PrincipalType="ROLE", PrincipalId="r"
        )
        == "ValidationException"
    )
    first = sso.list_application_assignments(ApplicationArn=app, MaxResults=2)
    second = sso.list_application_assignments(ApplicationArn=app, NextToken=first["NextToken"])
    found = [
        (a["PrincipalType"], a["PrincipalId"])
        for a in first["ApplicationAssignments"] + second["ApplicationAssignments"]
    ]
    assert sorted(found) == [("GROUP", "g-1"), ("USER", "u-1"), ("USER", "u-2")] and "NextToken" not in second
    sso.delete_application_assignment(ApplicationArn=app, PrincipalType="USER", PrincipalId="u-1")
    assert len(sso.list_application_assignments(ApplicationArn=app)["ApplicationAssignments"]) == 2
    assert (
        error_code(sso.list_application_assignments, ApplicationArn=app, MaxResults=101)
        == "ValidationException"
    )


def test_trusted_token_issuers_are_created_listed_described_and_deleted(local_aws: LocalAws) -> None:
    sso = boto3.client("sso-admin")
    instance = _instance()
    arn = sso.create_trusted_token_issuer(
        InstanceArn=instance,
        Name="corp",
        TrustedTokenIssuerType="OIDC_JWT",
        TrustedTokenIssuerConfiguration=OIDC,
    )["TrustedTokenIssuerArn"]
    (listed,) = sso.list_trusted_token_issuers(InstanceArn=instance)["TrustedTokenIssuers"]
    assert listed == {"TrustedTokenIssuerArn": arn, "Name": "corp", "TrustedTokenIssuerType": "OIDC_JWT"}
    described = sso.describe_trusted_token_issuer(TrustedTokenIssuerArn=arn)
    assert described["TrustedTokenIssuerConfiguration"] == OIDC
    sso.delete_trusted_token_issuer(TrustedTokenIssuerArn=arn)
    assert (
        error_code(sso.describe_trusted_token_issuer, TrustedTokenIssuerArn=arn)
        == "ResourceNotFoundException"
    )


def test_the_callers_iam_policy_decides(local_aws: LocalAws) -> None:
    sso = boto3.client("sso-admin")
    instance = _instance()
    app = sso.create_application(InstanceArn=instance, ApplicationProviderArn=PROVIDER, Name="hr")[
        "ApplicationArn"
    ]
    caller = session_with_actions("app-reader", ["sso:ListApplications"])
    local_aws.enforce_iam(True)
    limited = caller.client("sso-admin")
    assert [a["ApplicationArn"] for a in limited.list_applications(InstanceArn=instance)["Applications"]] == [
        app
    ]
    for call, kwargs in (
        (limited.list_application_assignments, {"ApplicationArn": app}),
        (limited.get_application_assignment_configuration, {"ApplicationArn": app}),
        (limited.list_trusted_token_issuers, {"InstanceArn": instance}),
        (
            limited.create_application,
            {"InstanceArn": instance, "ApplicationProviderArn": PROVIDER, "Name": "x"},
        ),
    ):
        assert error_code(call, **kwargs) == "AccessDeniedException"
