"""The plan is pure: accounts x regions x fetchers -> work items keyed by the rate-limit unit."""

from __future__ import annotations

from collections.abc import Iterator

from collector import registry
from collector.fetch import FetchContext, Fetcher, Placement
from collector.models import GLOBAL, Account, Record, ScopeKey
from collector.permissions import Feature, FetcherPermissions
from collector.plan import WorkItem, build_plan
from collector.services.ec2 import fetch as ec2
from collector.services.iam.records import Group

A = Account("111111111111", "arn:aws:iam::111111111111:role/Org", "management")
B = Account("222222222222", "arn:aws:iam::222222222222:role/Member", "member")


def _nothing(ctx: FetchContext) -> Iterator[Record]:
    return iter(())


REGIONAL = Fetcher(
    FetcherPermissions("regional_fake", Feature.EC2, ()), Placement.REGIONAL, (Group,), _nothing
)


def test_global_items_per_account_and_organization_fetchers_only_where_the_organization_is_read() -> None:
    plan = build_plan((A, B), registry.FETCHERS, regions={}, organization_account_id=A.account_id)
    assert [(i.account.account_id, i.unit, i.fetchers) for i in plan.items] == [
        (A.account_id, GLOBAL, ("iam", "organizations")),
        (B.account_id, GLOBAL, ("iam",)),
    ]
    single = build_plan((A,), registry.FETCHERS, regions={})
    assert single.items[0].fetchers == ("iam",)


def test_regional_fetchers_get_one_item_per_account_and_region_and_not_enabled_regions_are_skipped() -> None:
    plan = build_plan(
        (A, B),
        (registry.by_name()["iam"], REGIONAL),
        regions={A.account_id: ("us-east-1", "eu-west-1"), B.account_id: ("us-east-1",)},
        not_enabled={B.account_id: ("af-south-1",)},
    )
    keys = [i.key for i in plan.items]
    assert keys == [
        (A.account_id, GLOBAL),
        (B.account_id, GLOBAL),
        (A.account_id, "eu-west-1"),
        (A.account_id, "us-east-1"),
        (B.account_id, "us-east-1"),
    ]
    assert [s.scope for s in plan.skipped] == [ScopeKey(B.account_id, "af-south-1", "regional_fake")]
    assert plan.scope_count == 5
    text = "\n".join(plan.describe())
    assert (
        "5 work items, 5 scopes, 2 accounts" in text and "skip 222222222222/af-south-1/regional_fake" in text
    )


def test_work_items_round_trip_through_json_without_the_external_id() -> None:
    item = WorkItem(B, "eu-west-1", ("ec2", "cloudtrail"))
    data = item.to_json()
    assert WorkItem.from_json(data) == item
    assert "external" not in str(data).lower()


def test_regions_from_describe_regions() -> None:
    answer = {
        "Regions": [
            {"RegionName": "us-east-1", "OptInStatus": "opt-in-not-required"},
            {"RegionName": "af-south-1", "OptInStatus": "not-opted-in"},
            {"RegionName": "ap-east-1", "OptInStatus": "opted-in"},
        ]
    }
    regions = ec2.parse_regions(answer)
    assert regions.enabled == ("ap-east-1", "us-east-1") and regions.not_enabled == ("af-south-1",)


def test_every_kind_is_produced_by_exactly_one_fetcher() -> None:
    kinds = [k.KIND for k in registry.produced_kinds()]
    assert len(kinds) == len(set(kinds))
