"""Organizations responses to records, and the OU tree the account filters walk."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from collector.parsing import document, iso_or_none
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

Item = Mapping[str, Any]
PolicyRecord = TypeVar("PolicyRecord", ServiceControlPolicy, ResourceControlPolicy)
TargetRecord = TypeVar("TargetRecord", PolicyTarget, ResourceControlPolicyTarget)
ACTIVE = "ACTIVE"


def organization(account_id: str, item: Item) -> Organization:
    return Organization(
        account_id=account_id,
        id=item["Id"],
        arn=item["Arn"],
        management_account_id=item["MasterAccountId"],
        feature_set=item.get("FeatureSet"),
        raw=item,
    )


def account_status(item: Item) -> str:
    # ``Status`` is deprecated in favour of ``State``; read whichever the API gives.
    return str(item.get("State") or item["Status"])


def organization_account(account_id: str, item: Item, parent_id: str | None) -> OrganizationAccount:
    return OrganizationAccount(
        account_id=account_id,
        id=item["Id"],
        arn=item["Arn"],
        name=item["Name"],
        email=item["Email"],
        status=account_status(item),
        parent_id=parent_id,
        joined_method=item.get("JoinedMethod"),
        joined_timestamp=iso_or_none(item.get("JoinedTimestamp")),
        raw=item,
    )


@dataclass(frozen=True)
class OuTree:
    """The organization's tree: each OU's parent and name, and each account's parent."""

    root_id: str
    ous: Mapping[str, Item] = field(default_factory=dict)  # OU id -> ListOrganizationalUnitsForParent item
    ou_parent: Mapping[str, str] = field(default_factory=dict)  # OU id -> parent id
    account_parent: Mapping[str, str] = field(default_factory=dict)  # account id -> parent id
    roots: tuple[Item, ...] = ()  # ListRoots' items (with the policy types enabled on each)

    def ancestors(self, node_id: str) -> tuple[str, ...]:
        """The node's parents up to the root, nearest first."""
        chain = []
        current = self.account_parent.get(node_id) or self.ou_parent.get(node_id)
        while current is not None:
            chain.append(current)
            current = self.ou_parent.get(current)
        return tuple(chain)

    def path(self, ou_id: str) -> str:
        names = [self.ous[ou_id]["Name"] if ou_id in self.ous else "Root"]
        names.extend(self.ous[a]["Name"] if a in self.ous else "Root" for a in self.ancestors(ou_id))
        return "/".join(reversed(names))

    def organizational_units(self, account_id: str) -> tuple[OrganizationalUnit, ...]:
        return tuple(
            OrganizationalUnit(
                account_id=account_id,
                id=ou_id,
                arn=item["Arn"],
                name=item["Name"],
                parent_id=self.ou_parent[ou_id],
                path=self.path(ou_id),
                raw=item,
            )
            for ou_id, item in self.ous.items()
        )


def select_accounts(
    accounts: Iterable[Item], tree: OuTree | None, include: Sequence[str], exclude: Sequence[str]
) -> tuple[list[Item], list[tuple[str, str]]]:
    """ACTIVE accounts inside an included OU (all when none is given) and outside every excluded OU.

    Returns the accounts to collect and, for the others, (account id, why it is left out).
    """
    chosen: list[Item] = []
    left_out: list[tuple[str, str]] = []
    for item in accounts:
        status = account_status(item)
        if status != ACTIVE:
            left_out.append((item["Id"], f"status {status}"))
            continue
        above = set(tree.ancestors(item["Id"])) if tree else set()
        if include and not above & set(include):
            left_out.append((item["Id"], "not in an included OU"))
            continue
        if exclude and above & set(exclude):
            left_out.append((item["Id"], "in an excluded OU"))
            continue
        chosen.append(item)
    return chosen, left_out


def root(account_id: str, item: Item) -> OrganizationRoot:
    types = [dict(t) for t in item.get("PolicyTypes") or ()]
    return OrganizationRoot(
        account_id=account_id,
        id=item["Id"],
        arn=item["Arn"],
        name=item.get("Name", "Root"),
        enabled_policy_types=sorted(t["Type"] for t in types if t.get("Status") == "ENABLED"),
        policy_types=types,
        raw=item,
    )


def organization_policy(account_id: str, described: Item, kind: type[PolicyRecord]) -> PolicyRecord:
    """A DescribePolicy answer as a service or resource control policy record."""
    summary = described["PolicySummary"]
    return kind(
        account_id=account_id,
        id=summary["Id"],
        arn=summary["Arn"],
        name=summary["Name"],
        description=summary.get("Description", ""),
        aws_managed=bool(summary.get("AwsManaged", False)),
        document=document(described["Content"]),
        raw=described,
    )


def policy_targets(
    account_id: str, policy_id: str, targets: Iterable[Item], kind: type[TargetRecord]
) -> tuple[TargetRecord, ...]:
    """ListTargetsForPolicy's targets of one policy, as service or resource control policy targets."""
    return tuple(
        kind(
            account_id=account_id,
            policy_id=policy_id,
            target_id=t["TargetId"],
            target_type=t["Type"],
            target_name=t.get("Name", ""),
            raw=t,
        )
        for t in targets
    )


def delegated_administrators(account_id: str, items: Iterable[Item]) -> tuple[DelegatedAdministrator, ...]:
    return tuple(
        DelegatedAdministrator(
            account_id=account_id,
            delegated_account_id=item["Id"],
            name=item.get("Name", ""),
            status=item.get("State") or item.get("Status"),
            delegation_enabled_date=iso_or_none(item.get("DelegationEnabledDate")),
            raw=item,
        )
        for item in items
    )
