"""The EC2 record kinds (typed, frozen; pure data)."""

from __future__ import annotations

from dataclasses import dataclass

from collector.models import JsonValue, Record

# Regional: every record's region is the region it lives in. Lists of IDs and nested structures are JSON.


@dataclass(frozen=True, kw_only=True)
class Ec2Instance(Record):
    """An instance; its profile ARN joins ``instance_profiles.arn`` (IAM), which names the role(s)."""

    KIND = "ec2_instances"
    KEY = ("instance_id",)
    instance_id: str
    arn: str
    state: str
    instance_type: str | None = None
    image_id: str | None = None
    vpc_id: str | None = None
    subnet_id: str | None = None
    private_ip: str | None = None
    public_ip: str | None = None
    instance_profile_arn: str | None = None
    instance_profile_name: str | None = None
    key_name: str | None = None
    launch_time: str | None = None
    security_group_ids: JsonValue = None  # list of group IDs
    network_interface_ids: JsonValue = None  # list of ENI IDs
    metadata_http_tokens: str | None = None  # "required" means IMDSv2 only
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class Vpc(Record):
    KIND = "vpcs"
    KEY = ("vpc_id",)
    vpc_id: str
    owner_id: str | None
    cidr_block: str | None
    cidr_blocks: JsonValue  # every associated IPv4 and IPv6 block
    is_default: bool
    state: str | None = None
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class Subnet(Record):
    KIND = "subnets"
    KEY = ("subnet_id",)
    subnet_id: str
    arn: str | None
    vpc_id: str
    cidr_block: str | None
    availability_zone: str | None
    map_public_ip_on_launch: bool | None
    default_for_az: bool | None
    state: str | None = None
    ipv6_cidr_blocks: JsonValue = None
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class SecurityGroup(Record):
    """A security group; its rules are SecurityGroupRule records (one per rule, with its own ID)."""

    KIND = "security_groups"
    KEY = ("group_id",)
    group_id: str
    arn: str
    group_name: str
    description: str | None
    vpc_id: str | None
    owner_id: str | None
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class SecurityGroupRule(Record):
    """One ingress or egress rule; its peer is one of cidr_ipv4, cidr_ipv6, prefix_list_id or a group."""

    KIND = "security_group_rules"
    KEY = ("rule_id",)
    rule_id: str
    group_id: str
    is_egress: bool
    ip_protocol: str  # "-1" means every protocol
    from_port: int | None
    to_port: int | None
    cidr_ipv4: str | None = None
    cidr_ipv6: str | None = None
    prefix_list_id: str | None = None
    referenced_group_id: str | None = None
    referenced_group_owner_id: str | None = None
    description: str | None = None
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class NetworkInterface(Record):
    KIND = "network_interfaces"
    KEY = ("network_interface_id",)
    network_interface_id: str
    interface_type: str | None
    status: str | None
    vpc_id: str | None
    subnet_id: str | None
    availability_zone: str | None
    private_ip: str | None
    public_ip: str | None
    attached_instance_id: str | None
    requester_managed: bool | None
    security_group_ids: JsonValue  # list of group IDs
    private_ips: JsonValue = None  # every private address, with its public association if any
    description: str | None = None
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class RouteTable(Record):
    KIND = "route_tables"
    KEY = ("route_table_id",)
    route_table_id: str
    vpc_id: str
    is_main: bool  # the VPC's main table: it routes every subnet without an explicit association
    subnet_ids: JsonValue  # explicitly associated subnets
    routes: JsonValue  # destination and target of every route, as the API gives them
    owner_id: str | None = None
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class InternetGateway(Record):
    KIND = "internet_gateways"
    KEY = ("internet_gateway_id",)
    internet_gateway_id: str
    owner_id: str | None
    vpc_ids: JsonValue  # attached VPCs
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class NatGateway(Record):
    KIND = "nat_gateways"
    KEY = ("nat_gateway_id",)
    nat_gateway_id: str
    vpc_id: str | None
    subnet_id: str | None
    state: str | None
    connectivity_type: str | None
    public_ips: JsonValue  # list of public addresses
    private_ips: JsonValue  # list of private addresses
    create_time: str | None = None
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class VpcPeeringConnection(Record):
    """Both regions of a cross-region peering list it; an account keeps it once, in its own side's region."""

    KIND = "vpc_peering_connections"
    KEY = ("vpc_peering_connection_id",)
    vpc_peering_connection_id: str
    status: str | None
    requester_vpc_id: str | None
    requester_owner_id: str | None
    requester_region: str | None
    accepter_vpc_id: str | None
    accepter_owner_id: str | None
    accepter_region: str | None
    tags: JsonValue = None
