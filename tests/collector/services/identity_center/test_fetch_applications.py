"""Identity Center applications, their assignments and trusted token issuers, against botocore's Stubber:
pages, the assignment configuration, a denied part that keeps the rest, a deleted issuer."""

from __future__ import annotations

from typing import Any

from botocore.stub import Stubber

from collector.models import ScopeStatus
from collector.services.identity_center.records import (
    SsoApplication,
    SsoApplicationAssignment,
    SsoInstance,
    TrustedTokenIssuer,
)
from tests.collector.canned import ACCOUNT, CREATED
from tests.collector.services.identity_center.test_fetch import (
    INSTANCE,
    PAGE,
    STORE,
    _instance,
    _of,
    _run,
)
from tests.collector.stubs import StubbedClients

PROVIDER = "arn:aws:sso::aws:applicationProvider/custom"
ISSUER = f"arn:aws:sso::{ACCOUNT}:trustedTokenIssuer/ssoins-1111222233334444/tti-1"
GONE = f"arn:aws:sso::{ACCOUNT}:trustedTokenIssuer/ssoins-1111222233334444/tti-2"


def _app(n: int) -> dict[str, Any]:
    return {
        "ApplicationArn": f"arn:aws:sso::{ACCOUNT}:application/ssoins-1111222233334444/apl-{n}",
        "ApplicationProviderArn": PROVIDER,
        "Name": f"app-{n}",
        "ApplicationAccount": ACCOUNT,
        "InstanceArn": INSTANCE,
        "Status": "ENABLED",
        "PortalOptions": {"Visibility": "ENABLED"},
        "CreatedDate": CREATED,
    }


def _account_instance(clients: StubbedClients) -> Stubber:
    """An account instance (no organization): identity store empty, then the application listings."""
    sso = clients.stub("sso-admin")
    sso.add_response(
        "list_instances", {"Instances": [_instance(ACCOUNT)]}, {"RegionScope": "ALL_REGIONS", **PAGE}
    )
    clients.stub("organizations").add_client_error(
        "describe_organization", "AWSOrganizationsNotInUseException", "not in an organization", 400
    )
    store = clients.stub("identitystore")
    store.add_response("list_users", {"Users": []}, {"IdentityStoreId": STORE, **PAGE})
    store.add_response("list_groups", {"Groups": []}, {"IdentityStoreId": STORE, **PAGE})
    return sso


def _applications(sso: Stubber) -> None:
    """Two applications over two pages (an empty one between)."""
    ids = {"InstanceArn": INSTANCE, **PAGE}
    sso.add_response("list_applications", {"Applications": [_app(0)], "NextToken": "p1"}, ids)
    sso.add_response("list_applications", {"Applications": [], "NextToken": "p2"}, {**ids, "NextToken": "p1"})
    sso.add_response("list_applications", {"Applications": [_app(1)]}, {**ids, "NextToken": "p2"})


def _assignment(app: int, kind: str, principal: str) -> dict[str, str]:
    return {"ApplicationArn": _app(app)["ApplicationArn"], "PrincipalType": kind, "PrincipalId": principal}


