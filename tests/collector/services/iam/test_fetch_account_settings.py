"""The IAM fetcher's per-account settings against botocore's Stubber: providers, virtual MFA devices,
the password policy and the account summary; pagination, NoSuchEntity and AccessDenied per part."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from botocore.stub import Stubber

from collector.models import Record, ScopeStatus
from collector.runner import collect_scope
from collector.services.iam import fetch as iam
from collector.services.iam.records import (
    AccountSummary,
    OidcProvider,
    PasswordPolicy,
    SamlProvider,
    User,
    VirtualMfaDevice,
)
from tests.collector import canned as c
from tests.collector.services.iam.test_fetch import FILTERS, GAAD, MFA, _page
from tests.collector.services.iam.test_saml_metadata import certificate, key_descriptor, metadata, sso_service
from tests.collector.stubs import StubbedClients, context

EXPIRY = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
SAML = [c.arn("saml-provider", "okta"), c.arn("saml-provider", "gone")]
OIDC = [
    c.arn("oidc-provider", "token.actions.githubusercontent.com"),
    c.arn("oidc-provider", "oidc.eks.us-east-1.amazonaws.com/id/ABC"),
]


def _inventory(stub: Stubber) -> None:
    """The account's main inventory: a fresh report, one user without keys."""
    stub.add_response("list_account_aliases", {"AccountAliases": [], "IsTruncated": False}, {})
    stub.add_response(
        "get_credential_report",
        {
            "Content": c.report(c.report_line("alice")),
            "ReportFormat": "text/csv",
            "GeneratedTime": datetime.now(UTC),
        },
        {},
    )
    stub.add_response(GAAD, _page(UserDetailList=[c.user("alice")]), FILTERS)


def _mfa(name: str, user: str | None = None) -> dict[str, Any]:
    device: dict[str, Any] = {
        "SerialNumber": c.arn("mfa", name),
        # What moto (and CreateVirtualMFADevice) return; the collector must never keep them.
        "Base32StringSeed": b"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
        "QRCodePNG": b"\x89PNG...",
    }
    if user:
        device["User"] = {
            "Path": "/",
            "UserName": user,
            "UserId": c.entity_id("AIDA", user),
            "Arn": c.arn("user", user),
            "CreateDate": c.CREATED,
        }
        device["EnableDate"] = c.CREATED
    return device


def _by_kind(records: tuple[Record, ...]) -> dict[str, list[Any]]:
    kinds: dict[str, list[Any]] = {}
    for record in records:
        kinds.setdefault(record.KIND, []).append(record)
    return kinds


