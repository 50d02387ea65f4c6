"""The plan: accounts x regions x fetchers -> work items. Pure: no I/O.

A work item is everything one worker does for one rate-limit unit: (account, GLOBAL) for the global services
(IAM, Organizations, Identity Center), (account, region) for regional ones. The CLI runs items on a thread
pool; the pipeline runs one item per Lambda invocation; both through ``runner.collect_item``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from collector.fetch import Fetcher, Placement, Where
from collector.models import GLOBAL, Account, ScopeKey
from collector.services.identity_center.parse import IdentityCenterHome


@dataclass(frozen=True)
class WorkItem:
    account: Account
    unit: str  # GLOBAL or a region: the rate-limit unit, and the region of every scope of the item
    fetchers: tuple[str, ...]

    @property
    def key(self) -> tuple[str, str]:
        return (self.account.account_id, self.unit)

    def scopes(self) -> tuple[ScopeKey, ...]:
        return tuple(ScopeKey(self.account.account_id, self.unit, f) for f in self.fetchers)

    def to_json(self) -> dict[str, Any]:
        """The item as a Step Functions Map item carries it (no ExternalId: that comes from the registry)."""
        return {"account": self.account.to_json(), "unit": self.unit, "fetchers": list(self.fetchers)}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> WorkItem:
        return cls(Account.from_json(data["account"]), str(data["unit"]), tuple(data["fetchers"]))


@dataclass(frozen=True)
class SkippedScope:
    scope: ScopeKey
    reason: str


@dataclass(frozen=True)
class Plan:
    items: tuple[WorkItem, ...]
    skipped: tuple[SkippedScope, ...] = ()

    @property
    def scope_count(self) -> int:
        return sum(len(i.fetchers) for i in self.items)

    def describe(self) -> list[str]:
        """Human-readable lines for --dry-run."""
        accounts = {i.account.account_id for i in self.items}
        lines = [f"{len(self.items)} work items, {self.scope_count} scopes, {len(accounts)} accounts"]
        for item in self.items:
            name = f" ({item.account.name})" if item.account.name else ""
            lines.append(
                f"  {item.account.account_id}{name} {item.unit}: {', '.join(item.fetchers)}"
                f"  [role {item.account.role_arn}]"
            )
        lines.extend(f"  skip {s.scope}: {s.reason}" for s in self.skipped)
        return lines


def build_plan(
    accounts: Sequence[Account],
    fetchers: Iterable[Fetcher],
    *,
    regions: Mapping[str, Sequence[str]],
    not_enabled: Mapping[str, Sequence[str]] | None = None,
    organization_account_id: str | None = None,
    identity_center: IdentityCenterHome | None = None,
    findings: bool = False,
) -> Plan:
    """Work items for every account: one GLOBAL item with the global fetchers, one item per region with
    the regional ones. ``regions`` maps an account to its regions; ``not_enabled`` lists, per account,
    opt-in regions it has not enabled (their regional scopes are skipped, and recorded as such).
    ``organization_account_id`` is where the organization is read (its fetchers run only there);
    ``identity_center`` where Identity Center is (None: nowhere, e.g. discovery could not tell).
    ``findings``: the run passes findings between an item's fetchers (the EC2 skip), so each runs after the
    ones it reads (``Fetcher.after``); otherwise the given order, which keeps a resumable fetcher (CloudTrail,
    which may spend a pipeline Lambda's time budget) last in its item."""
    chosen = tuple(fetchers)
    if findings:
        chosen = ordered(chosen)
    global_fetchers = [f for f in chosen if f.placement is Placement.GLOBAL]
    regional = [f.name for f in chosen if f.placement is Placement.REGIONAL]
    items: list[WorkItem] = []
    skipped: list[SkippedScope] = []
    for account in accounts:
        names = tuple(
            f.name
            for f in global_fetchers
            if _runs_in(f, account.account_id, organization_account_id, identity_center)
        )
        if names:
            items.append(WorkItem(account, GLOBAL, names))
    if identity_center is not None and not identity_center.collected:
        for f in global_fetchers:
            if f.where is Where.IDENTITY_CENTER_ACCOUNT:
                scope = ScopeKey(identity_center.account_id, GLOBAL, f.name)
                skipped.append(SkippedScope(scope, identity_center.reason))
    for account in accounts:
        if not regional:
            break
        for region in sorted(regions.get(account.account_id, ())):
            items.append(WorkItem(account, region, tuple(regional)))
        for region in sorted((not_enabled or {}).get(account.account_id, ())):
            for name in regional:
                skipped.append(
                    SkippedScope(
                        ScopeKey(account.account_id, region, name), "region not enabled in the account"
                    )
                )
    return Plan(tuple(items), tuple(skipped))


def ordered(fetchers: Sequence[Fetcher]) -> tuple[Fetcher, ...]:
    """``fetchers`` with each one after those of them it reads (``after``), otherwise in the given order
    (stable). A cycle is a declaration bug, failed loudly."""
    left = list(fetchers)
    done: list[Fetcher] = []
    while left:
        names = {f.name for f in left}
        ready = next((f for f in left if not names.intersection(f.after)), None)
        if ready is None:
            raise ValueError(f"fetchers wait for each other: {', '.join(f.name for f in left)}")
        done.append(ready)
        left.remove(ready)
    return tuple(done)


def _runs_in(
    fetcher: Fetcher,
    account_id: str,
    organization_account_id: str | None,
    identity_center: IdentityCenterHome | None,
) -> bool:
    if fetcher.where is Where.EVERY_ACCOUNT:
        return True
    if fetcher.where is Where.MANAGEMENT_ACCOUNT:
        return account_id == organization_account_id
    return (
        identity_center is not None and identity_center.collected and account_id == identity_center.account_id
    )
