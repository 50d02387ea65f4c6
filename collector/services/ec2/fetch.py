"""EC2 resources and network, every enabled region of an account."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import botocore.session
from botocore.exceptions import BotoCoreError

from collector.aws import partition_of
from collector.errors import error_code
from collector.fetch import FetchContext, Fetcher, Placement
from collector.kinds import declared_in
from collector.models import Record
from collector.services.ec2 import parse, parse_network, parse_resources
from collector.services.ec2.catalog import PERMISSIONS
from collector.services.ec2.catalog import SERVICE as EC2

# DescribeRegions' OptInStatus values of regions the account can use.
_ENABLED = frozenset({"opt-in-not-required", "opted-in"})


@dataclass(frozen=True)
class AccountRegions:
    enabled: tuple[str, ...]
    not_enabled: tuple[str, ...]  # opt-in regions the account has not enabled: skipped, and recorded


def parse_regions(
    answer: Mapping[str, Any], partition_of_region: Callable[[str], str] | None = None, partition: str = "aws"
) -> AccountRegions:
    """The enabled and not enabled regions of the account's partition. Regions of another partition are not
    the account's (AWS never lists them; moto's DescribeRegions lists every partition's)."""
    enabled: list[str] = []
    other: list[str] = []
    for region in answer["Regions"]:
        name = region["RegionName"]
        if partition_of_region is not None and partition_of_region(name) != partition:
            continue
        (enabled if region.get("OptInStatus", "opt-in-not-required") in _ENABLED else other).append(name)
    return AccountRegions(tuple(sorted(enabled)), tuple(sorted(other)))


@functools.cache
def _endpoints() -> botocore.session.Session:
    return botocore.session.get_session()


@functools.cache
def region_partition(region: str) -> str | None:
    """The partition botocore's endpoint data puts a region in; None for a name it cannot place."""
    try:
        return str(_endpoints().get_partition_for_region(region))
    except BotoCoreError:
        return None


def account_regions(client: Any) -> AccountRegions:
    """The account's regions, enabled and not (one call; any region's endpoint answers for all)."""
    partition = client.meta.partition

    def in_partition(region: str) -> str:
        return region_partition(region) or partition  # an unknown (new) region is kept

    return parse_regions(client.describe_regions(AllRegions=True), in_partition, partition)


# --- the regional inventory ------------------------------------------------------------------------------

Item = Mapping[str, Any]
_NONE: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class Call:
    """One Describe* call, paged to the end at the API's largest page."""

    operation: str  # the boto3 method
    result_key: str
    page_size: int | None  # the API's maximum MaxResults; None: the API has no paging (one answer is all)
    params: Mapping[str, Any] = field(default_factory=lambda: _NONE)


@dataclass(frozen=True)
class Listing:
    """One listing: a call whose items each become records."""

    name: str  # the sub-part a fault is recorded under (the record kind)
    call: Call
    parse: Callable[[parse.Scope, Iterable[Any]], Iterator[Record]]


@dataclass(frozen=True)
class PerItem:
    """A call for each listed item (so none in an empty region), in parallel within the scope's rate: the
    pacer of collector.aws spaces every call of one operation in one account and region."""

    name: str  # the sub-part a fault is recorded under
    call: Call
    request: Callable[[Item], Mapping[str, Any]]  # the item's own parameters
    gone: frozenset[str] = frozenset()  # error codes saying the item was deleted since it was listed


@dataclass(frozen=True)
class Joined:
    """One more call for every listed item at once, made only when the listing found something; its items
    join a listed item on ``key``."""

    name: str
    call: Call
    key: str


@dataclass(frozen=True)
class DetailedListing:
    """A listing whose items need one more read each: the parser gets (item, detail or None) pairs."""

    name: str
    call: Call
    details: PerItem | Joined
    parse: Callable[[parse.Scope, Iterable[tuple[Item, Sequence[Item] | None]]], Iterator[Record]]


def _listing(name: str, operation: str, key: str, size: int | None, parser: Any, **params: Any) -> Listing:
    return Listing(name, Call(operation, key, size, MappingProxyType(params)), parser)


