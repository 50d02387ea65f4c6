"""Organizations listing and the organization fetcher against botocore's Stubber."""

from __future__ import annotations

import json
from typing import Any

from collector.models import ScopeStatus
from collector.runner import collect_scope
from collector.services.organizations import fetch as organizations
from tests.collector.stubs import StubbedClients, context

ROOT = "r-ab12"
RCP = organizations.RCP
RCP_DOCUMENT = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": "*",
                "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abcdefghij"}},
            }
        ],
    }
)
OU = "ou-ab12-prod0001"


def _account(n: int, status: str = "ACTIVE") -> dict[str, Any]:
    account_id = f"{n:012d}"
    return {
        "Id": account_id,
        "Arn": f"arn:aws:organizations::111122223333:account/o-abcdefghij/{account_id}",
        "Name": f"account-{n}",
        "Email": f"a{n}@example.com",
        "Status": status,
    }


def test_list_accounts_follows_tokens_through_empty_pages() -> None:
    clients = StubbedClients()
    stub = clients.stub("organizations")
    stub.add_response(
        "list_accounts", {"Accounts": [_account(n) for n in range(1, 21)], "NextToken": "t1"}, {}
    )
    stub.add_response("list_accounts", {"Accounts": [], "NextToken": "t2"}, {"NextToken": "t1"})
    stub.add_response(
        "list_accounts", {"Accounts": [_account(21), _account(22, "SUSPENDED")]}, {"NextToken": "t2"}
    )
    accounts = organizations.list_accounts(clients.client("organizations"))
    clients.assert_no_pending()
    assert len(accounts) == 22 and accounts[-1]["Status"] == "SUSPENDED"


def test_the_organization_scope_is_partial_when_scps_are_denied_and_keeps_the_rcps_and_roots() -> None:
    clients = StubbedClients()
    stub = clients.stub("organizations")
    stub.add_response(
        "describe_organization",
        {
            "Organization": {
                "Id": "o-abcdefghij",
                "Arn": "arn:aws:organizations::111122223333:organization/o-abcdefghij",
                "MasterAccountId": "111122223333",
                "FeatureSet": "ALL",
            }
        },
        {},
    )
    policy_types = [
        {"Type": "RESOURCE_CONTROL_POLICY", "Status": "ENABLED"},
        {"Type": "SERVICE_CONTROL_POLICY", "Status": "ENABLED"},
        {"Type": "TAG_POLICY", "Status": "PENDING_ENABLE"},
    ]
    root = {"Id": ROOT, "Arn": "arn:root", "Name": "Root", "PolicyTypes": policy_types}
    stub.add_response("list_roots", {"Roots": [root]}, {})
    stub.add_response("list_accounts_for_parent", {"Accounts": [_account(1)]}, {"ParentId": ROOT})
    stub.add_response(
        "list_organizational_units_for_parent",
        {
            "OrganizationalUnits": [
                {"Id": OU, "Arn": "arn:aws:organizations::1:ou/o-abcdefghij/" + OU, "Name": "Prod"}
            ]
        },
        {"ParentId": ROOT},
    )
    stub.add_response("list_accounts_for_parent", {"Accounts": [_account(2)]}, {"ParentId": OU})
    stub.add_response("list_organizational_units_for_parent", {"OrganizationalUnits": []}, {"ParentId": OU})
    stub.add_response("list_accounts", {"Accounts": [_account(1), _account(2)]}, {})
    stub.add_client_error("list_policies", "AccessDeniedException", "no", 403)
    rcp = {"Id": "p-rcp00001", "Arn": "arn:rcp", "Name": "DenyOutsideOrg", "AwsManaged": False, "Type": RCP}
    stub.add_response("list_policies", {"Policies": [rcp], "NextToken": "t1"}, {"Filter": RCP})
    stub.add_response("list_policies", {"Policies": []}, {"Filter": RCP, "NextToken": "t1"})  # empty page
    stub.add_response(
        "describe_policy",
        {"Policy": {"PolicySummary": rcp, "Content": RCP_DOCUMENT}},
        {"PolicyId": "p-rcp00001"},
    )
    stub.add_response(
        "list_targets_for_policy",
        {"Targets": [{"TargetId": OU, "Arn": "arn:ou", "Name": "Prod", "Type": "ORGANIZATIONAL_UNIT"}]},
        {"PolicyId": "p-rcp00001"},
    )
    stub.add_response(
        "list_delegated_administrators",
        {"DelegatedAdministrators": [{"Id": "000000000002", "Name": "account-2"}]},
        {},
    )

    outcome = collect_scope(context(organizations.FETCHER, clients))

    clients.assert_no_pending()
    assert outcome.result.status is ScopeStatus.PARTIAL
    assert outcome.result.missing_actions == ("organizations:ListPolicies",)
    by_kind: dict[str, list[Any]] = {}
    for record in outcome.records:
        by_kind.setdefault(record.KIND, []).append(record)
    parents = {a.id: a.parent_id for a in by_kind["organization_accounts"]}
    assert parents == {"000000000001": ROOT, "000000000002": OU}
    assert by_kind["organizational_units"][0].path == "Root/Prod"
    assert by_kind["delegated_administrators"][0].delegated_account_id == "000000000002"
    (found_root,) = by_kind["organization_roots"]
    assert found_root.enabled_policy_types == ["RESOURCE_CONTROL_POLICY", "SERVICE_CONTROL_POLICY"]
    assert found_root.policy_types == policy_types
    assert "service_control_policies" not in by_kind  # denied: nothing, never "none"
    (policy,) = by_kind["resource_control_policies"]
    assert (policy.id, policy.name, policy.document) == (
        "p-rcp00001",
        "DenyOutsideOrg",
        json.loads(RCP_DOCUMENT),
    )
    (target,) = by_kind["resource_control_policy_targets"]
    assert (target.policy_id, target.target_id, target.target_type) == (
        "p-rcp00001",
        OU,
        "ORGANIZATIONAL_UNIT",
    )


