"""Every IAM action the ec2 fetcher calls (pure data, gathered by collector.permissions)."""

from __future__ import annotations

from collector.permission_types import AccessLevel, Feature, FetcherPermissions, Permission

SERVICE = "ec2"  # the fetcher's name in scopes, --fetchers and the catalog

_L = AccessLevel.LIST
_R = AccessLevel.READ


def _describe(what: str, reason: str) -> Permission:
    return Permission(f"ec2:Describe{what}", f"ec2:Describe{what}", _L, reason)


def _get(what: str, level: AccessLevel, reason: str) -> Permission:
    return Permission(f"ec2:Get{what}", f"ec2:Get{what}", level, reason)


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
        # Storage, images, keys, templates, addresses.
        _describe("Volumes", "EBS volumes."),
        _describe("Snapshots", "EBS snapshots the account owns (OwnerIds=self)."),
        _describe(
            "SnapshotAttribute",
            "Who may create volumes from each owned snapshot (createVolumePermission): anyone or accounts.",
        ),
        _describe("Images", "AMIs the account owns (Owners=self)."),
        _describe(
            "ImageAttribute",
            "Who may launch each owned AMI (launchPermission): public, accounts, organizations or OUs.",
        ),
        _describe("KeyPairs", "Key pairs: names and fingerprints (no key material is asked for)."),
        _describe("LaunchTemplates", "Launch templates."),
        _describe(
            "LaunchTemplateVersions",
            "The default and latest version of every template ($Default, $Latest: one call for all): "
            "instance profile, metadata options, network settings. User data is dropped, never stored.",
        ),
        _describe("Addresses", "Elastic IP addresses."),
        # Account-level settings (one call each a region).
        _get("EbsEncryptionByDefault", _R, "Whether new EBS volumes are encrypted by default."),
        _get("SnapshotBlockPublicAccessState", _R, "Whether snapshots can be made public."),
        _get("ImageBlockPublicAccessState", _R, "Whether AMIs can be made public."),
        _get(
            "InstanceMetadataDefaults",
            _L,
            "The account's instance metadata defaults (IMDSv2 required or not).",
        ),
        _get("SerialConsoleAccessStatus", _R, "Whether the EC2 serial console is enabled."),
        # The network beyond the core.
        _describe("NetworkAcls", "Network ACLs with their entries."),
        _describe("VpcEndpoints", "VPC endpoints with their policy documents."),
        _describe("VpcEndpointServiceConfigurations", "Endpoint services the account offers."),
        _describe(
            "VpcEndpointServicePermissions",
            "The principals allowed to connect to each endpoint service the account offers.",
        ),
        _describe("TransitGateways", "Transit gateways."),
        _describe("TransitGatewayAttachments", "Transit gateway attachments."),
        _describe(
            "TransitGatewayRouteTables", "Transit gateway route tables (read only where a gateway exists)."
        ),
        _describe("EgressOnlyInternetGateways", "Egress-only internet gateways."),
        _describe("ManagedPrefixLists", "Managed prefix lists."),
        _describe("FlowLogs", "VPC flow logs and the IAM role each delivers with."),
        _describe("VpnGateways", "Virtual private gateways."),
        _describe("CustomerGateways", "Customer gateways."),
        _describe(
            "VpnConnections",
            "Site-to-site VPN connections (tunnel keys and gateway configuration dropped, never stored).",
        ),
        _describe("InstanceConnectEndpoints", "EC2 Instance Connect endpoints."),
    ),
)
