"""EC2 resources and network, every enabled region of an account."""

from __future__ import annotations

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