P, R, N = parse, parse_resources, parse_network
# Page sizes: the maximum the API reference gives for each operation (the model's "max" where it has one;
# DescribeVolumes 500 and DescribeSnapshots 1,000 from the reference's text; DescribeImages, DescribeFlowLogs
# and DescribeInstances take 1,000, the EC2 pagination guide's ceiling).
NETWORK: tuple[Listing, ...] = (
    _listing("vpcs", "describe_vpcs", "Vpcs", 1000, P.vpcs),
    _listing("subnets", "describe_subnets", "Subnets", 1000, P.subnets),
    _listing("security_groups", "describe_security_groups", "SecurityGroups", 1000, P.security_groups),
    _listing(
        "security_group_rules",
        "describe_security_group_rules",
        "SecurityGroupRules",
        1000,
        P.security_group_rules,
    ),
    _listing(
        "network_interfaces", "describe_network_interfaces", "NetworkInterfaces", 1000, P.network_interfaces
    ),
    _listing("route_tables", "describe_route_tables", "RouteTables", 100, P.route_tables),
    _listing(
        "internet_gateways", "describe_internet_gateways", "InternetGateways", 1000, P.internet_gateways
    ),
    _listing("nat_gateways", "describe_nat_gateways", "NatGateways", 1000, P.nat_gateways),
    _listing(
        "vpc_peering_connections",
        "describe_vpc_peering_connections",
        "VpcPeeringConnections",
        1000,
        P.vpc_peering_connections,
    ),
    _listing("network_acls", "describe_network_acls", "NetworkAcls", 1000, N.network_acls),
    _listing("vpc_endpoints", "describe_vpc_endpoints", "VpcEndpoints", 1000, N.vpc_endpoints),
    _listing(
        "transit_gateway_attachments",
        "describe_transit_gateway_attachments",
        "TransitGatewayAttachments",
        1000,
        N.transit_gateway_attachments,
    ),
    _listing(
        "egress_only_internet_gateways",
        "describe_egress_only_internet_gateways",
        "EgressOnlyInternetGateways",
        255,
        N.egress_only_internet_gateways,
    ),
    _listing(
        "managed_prefix_lists", "describe_managed_prefix_lists", "PrefixLists", 100, N.managed_prefix_lists
    ),
    _listing("flow_logs", "describe_flow_logs", "FlowLogs", 1000, N.flow_logs),
    _listing("vpn_gateways", "describe_vpn_gateways", "VpnGateways", None, N.vpn_gateways),
    _listing(
        "customer_gateways", "describe_customer_gateways", "CustomerGateways", None, N.customer_gateways
    ),
    _listing("vpn_connections", "describe_vpn_connections", "VpnConnections", None, N.vpn_connections),
    _listing(
        "instance_connect_endpoints",
        "describe_instance_connect_endpoints",
        "InstanceConnectEndpoints",
        50,
        N.instance_connect_endpoints,
    ),
)
RESOURCES: tuple[Listing, ...] = (
    _listing("ebs_volumes", "describe_volumes", "Volumes", 500, R.volumes),
    _listing("key_pairs", "describe_key_pairs", "KeyPairs", None, R.key_pairs),  # IncludePublicKey never set
    _listing("elastic_ips", "describe_addresses", "Addresses", None, R.elastic_ips),
)
DETAILED: tuple[DetailedListing, ...] = (
    DetailedListing(
        "ebs_snapshots",
        Call("describe_snapshots", "Snapshots", 1000, MappingProxyType({"OwnerIds": ["self"]})),
        PerItem(
            "snapshot_shares",
            Call("describe_snapshot_attribute", "CreateVolumePermissions", None),
            lambda s: {"SnapshotId": s["SnapshotId"], "Attribute": "createVolumePermission"},
            frozenset({"InvalidSnapshot.NotFound"}),
        ),
        R.snapshots,
    ),
    DetailedListing(
        "images",
        Call(
            "describe_images", "Images", 1000, MappingProxyType({"Owners": ["self"], "IncludeDisabled": True})
        ),
        PerItem(
            "image_shares",
            Call("describe_image_attribute", "LaunchPermissions", None),
            lambda i: {"ImageId": i["ImageId"], "Attribute": "launchPermission"},
            frozenset({"InvalidAMIID.NotFound", "InvalidAMIID.Unavailable"}),
        ),
        R.images,
    ),
    DetailedListing(
        "launch_templates",
        Call("describe_launch_templates", "LaunchTemplates", 200),
        # Without a template ID, $Default and $Latest describe those versions of every template at once.
        Joined(
            "launch_templates",
            Call(
                "describe_launch_template_versions",
                "LaunchTemplateVersions",
                200,
                MappingProxyType({"Versions": ["$Default", "$Latest"]}),
            ),
            "LaunchTemplateId",
        ),
        R.launch_templates,
    ),
    DetailedListing(
        "vpc_endpoint_services",
        Call("describe_vpc_endpoint_service_configurations", "ServiceConfigurations", 1000),
        PerItem(
            "vpc_endpoint_services",
            Call("describe_vpc_endpoint_service_permissions", "AllowedPrincipals", 1000),
            lambda s: {"ServiceId": s["ServiceId"]},
            frozenset({"InvalidVpcEndpointServiceId.NotFound"}),
        ),
        N.vpc_endpoint_services,
    ),
    DetailedListing(
        "transit_gateways",
        Call("describe_transit_gateways", "TransitGateways", 1000),
        Joined(
            "transit_gateways",
            Call("describe_transit_gateway_route_tables", "TransitGatewayRouteTables", 1000),
            "TransitGatewayId",
        ),
        N.transit_gateways,
    ),
)
INSTANCES = _listing("ec2_instances", "describe_instances", "Reservations", 1000, P.instances)
# Per-item calls in flight at once in one scope: the pacer, not this, sets their rate.
DETAIL_WORKERS = 4


