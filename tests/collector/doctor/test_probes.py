"""The permission probes: they cover the catalog, change nothing, and judge answers correctly."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from collector.doctor import probes
from collector.doctor.checks import _permissions_finding
from collector.doctor.probes import (
    NOT_PROBED,
    PROBES,
    ProbeEnv,
    Verdict,
    family_permissions,
    probe_family,
    run_probe,
)
from collector.doctor.report import Outcome
from collector.permissions import Feature, all_permissions, permissions_for

ACCOUNT_ID = "111122223333"
READ_ONLY_CALL = re.compile(r"^(list|describe|get|lookup)_[a-z_]+$")
EMPTY: dict[str, dict[str, list[Any]]] = {
    "list_roots": {"Roots": []},
    "list_policies": {"Policies": []},
    "list_instances": {"Instances": []},
    "list_permission_sets": {"PermissionSets": []},
    "list_groups": {"Groups": []},
    "list_applications": {"Applications": [], "applications": []},
    "list_trusted_token_issuers": {"TrustedTokenIssuers": []},
}
FOUND = {
    "list_roots": {"Roots": [{"Id": "r-ab12"}]},
    "list_policies": {"Policies": [{"Id": "p-12345678"}]},
    "list_instances": {
        "Instances": [{"InstanceArn": "arn:aws:sso:::instance/ssoins-1", "IdentityStoreId": "d-1"}]
    },
    "list_permission_sets": {"PermissionSets": ["arn:aws:sso:::permissionSet/ssoins-1/ps-1"]},
    "list_groups": {"Groups": [{"GroupId": "group-1"}]},
    "list_applications": {
        "Applications": [{"ApplicationArn": "arn:aws:sso::111122223333:application/a"}],
        "applications": [
            {"applicationArn": f"arn:aws:account-access:eu-west-1:{ACCOUNT_ID}:application/aam-1"}
        ],
    },
    "list_trusted_token_issuers": {
        "TrustedTokenIssuers": [{"TrustedTokenIssuerArn": "arn:aws:sso::1:tti/t"}]
    },
}


class Recorder:
    """A ClientFactory whose clients record every call and answer as AWS would: from ``answers`` (default
    FOUND), else an empty listing."""

    def __init__(
        self, answers: dict[str, Any] | None = None, errors: Mapping[str, Exception] | None = None
    ) -> None:
        self.calls: list[tuple[str, str | None, str, dict[str, Any]]] = []
        self.answers = FOUND if answers is None else answers
        self.errors = errors or {}

    def client(self, service: str, region: str | None = None) -> Any:
        recorder = self

        class Client:
            def __getattr__(self, operation: str) -> Any:
                def call(**params: Any) -> Any:
                    recorder.calls.append((service, region, operation, params))
                    if operation in recorder.errors:
                        raise recorder.errors[operation]
                    return recorder.answers.get(operation, EMPTY.get(operation, {}))

                return call

        return Client()


def _env(clients: Recorder, identity_center_region: str | None = "eu-west-1") -> ProbeEnv:
    return ProbeEnv(clients, "111122223333", "aws", "us-east-1", identity_center_region)


def _error(code: str, operation: str = "ListThings") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": f"{code} message"}}, operation)


def test_every_catalog_action_has_a_probe_or_a_reason_not_to() -> None:
    catalog = {p.action for p in all_permissions()}
    assert set(PROBES) | set(NOT_PROBED) == catalog
    assert not set(PROBES) & set(NOT_PROBED)


def test_the_probes_change_nothing_and_ask_for_one_small_page() -> None:
    clients = Recorder()
    env = _env(clients)
    results = [r for feature in Feature for r in probe_family(feature, env)]
    assert {r.verdict for r in results} == {Verdict.ALLOWED, Verdict.UNVERIFIED}
    assert [r.action for r in results if r.verdict is Verdict.UNVERIFIED] == list(NOT_PROBED)
    # one call per probed action of each family (an action two fetchers declare is probed in both families)
    assert len(clients.calls) == sum(len(family_permissions(f)) for f in Feature) - len(NOT_PROBED)
    for service, region, operation, params in clients.calls:
        assert READ_ONLY_CALL.match(operation), operation
        assert all(params.get(k, 1) <= 5 for k in ("MaxResults", "MaxItems")), (operation, params)
        if service == "ec2":
            assert params["DryRun"] is True and region == "us-east-1"
        if service in ("sso-admin", "identitystore"):
            assert region == "eu-west-1"
    by_operation = {operation: params for _, _, operation, params in clients.calls}
    # later probes use what earlier ones found
    assert by_operation["list_organizational_units_for_parent"]["ParentId"] == "r-ab12"
    assert by_operation["describe_policy"]["PolicyId"] == "p-12345678"
    assert by_operation["list_account_assignments"] == {
        "InstanceArn": "arn:aws:sso:::instance/ssoins-1",
        "PermissionSetArn": "arn:aws:sso:::permissionSet/ssoins-1/ps-1",
        "MaxResults": 1,
        "AccountId": "111122223333",
    }
    assert by_operation["list_group_memberships"]["GroupId"] == "group-1"
    assert by_operation["list_access_keys"]["UserName"] == probes.PROBE_USER_NAME  # looked up, never created


def test_without_earlier_findings_the_probes_use_placeholders_or_say_why_not() -> None:
    clients = Recorder(answers={"list_instances": FOUND["list_instances"]})
    env = _env(clients)
    organizations = {r.action: r for r in probe_family(Feature.ORGANIZATIONS, env)}
    assert {r.verdict for r in organizations.values()} == {Verdict.ALLOWED}
    by_operation = {operation: params for _, _, operation, params in clients.calls}
    assert by_operation["list_accounts_for_parent"]["ParentId"] == probes.PLACEHOLDER_ROOT_ID
    assert by_operation["list_targets_for_policy"]["PolicyId"] == probes.AWS_MANAGED_SCP_ID
    identity_center = {r.action: r for r in probe_family(Feature.IDENTITY_CENTER, env)}
    assert identity_center["sso:DescribePermissionSet"].verdict is Verdict.UNVERIFIED
    assert identity_center["sso:DescribePermissionSet"].detail == "no permission set to probe with"
    assert (
        identity_center["identitystore:ListGroupMemberships"].detail
        == "no identity-store group to probe with"
    )
    assert identity_center["identitystore:ListUsers"].verdict is Verdict.ALLOWED
    nowhere = probe_family(Feature.IDENTITY_CENTER, _env(Recorder(), None))
    assert {r.detail for r in nowhere if r.action.startswith(("sso:", "identitystore:"))} == {
        "no Identity Center instance found to probe with"
    }


@pytest.mark.parametrize(
    ("error", "verdict", "detail"),
    [
        (_error("AccessDenied"), Verdict.DENIED, "AccessDenied: AccessDenied message"),
        (_error("AccessDeniedException"), Verdict.DENIED, "AccessDeniedException"),
        (_error("UnauthorizedOperation"), Verdict.DENIED, "UnauthorizedOperation"),
        (_error("DryRunOperation"), Verdict.ALLOWED, "authorized (the service answered DryRunOperation)"),
        (_error("NoSuchEntity"), Verdict.ALLOWED, "authorized (the service answered NoSuchEntity)"),
        (
            _error("ValidationException"),
            Verdict.UNVERIFIED,
            "ValidationException: ValidationException message",
        ),
        (
            EndpointConnectionError(endpoint_url="https://iam.invalid"),
            Verdict.UNVERIFIED,
            "EndpointConnectionError",
        ),
    ],
)
def test_answers_are_judged(error: Exception, verdict: Verdict, detail: str) -> None:
    env = _env(Recorder(errors={"list_account_aliases": error}))
    result = run_probe("iam:ListAccountAliases", env)
    assert result.verdict is verdict and detail in result.detail


def test_a_family_finding_names_every_missing_action() -> None:
    denied = {
        "describe_vpcs": _error("UnauthorizedOperation"),
        "describe_subnets": _error("UnauthorizedOperation"),
    }
    results = probe_family(Feature.EC2, _env(Recorder(errors=denied)))
    finding = _permissions_finding("111122223333", Feature.EC2, results)
    assert finding.outcome is Outcome.PROBLEM and finding.check == "permissions:ec2"
    assert finding.missing_actions == ("ec2:DescribeVpcs", "ec2:DescribeSubnets")
    assert finding.detail == "missing ec2:DescribeVpcs, ec2:DescribeSubnets"

    iam = _permissions_finding("111122223333", Feature.IAM, probe_family(Feature.IAM, _env(Recorder())))
    declared = len(family_permissions(Feature.IAM))
    assert iam.outcome is Outcome.OK and iam.detail.startswith(
        f"{declared - 1} of {declared} actions allowed; unverified: iam:Generate"
    )
    unclear = probe_family(Feature.IDENTITY_CENTER, _env(Recorder(answers={})))
    finding = _permissions_finding("111122223333", Feature.IDENTITY_CENTER, unclear)
    assert finding.outcome is Outcome.NOTE
    assert len(permissions_for({Feature.IDENTITY_CENTER})) == len(unclear)
