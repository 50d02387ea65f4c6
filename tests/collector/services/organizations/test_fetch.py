"""Organizations listing and the organization fetcher against botocore's Stubber."""

from __future__ import annotations

from typing import Any

from collector.models import ScopeStatus
from collector.runner import collect_scope
from collector.services.organizations import fetch as organizations
from tests.collector.stubs import StubbedClients, context

ROOT = "r-ab12"
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


def test_the_organization_scope_is_partial_when_scps_are_denied() -> None:
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
    stub.add_response("list_roots", {"Roots": [{"Id": ROOT, "Arn": "arn:root", "Name": "Root"}]}, {})
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
