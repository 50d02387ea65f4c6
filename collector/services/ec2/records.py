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


# --- storage, images, keys, templates, addresses --------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class EbsVolume(Record):
    KIND = "ebs_volumes"
    KEY = ("volume_id",)
    volume_id: str
    arn: str
    state: str | None
    size_gib: int | None
    volume_type: str | None
    encrypted: bool | None
    kms_key_id: str | None = None
    snapshot_id: str | None = None  # the snapshot it was created from
    availability_zone: str | None = None
    attached_instance_ids: JsonValue = None  # list of instance IDs
    multi_attach_enabled: bool | None = None
    create_time: str | None = None
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class EbsSnapshot(Record):
    """A snapshot the account owns; who else may create volumes from it: ``snapshot_shares``."""

    KIND = "ebs_snapshots"
    KEY = ("snapshot_id",)
    snapshot_id: str
    arn: str
    volume_id: str | None
    state: str | None
    encrypted: bool | None
    kms_key_id: str | None = None
    volume_size_gib: int | None = None
    start_time: str | None = None
    description: str | None = None
    storage_tier: str | None = None
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class SnapshotShare(Record):
    """One grantee of a snapshot's ``createVolumePermission``: who outside the account can copy its data."""

    KIND = "snapshot_shares"
    KEY = ("snapshot_id", "grantee")
    snapshot_id: str
    grantee_type: str  # "public" (grantee "all") or "account"
    grantee: str  # "all", or the account ID


@dataclass(frozen=True, kw_only=True)
class Image(Record):
    """An AMI the account owns; its launch permissions: ``image_shares``."""

    KIND = "images"
    KEY = ("image_id",)
    image_id: str
    arn: str
    name: str | None
    state: str | None
    public: bool | None  # what DescribeImages says; the grantees themselves are image_shares
    image_type: str | None = None
    platform: str | None = None
    architecture: str | None = None
    root_device_type: str | None = None
    imds_support: str | None = None  # "v2.0": instances launched from it require IMDSv2
    snapshot_ids: JsonValue = None  # the snapshots behind its block devices
    creation_date: str | None = None
    deprecation_time: str | None = None
    description: str | None = None
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class ImageShare(Record):
    """One grantee of an AMI's ``launchPermission``."""

    KIND = "image_shares"
    KEY = ("image_id", "grantee")
    image_id: str
    grantee_type: str  # "public" (grantee "all"), "account", "organization" or "organizational_unit"
    grantee: str  # "all", an account ID, an organization ARN or an OU ARN


@dataclass(frozen=True, kw_only=True)
class KeyPair(Record):
    """A key pair's identity only: AWS returns no key material unless asked, and the collector never asks."""

    KIND = "key_pairs"
    KEY = ("key_pair_id",)
    key_pair_id: str
    key_name: str
    key_type: str | None
    fingerprint: str | None
    create_time: str | None = None
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class LaunchTemplate(Record):
    """A launch template with what its default and latest versions grant an instance: the IAM instance
    profile, whether IMDSv2 is required, and the network it lands in. A ``*_version`` field is None when
    the versions could not be read (the scope then says so)."""

    KIND = "launch_templates"
    KEY = ("launch_template_id",)
    launch_template_id: str
    arn: str
    name: str
    default_version_number: int | None
    latest_version_number: int | None
    created_by: str | None = None
    create_time: str | None = None
    default_instance_profile_arn: str | None = None
    default_instance_profile_name: str | None = None
    default_metadata_http_tokens: str | None = None  # "required": IMDSv2 only; None: the template sets none
    latest_instance_profile_arn: str | None = None
    latest_instance_profile_name: str | None = None
    latest_metadata_http_tokens: str | None = None
    default_version: JsonValue = None  # the version's profile, metadata options and network settings
    latest_version: JsonValue = None
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class ElasticIp(Record):
    KIND = "elastic_ips"
    KEY = ("allocation_id",)
    allocation_id: str
    public_ip: str | None
    domain: str | None
    instance_id: str | None = None
    network_interface_id: str | None = None
    network_interface_owner_id: str | None = None
    private_ip: str | None = None
    association_id: str | None = None
    public_ipv4_pool: str | None = None
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class Ec2AccountSettings(Record):
    """The account's EC2 settings in one region (one record a region). A field is None when its call did not
    answer (the scope then says which) or the API left it out."""

    KIND = "ec2_account_settings"
    KEY = ()
    ebs_encryption_by_default: bool | None = None
    snapshot_block_public_access: str | None = None  # "block-all-sharing", "block-new-sharing", "unblocked"
    image_block_public_access: str | None = None  # "block-new-sharing" or "unblocked"
    metadata_http_tokens: str | None = None  # the account's default for new instances; None: no default set
    metadata_defaults: JsonValue = None  # every instance metadata default, as GetInstanceMetadataDefaults
    serial_console_access_enabled: bool | None = None
    managed_by: JsonValue = None  # setting -> "account" or "declarative-policy", where the API says


