"""The IAM fetcher against botocore's Stubber: paging, backfill, the credential report, keys, errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.stub import ANY, Stubber

from collector.fetch import RunCache
from collector.models import ScopeStatus
from collector.runner import collect_scope
from collector.services.iam import fetch as iam
from collector.services.iam.records import AccessKey, AwsManagedPolicy, Policy, User
from tests.collector import canned as c
from tests.collector.stubs import FakeClock, StubbedClients, context

BOUNDARY = c.arn("policy", "boundary")
AWS_BOUNDARY = "arn:aws:iam::aws:policy/PowerUserAccess"
GAAD = "get_account_authorization_details"
FILTERS = {"Filter": iam.ALL_FILTERS, "MaxItems": 1000}
MFA = {"AssignmentStatus": "Any", "MaxItems": 1000}


def no_account_settings(stub: Stubber) -> None:
    """The account-settings calls that end every IAM collection, for an account with none of them."""
    stub.add_response("list_saml_providers", {"SAMLProviderList": []}, {})
    stub.add_response("list_open_id_connect_providers", {"OpenIDConnectProviderList": []}, {})
    stub.add_response(
        "list_virtual_mfa_devices",
        {"VirtualMFADevices": [], "IsTruncated": False},
        MFA,
    )
    stub.add_client_error("get_account_password_policy", "NoSuchEntity", "no policy", 404)
    stub.add_response("get_account_summary", {"SummaryMap": {"Users": 0}}, {})


def _page(*, marker: str | None = None, **lists: list[Any]) -> dict[str, Any]:
    page: dict[str, Any] = {
        "UserDetailList": [],
        "GroupDetailList": [],
        "RoleDetailList": [],
        "Policies": [],
        **lists,
    }
    page["IsTruncated"] = marker is not None
    if marker:
        page["Marker"] = marker
    return page


def _policy_answer(policy_arn: str) -> dict[str, Any]:
    detail = c.managed(policy_arn)
    detail.pop("PolicyVersionList")
    return {"Policy": detail}


def _version_answer(doc: dict[str, Any]) -> dict[str, Any]:
    return {"PolicyVersion": {"Document": c.encoded(doc), "VersionId": "v1", "IsDefaultVersion": True}}


def test_pages_on_the_marker_backfills_boundaries_and_lists_keys_only_where_the_report_shows_some() -> None:
    clients = StubbedClients()
    stub = clients.stub("iam")
    clock = FakeClock()
    stub.add_response("list_account_aliases", {"AccountAliases": ["prod-main"], "IsTruncated": False}, {})
    stub.add_client_error("get_credential_report", "ReportNotPresent", http_status_code=410)
    stub.add_response("generate_credential_report", {"State": "STARTED"}, {})
    stub.add_response(
        GAAD,
        _page(
            marker="m1",
            UserDetailList=[c.user("alice", groups=("admins",), boundary=BOUNDARY), c.user("bob")],
        ),
        FILTERS,
    )
    # An empty page that still carries a marker must not end the listing.
    stub.add_response(GAAD, _page(marker="m2"), {**FILTERS, "Marker": "m1"})
    stub.add_response(
        GAAD,
        _page(
            GroupDetailList=[c.group("admins")],
            RoleDetailList=[c.role("web")],
            Policies=[c.managed(c.arn("policy", "local"))],
        ),
        {**FILTERS, "Marker": "m2"},
    )
    stub.add_response("get_policy", _policy_answer(BOUNDARY), {"PolicyArn": BOUNDARY})
    stub.add_response(
        "get_policy_version", _version_answer(c.ALLOW_ALL_S3), {"PolicyArn": BOUNDARY, "VersionId": "v1"}
    )
    stub.add_client_error("get_credential_report", "ReportInProgress", http_status_code=404)
    generated = datetime.now(UTC)
    stub.add_response(
        "get_credential_report",
        {
            "Content": c.report(
                c.report_line("alice", key1=("2024-01-02T03:04:05+00:00", "N/A")), c.report_line("bob")
            ),
            "ReportFormat": "text/csv",
            "GeneratedTime": generated,
        },
        {},
    )
    key = {
        "UserName": "alice",
        "AccessKeyId": "AKIAALICE0000000",
        "Status": "Active",
        "CreateDate": c.CREATED,
    }
    stub.add_response(
        "list_access_keys", {"AccessKeyMetadata": [key], "IsTruncated": False}, {"UserName": "alice"}
    )

    no_account_settings(stub)

    outcome = collect_scope(context(iam.FETCHER, clients, clock=clock))

    clients.assert_no_pending()  # bob has no key: no ListAccessKeys for him
    assert outcome.result.status is ScopeStatus.COMPLETE, outcome.result.detail
    kinds: dict[str, list[Any]] = {}
    for record in outcome.records:
        kinds.setdefault(record.KIND, []).append(record)
    assert len(kinds["users"]) == 2 and len(kinds["groups"]) == 1 and len(kinds["roles"]) == 1
    assert kinds["accounts"][0].alias == "prod-main"
    backfilled = [p for p in kinds["policies"] if isinstance(p, Policy) and p.backfilled]
    assert [p.arn for p in backfilled] == [BOUNDARY] and backfilled[0].document == c.ALLOW_ALL_S3
    (access_key,) = kinds["access_keys"]
    assert isinstance(access_key, AccessKey) and access_key.user_arn == c.arn("user", "alice")
    assert len(kinds["user_credentials"]) == 2
    assert clock.slept == [1.0]  # polled the report once, after the other work


def test_a_fresh_report_is_reused_and_users_created_after_it_are_still_checked() -> None:
    clients = StubbedClients()
    stub = clients.stub("iam")
    now = datetime.now(UTC)
    stub.add_response("list_account_aliases", {"AccountAliases": [], "IsTruncated": False}, {})
    stub.add_response(
        "get_credential_report",
        {
            "Content": c.report(c.report_line("old")),
            "ReportFormat": "text/csv",
            "GeneratedTime": now - timedelta(hours=1),
        },
        {},
    )
    newcomer = c.user("newcomer", CreateDate=now - timedelta(minutes=5))
    stub.add_response(GAAD, _page(UserDetailList=[c.user("old"), newcomer]), FILTERS)
    stub.add_response(
        "list_access_keys", {"AccessKeyMetadata": [], "IsTruncated": False}, {"UserName": "newcomer"}
    )
    no_account_settings(stub)

    outcome = collect_scope(context(iam.FETCHER, clients))

    clients.assert_no_pending()  # no GenerateCredentialReport, no ListAccessKeys for "old"
    assert outcome.result.status is ScopeStatus.COMPLETE


def test_access_denied_on_the_details_is_denied_naming_the_action_never_empty() -> None:
    clients = StubbedClients()
    stub = clients.stub("iam")
    stub.add_response("list_account_aliases", {"AccountAliases": [], "IsTruncated": False}, {})
    stub.add_client_error("get_credential_report", "ReportNotPresent", http_status_code=410)
    stub.add_response("generate_credential_report", {"State": "STARTED"}, {})
    stub.add_client_error(
        GAAD, "AccessDenied", "not authorized to perform iam:GetAccountAuthorizationDetails", 403
    )

    outcome = collect_scope(context(iam.FETCHER, clients))

    assert outcome.result.status is ScopeStatus.DENIED
    assert outcome.result.missing_actions == ("iam:GetAccountAuthorizationDetails",)
    assert not any(isinstance(r, User) for r in outcome.records)
    assert outcome.state == {}


def test_a_denied_report_makes_the_scope_partial_and_every_user_is_checked_for_keys() -> None:
    clients = StubbedClients()
    stub = clients.stub("iam")
    stub.add_response("list_account_aliases", {"AccountAliases": [], "IsTruncated": False}, {})
    stub.add_client_error("get_credential_report", "AccessDenied", "no", 403)
    stub.add_response(GAAD, _page(UserDetailList=[c.user("a"), c.user("b")]), FILTERS)
    for name in ("a", "b"):
        stub.add_response(
            "list_access_keys", {"AccessKeyMetadata": [], "IsTruncated": False}, {"UserName": name}
        )
    no_account_settings(stub)

    outcome = collect_scope(context(iam.FETCHER, clients))

    clients.assert_no_pending()
    assert outcome.result.status is ScopeStatus.PARTIAL
    assert outcome.result.missing_actions == ("iam:GetCredentialReport",)
    assert sum(isinstance(r, User) for r in outcome.records) == 2


def test_aws_managed_documents_are_cached_across_accounts_of_a_run() -> None:
    cache = RunCache()
    calls_per_account: list[AwsManagedPolicy] = []
    for _ in range(2):
        clients = StubbedClients()
        stub = clients.stub("iam")
        stub.add_response("list_account_aliases", {"AccountAliases": [], "IsTruncated": False}, {})
        stub.add_response(
            "get_credential_report",
            {"Content": c.report(), "ReportFormat": "text/csv", "GeneratedTime": datetime.now(UTC)},
            {},
        )
        stub.add_response(
            GAAD,
            _page(
                RoleDetailList=[
                    c.role(
                        "r",
                        PermissionsBoundary={
                            "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
                            "PermissionsBoundaryArn": AWS_BOUNDARY,
                        },
                    )
                ]
            ),
            FILTERS,
        )
        stub.add_response("get_policy", _policy_answer(AWS_BOUNDARY), {"PolicyArn": AWS_BOUNDARY})
        if not calls_per_account:
            stub.add_response(
                "get_policy_version",
                _version_answer(c.ALLOW_ALL_S3),
                {"PolicyArn": AWS_BOUNDARY, "VersionId": ANY},
            )
        no_account_settings(stub)
        outcome = collect_scope(context(iam.FETCHER, clients, cache=cache))
        clients.assert_no_pending()  # the second account reads the document from the cache
        assert outcome.result.status is ScopeStatus.COMPLETE, outcome.result.detail
        (policy,) = [r for r in outcome.records if isinstance(r, AwsManagedPolicy)]
        calls_per_account.append(policy)
    first, second = calls_per_account
    assert first.document is second.document  # one object for the run
    assert cache.hits == 1


def test_expired_credentials_fail_the_scope_with_a_clear_message() -> None:
    clients = StubbedClients()
    stub = clients.stub("iam")
    stub.add_client_error(
        "list_account_aliases", "ExpiredToken", "The security token included in the request is expired", 403
    )
    stub.add_client_error("get_credential_report", "ExpiredToken", "expired", 403)
    stub.add_client_error(GAAD, "ExpiredToken", "expired", 403)

    outcome = collect_scope(context(iam.FETCHER, clients))

    assert outcome.result.status is ScopeStatus.FAILED
    assert "credentials expired" in outcome.result.detail and outcome.result.missing_actions == ()
