"""EC2 resources and network, every enabled region of an account."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from collector.permissions import AccessLevel, Feature, FetcherPermissions, Permission

_L = AccessLevel.LIST


def _describe(what: str, reason: str) -> Permission:
    return Permission(f"ec2:Describe{what}", f"ec2:Describe{what}", _L, reason)


PERMISSIONS = FetcherPermissions(
    fetcher="ec2",
    feature=Feature.EC2,
    permissions=(
        _describe("Regions", "The account's enabled regions (opt-in regions not enabled are skipped)."),
        _describe("Instances", "Instances and their instance profiles, linking EC2 access to IAM roles."),
        _describe("Vpcs", "VPCs."),
        _describe("Subnets", "Subnets."),
        _describe("SecurityGroups", "Security groups."),
        _describe("SecurityGroupRules", "Security group rules, one record per rule."),
        _describe("NetworkInterfaces", "Network interfaces (what is reachable from where)."),
        _describe("RouteTables", "Route tables."),
        _describe("InternetGateways", "Internet gateways."),
        _describe("NatGateways", "NAT gateways."),
        _describe("VpcPeeringConnections", "VPC peering connections."),
    ),
)


# DescribeRegions' OptInStatus values of regions the account can use.
_ENABLED = frozenset({"opt-in-not-required", "opted-in"})


@dataclass(frozen=True)
class AccountRegions:
    enabled: tuple[str, ...]
    not_enabled: tuple[str, ...]  # opt-in regions the account has not enabled: skipped, and recorded


def parse_regions(answer: Mapping[str, Any]) -> AccountRegions:
    enabled: list[str] = []
    other: list[str] = []
    for region in answer["Regions"]:
        (enabled if region.get("OptInStatus", "opt-in-not-required") in _ENABLED else other).append(
            region["RegionName"]
        )
    return AccountRegions(tuple(sorted(enabled)), tuple(sorted(other)))


def account_regions(client: Any) -> AccountRegions:
    """The account's regions, enabled and not (one call; any region's endpoint answers for all)."""
    return parse_regions(client.describe_regions(AllRegions=True))