# --- network --------------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class NetworkAcl(Record):
    KIND = "network_acls"
    KEY = ("network_acl_id",)
    network_acl_id: str
    vpc_id: str | None
    is_default: bool | None
    owner_id: str | None
    subnet_ids: JsonValue  # associated subnets
    entries: JsonValue  # every rule, ingress and egress, as the API gives them
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class VpcEndpoint(Record):
    """A VPC endpoint with its policy document (a resource policy: which principals may use it for what)."""

    KIND = "vpc_endpoints"
    KEY = ("vpc_endpoint_id",)
    vpc_endpoint_id: str
    endpoint_type: str | None
    vpc_id: str | None
    service_name: str | None
    state: str | None
    policy_document: JsonValue  # parsed JSON; None for endpoint types without a policy
    private_dns_enabled: bool | None = None
    route_table_ids: JsonValue = None
    subnet_ids: JsonValue = None
    security_group_ids: JsonValue = None
    network_interface_ids: JsonValue = None
    owner_id: str | None = None
    requester_managed: bool | None = None
    creation_timestamp: str | None = None
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class VpcEndpointService(Record):
    """An endpoint service the account offers, and the principals allowed to connect to it (None when they
    could not be read; ``*`` in the list lets anyone connect)."""

    KIND = "vpc_endpoint_services"
    KEY = ("service_id",)
    service_id: str
    service_name: str | None
    service_state: str | None
    service_types: JsonValue  # ["Interface"], ["GatewayLoadBalancer"]
    acceptance_required: bool | None
    allowed_principals: JsonValue  # list of {"principal", "principal_type"}
    manages_vpc_endpoints: bool | None = None
    load_balancer_arns: JsonValue = None  # network and gateway load balancers behind it
    private_dns_name: str | None = None
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class TransitGateway(Record):
    """A transit gateway (the account's, or shared with it) and its route tables (None when unread)."""

    KIND = "transit_gateways"
    KEY = ("transit_gateway_id",)
    transit_gateway_id: str
    arn: str | None
    state: str | None
    owner_id: str | None
    description: str | None = None
    auto_accept_shared_attachments: str | None = None
    options: JsonValue = None
    route_tables: JsonValue = None  # list of {"route_table_id", "state", "default_association", ...}
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class TransitGatewayAttachment(Record):
    KIND = "transit_gateway_attachments"
    KEY = ("attachment_id",)
    attachment_id: str
    transit_gateway_id: str | None
    transit_gateway_owner_id: str | None
    resource_type: str | None  # vpc, vpn, direct-connect-gateway, peering, connect ...
    resource_id: str | None
    resource_owner_id: str | None
    state: str | None
    route_table_id: str | None = None  # the transit gateway route table it is associated with
    creation_time: str | None = None
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class EgressOnlyInternetGateway(Record):
    KIND = "egress_only_internet_gateways"
    KEY = ("egress_only_internet_gateway_id",)
    egress_only_internet_gateway_id: str
    vpc_ids: JsonValue  # attached VPCs
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class ManagedPrefixList(Record):
    """A managed prefix list: the account's own, shared with it, or AWS's (owner ``AWS``)."""

    KIND = "managed_prefix_lists"
    KEY = ("prefix_list_id",)
    prefix_list_id: str
    name: str | None
    arn: str | None
    owner_id: str | None
    address_family: str | None
    state: str | None
    max_entries: int | None = None
    version: int | None = None
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class FlowLog(Record):
    """A flow log; ``deliver_logs_permission_arn`` is the IAM role it delivers with."""

    KIND = "flow_logs"
    KEY = ("flow_log_id",)
    flow_log_id: str
    resource_id: str | None
    traffic_type: str | None
    log_destination_type: str | None
    log_destination: str | None
    log_group_name: str | None = None
    deliver_logs_permission_arn: str | None = None
    deliver_cross_account_role: str | None = None
    flow_log_status: str | None = None
    deliver_logs_status: str | None = None
    creation_time: str | None = None
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class VpnGateway(Record):
    KIND = "vpn_gateways"
    KEY = ("vpn_gateway_id",)
    vpn_gateway_id: str
    state: str | None
    type: str | None
    amazon_side_asn: int | None
    vpc_ids: JsonValue  # attached VPCs
    availability_zone: str | None = None
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class CustomerGateway(Record):
    KIND = "customer_gateways"
    KEY = ("customer_gateway_id",)
    customer_gateway_id: str
    state: str | None
    type: str | None
    ip_address: str | None
    bgp_asn: str | None
    device_name: str | None = None
    certificate_arn: str | None = None
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class VpnConnection(Record):
    """A site-to-site VPN connection. Its raw JSON leaves out the customer gateway configuration and the
    tunnels' pre-shared keys, which DescribeVpnConnections returns: they are secrets, never stored."""

    KIND = "vpn_connections"
    KEY = ("vpn_connection_id",)
    vpn_connection_id: str
    state: str | None
    type: str | None
    customer_gateway_id: str | None
    vpn_gateway_id: str | None = None
    transit_gateway_id: str | None = None
    static_routes_only: bool | None = None
    tunnels: JsonValue = None  # outside address and status of each tunnel
    tags: JsonValue = None


@dataclass(frozen=True, kw_only=True)
class InstanceConnectEndpoint(Record):
    """An EC2 Instance Connect endpoint: SSH/RDP into private subnets for whoever IAM allows."""

    KIND = "instance_connect_endpoints"
    KEY = ("instance_connect_endpoint_id",)
    instance_connect_endpoint_id: str
    arn: str | None
    state: str | None
    vpc_id: str | None
    subnet_id: str | None
    availability_zone: str | None = None
    dns_name: str | None = None
    preserve_client_ip: bool | None = None
    security_group_ids: JsonValue = None
    network_interface_ids: JsonValue = None
    owner_id: str | None = None
    created_at: str | None = None
    tags: JsonValue = None
