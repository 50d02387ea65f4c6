"""EC2 resources and network, every enabled region of an account."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import botocore.session
from botocore.exceptions import BotoCoreError

from collector.aws import partition_of
from collector.fetch import FetchContext, Fetcher, Placement
from collector.models import Record
from collector.services.ec2 import parse
from collector.services.ec2.catalog import PERMISSIONS
from collector.services.ec2.records import (
    Ec2Instance,
    InternetGateway,
    NatGateway,
    NetworkInterface,
    RouteTable,
    SecurityGroup,
    SecurityGroupRule,
    Subnet,
    Vpc,
    VpcPeeringConnection,
)

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


@dataclass(frozen=True)
class Listing:
    """One paginated Describe* call: its result key, its MaxResults ceiling, and its parser."""

    name: str  # the sub-part a fault is recorded under (the record kind)
    operation: str  # the boto3 paginator
    result_key: str
    page_size: int  # the API's maximum MaxResults (its default is smaller, or unbounded and slow)
    parse: Callable[[parse.Scope, Iterable[Any]], Iterator[Record]]


NETWORK: tuple[Listing, ...] = (
    Listing("vpcs", "describe_vpcs", "Vpcs", 1000, parse.vpcs),
    Listing("subnets", "describe_subnets", "Subnets", 1000, parse.subnets),
    Listing("security_groups", "describe_security_groups", "SecurityGroups", 1000, parse.security_groups),
    Listing(
        "security_group_rules",
        "describe_security_group_rules",
        "SecurityGroupRules",
        1000,
        parse.security_group_rules,
    ),
    Listing(
        "network_interfaces",
        "describe_network_interfaces",
        "NetworkInterfaces",
        1000,
        parse.network_interfaces,
    ),
    Listing("route_tables", "describe_route_tables", "RouteTables", 100, parse.route_tables),
    Listing(
        "internet_gateways", "describe_internet_gateways", "InternetGateways", 1000, parse.internet_gateways
    ),
    Listing("nat_gateways", "describe_nat_gateways", "NatGateways", 1000, parse.nat_gateways),
    Listing(
        "vpc_peering_connections",
        "describe_vpc_peering_connections",
        "VpcPeeringConnections",
        1000,
        parse.vpc_peering_connections,
    ),
)
INSTANCES = Listing("ec2_instances", "describe_instances", "Reservations", 1000, parse.instances)


def _items(client: Any, listing: Listing) -> Iterator[Any]:
    """Every item of the listing, page by page to the end (a page may be empty and still go on)."""
    pages = client.get_paginator(listing.operation).paginate(PaginationConfig={"PageSize": listing.page_size})
    for page in pages:
        yield from page.get(listing.result_key, ())


def collect(ctx: FetchContext) -> Iterator[Record]:
    """One region of one account. Each network listing is a sub-part: a fault there is recorded and the
    others go on. The instances (linked to IAM roles through their profiles) are the scope's main listing,
    read last so that a fault in it still keeps every network record read before."""
    client = ctx.client("ec2")
    role_arn = ctx.account.role_arn
    scope = parse.Scope(ctx.account.account_id, ctx.region, partition_of(role_arn) if role_arn else "aws")
    for listing in NETWORK:
        with ctx.part(listing.name):
            yield from listing.parse(scope, _items(client, listing))
    yield from INSTANCES.parse(scope, _items(client, INSTANCES))


FETCHER = Fetcher(
    permissions=PERMISSIONS,
    placement=Placement.REGIONAL,
    kinds=(
        Vpc,
        Subnet,
        SecurityGroup,
        SecurityGroupRule,
        NetworkInterface,
        RouteTable,
        InternetGateway,
        NatGateway,
        VpcPeeringConnection,
        Ec2Instance,
    ),
    collect=collect,
)
