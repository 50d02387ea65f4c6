"""Organizations parse functions and the OU filters on a canned tree."""

from __future__ import annotations

from typing import Any

from collector.services.organizations import parse
from collector.services.organizations.records import PolicyTarget, ServiceControlPolicy

ROOT = "r-ab12"
PROD, DEV, TEAM = "ou-ab12-prod0001", "ou-ab12-dev00001", "ou-ab12-team0001"


def _account(account_id: str, status: str = "ACTIVE") -> dict[str, Any]:
    return {
        "Id": account_id,
        "Arn": f"arn:aws:organizations::111111111111:account/o-x/{account_id}",
        "Name": f"acct-{account_id[-2:]}",
        "Email": f"{account_id}@example.com",
        "Status": status,
    }


def _tree() -> parse.OuTree:
    ous = {
        PROD: {"Id": PROD, "Arn": "arn:prod", "Name": "Prod"},
        DEV: {"Id": DEV, "Arn": "arn:dev", "Name": "Dev"},
        TEAM: {"Id": TEAM, "Arn": "arn:team", "Name": "Team"},
    }
    return parse.OuTree(
        ROOT,
        ous,
        {PROD: ROOT, DEV: ROOT, TEAM: PROD},
        {"111111111111": ROOT, "222222222222": PROD, "333333333333": TEAM, "444444444444": DEV},
    )


def test_ou_paths_and_ancestors() -> None:
    tree = _tree()
    assert tree.ancestors("333333333333") == (TEAM, PROD, ROOT)
    assert tree.path(TEAM) == "Root/Prod/Team"
    units = {u.id: u for u in tree.organizational_units("111111111111")}
    assert units[TEAM].parent_id == PROD and units[DEV].path == "Root/Dev"


def test_include_is_recursive_and_exclude_wins() -> None:
    accounts = [_account(a) for a in ("111111111111", "222222222222", "333333333333", "444444444444")]
    chosen, left = parse.select_accounts(accounts, _tree(), include=[PROD], exclude=[TEAM])
    assert [a["Id"] for a in chosen] == ["222222222222"]
    assert dict(left) == {
        "111111111111": "not in an included OU",
        "333333333333": "in an excluded OU",
        "444444444444": "not in an included OU",
    }


def test_only_active_accounts_are_collected() -> None:
    accounts = [
        _account("111111111111"),
        _account("222222222222", "SUSPENDED"),
        {**_account("3" * 12), "State": "PENDING_CLOSURE"},
    ]
    chosen, left = parse.select_accounts(accounts, None, include=[], exclude=[])
    assert [a["Id"] for a in chosen] == ["111111111111"]
    assert dict(left) == {"222222222222": "status SUSPENDED", "333333333333": "status PENDING_CLOSURE"}


def test_scp_documents_are_parsed() -> None:
    described = {
        "PolicySummary": {"Id": "p-1", "Arn": "arn:scp", "Name": "DenyAll", "AwsManaged": False},
        "Content": '{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}',
    }
    scp = parse.organization_policy("111111111111", described, ServiceControlPolicy)
    assert scp.document["Statement"][0]["Effect"] == "Deny" and scp.description == ""
    (target,) = parse.policy_targets(
        "111111111111",
        "p-1",
        [{"TargetId": ROOT, "Arn": "a", "Name": "Root", "Type": "ROOT"}],
        PolicyTarget,
    )
    assert (target.target_id, target.target_type) == (ROOT, "ROOT")