def calls() -> Iterator[Call]:
    """Every call the inventory makes (for tests and the cost figures)."""
    for listing in (*NETWORK, *RESOURCES, INSTANCES):
        yield listing.call
    for detailed in DETAILED:
        yield detailed.call
        yield detailed.details.call


def api_name(operation: str) -> str:
    """The API's name of a boto3 method: ``describe_snapshots`` -> ``DescribeSnapshots``."""
    return "".join(part.capitalize() for part in operation.split("_"))


def _items(client: Any, call: Call, params: Mapping[str, Any] = _NONE) -> Iterator[Any]:
    """Every item of a call, page by page to the end (a page may be empty and still go on)."""
    request = {**call.params, **params}
    if call.page_size is None:
        yield from getattr(client, call.operation)(**request).get(call.result_key, ())
        return
    pages = client.get_paginator(call.operation).paginate(
        **request, PaginationConfig={"PageSize": call.page_size}
    )
    for page in pages:
        yield from page.get(call.result_key, ())


@dataclass
class _Details:
    """The details of a listing's items, aligned with them (None: not read), and the first fault."""

    values: list[Sequence[Item] | None]
    fault: BaseException | None = None
    stop: threading.Event = field(default_factory=threading.Event)


def _joined(client: Any, joined: Joined, items: Sequence[Item]) -> _Details:
    try:
        found = list(_items(client, joined.call))
    except Exception as exc:  # recorded by the caller, under the details' part
        return _Details([None] * len(items), exc)
    by_key: dict[Any, list[Item]] = {}
    for detail in found:
        by_key.setdefault(detail.get(joined.key), []).append(detail)
    return _Details([by_key.get(item[joined.key], []) for item in items])


def _per_item(client: Any, per: PerItem, items: Sequence[Item]) -> _Details:
    """One call per item, a few in flight; after the first fault the calls not yet made are not made
    (a denied action would only be denied again), their items left unread."""
    details = _Details([None] * len(items))
    lock = threading.Lock()

    def read(index: int) -> None:
        if details.stop.is_set():
            return
        try:
            details.values[index] = list(_items(client, per.call, per.request(items[index])))
        except Exception as exc:
            if error_code(exc) in per.gone:
                details.values[index] = []  # deleted since it was listed: nothing of it is shared
                return
            details.stop.set()
            with lock:
                details.fault = details.fault or exc

    workers = min(DETAIL_WORKERS, len(items))
    if workers <= 1:
        for index in range(len(items)):
            read(index)
    else:
        # botocore clients are thread-safe; the recorder and pacer wired to this one are too.
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ec2-detail") as pool:
            list(pool.map(read, range(len(items))))
    return details


def _detailed(
    ctx: FetchContext, client: Any, scope: parse.Scope, listing: DetailedListing
) -> Iterator[Record]:
    items: list[Item] = []
    with ctx.part(listing.name):
        items = list(_items(client, listing.call))
    if not items:
        return  # nothing listed (or the listing failed, recorded): no follow-up call
    reader = _joined if isinstance(listing.details, Joined) else _per_item
    details = reader(client, listing.details, items)  # type: ignore[arg-type]
    yield from listing.parse(scope, zip(items, details.values, strict=True))
    if details.fault is not None:
        with ctx.part(listing.details.name):
            raise details.fault


def _settings(ctx: FetchContext, client: Any, scope: parse.Scope) -> Record:
    answers: dict[str, Item | None] = {}
    for operation in parse_resources.SETTINGS:
        answers[operation] = None
        with ctx.part("ec2_account_settings"):
            answers[operation] = getattr(client, operation)()
    return parse_resources.account_settings(scope, answers)


def collect(ctx: FetchContext) -> Iterator[Record]:
    """One region of one account. Each listing is a sub-part: a fault there is recorded and the others go
    on. The instances (linked to IAM roles through their profiles) are the scope's main listing, read last
    so that a fault in it still keeps every record read before."""
    client = ctx.client("ec2")
    role_arn = ctx.account.role_arn
    scope = parse.Scope(ctx.account.account_id, ctx.region, partition_of(role_arn) if role_arn else "aws")
    for listing in (*NETWORK, *RESOURCES):
        with ctx.part(listing.name):
            yield from listing.parse(scope, _items(client, listing.call))
    for detailed in DETAILED:
        yield from _detailed(ctx, client, scope, detailed)
    yield _settings(ctx, client, scope)
    yield from INSTANCES.parse(scope, _items(client, INSTANCES.call))


FETCHER = Fetcher(
    permissions=PERMISSIONS,
    placement=Placement.REGIONAL,
    kinds=declared_in(EC2),
    collect=collect,
)
