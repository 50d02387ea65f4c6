"""The Account Access Manager fetcher against botocore's Stubber: pages, the home region, a deleted
application, a denied listing that keeps the rest, and the pure parse of entitlements."""

from __future__ import annotations

from typing import Any

from collector.fetch import FetchOptions
from collector.models import ScopeStatus
from collector.runner import collect_scope
from collector.services.account_access import fetch as account_access
from collector.services.account_access import parse
from collector.services.account_access.records import AccessManagerApplication, AccessManagerEntitlement
from tests.collector.canned import ACCOUNT, CREATED
from tests.collector.stubs import StubbedClients, context

APP = f"arn:aws:account-access:eu-west-1:{ACCOUNT}:application/aam-1"
GONE = f"arn:aws:account-access:eu-west-1:{ACCOUNT}:application/aam-2"
INSTANCE = "arn:aws:sso:::instance/ssoins-1111222233334444"
PAGE = {"maxResults": 100}
EVERY: dict[str, Any] = {"filter": {"principalRole": {}}}


def _entitlement(n: int, principal: dict[str, str]) -> dict[str, Any]:
    return {
        "entitlementId": f"ent-{n}",
        "entitlement": {
            "principalRole": {
                "principal": {"identityCenter": principal},
                "roleArn": f"arn:aws:iam::22223333444{n}:role/OnCall",
                "account": f"22223333444{n}",
                "accountName": f"prod-{n}",
            }
        },
        "createdAt": CREATED,
    }


def _listed(arn: str) -> dict[str, Any]:
    return {"applicationArn": arn, "createdAt": CREATED, "updatedAt": CREATED}


def _run(clients: StubbedClients, region: str | None = None) -> Any:
    ctx = context(account_access.FETCHER, clients)
    ctx.options = FetchOptions(identity_center_region=region)
    outcome = collect_scope(ctx)
    clients.assert_no_pending()
    return outcome


def test_applications_and_every_entitlement_through_pages_in_the_home_region() -> None:
    clients = StubbedClients()
    sso = clients.stub("sso-admin")
    sso.add_response(
        "list_instances",
        {"Instances": [{"InstanceArn": INSTANCE, "IdentityStoreId": "d-1", "PrimaryRegion": "eu-west-1"}]},
        {"RegionScope": "ALL_REGIONS", "MaxResults": 100},
    )
    aam = clients.stub("account-access")
    aam.add_response("list_applications", {"applications": [_listed(APP)], "nextToken": "t1"}, PAGE)
    aam.add_response("list_applications", {"applications": [_listed(GONE)]}, {**PAGE, "nextToken": "t1"})
    aam.add_response(
        "get_application",
        {
            "identitySource": {
                "identityCenter": {"instanceArn": INSTANCE, "applicationArn": "arn:aws:sso::app"}
            },
            "status": "ACTIVE",
            "createdAt": CREATED,
            "updatedAt": CREATED,
            "tags": {"team": "sre"},
        },
        {"applicationArn": APP},
    )
    ids = {"applicationArn": APP, **EVERY, **PAGE}
    aam.add_response(
        "list_entitlements", {"entitlements": [_entitlement(1, {"userId": "u-1"})], "nextToken": "e1"}, ids
    )
    aam.add_response("list_entitlements", {"entitlements": [], "nextToken": "e2"}, {**ids, "nextToken": "e1"})
    aam.add_response(
        "list_entitlements",
        {"entitlements": [_entitlement(2, {"groupId": "g-1"})]},
        {**ids, "nextToken": "e2"},
    )
    # Deleted between the listing and the Get: recorded as listed, its entitlements asked for as well.
    aam.add_client_error(
        "get_application", "ResourceNotFoundException", "gone", 404, expected_params={"applicationArn": GONE}
    )
    aam.add_response("list_entitlements", {"entitlements": []}, {"applicationArn": GONE, **EVERY, **PAGE})

    outcome = _run(clients)

    assert outcome.result.status is ScopeStatus.COMPLETE, outcome.result.detail
    apps = {r.application_arn: r for r in outcome.records if isinstance(r, AccessManagerApplication)}
    assert (apps[APP].status, apps[APP].instance_arn, apps[APP].tags) == ("ACTIVE", INSTANCE, {"team": "sre"})
    assert apps[GONE].status is None and apps[GONE].tags is None
    found = [r for r in outcome.records if isinstance(r, AccessManagerEntitlement)]
    assert [(e.principal_type, e.principal_id, e.target_account_id, e.role_arn) for e in found] == [
        ("USER", "u-1", "222233334441", "arn:aws:iam::222233334441:role/OnCall"),
        ("GROUP", "g-1", "222233334442", "arn:aws:iam::222233334442:role/OnCall"),
    ]
    assert found[0].target_account_name == "prod-1" and found[0].application_arn == APP


def test_denied_entitlements_keep_the_applications_and_name_the_action() -> None:
    clients = StubbedClients()
    aam = clients.stub("account-access")
    aam.add_response("list_applications", {"applications": [_listed(APP)]}, PAGE)
    aam.add_response(
        "get_application",
        {
            "identitySource": {"identityCenter": {"instanceArn": INSTANCE}},
            "status": "ACTIVE",
            "createdAt": CREATED,
            "updatedAt": CREATED,
        },
        {"applicationArn": APP},
    )
    aam.add_client_error("list_entitlements", "AccessDeniedException", "no", 403)

    outcome = _run(clients, region="eu-west-1")  # the region option: no ListInstances

    assert outcome.result.status is ScopeStatus.PARTIAL
    assert outcome.result.missing_actions == ("account-access:ListEntitlements",)
    assert [type(r) for r in outcome.records] == [AccessManagerApplication]


def test_denied_applications_deny_the_scope_never_empty() -> None:
    clients = StubbedClients()
    clients.stub("account-access").add_client_error("list_applications", "AccessDeniedException", "no", 403)
    outcome = _run(clients, region="eu-west-1")
    assert outcome.result.status is ScopeStatus.DENIED
    assert outcome.result.missing_actions == ("account-access:ListApplications",)


def test_no_identity_center_instance_is_a_complete_scope_that_says_so() -> None:
    clients = StubbedClients()
    clients.stub("sso-admin").add_response(
        "list_instances", {"Instances": []}, {"RegionScope": "ALL_REGIONS", "MaxResults": 100}
    )
    outcome = _run(clients)
    assert outcome.result.status is ScopeStatus.COMPLETE and outcome.records == ()
    assert "no IAM Identity Center instance" in outcome.result.detail


def test_a_principal_is_a_user_or_a_group() -> None:
    (user, group) = parse.entitlements(
        ACCOUNT, APP, [_entitlement(1, {"userId": "u-9"}), _entitlement(2, {"groupId": "g-9"})]
    )
    assert (user.principal_type, user.principal_id) == ("USER", "u-9")
    assert (group.principal_type, group.principal_id) == ("GROUP", "g-9")
