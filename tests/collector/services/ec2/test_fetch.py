"""The EC2 fetcher against botocore's Stubber: every listing at its MaxResults ceiling and paged to the end,
an empty region at one call per listing, the per-resource calls made only for what exists (and in
parallel), faults kept to their part, and opt-in regions that are not enabled skipped and recorded."""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.awsrequest import AWSResponse, HTTPHeaders

from collector.activity import ACTIVITY, Activity
from collector.fetch import FetchOptions
from collector.models import Account, ScopeStatus
from collector.permissions import catalog_of
from collector.plan import Plan
from collector.runner import collect_scope, execute, given_regions, prepare
from collector.services.cloudtrail.trails import Source
from collector.services.ec2 import fetch as ec2
from collector.services.ec2 import listings, refresh
from collector.services.ec2.parse_resources import SETTINGS
from collector.settings import RunSettings
from collector.store import SqliteStore
from tests.collector import canned_ec2 as c
from tests.collector.canned import ACCOUNT
from tests.collector.services.ec2 import canned as m
from tests.collector.stubs import (
    ROLE_ARN,
    FakeClock,
    StubbedClients,
    assume_role_xml,
    context,
    http_answers,
    offline_client,
)

REGION = "eu-west-1"

# One distinct item per listing and index, in the listing's own shape.
ITEMS: dict[str, Callable[[int], dict[str, Any]]] = {
    "vpcs": lambda i: c.vpc(f"vpc-{i}"),
    "subnets": lambda i: c.subnet(f"subnet-{i}"),
    "security_groups": lambda i: c.security_group(f"sg-{i}"),
    "security_group_rules": lambda i: {**c.rules()[0], "SecurityGroupRuleId": f"sgr-{i}"},
    "network_interfaces": lambda i: c.network_interface(f"eni-{i}"),
    "route_tables": lambda i: c.route_table(f"rtb-{i}"),
    "internet_gateways": lambda i: c.internet_gateway(f"igw-{i}"),
    "nat_gateways": lambda i: {**c.nat_gateway(), "NatGatewayId": f"nat-{i}"},
    "vpc_peering_connections": lambda i: {**c.peering(), "VpcPeeringConnectionId": f"pcx-{i}"},
    "network_acls": lambda i: m.network_acl(f"acl-{i}"),
    "vpc_endpoints": lambda i: m.vpc_endpoint(f"vpce-{i}"),
    "transit_gateway_attachments": lambda i: m.tgw_attachment(f"tgw-attach-{i}"),
    "egress_only_internet_gateways": lambda i: m.egress_only_gateway(f"eigw-{i}"),
    "managed_prefix_lists": lambda i: m.prefix_list(f"pl-{i}"),
    "flow_logs": lambda i: m.flow_log(f"fl-{i}"),
    "vpn_gateways": lambda i: m.vpn_gateway(f"vgw-{i}"),
    "customer_gateways": lambda i: m.customer_gateway(f"cgw-{i}"),
    "vpn_connections": lambda i: m.vpn_connection(f"vpn-{i}"),
    "instance_connect_endpoints": lambda i: m.instance_connect_endpoint(f"eice-{i}"),
    "ebs_volumes": lambda i: m.volume(f"vol-{i}"),
    "key_pairs": lambda i: m.key_pair(f"key{i}"),
    "elastic_ips": lambda i: m.address(f"eipalloc-{i}"),
}


def _expect(
    stub: Any, call: listings.Call, items: list[Any], token: str | None = None, **params: Any
) -> None:
    """One answer of ``call``; its request must carry exactly the call's parameters, its page size (when it
    pages) and the given ones (``NextToken``, an item's ID)."""
    page: dict[str, Any] = {call.result_key: items}
    if token:
        page["NextToken"] = token
    expected = {**call.params, **params}
    if call.page_size is not None:
        expected["MaxResults"] = call.page_size
    stub.add_response(call.operation, page, expected)


def _two_pages(stub: Any, call: listings.Call, first: list[Any], second: list[Any], **params: Any) -> None:
    if call.page_size is None:  # no paging: one answer holds everything
        _expect(stub, call, first + second, **params)
        return
    _expect(stub, call, first, "t1", **params)
    _expect(stub, call, second, NextToken="t1", **params)


