"""Every IAM action the ec2 fetcher calls (pure data, gathered by collector.permissions)."""

from __future__ import annotations

from collector.permission_types import AccessLevel, Feature, FetcherPermissions, Permission

SERVICE = "ec2"  # the fetcher's name in scopes, --fetchers and the catalog

_L = AccessLevel.LIST


def _describe(what: str, reason: str) -> Permission:
    return Permission(f"ec2:Describe{what}", f"ec2:Describe{what}", _L, reason)


PERMISSIONS = FetcherPermissions(
    fetcher=SERVICE,
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
