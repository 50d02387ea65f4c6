"""The EC2 fetcher against botocore's Stubber: every listing at its MaxResults ceiling and paged to the end,
faults kept to their part, and opt-in regions that are not enabled skipped and recorded."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import botocore.session

from collector.models import Account, ScopeStatus
from collector.plan import Plan
from collector.runner import collect_scope, execute, given_regions, prepare
from collector.services.ec2 import fetch as ec2
from collector.settings import RunSettings
from collector.store import SqliteStore
from tests.collector import canned_ec2 as c
from tests.collector.canned import ACCOUNT
from tests.collector.stubs import ROLE_ARN, StubbedClients, assume_role_xml, context, http_answers

REGION = "eu-west-1"
ANSWERS: dict[str, list[dict[str, Any]]] = {
    "vpcs": [c.vpc()],
    "subnets": [c.subnet()],
    "security_groups": [c.security_group()],
    "security_group_rules": c.rules(),
    "network_interfaces": [c.network_interface()],
    "route_tables": [c.route_table()],
    "internet_gateways": [c.internet_gateway()],
    "nat_gateways": [c.nat_gateway()],
    "vpc_peering_connections": [c.peering()],
}


def _page(listing: ec2.Listing, items: list[Any], token: str | None = None) -> dict[str, Any]:
    page: dict[str, Any] = {listing.result_key: items}
    if token:
        page["NextToken"] = token
    return page


def _expect(
    stub: Any, listing: ec2.Listing, items: list[Any], token: str | None = None, *, after: str = ""
) -> None:
    params: dict[str, Any] = {"MaxResults": listing.page_size}
    if after:
        params["NextToken"] = after
    stub.add_response(listing.operation, _page(listing, items, token), params)


def test_every_listing_at_its_ceiling_paged_to_the_end() -> None:
    clients = StubbedClients()
    stub = clients.stub("ec2")
    for listing in ec2.NETWORK:
        if listing.name == "subnets":  # three pages, the middle one empty but not the last
            _expect(stub, listing, [c.subnet("subnet-1")], "t1")
            _expect(stub, listing, [], "t2", after="t1")
            _expect(stub, listing, [c.subnet("subnet-2")], after="t2")
        else:
            _expect(stub, listing, ANSWERS[listing.name])
    _expect(stub, ec2.INSTANCES, [c.reservation(c.instance("i-1"))], "r1")
    _expect(stub, ec2.INSTANCES, [c.reservation(c.instance("i-2"), c.instance("i-3"))], after="r1")

    outcome = collect_scope(context(ec2.FETCHER, clients, region=REGION))

    clients.assert_no_pending()
    assert outcome.result.status is ScopeStatus.COMPLETE, outcome.result.detail
    counts = Counter(r.KIND for r in outcome.records)
    assert counts == {
        "vpcs": 1,
        "subnets": 2,
        "security_groups": 1,
        "security_group_rules": 3,
        "network_interfaces": 1,
        "route_tables": 1,
        "internet_gateways": 1,
        "nat_gateways": 1,
        "vpc_peering_connections": 1,
        "ec2_instances": 3,
    }
    assert {r.region for r in outcome.records} == {REGION}


def test_page_sizes_are_each_apis_maximum() -> None:
    model = botocore.session.get_session().get_service_model("ec2")
    for listing in ec2.NETWORK:
        request = model.operation_model(_operation_name(listing.operation)).input_shape
        assert request is not None
        assert listing.page_size == request.members["MaxResults"].metadata["max"], listing.operation
    assert ec2.INSTANCES.page_size == 1000  # documented in the text only: "between 5 and 1000"


def _operation_name(snake: str) -> str:
    return "".join(part.capitalize() for part in snake.split("_"))


def _all_network_answered(stub: Any, *, denied: str = "") -> None:
    for listing in ec2.NETWORK:
        if listing.name == denied:
            stub.add_client_error(listing.operation, "UnauthorizedOperation", "You are not authorized", 403)
        else:
            _expect(stub, listing, ANSWERS[listing.name])


def test_a_denied_network_listing_is_partial_naming_its_action_and_the_rest_is_read() -> None:
    clients = StubbedClients()
    stub = clients.stub("ec2")
    _all_network_answered(stub, denied="security_group_rules")
    _expect(stub, ec2.INSTANCES, [c.reservation(c.instance())])

    outcome = collect_scope(context(ec2.FETCHER, clients, region=REGION))

    clients.assert_no_pending()
    assert outcome.result.status is ScopeStatus.PARTIAL
    assert outcome.result.missing_actions == ("ec2:DescribeSecurityGroupRules",)
    assert outcome.result.detail.startswith("security_group_rules: denied ec2:DescribeSecurityGroupRules")
    kinds = Counter(r.KIND for r in outcome.records)
    assert "security_group_rules" not in kinds and kinds["ec2_instances"] == 1 and kinds["vpcs"] == 1


def test_denied_instances_deny_the_scope_and_keep_the_network_read_before() -> None:
    clients = StubbedClients()
    stub = clients.stub("ec2")
    _all_network_answered(stub)
    stub.add_client_error("describe_instances", "UnauthorizedOperation", "You are not authorized", 403)

    outcome = collect_scope(context(ec2.FETCHER, clients, region=REGION))

    assert outcome.result.status is ScopeStatus.DENIED
    assert outcome.result.missing_actions == ("ec2:DescribeInstances",)
    assert sum(r.KIND == "vpcs" for r in outcome.records) == 1
    assert not any(r.KIND == "ec2_instances" for r in outcome.records)


def _regions_xml(*regions: tuple[str, str]) -> str:
    items = "".join(
        f"<item><regionName>{name}</regionName><regionEndpoint>ec2.{name}.amazonaws.com</regionEndpoint>"
        f"<optInStatus>{status}</optInStatus></item>"
        for name, status in regions
    )
    return (
        '<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r</requestId>'
        f"<regionInfo>{items}</regionInfo></DescribeRegionsResponse>"
    )


def test_opt_in_regions_not_enabled_are_skipped_and_recorded(offline_aws: None, tmp_path: Path) -> None:
    later = datetime.now(UTC) + timedelta(hours=1)
    sts = http_answers([(200, assume_role_xml(later))])
    regions = http_answers(
        [
            (
                200,
                _regions_xml(
                    ("us-east-1", "opt-in-not-required"),
                    ("ap-east-1", "opted-in"),
                    ("af-south-1", "not-opted-in"),
                ),
            )
        ]
    )

    def fake_aws(session: Any) -> None:
        session.register("before-send.sts", sts)
        session.register("before-send.ec2", regions)

    settings = RunSettings(role_arn=ROLE_ARN, external_id="Customer-1", fetchers=("ec2", "cloudtrail"))
    prepared = prepare(settings, prepare_session=fake_aws)

    assert [(i.unit, i.fetchers) for i in prepared.plan.items] == [
        ("ap-east-1", ("ec2", "cloudtrail")),
        ("us-east-1", ("ec2", "cloudtrail")),
    ]
    skipped = sorted((s.scope.region, s.scope.service) for s in prepared.plan.skipped)
    assert skipped == [("af-south-1", "cloudtrail"), ("af-south-1", "ec2")]

    # Record the skipped scopes (the enabled regions' items are left out: only the skip is under test).
    with SqliteStore(tmp_path / "inv.sqlite") as store:
        only_skips = replace(prepared, plan=Plan((), prepared.plan.skipped))
        manifest = execute(only_skips, store, state=store)
        scopes = store.scopes()
    assert manifest.complete  # skipped by design is not a problem
    assert {(s["region"], s["status"], s["detail"]) for s in scopes} == {
        ("af-south-1", "skipped", "region not enabled in the account")
    }
    assert {s["account_id"] for s in scopes} == {ACCOUNT}


def test_regions_of_another_partition_are_not_the_accounts() -> None:
    """moto's DescribeRegions lists China and GovCloud regions too; AWS never does for an account."""
    answer = {
        "Regions": [
            {"RegionName": "us-east-1", "OptInStatus": "opt-in-not-required"},
            {"RegionName": "cn-north-1", "OptInStatus": "opt-in-not-required"},
            {"RegionName": "us-gov-west-1", "OptInStatus": "opt-in-not-required"},
            {"RegionName": "me-central-1", "OptInStatus": "not-opted-in"},
        ]
    }
    regions = ec2.parse_regions(answer, lambda r: ec2.region_partition(r) or "aws", "aws")
    assert regions.enabled == ("us-east-1",) and regions.not_enabled == ("me-central-1",)
    china = ec2.parse_regions(answer, lambda r: ec2.region_partition(r) or "aws-cn", "aws-cn")
    assert china.enabled == ("cn-north-1",) and china.not_enabled == ()