def _settings(stub: Any, answers: dict[str, dict[str, Any]] | None = None) -> None:
    for operation in SETTINGS:
        stub.add_response(operation, (answers or m.SETTINGS)[operation], {})


@pytest.fixture
def one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """Per-item calls one after the other, so that a Stubber's queue answers them in a known order."""
    monkeypatch.setattr(ec2, "DETAIL_WORKERS", 1)


def _by_id(call: listings.Call) -> str:
    return {
        "describe_snapshots": "snapshots",
        "describe_images": "images",
        "describe_launch_templates": "templates",
        "describe_vpc_endpoint_service_configurations": "services",
        "describe_transit_gateways": "gateways",
    }[call.operation]


def test_every_listing_at_its_ceiling_paged_to_the_end(one_at_a_time: None) -> None:
    clients = StubbedClients()
    stub = clients.stub("ec2")
    for listing in (*listings.NETWORK, *listings.RESOURCES):
        _two_pages(stub, listing.call, [ITEMS[listing.name](1)], [ITEMS[listing.name](2)])
    snapshots, images, templates, services, gateways = listings.DETAILED
    # Snapshots, each then asked for its createVolumePermission.
    _two_pages(stub, snapshots.call, [m.snapshot("snap-1")], [m.snapshot("snap-2")])
    for snapshot_id, grantees in (
        ("snap-1", [{"Group": "all"}, {"UserId": m.OTHER_ACCOUNT}]),
        ("snap-2", []),
    ):
        stub.add_response(
            "describe_snapshot_attribute",
            m.volume_permissions(snapshot_id, *grantees),
            {"SnapshotId": snapshot_id, "Attribute": "createVolumePermission"},
        )
    # AMIs, each then asked for its launchPermission.
    _two_pages(stub, images.call, [m.image("ami-1", public=True)], [m.image("ami-2")])
    every_kind = [{"Group": "all"}, {"UserId": m.OTHER_ACCOUNT}, {"OrganizationArn": m.ORG_ARN}]
    for image_id, grantees in (("ami-1", every_kind), ("ami-2", [{"OrganizationalUnitArn": m.OU_ARN}])):
        stub.add_response(
            "describe_image_attribute",
            m.launch_permissions(image_id, *grantees),
            {"ImageId": image_id, "Attribute": "launchPermission"},
        )
    # Launch templates, then the $Default and $Latest versions of all of them in one (paged) listing.
    _two_pages(stub, templates.call, [m.launch_template("lt-1")], [m.launch_template("lt-2", latest=1)])
    profile = {"Arn": m.PROFILE_ARN}
    _two_pages(
        stub,
        templates.details.call,
        [
            m.template_version("lt-1", 2, default=False, tokens="optional", profile=None),
            m.template_version("lt-1", 1, default=True, tokens="required", profile=profile),
        ],
        [m.template_version("lt-2", 1, default=True, tokens=None, profile={"Name": "plain"})],
    )
    # Endpoint services, then each one's allowed principals (paged too).
    _two_pages(stub, services.call, [m.endpoint_service("vpce-svc-1")], [m.endpoint_service("vpce-svc-2")])
    permissions = services.details.call
    _two_pages(
        stub,
        permissions,
        [m.allowed_principal(f"arn:aws:iam::{m.OTHER_ACCOUNT}:root")],
        [m.allowed_principal("*", "All")],
        ServiceId="vpce-svc-1",
    )
    _expect(stub, permissions, [], ServiceId="vpce-svc-2")
    # Transit gateways, then the route tables of all of them (paged), joined on the gateway's ID.
    _two_pages(
        stub, gateways.call, [m.transit_gateway("tgw-1")], [m.transit_gateway("tgw-2", "999988887777")]
    )
    _two_pages(
        stub,
        gateways.details.call,
        [m.tgw_route_table("tgw-rtb-1", "tgw-1")],
        [m.tgw_route_table("tgw-rtb-2", "tgw-2"), m.tgw_route_table("tgw-rtb-3", "tgw-2", default=False)],
    )
    _settings(stub)
    _two_pages(
        stub, listings.INSTANCES.call, [c.reservation(c.instance("i-1"))], [c.reservation(c.instance("i-2"))]
    )

    outcome = collect_scope(context(ec2.FETCHER, clients, region=REGION))

    clients.assert_no_pending()
    assert outcome.result.status is ScopeStatus.COMPLETE, outcome.result.detail
    counts = Counter(r.KIND for r in outcome.records)
    assert counts == {
        **{name: 2 for name in ITEMS},
        "ebs_snapshots": 2,
        "snapshot_shares": 2,
        "images": 2,
        "image_shares": 4,
        "launch_templates": 2,
        "vpc_endpoint_services": 2,
        "transit_gateways": 2,
        "ec2_account_settings": 1,
        "ec2_instances": 2,
    }
    assert set(counts) == {kind.KIND for kind in ec2.FETCHER.kinds}  # every kind the fetcher declares
    assert {r.region for r in outcome.records} == {REGION}
    records: dict[tuple[Any, ...], Any] = {(r.KIND, *r.key()[2:]): r for r in outcome.records}
    shares = {(k[1], r.grantee_type) for k, r in records.items() if k[0] == "snapshot_shares"}
    assert shares == {("snap-1", "public"), ("snap-1", "account")}
    assert {k[1:] for k in records if k[0] == "image_shares"} == {
        ("ami-1", "all"),
        ("ami-1", m.OTHER_ACCOUNT),
        ("ami-1", m.ORG_ARN),
        ("ami-2", m.OU_ARN),
    }
    first = records[("launch_templates", "lt-1")]
    assert (first.default_instance_profile_arn, first.default_metadata_http_tokens) == (
        m.PROFILE_ARN,
        "required",
    )
    assert (first.latest_instance_profile_arn, first.latest_metadata_http_tokens) == (None, "optional")
    second = records[("launch_templates", "lt-2")]
    assert second.default_version == second.latest_version and second.latest_instance_profile_name == "plain"
    assert records[("vpc_endpoint_services", "vpce-svc-1")].allowed_principals == [
        {"principal": f"arn:aws:iam::{m.OTHER_ACCOUNT}:root", "principal_type": "Account"},
        {"principal": "*", "principal_type": "All"},
    ]
    assert records[("vpc_endpoint_services", "vpce-svc-2")].allowed_principals == []
    tables = records[("transit_gateways", "tgw-2")].route_tables
    assert [t["route_table_id"] for t in tables] == ["tgw-rtb-2", "tgw-rtb-3"]
    assert records[("ec2_account_settings",)].metadata_http_tokens == "required"


