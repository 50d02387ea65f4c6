"""EC2 responses -> records. Pure: no boto3, no I/O.

Each function takes one account's items of one region, as the Describe* pages list them, and returns
records. Required fields are read as ``item["..."]`` so that a malformed answer fails loudly; optional ones
with ``.get``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from collector.parsing import iso_or_none, tags
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

Item = Mapping[str, Any]


@dataclass(frozen=True)
class Scope:
    """Where the items come from: the account, its region, and the partition (for ARNs the API omits)."""

    account_id: str
    region: str
    partition: str = "aws"

    def arn(self, resource: str, owner: str | None = None) -> str:
        return f"arn:{self.partition}:ec2:{self.region}:{owner or self.account_id}:{resource}"

    def arn_without_account(self, resource: str) -> str:
        """The ARN of a snapshot or an AMI: their ARNs name no account."""
        return f"arn:{self.partition}:ec2:{self.region}::{resource}"


def instance_profile_name(arn: str | None) -> str | None:
    """The profile's name: the last segment of its ARN (``instance-profile/path/name``)."""
    return arn.rsplit("/", 1)[-1] if arn else None


def instances(scope: Scope, reservations: Iterable[Item]) -> Iterator[Ec2Instance]:
    for reservation in reservations:
        owner = reservation.get("OwnerId")
        for item in reservation.get("Instances", ()):
            profile = item.get("IamInstanceProfile") or {}
            profile_arn = profile.get("Arn")
            yield Ec2Instance(
                account_id=scope.account_id,
                region=scope.region,
                raw=item,
                instance_id=item["InstanceId"],
                arn=scope.arn(f"instance/{item['InstanceId']}", owner),
                state=item["State"]["Name"],
                instance_type=item.get("InstanceType"),
                image_id=item.get("ImageId"),
                vpc_id=item.get("VpcId"),
                subnet_id=item.get("SubnetId"),
                private_ip=item.get("PrivateIpAddress"),
                public_ip=item.get("PublicIpAddress"),
                instance_profile_arn=profile_arn,
                instance_profile_name=instance_profile_name(profile_arn),
                key_name=item.get("KeyName"),
                launch_time=iso_or_none(item.get("LaunchTime")),
                security_group_ids=[g["GroupId"] for g in item.get("SecurityGroups", ())],
                network_interface_ids=[n["NetworkInterfaceId"] for n in item.get("NetworkInterfaces", ())],
                metadata_http_tokens=(item.get("MetadataOptions") or {}).get("HttpTokens"),
                tags=tags(item.get("Tags")),
            )


def vpcs(scope: Scope, items: Iterable[Item]) -> Iterator[Vpc]:
    for item in items:
        blocks = [b["CidrBlock"] for b in item.get("CidrBlockAssociationSet", ()) if "CidrBlock" in b]
        blocks += [
            b["Ipv6CidrBlock"] for b in item.get("Ipv6CidrBlockAssociationSet", ()) if "Ipv6CidrBlock" in b
        ]
        yield Vpc(
            account_id=scope.account_id,
            region=scope.region,
            raw=item,
            vpc_id=item["VpcId"],
            owner_id=item.get("OwnerId"),
            cidr_block=item.get("CidrBlock"),
            cidr_blocks=blocks or ([item["CidrBlock"]] if item.get("CidrBlock") else []),
            is_default=bool(item.get("IsDefault", False)),
            state=item.get("State"),
            tags=tags(item.get("Tags")),
        )


def subnets(scope: Scope, items: Iterable[Item]) -> Iterator[Subnet]:
    for item in items:
        yield Subnet(
            account_id=scope.account_id,
            region=scope.region,
            raw=item,
            subnet_id=item["SubnetId"],
            arn=item.get("SubnetArn"),
            vpc_id=item["VpcId"],
            cidr_block=item.get("CidrBlock"),
            availability_zone=item.get("AvailabilityZone"),
            map_public_ip_on_launch=item.get("MapPublicIpOnLaunch"),
            default_for_az=item.get("DefaultForAz"),
            state=item.get("State"),
            ipv6_cidr_blocks=[
                b["Ipv6CidrBlock"]
                for b in item.get("Ipv6CidrBlockAssociationSet", ())
                if "Ipv6CidrBlock" in b
            ],
            tags=tags(item.get("Tags")),
        )


def security_groups(scope: Scope, items: Iterable[Item]) -> Iterator[SecurityGroup]:
    """The groups; their rules come from DescribeSecurityGroupRules (``security_group_rules``), which gives
    every rule its ID, where the groups' IpPermissions merge several rules into one entry."""
    for item in items:
        group_id = item["GroupId"]
        owner = item.get("OwnerId")
        yield SecurityGroup(
            account_id=scope.account_id,
            region=scope.region,
            raw=item,
            group_id=group_id,
            arn=item.get("SecurityGroupArn") or scope.arn(f"security-group/{group_id}", owner),
            group_name=item["GroupName"],
            description=item.get("Description"),
            vpc_id=item.get("VpcId"),
            owner_id=owner,
            tags=tags(item.get("Tags")),
        )