def test_given_regions_are_checked_against_the_accounts_enabled_ones(offline_aws: None) -> None:
    later = datetime.now(UTC) + timedelta(hours=1)
    sts = http_answers([(200, assume_role_xml(later))])
    regions = http_answers(
        [(200, _regions_xml(("us-east-1", "opt-in-not-required"), ("af-south-1", "not-opted-in")))]
    )

    def fake_aws(session: Any) -> None:
        session.register("before-send.sts", sts)
        session.register("before-send.ec2", regions)

    settings = RunSettings(
        role_arn=ROLE_ARN, external_id="Customer-1", fetchers=("ec2",), regions=("af-south-1", "us-east-1")
    )
    prepared = prepare(settings, prepare_session=fake_aws)
    assert [(i.unit, i.fetchers) for i in prepared.plan.items] == [("us-east-1", ("ec2",))]
    assert [(s.scope.region, s.reason) for s in prepared.plan.skipped] == [
        ("af-south-1", "region not enabled in the account")
    ]


def test_given_regions_are_all_tried_where_the_accounts_regions_are_unknown() -> None:
    a, b = (
        Account("111111111111", "arn:aws:iam::111111111111:role/R"),
        Account("222222222222", "arn:aws:iam::222222222222:role/R"),
    )
    regions, not_enabled = given_regions(("eu-west-1", "us-east-1"), (a, b), {a.account_id: ("us-east-1",)})
    assert regions == {a.account_id: ("us-east-1",), b.account_id: ("eu-west-1", "us-east-1")}
    assert not_enabled == {a.account_id: ("eu-west-1",)}