def _empty_region(stub: Any) -> None:
    for listing in (*listings.NETWORK, *listings.RESOURCES):
        _expect(stub, listing.call, [])
    for detailed in listings.DETAILED:
        _expect(stub, detailed.call, [])
    _settings(stub)
    _expect(stub, listings.INSTANCES.call, [])


def test_an_empty_region_costs_one_call_per_listing_and_no_follow_up() -> None:
    clients = StubbedClients()
    _empty_region(clients.stub("ec2"))  # a call beyond these would find no answer queued and fail

    outcome = collect_scope(context(ec2.FETCHER, clients, region=REGION))

    clients.assert_no_pending()
    assert outcome.result.status is ScopeStatus.COMPLETE, outcome.result.detail
    assert [r.KIND for r in outcome.records] == ["ec2_account_settings"]
    made = len(listings.NETWORK) + len(listings.RESOURCES) + len(listings.DETAILED) + 1  # the instances
    assert (made, len(SETTINGS)) == (28, 5)  # 10 listings before issue 14: 33 calls a region now


def test_page_sizes_are_each_apis_maximum() -> None:
    model = botocore.session.get_session().get_service_model("ec2")
    # The model's maximum; else the one its documentation states ("can be between 1 and 200"); else the API
    # reference's (botocore's text for these two no longer names it); else the EC2 pagination guide's 1,000.
    reference = {"DescribeVolumes": 500, "DescribeSnapshots": 1000}
    for call in listings.calls():
        operation = model.operation_model(listings.api_name(call.operation))
        members = operation.input_shape.members if operation.input_shape is not None else {}
        if "MaxResults" not in members:
            assert call.page_size is None, call.operation  # no paging: one call answers everything
            continue
        shape = members["MaxResults"]
        stated = re.search(r"between \d+ and ([\d,]+)", shape.documentation)
        ceiling = (
            shape.metadata.get("max")
            or (int(stated.group(1).replace(",", "")) if stated else None)
            or reference.get(operation.name, 1000)
        )
        assert call.page_size == ceiling, call.operation