def security_group_rules(scope: Scope, items: Iterable[Item]) -> Iterator[SecurityGroupRule]:
    for item in items:
        referenced = item.get("ReferencedGroupInfo") or {}
        yield SecurityGroupRule(
            account_id=scope.account_id,
            region=scope.region,
            raw=item,
            rule_id=item["SecurityGroupRuleId"],
            group_id=item["GroupId"],
            is_egress=bool(item["IsEgress"]),
            ip_protocol=str(item["IpProtocol"]),
            from_port=item.get("FromPort"),
            to_port=item.get("ToPort"),
            cidr_ipv4=item.get("CidrIpv4"),
            cidr_ipv6=item.get("CidrIpv6"),
            prefix_list_id=item.get("PrefixListId"),
            referenced_group_id=referenced.get("GroupId"),
            referenced_group_owner_id=referenced.get("UserId"),
            description=item.get("Description"),
            tags=tags(item.get("Tags")),
        )


def network_interfaces(scope: Scope, items: Iterable[Item]) -> Iterator[NetworkInterface]:
    for item in items:
        association = item.get("Association") or {}
        attachment = item.get("Attachment") or {}
        yield NetworkInterface(
            account_id=scope.account_id,
            region=scope.region,
            raw=item,
            network_interface_id=item["NetworkInterfaceId"],
            interface_type=item.get("InterfaceType"),
            status=item.get("Status"),
            vpc_id=item.get("VpcId"),
            subnet_id=item.get("SubnetId"),
            availability_zone=item.get("AvailabilityZone"),
            private_ip=item.get("PrivateIpAddress"),
            public_ip=association.get("PublicIp"),
            attached_instance_id=attachment.get("InstanceId"),
            requester_managed=item.get("RequesterManaged"),
            security_group_ids=[g["GroupId"] for g in item.get("Groups", ())],
            private_ips=[
                {
                    "private_ip": a.get("PrivateIpAddress"),
                    "primary": a.get("Primary"),
                    "public_ip": (a.get("Association") or {}).get("PublicIp"),
                }
                for a in item.get("PrivateIpAddresses", ())
            ],
            description=item.get("Description"),
            tags=tags(item.get("TagSet")),
        )


def route_tables(scope: Scope, items: Iterable[Item]) -> Iterator[RouteTable]:
    for item in items:
        associations: Sequence[Item] = item.get("Associations", ())
        yield RouteTable(
            account_id=scope.account_id,
            region=scope.region,
            raw=item,
            route_table_id=item["RouteTableId"],
            vpc_id=item["VpcId"],
            is_main=any(a.get("Main", False) for a in associations),
            subnet_ids=sorted({a["SubnetId"] for a in associations if a.get("SubnetId")}),
            routes=list(item.get("Routes", ())),
            owner_id=item.get("OwnerId"),
            tags=tags(item.get("Tags")),
        )


def internet_gateways(scope: Scope, items: Iterable[Item]) -> Iterator[InternetGateway]:
    for item in items:
        yield InternetGateway(
            account_id=scope.account_id,
            region=scope.region,
            raw=item,
            internet_gateway_id=item["InternetGatewayId"],
            owner_id=item.get("OwnerId"),
            vpc_ids=[a["VpcId"] for a in item.get("Attachments", ()) if a.get("VpcId")],
            tags=tags(item.get("Tags")),
        )


def nat_gateways(scope: Scope, items: Iterable[Item]) -> Iterator[NatGateway]:
    for item in items:
        addresses: Sequence[Item] = item.get("NatGatewayAddresses", ())
        yield NatGateway(
            account_id=scope.account_id,
            region=scope.region,
            raw=item,
            nat_gateway_id=item["NatGatewayId"],
            vpc_id=item.get("VpcId"),
            subnet_id=item.get("SubnetId"),
            state=item.get("State"),
            connectivity_type=item.get("ConnectivityType"),
            public_ips=[a["PublicIp"] for a in addresses if a.get("PublicIp")],
            private_ips=[a["PrivateIp"] for a in addresses if a.get("PrivateIp")],
            create_time=iso_or_none(item.get("CreateTime")),
            tags=tags(item.get("Tags")),
        )


def peering_side(scope: Scope, item: Item) -> bool:
    """Whether this (account, region) keeps the peering: both regions of a cross-region peering list it, so
    an account keeps it once, in the region of its own side (the requester's when it owns both)."""
    requester = item.get("RequesterVpcInfo") or {}
    accepter = item.get("AccepterVpcInfo") or {}
    own = requester if requester.get("OwnerId", scope.account_id) == scope.account_id else accepter
    return bool(own.get("Region", scope.region) == scope.region)


def vpc_peering_connections(scope: Scope, items: Iterable[Item]) -> Iterator[VpcPeeringConnection]:
    for item in items:
        if not peering_side(scope, item):
            continue
        requester = item.get("RequesterVpcInfo") or {}
        accepter = item.get("AccepterVpcInfo") or {}
        yield VpcPeeringConnection(
            account_id=scope.account_id,
            region=scope.region,
            raw=item,
            vpc_peering_connection_id=item["VpcPeeringConnectionId"],
            status=(item.get("Status") or {}).get("Code"),
            requester_vpc_id=requester.get("VpcId"),
            requester_owner_id=requester.get("OwnerId"),
            requester_region=requester.get("Region"),
            accepter_vpc_id=accepter.get("VpcId"),
            accepter_owner_id=accepter.get("OwnerId"),
            accepter_region=accepter.get("Region"),
            tags=tags(item.get("Tags")),
        )