def test_denied_rcps_name_the_action_and_keep_the_scps() -> None:
    clients = StubbedClients()
    stub = clients.stub("organizations")
    stub.add_response(
        "describe_organization",
        {"Organization": {"Id": "o-abcdefghij", "Arn": "arn:org", "MasterAccountId": "111122223333"}},
        {},
    )
    stub.add_response("list_roots", {"Roots": [{"Id": ROOT, "Arn": "arn:root", "Name": "Root"}]}, {})
    stub.add_response("list_accounts_for_parent", {"Accounts": []}, {"ParentId": ROOT})
    stub.add_response("list_organizational_units_for_parent", {"OrganizationalUnits": []}, {"ParentId": ROOT})
    stub.add_response("list_accounts", {"Accounts": []}, {})
    scp = {"Id": "p-FullAWSAccess", "Arn": "arn:scp", "Name": "FullAWSAccess", "AwsManaged": True}
    stub.add_response("list_policies", {"Policies": [scp]}, {"Filter": organizations.SCP})
    stub.add_response(
        "describe_policy",
        {"Policy": {"PolicySummary": scp, "Content": RCP_DOCUMENT}},
        {"PolicyId": scp["Id"]},
    )
    stub.add_response("list_targets_for_policy", {"Targets": []}, {"PolicyId": scp["Id"]})
    stub.add_client_error(
        "list_policies", "AccessDeniedException", "no", 403, expected_params={"Filter": RCP}
    )
    stub.add_response("list_delegated_administrators", {"DelegatedAdministrators": []}, {})

    outcome = collect_scope(context(organizations.FETCHER, clients))

    clients.assert_no_pending()
    assert outcome.result.status is ScopeStatus.PARTIAL
    assert outcome.result.missing_actions == ("organizations:ListPolicies",)
    assert "resource_control_policies" in outcome.result.detail
    kinds = {r.KIND for r in outcome.records}
    assert "service_control_policies" in kinds and "resource_control_policies" not in kinds
    assert "organization_roots" in kinds