def test_every_call_is_declared_and_every_declared_action_is_called() -> None:
    """The catalog both ways, offline (the e2e test proves it again under IAM enforcement)."""
    made = {f"ec2:{listings.api_name(call.operation)}" for call in listings.calls()}
    made |= {f"ec2:{listings.api_name(op)}" for op in SETTINGS} | {"ec2:DescribeRegions"}
    assert made == {p.api for p in catalog_of("ec2").permissions}


def _all_listings(stub: Any, *, denied: str = "") -> None:
    for listing in (*listings.NETWORK, *listings.RESOURCES):
        if listing.name == denied:
            stub.add_client_error(
                listing.call.operation, "UnauthorizedOperation", "You are not authorized", 403
            )
        else:
            _expect(stub, listing.call, [ITEMS[listing.name](1)])


def _empty_detailed(stub: Any) -> None:
    for detailed in listings.DETAILED:
        _expect(stub, detailed.call, [])


def test_a_denied_listing_is_partial_naming_its_action_and_the_rest_is_read() -> None:
    clients = StubbedClients()
    stub = clients.stub("ec2")
    _all_listings(stub, denied="security_group_rules")
    _empty_detailed(stub)
    _settings(stub)
    _expect(stub, listings.INSTANCES.call, [c.reservation(c.instance())])

    outcome = collect_scope(context(ec2.FETCHER, clients, region=REGION))

    clients.assert_no_pending()
    assert outcome.result.status is ScopeStatus.PARTIAL
    assert outcome.result.missing_actions == ("ec2:DescribeSecurityGroupRules",)
    assert outcome.result.detail.startswith("security_group_rules: denied ec2:DescribeSecurityGroupRules")
    kinds = Counter(r.KIND for r in outcome.records)
    assert "security_group_rules" not in kinds and kinds["ec2_instances"] == 1 and kinds["vpcs"] == 1


def test_denied_instances_deny_the_scope_and_keep_what_was_read_before() -> None:
    clients = StubbedClients()
    stub = clients.stub("ec2")
    _all_listings(stub)
    _empty_detailed(stub)
    _settings(stub)
    stub.add_client_error("describe_instances", "UnauthorizedOperation", "You are not authorized", 403)

    outcome = collect_scope(context(ec2.FETCHER, clients, region=REGION))

    assert outcome.result.status is ScopeStatus.DENIED
    assert outcome.result.missing_actions == ("ec2:DescribeInstances",)
    assert sum(r.KIND == "vpcs" for r in outcome.records) == 1
    assert sum(r.KIND == "ec2_account_settings" for r in outcome.records) == 1
    assert not any(r.KIND == "ec2_instances" for r in outcome.records)


def _only(stub: Any, name: str, answer: Callable[[], None]) -> None:
    """Every listing empty but ``name``, whose calls ``answer`` queues in its turn."""
    for listing in (*listings.NETWORK, *listings.RESOURCES):
        _expect(stub, listing.call, [])
    for detailed in listings.DETAILED:
        if detailed.name == name:
            answer()
        else:
            _expect(stub, detailed.call, [])
    _settings(stub)
    _expect(stub, listings.INSTANCES.call, [])


def test_a_denied_share_call_keeps_the_snapshots_and_stops_asking(one_at_a_time: None) -> None:
    clients = StubbedClients()
    stub = clients.stub("ec2")
    snapshots = listings.DETAILED[0]

    def answer() -> None:
        _expect(stub, snapshots.call, [m.snapshot("snap-1"), m.snapshot("snap-2"), m.snapshot("snap-3")])
        stub.add_client_error("describe_snapshot_attribute", "UnauthorizedOperation", "not authorized", 403)
        # Nothing queued for snap-2 and snap-3: asking again would fail the test.

    _only(stub, "ebs_snapshots", answer)

    outcome = collect_scope(context(ec2.FETCHER, clients, region=REGION))

    clients.assert_no_pending()
    assert outcome.result.status is ScopeStatus.PARTIAL
    assert outcome.result.missing_actions == ("ec2:DescribeSnapshotAttribute",)
    assert outcome.result.detail.startswith("snapshot_shares: denied")
    kinds = Counter(r.KIND for r in outcome.records)
    assert kinds["ebs_snapshots"] == 3 and "snapshot_shares" not in kinds


