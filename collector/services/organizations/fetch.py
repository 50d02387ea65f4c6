"""AWS Organizations discovery: accounts and the OU tree (management or delegated-administrator account)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from botocore.exceptions import ClientError

from collector.errors import error_code
from collector.fetch import FetchContext, Fetcher, Placement, Where
from collector.models import Record
from collector.services.identity_center import parse as parse_ic
from collector.services.organizations import parse
from collector.services.organizations.catalog import PERMISSIONS
from collector.services.organizations.records import (
    DelegatedAdministrator,
    Organization,
    OrganizationAccount,
    OrganizationalUnit,
    OrganizationRoot,
    PolicyTarget,
    ResourceControlPolicy,
    ResourceControlPolicyTarget,
    ServiceControlPolicy,
)

SCP = "SERVICE_CONTROL_POLICY"
RCP = "RESOURCE_CONTROL_POLICY"
Item = dict[str, Any]


def _items(client: Any, operation: str, key: str, **params: Any) -> list[Item]:
    """Every item of a paginated listing. Pages may be empty and still carry a NextToken."""
    return [item for page in client.get_paginator(operation).paginate(**params) for item in page[key]]


def list_accounts(client: Any) -> list[Item]:
    """Every account of the organization (at most 20 a page), whatever its status."""
    return _items(client, "list_accounts", "Accounts")


def walk_tree(client: Any) -> parse.OuTree:
    """The OU tree from the root down: each OU's parent, and each account's parent."""
    roots = _items(client, "list_roots", "Roots")
    root_id = roots[0]["Id"]
    ous: dict[str, Item] = {}
    ou_parent: dict[str, str] = {}
    account_parent: dict[str, str] = {}
    pending = [root_id]
    while pending:
        parent = pending.pop()
        for account in _items(client, "list_accounts_for_parent", "Accounts", ParentId=parent):
            account_parent[account["Id"]] = parent
        for ou in _items(
            client, "list_organizational_units_for_parent", "OrganizationalUnits", ParentId=parent
        ):
            ous[ou["Id"]] = ou
            ou_parent[ou["Id"]] = parent
            pending.append(ou["Id"])
    return parse.OuTree(root_id, ous, ou_parent, account_parent, tuple(roots))


def describe_organization(client: Any) -> Item:
    result: Item = client.describe_organization()["Organization"]
    return result


def identity_center_administration(org: Any) -> parse_ic.Administration:
    """The management account and the delegated administrator for sso.amazonaws.com (discovery, before
    Identity Center is read once, in one account)."""
    management = describe_organization(org)["MasterAccountId"]
    try:
        admins = _items(
            org,
            "list_delegated_administrators",
            "DelegatedAdministrators",
            ServicePrincipal=parse_ic.SSO_SERVICE_PRINCIPAL,
        )
    except ClientError as exc:
        if error_code(exc) != "InvalidInputException":
            raise
        # AWS accepts this filter; an emulator may not (moto). Unfiltered, no administrator at all still
        # means none for Identity Center; administrators of unknown services leave it unknown.
        others = _items(org, "list_delegated_administrators", "DelegatedAdministrators")
        return parse_ic.Administration(management, None, delegation_known=not others)
    return parse_ic.Administration(management, parse_ic.delegated_administrator(admins))


def _policies(
    org: Any,
    me: str,
    policy_type: str,
    kind: type[parse.PolicyRecord],
    target_kind: type[parse.TargetRecord],
) -> Iterator[Record]:
    """Every policy of one type with its document and its targets. An organization that never enabled the
    type still lists its policies (none, or AWS's own), so an empty listing is an answer, not a fault."""
    for summary in _items(org, "list_policies", "Policies", Filter=policy_type):
        described = org.describe_policy(PolicyId=summary["Id"])["Policy"]
        yield parse.organization_policy(me, described, kind)
        targets = _items(org, "list_targets_for_policy", "Targets", PolicyId=summary["Id"])
        yield from parse.policy_targets(me, summary["Id"], targets, target_kind)


def collect(ctx: FetchContext) -> Iterator[Record]:
    """The organization as the management account sees it: accounts, OUs, SCPs, delegated administrators."""
    org = ctx.client("organizations")
    me = ctx.account.account_id
    yield parse.organization(me, describe_organization(org))
    tree = walk_tree(org)
    for account in list_accounts(org):
        yield parse.organization_account(me, account, tree.account_parent.get(account["Id"]))
    yield from tree.organizational_units(me)

    for root in tree.roots:
        yield parse.root(me, root)
    with ctx.part("service_control_policies"):
        yield from _policies(org, me, SCP, ServiceControlPolicy, PolicyTarget)
    with ctx.part("resource_control_policies"):
        yield from _policies(org, me, RCP, ResourceControlPolicy, ResourceControlPolicyTarget)

    with ctx.part("delegated_administrators"):
        admins = _items(org, "list_delegated_administrators", "DelegatedAdministrators")
        yield from parse.delegated_administrators(me, admins)


FETCHER = Fetcher(
    permissions=PERMISSIONS,
    placement=Placement.GLOBAL,
    kinds=(
        Organization,
        OrganizationAccount,
        OrganizationalUnit,
        OrganizationRoot,
        ServiceControlPolicy,
        PolicyTarget,
        ResourceControlPolicy,
        ResourceControlPolicyTarget,
        DelegatedAdministrator,
    ),
    collect=collect,
    where=Where.MANAGEMENT_ACCOUNT,
)