def test_providers_paged_mfa_devices_policy_and_summary() -> None:
    clients = StubbedClients()
    stub = clients.stub("iam")
    _inventory(stub)
    stub.add_response(
        "list_saml_providers",
        {"SAMLProviderList": [{"Arn": arn, "CreateDate": c.CREATED, "ValidUntil": EXPIRY} for arn in SAML]},
        {},
    )
    doc = metadata(keys=key_descriptor(certificate(EXPIRY)), sso=sso_service("https://idp.example.com/sso"))
    stub.add_response(
        "get_saml_provider",
        {
            "SAMLMetadataDocument": doc,
            "CreateDate": c.CREATED,
            "ValidUntil": EXPIRY,
            "Tags": [{"Key": "k", "Value": "v"}],
        },
        {"SAMLProviderArn": SAML[0]},
    )
    # Deleted between the listing and the Get: skipped, not a fault.
    stub.add_client_error(
        "get_saml_provider", "NoSuchEntity", "gone", 404, expected_params={"SAMLProviderArn": SAML[1]}
    )
    stub.add_response(
        "list_open_id_connect_providers", {"OpenIDConnectProviderList": [{"Arn": a} for a in OIDC]}, {}
    )
    for arn in OIDC:
        stub.add_response(
            "get_open_id_connect_provider",
            {
                "Url": arn.split("oidc-provider/", 1)[1],
                "ClientIDList": ["sts.amazonaws.com"],
                "ThumbprintList": ["a" * 40],
                "CreateDate": c.CREATED,
            },
            {"OpenIDConnectProviderArn": arn},
        )
    stub.add_response(
        "list_virtual_mfa_devices",
        {"VirtualMFADevices": [_mfa("alice", "alice")], "IsTruncated": True, "Marker": "m1"},
        MFA,
    )
    # An empty page that still carries a marker must not end the listing.
    stub.add_response(
        "list_virtual_mfa_devices",
        {"VirtualMFADevices": [], "IsTruncated": True, "Marker": "m2"},
        {**MFA, "Marker": "m1"},
    )
    stub.add_response(
        "list_virtual_mfa_devices",
        {"VirtualMFADevices": [_mfa("spare")], "IsTruncated": False},
        {**MFA, "Marker": "m2"},
    )
    stub.add_response(
        "get_account_password_policy",
        {"PasswordPolicy": {"MinimumPasswordLength": 14, "RequireSymbols": True, "ExpirePasswords": False}},
        {},
    )
    stub.add_response(
        "get_account_summary",
        {"SummaryMap": {"AccountMFAEnabled": 1, "AccountAccessKeysPresent": 0, "Users": 1, "Providers": 3}},
        {},
    )

    outcome = collect_scope(context(iam.FETCHER, clients))

    clients.assert_no_pending()
    assert outcome.result.status is ScopeStatus.COMPLETE, outcome.result.detail
    kinds = _by_kind(outcome.records)
    (saml,) = kinds["saml_providers"]
    assert isinstance(saml, SamlProvider)
    assert (saml.name, saml.entity_id, saml.sso_urls) == (
        "okta",
        "https://idp.example.com/saml",
        ["https://idp.example.com/sso"],
    )
    assert saml.certificate_expiries == [EXPIRY.isoformat()] == [saml.earliest_certificate_expiry]
    assert saml.valid_until == EXPIRY.isoformat() and saml.tags == {"k": "v"} and saml.metadata_error is None
    oidc = kinds["oidc_providers"]
    assert all(isinstance(o, OidcProvider) for o in oidc)
    assert [o.arn for o in oidc] == OIDC and oidc[0].url == "token.actions.githubusercontent.com"
    assert oidc[0].client_ids == ["sts.amazonaws.com"] and oidc[0].thumbprints == ["a" * 40]
    devices = kinds["virtual_mfa_devices"]
    assert all(isinstance(d, VirtualMfaDevice) for d in devices)
    assert [(d.serial_number, d.user_arn) for d in devices] == [
        (c.arn("mfa", "alice"), c.arn("user", "alice")),
        (c.arn("mfa", "spare"), None),
    ]
    assert all("Base32StringSeed" not in d.raw and "QRCodePNG" not in d.raw for d in devices)
    (policy,) = kinds["password_policies"]
    assert isinstance(policy, PasswordPolicy)
    assert (policy.exists, policy.minimum_password_length, policy.require_symbols) == (True, 14, True)
    assert policy.require_numbers is None  # not in the answer: unknown, not False
    (summary,) = kinds["account_summaries"]
    assert isinstance(summary, AccountSummary)
    assert (summary.root_mfa_enabled, summary.root_access_keys_present) == (True, False)
    assert summary.root_signing_certificates_present is None and summary.summary["Providers"] == 3


def test_no_password_policy_is_recorded_as_none_and_the_scope_completes() -> None:
    clients = StubbedClients()
    stub = clients.stub("iam")
    _inventory(stub)
    stub.add_response("list_saml_providers", {"SAMLProviderList": []}, {})
    stub.add_response("list_open_id_connect_providers", {"OpenIDConnectProviderList": []}, {})
    stub.add_response(
        "list_virtual_mfa_devices",
        {"VirtualMFADevices": [], "IsTruncated": False},
        MFA,
    )
    stub.add_client_error(
        "get_account_password_policy",
        "NoSuchEntity",
        "The Password Policy with domain name x cannot be found.",
        404,
    )
    stub.add_response("get_account_summary", {"SummaryMap": {}}, {})

    outcome = collect_scope(context(iam.FETCHER, clients))

    clients.assert_no_pending()
    assert outcome.result.status is ScopeStatus.COMPLETE, outcome.result.detail
    (policy,) = _by_kind(outcome.records)["password_policies"]
    assert policy.exists is False and policy.account == c.ACCOUNT and policy.minimum_password_length is None