def test_a_snapshot_deleted_since_it_was_listed_is_not_a_fault(one_at_a_time: None) -> None:
    clients = StubbedClients()
    stub = clients.stub("ec2")
    snapshots = listings.DETAILED[0]

    def answer() -> None:
        _expect(stub, snapshots.call, [m.snapshot("snap-1"), m.snapshot("snap-2")])
        stub.add_client_error("describe_snapshot_attribute", "InvalidSnapshot.NotFound", "gone", 400)
        stub.add_response(
            "describe_snapshot_attribute",
            m.volume_permissions("snap-2", {"Group": "all"}),
            {"SnapshotId": "snap-2", "Attribute": "createVolumePermission"},
        )

    _only(stub, "ebs_snapshots", answer)

    outcome = collect_scope(context(ec2.FETCHER, clients, region=REGION))

    assert outcome.result.status is ScopeStatus.COMPLETE, outcome.result.detail
    shares = [r for r in outcome.records if r.KIND == "snapshot_shares"]
    assert [(s.snapshot_id, s.grantee) for s in shares] == [("snap-2", "all")]  # type: ignore[attr-defined]


def test_unreadable_template_versions_keep_the_templates_and_say_so() -> None:
    clients = StubbedClients()
    stub = clients.stub("ec2")
    templates = listings.DETAILED[2]

    def answer() -> None:
        _expect(stub, templates.call, [m.launch_template("lt-1")])
        stub.add_client_error("describe_launch_template_versions", "UnauthorizedOperation", "no", 403)

    _only(stub, "launch_templates", answer)

    outcome = collect_scope(context(ec2.FETCHER, clients, region=REGION))

    assert outcome.result.status is ScopeStatus.PARTIAL
    assert outcome.result.missing_actions == ("ec2:DescribeLaunchTemplateVersions",)
    (template,) = [r for r in outcome.records if r.KIND == "launch_templates"]
    assert template.default_version is None and template.latest_version is None  # type: ignore[attr-defined]
    assert template.default_version_number == 1  # type: ignore[attr-defined]


def test_one_unanswered_setting_leaves_only_its_field_unknown() -> None:
    clients = StubbedClients()
    stub = clients.stub("ec2")
    for listing in (*listings.NETWORK, *listings.RESOURCES):
        _expect(stub, listing.call, [])
    _empty_detailed(stub)
    for operation in SETTINGS:
        if operation == "get_serial_console_access_status":
            stub.add_client_error(operation, "UnauthorizedOperation", "not authorized", 403)
        else:
            stub.add_response(operation, m.SETTINGS[operation], {})
    _expect(stub, listings.INSTANCES.call, [])

    outcome = collect_scope(context(ec2.FETCHER, clients, region=REGION))

    assert outcome.result.status is ScopeStatus.PARTIAL
    assert outcome.result.missing_actions == ("ec2:GetSerialConsoleAccessStatus",)
    (settings,) = outcome.records
    assert settings.serial_console_access_enabled is None  # type: ignore[attr-defined]
    assert settings.ebs_encryption_by_default is True  # type: ignore[attr-defined]
    assert settings.snapshot_block_public_access == "block-new-sharing"  # type: ignore[attr-defined]


