"""The EC2 inventory of one region as data: every listing, its call (operation, result key, page size,
parameters), its parser, and the follow-up calls some listings need. Pure: no boto3, no I/O; fetch.py makes
the calls."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from collector.models import Record
from collector.services.ec2 import parse, parse_network, parse_resources

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


Parser = Callable[[parse.Scope, Iterable[Any]], Iterator[Record]]


def _listing(name: str, operation: str, key: str, size: int | None, parser: Parser, **params: Any) -> Listing:
    return Listing(name, Call(operation, key, size, MappingProxyType(params)), parser)


P, R, N = parse, parse_resources, parse_network  # the core network's, the resources', the rest's parsers
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