def test_each_denied_part_is_named_and_keeps_the_rest() -> None:
    clients = StubbedClients()
    stub = clients.stub("iam")
    _inventory(stub)
    stub.add_client_error("list_saml_providers", "AccessDenied", "not authorized", 403)
    stub.add_response("list_open_id_connect_providers", {"OpenIDConnectProviderList": [{"Arn": OIDC[0]}]}, {})
    stub.add_client_error("get_open_id_connect_provider", "AccessDenied", "not authorized", 403)
    stub.add_response(
        "list_virtual_mfa_devices",
        {"VirtualMFADevices": [_mfa("spare")], "IsTruncated": False},
        MFA,
    )
    stub.add_client_error("get_account_password_policy", "AccessDenied", "not authorized", 403)
    stub.add_response("get_account_summary", {"SummaryMap": {"AccountMFAEnabled": 0}}, {})

    outcome = collect_scope(context(iam.FETCHER, clients))

    clients.assert_no_pending()
    assert outcome.result.status is ScopeStatus.PARTIAL
    assert set(outcome.result.missing_actions) == {
        "iam:ListSAMLProviders",
        "iam:GetOpenIDConnectProvider",
        "iam:GetAccountPasswordPolicy",
    }
    kinds = _by_kind(outcome.records)
    # Denied is never "none": no provider, no password-policy record at all (not exists=False).
    assert (
        "saml_providers" not in kinds and "oidc_providers" not in kinds and "password_policies" not in kinds
    )
    assert len(kinds["virtual_mfa_devices"]) == 1 and len(kinds["account_summaries"]) == 1
    assert any(isinstance(r, User) for r in outcome.records)


def test_unreadable_metadata_is_recorded_with_the_reason() -> None:
    clients = StubbedClients()
    stub = clients.stub("iam")
    _inventory(stub)
    stub.add_response("list_saml_providers", {"SAMLProviderList": [{"Arn": SAML[0]}]}, {})
    hostile = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "e">]><x>&e;</x>'
    stub.add_response(
        "get_saml_provider", {"SAMLMetadataDocument": hostile + " " * 1000}, {"SAMLProviderArn": SAML[0]}
    )
    stub.add_response("list_open_id_connect_providers", {"OpenIDConnectProviderList": []}, {})
    stub.add_response(
        "list_virtual_mfa_devices",
        {"VirtualMFADevices": [], "IsTruncated": False},
        MFA,
    )
    stub.add_response("get_account_password_policy", {"PasswordPolicy": {}}, {})
    stub.add_response("get_account_summary", {"SummaryMap": {}}, {})

    outcome = collect_scope(context(iam.FETCHER, clients))

    assert outcome.result.status is ScopeStatus.COMPLETE
    (saml,) = _by_kind(outcome.records)["saml_providers"]
    assert saml.entity_id is None and "DOCTYPE" in (saml.metadata_error or "")


def test_a_fault_on_a_later_mfa_page_keeps_the_devices_already_read() -> None:
    clients = StubbedClients()
    stub = clients.stub("iam")
    _inventory(stub)
    stub.add_response("list_saml_providers", {"SAMLProviderList": []}, {})
    stub.add_response("list_open_id_connect_providers", {"OpenIDConnectProviderList": []}, {})
    stub.add_response(
        "list_virtual_mfa_devices",
        {"VirtualMFADevices": [_mfa("alice", "alice")], "IsTruncated": True, "Marker": "m1"},
        MFA,
    )
    stub.add_client_error("list_virtual_mfa_devices", "ServiceFailure", "boom", 500)  # after every retry
    stub.add_response("get_account_password_policy", {"PasswordPolicy": {}}, {})
    stub.add_response("get_account_summary", {"SummaryMap": {}}, {})

    outcome = collect_scope(context(iam.FETCHER, clients))

    assert outcome.result.status is ScopeStatus.PARTIAL
    (problem,) = outcome.result.problems
    assert problem.part == "virtual_mfa_devices" and problem.error_code == "ServiceFailure"
    assert [d.serial_number for d in _by_kind(outcome.records)["virtual_mfa_devices"]] == [
        c.arn("mfa", "alice")
    ]