class _ParallelEc2:
    """A ClientFactory whose EC2 client answers at botocore's before-call hook: ``snapshots`` owned snapshots
    and nothing else; each share call waits at a barrier that only ``DETAIL_WORKERS`` calls in flight at
    once can pass (calls made one after the other would time out there and fail the scope)."""

    def __init__(self, snapshots: int) -> None:
        self.ec2 = offline_client("ec2", REGION)
        self.snapshot_ids = [f"snap-{i:03d}" for i in range(snapshots)]
        self.asked: Counter[str] = Counter()
        self.barrier = threading.Barrier(ec2.DETAIL_WORKERS, timeout=10)
        self._lock = threading.Lock()
        self.ec2.meta.events.register("before-call.ec2", self._answer)

    def client(self, service: str, region: str | None = None) -> Any:
        return self.ec2

    def _answer(self, model: Any, params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
        ok = AWSResponse("https://example.invalid", 200, HTTPHeaders(), None)
        if model.name == "DescribeSnapshots":
            return ok, {"Snapshots": [m.snapshot(i) for i in self.snapshot_ids]}
        if model.name == "DescribeSnapshotAttribute":
            snapshot_id = params["body"]["SnapshotId"]  # the query protocol's serialized parameters
            with self._lock:
                self.asked[snapshot_id] += 1
            self.barrier.wait()
            return ok, m.volume_permissions(snapshot_id, {"UserId": snapshot_id[-3:].rjust(12, "0")})
        return ok, {}  # every other listing empty, every setting unset


def test_share_calls_run_in_parallel_once_per_snapshot() -> None:
    fake = _ParallelEc2(snapshots=4 * ec2.DETAIL_WORKERS)

    outcome = collect_scope(context(ec2.FETCHER, fake, region=REGION))

    assert outcome.result.status is ScopeStatus.COMPLETE, outcome.result.detail
    assert fake.asked == {snapshot_id: 1 for snapshot_id in fake.snapshot_ids}
    shares = sorted(r.snapshot_id for r in outcome.records if r.KIND == "snapshot_shares")  # type: ignore[attr-defined]
    assert shares == fake.snapshot_ids


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

    # (LookupEvents: finding the trail is not under test, and would call CloudTrail.)
    settings = RunSettings(
        role_arn=ROLE_ARN,
        external_id="Customer-1",
        fetchers=("ec2", "cloudtrail"),
        cloudtrail_source=Source.LOOKUP,
    )
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


def _skipping_context(clients: StubbedClients, prior: dict[str, str], earlier: dict[str, object]) -> Any:
    clock = FakeClock(NOW)
    ctx = context(ec2.FETCHER, clients, clock=clock, region=REGION)
    ctx.options = FetchOptions(skip_unchanged_ec2=True, ec2_full_refresh_days=7)
    ctx.prior_state, ctx.earlier = prior, earlier
    return ctx


NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
READ_BEFORE = {
    refresh.FULL_READ_AT: (NOW - timedelta(days=1)).isoformat(),
    refresh.CURRENT_THROUGH: (NOW - timedelta(days=1, minutes=5)).isoformat(),
}


def test_an_unchanged_region_makes_no_call_and_says_so() -> None:
    clients = StubbedClients()
    clients.stub("ec2")  # nothing queued: any call fails the test
    quiet = Activity(NOW - timedelta(days=1, minutes=15), NOW - timedelta(minutes=15), {})
    ctx = _skipping_context(clients, READ_BEFORE, {ACTIVITY: quiet})

    outcome = collect_scope(ctx)

    clients.assert_no_pending()
    assert outcome.result.status is ScopeStatus.COMPLETE and outcome.unchanged and not outcome.records
    (note,) = outcome.result.problems
    assert note.part == ec2.REFRESH_PART and note.message.startswith("unchanged: no EC2 write event")
    assert outcome.state[refresh.CURRENT_THROUGH] == (NOW - timedelta(minutes=15)).isoformat()


def test_a_write_in_cloudtrail_reads_the_region_fully_and_says_why() -> None:
    clients = StubbedClients()
    _empty_region(clients.stub("ec2"))
    written = NOW - timedelta(hours=2)
    changed = Activity(
        NOW - timedelta(days=1, minutes=15), NOW - timedelta(minutes=15), {"ec2.amazonaws.com": written}
    )
    ctx = _skipping_context(clients, READ_BEFORE, {ACTIVITY: changed})

    outcome = collect_scope(ctx)

    clients.assert_no_pending()
    assert outcome.result.status is ScopeStatus.COMPLETE and not outcome.unchanged
    assert [r.KIND for r in outcome.records] == ["ec2_account_settings"]
    assert (
        outcome.result.detail == f"refresh: full read: a write event in CloudTrail at {written.isoformat()}"
    )
    assert outcome.state == {
        refresh.FULL_READ_AT: NOW.isoformat(),
        refresh.CURRENT_THROUGH: (NOW - refresh.SETTLE).isoformat(),
    }