def test_applications_their_configuration_assignments_and_issuers() -> None:
    clients = StubbedClients()
    sso = _account_instance(clients)
    _applications(sso)
    for n, required in ((0, True), (1, False)):
        sso.add_response(
            "get_application_assignment_configuration",
            {"AssignmentRequired": required},
            {"ApplicationArn": _app(n)["ApplicationArn"]},
        )
    arn0 = {"ApplicationArn": _app(0)["ApplicationArn"], **PAGE}
    sso.add_response(
        "list_application_assignments",
        {"ApplicationAssignments": [_assignment(0, "USER", "u-1")], "NextToken": "a1"},
        arn0,
    )
    sso.add_response(
        "list_application_assignments",
        {"ApplicationAssignments": [_assignment(0, "GROUP", "g-1")]},
        {**arn0, "NextToken": "a1"},
    )
    sso.add_response(
        "list_application_assignments",
        {"ApplicationAssignments": []},
        {"ApplicationArn": _app(1)["ApplicationArn"], **PAGE},
    )
    listed = [
        {"TrustedTokenIssuerArn": ISSUER, "Name": "corp-idp", "TrustedTokenIssuerType": "OIDC_JWT"},
        {"TrustedTokenIssuerArn": GONE, "Name": "old-idp", "TrustedTokenIssuerType": "OIDC_JWT"},
    ]
    sso.add_response(
        "list_trusted_token_issuers", {"TrustedTokenIssuers": listed}, {"InstanceArn": INSTANCE, **PAGE}
    )
    oidc = {
        "IssuerUrl": "https://idp.example.com",
        "ClaimAttributePath": "email",
        "IdentityStoreAttributePath": "emails.value",
        "JwksRetrievalOption": "OPEN_ID_DISCOVERY",
    }
    sso.add_response(
        "describe_trusted_token_issuer",
        {**listed[0], "TrustedTokenIssuerConfiguration": {"OidcJwtConfiguration": oidc}},
        {"TrustedTokenIssuerArn": ISSUER},
    )
    # Deleted between the listing and the Describe: recorded as listed, not a fault.
    sso.add_client_error(
        "describe_trusted_token_issuer",
        "ResourceNotFoundException",
        "gone",
        400,
        expected_params={"TrustedTokenIssuerArn": GONE},
    )

    outcome = _run(clients, applications=False)

    assert outcome.result.status is ScopeStatus.COMPLETE, outcome.result.detail
    assert _of(outcome, SsoInstance)[0].instance_type == "account"  # account instances have applications too
    apps = {a.name: a for a in _of(outcome, SsoApplication)}
    assert set(apps) == {"app-0", "app-1"}
    assert (apps["app-0"].assignment_required, apps["app-1"].assignment_required) == (True, False)
    assert apps["app-0"].provider_arn == PROVIDER and apps["app-0"].portal_visibility == "ENABLED"
    assignments = {(a.principal_type, a.principal_id) for a in _of(outcome, SsoApplicationAssignment)}
    assert assignments == {("USER", "u-1"), ("GROUP", "g-1")}
    issuers = {i.arn: i for i in _of(outcome, TrustedTokenIssuer)}
    assert issuers[ISSUER].issuer_url == "https://idp.example.com"
    assert issuers[ISSUER].claim_attribute_path == "email"
    assert issuers[GONE].issuer_url is None and issuers[GONE].name == "old-idp"


def test_denied_assignment_configuration_keeps_the_applications_with_the_flag_unknown() -> None:
    clients = StubbedClients()
    sso = _account_instance(clients)
    _applications(sso)
    sso.add_client_error("get_application_assignment_configuration", "AccessDeniedException", "no", 400)
    for n in range(2):
        sso.add_response(
            "list_application_assignments",
            {"ApplicationAssignments": [_assignment(n, "USER", f"u-{n}")]},
            {"ApplicationArn": _app(n)["ApplicationArn"], **PAGE},
        )
    sso.add_client_error("list_trusted_token_issuers", "AccessDeniedException", "no", 400)

    outcome = _run(clients, applications=False)

    assert outcome.result.status is ScopeStatus.PARTIAL
    assert set(outcome.result.missing_actions) == {
        "sso:GetApplicationAssignmentConfiguration",
        "sso:ListTrustedTokenIssuers",
    }
    apps = _of(outcome, SsoApplication)
    assert len(apps) == 2 and all(a.assignment_required is None for a in apps)
    assert len(_of(outcome, SsoApplicationAssignment)) == 2
    assert _of(outcome, TrustedTokenIssuer) == []  # denied: nothing, never "none"


def test_denied_applications_keep_the_issuers_and_the_rest_of_the_instance() -> None:
    clients = StubbedClients()
    sso = _account_instance(clients)
    sso.add_client_error("list_applications", "AccessDeniedException", "no", 400)
    sso.add_response(
        "list_trusted_token_issuers", {"TrustedTokenIssuers": []}, {"InstanceArn": INSTANCE, **PAGE}
    )

    outcome = _run(clients, applications=False)

    assert outcome.result.status is ScopeStatus.PARTIAL
    assert outcome.result.missing_actions == ("sso:ListApplications",)
    assert len(_of(outcome, SsoInstance)) == 1 and _of(outcome, SsoApplication) == []
