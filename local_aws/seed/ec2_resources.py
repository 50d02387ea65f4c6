"""Seed one account's EC2 resources beyond instances and the core network in one region, on top of
``seed_ec2`` (its VPC, subnets and an instance), with something shared outside the account:

- volumes and snapshots: a public snapshot, one shared with one other account, one private;
- AMIs made from an instance: one public, one shared with an organization (and an OU), one private;
- two key pairs (one created, one imported), two launch templates (one with an instance profile and IMDSv2
  required by default, and a later version that drops both and asks for a public IP), an Elastic IP;
- the account settings: EBS encryption by default, snapshot and image block public access, the instance
  metadata defaults and the serial console, set differently in each region (``variant``);
- a network ACL with rules, an S3 gateway endpoint with a restrictive policy, an endpoint service (behind a
  network load balancer) allowing one other account, a transit gateway with a VPC attachment, an
  egress-only internet gateway, a managed prefix list, a flow log, a customer and a virtual private gateway
  with a VPN connection, and an EC2 Instance Connect endpoint (an emulation, see local_aws.emulator.ec2).

What AWS (moto) adds by itself is read back, as in ``seed_ec2``: each VPC's default network ACL, the AWS-owned
prefix lists, the transit gateway's default route table, snapshots behind the AMIs, the NAT gateway's address.
"""

from __future__ import annotations

import json
from typing import Any

from local_aws.seed.sessions import AccountSession
from local_aws.seed.truth import Ec2RegionTruth, Ec2ResourcesTruth, Grant

SHARED_WITH_ACCOUNT = "444455556666"  # an account outside the organization
ENDPOINT_POLICY: dict[str, Any] = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "OnlyTheArtifactsBucket",
            "Effect": "Allow",
            "Principal": "*",
            "Action": ["s3:GetObject"],
            "Resource": "arn:aws:s3:::example-artifacts/*",
        }
    ],
}
# An example public key (never a secret): ImportKeyPair's input.
PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFpm7gl0YqxQZ6RzZ0jWmDmbw8fUw1LkxH6bVtRcGvMn seed@example"


def _ids(items: list[dict[str, Any]], key: str) -> tuple[str, ...]:
    return tuple(sorted(str(i[key]) for i in items))


def seed_ec2_resources(
    account: AccountSession,
    network: Ec2RegionTruth,
    *,
    organization_arn: str,
    ou_arn: str | None = None,
    instance_profile_arn: str | None = None,
    variant: int = 0,
) -> Ec2RegionTruth:
    """Seed the resources in ``network``'s account and region; returns ``network`` with their truth."""
    ec2 = account.client("ec2", network.region)
    vpc = sorted(set(network.vpcs) - {network.default_vpc_id})[0]
    subnets = sorted(s["SubnetId"] for s in ec2.describe_subnets(Filters=[_in(vpc)])["Subnets"])
    snapshots, snapshot_shares = _snapshots(ec2, network.region)
    images, image_shares = _images(ec2, network.instances[0], organization_arn, ou_arn)
    ec2.create_key_pair(KeyName=f"deploy-{variant}", KeyType="ed25519")
    ec2.import_key_pair(KeyName=f"imported-{variant}", PublicKeyMaterial=PUBLIC_KEY.encode())
    templates = _launch_templates(ec2, subnets[0], instance_profile_arn)
    ec2.allocate_address(Domain="vpc")
    settings = _settings(ec2, variant)
    acl = ec2.create_network_acl(VpcId=vpc)["NetworkAcl"]["NetworkAclId"]
    for number, (egress, port) in enumerate(((False, 22), (False, 443), (True, 443)), start=100):
        ec2.create_network_acl_entry(
            NetworkAclId=acl,
            RuleNumber=number,
            Protocol="6",
            RuleAction="allow",
            Egress=egress,
            CidrBlock="10.0.0.0/8",
            PortRange={"From": port, "To": port},
        )
    tables = sorted(t["RouteTableId"] for t in ec2.describe_route_tables(Filters=[_in(vpc)])["RouteTables"])
    endpoint = ec2.create_vpc_endpoint(
        VpcId=vpc,
        ServiceName=f"com.amazonaws.{network.region}.s3",
        VpcEndpointType="Gateway",
        RouteTableIds=tables[:1],
        PolicyDocument=json.dumps(ENDPOINT_POLICY),
    )["VpcEndpoint"]["VpcEndpointId"]
    service, principals = _endpoint_service(account, network.region, subnets[0])
    gateway = ec2.create_transit_gateway(Description="hub")["TransitGateway"]["TransitGatewayId"]
    attachment = ec2.create_transit_gateway_vpc_attachment(
        TransitGatewayId=gateway, VpcId=vpc, SubnetIds=subnets[:1]
    )["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    ec2.create_egress_only_internet_gateway(VpcId=vpc)
    ec2.create_managed_prefix_list(
        PrefixListName="offices",
        AddressFamily="IPv4",
        MaxEntries=10,
        Entries=[{"Cidr": "198.51.100.0/24", "Description": "head office"}],
    )
    bucket = f"flow-logs-{account.account_id}-{network.region}"
    s3 = account.client("s3", network.region)
    location = {} if network.region == "us-east-1" else {"LocationConstraint": network.region}
    s3.create_bucket(Bucket=bucket, **({"CreateBucketConfiguration": location} if location else {}))
    flow = ec2.create_flow_logs(
        ResourceIds=[vpc],
        ResourceType="VPC",
        TrafficType="ALL",
        LogDestinationType="s3",
        LogDestination=f"arn:aws:s3:::{bucket}",
        DeliverLogsPermissionArn=f"arn:aws:iam::{account.account_id}:role/flow-logs",
    )
    if flow.get("Unsuccessful"):
        raise RuntimeError(f"flow log not created: {flow['Unsuccessful']}")
    vgw = ec2.create_vpn_gateway(Type="ipsec.1")["VpnGateway"]["VpnGatewayId"]
    ec2.attach_vpn_gateway(VpnGatewayId=vgw, VpcId=vpc)
    cgw = ec2.create_customer_gateway(BgpAsn=65000, PublicIp=f"203.0.113.{10 + variant}", Type="ipsec.1")
    ec2.create_vpn_connection(
        Type="ipsec.1", CustomerGatewayId=cgw["CustomerGateway"]["CustomerGatewayId"], VpnGatewayId=vgw
    )
    eice = ec2.create_instance_connect_endpoint(SubnetId=subnets[-1])["InstanceConnectEndpoint"]
    resources = Ec2ResourcesTruth(
        volumes=_ids(ec2.describe_volumes()["Volumes"], "VolumeId"),
        snapshots=snapshots + _ami_snapshots(ec2, snapshots),
        snapshot_shares=snapshot_shares,
        images=images,
        image_shares=image_shares,
        key_pairs=_ids(ec2.describe_key_pairs()["KeyPairs"], "KeyName"),
        launch_templates=templates,
        elastic_ips=_ids(ec2.describe_addresses()["Addresses"], "AllocationId"),
        settings=settings,
        network_acls=_ids(ec2.describe_network_acls()["NetworkAcls"], "NetworkAclId"),
        seeded_network_acl=acl,
        vpc_endpoints=(endpoint,),
        endpoint_policies={endpoint: ENDPOINT_POLICY},
        vpc_endpoint_services=(service,),
        allowed_principals={service: principals},
        transit_gateways=(gateway,),
        transit_gateway_attachments=(attachment,),
        egress_only_internet_gateways=_ids(
            ec2.describe_egress_only_internet_gateways()["EgressOnlyInternetGateways"],
            "EgressOnlyInternetGatewayId",
        ),
        managed_prefix_lists=_ids(ec2.describe_managed_prefix_lists()["PrefixLists"], "PrefixListId"),
        flow_logs=tuple(flow["FlowLogIds"]),
        vpn_gateways=(vgw,),
        customer_gateways=(cgw["CustomerGateway"]["CustomerGatewayId"],),
        vpn_connections=_ids(ec2.describe_vpn_connections()["VpnConnections"], "VpnConnectionId"),
        instance_connect_endpoints=(eice["InstanceConnectEndpointId"],),
    )
    interfaces = tuple(sorted({*network.network_interfaces, *eice["NetworkInterfaceIds"]}))
    return network.with_resources(resources, interfaces)


def _in(vpc: str) -> dict[str, Any]:
    return {"Name": "vpc-id", "Values": [vpc]}


def _snapshots(ec2: Any, region: str) -> tuple[tuple[str, ...], frozenset[Grant]]:
    volume = ec2.create_volume(Size=8, AvailabilityZone=f"{region}a", VolumeType="gp3")["VolumeId"]
    public, shared, private = (
        ec2.create_snapshot(VolumeId=volume, Description=what)["SnapshotId"]
        for what in ("public", "shared", "private")
    )
    ec2.modify_snapshot_attribute(
        SnapshotId=public, Attribute="createVolumePermission", OperationType="add", GroupNames=["all"]
    )
    ec2.modify_snapshot_attribute(
        SnapshotId=shared,
        Attribute="createVolumePermission",
        OperationType="add",
        UserIds=[SHARED_WITH_ACCOUNT],
    )
    grants = frozenset({Grant(public, "public", "all"), Grant(shared, "account", SHARED_WITH_ACCOUNT)})
    return tuple(sorted((public, shared, private))), grants


def _ami_snapshots(ec2: Any, seeded: tuple[str, ...]) -> tuple[str, ...]:
    """The account's snapshots besides the seeded ones (those behind its AMIs, if the service made any)."""
    owned = {s["SnapshotId"] for s in ec2.describe_snapshots(OwnerIds=["self"])["Snapshots"]}
    return tuple(sorted(owned - set(seeded)))


def _images(
    ec2: Any, instance: str, organization_arn: str, ou_arn: str | None
) -> tuple[tuple[str, ...], frozenset[Grant]]:
    public, shared, private = (
        ec2.create_image(InstanceId=instance, Name=f"golden-{what}")["ImageId"]
        for what in ("public", "organization", "private")
    )
    ec2.modify_image_attribute(ImageId=public, LaunchPermission={"Add": [{"Group": "all"}]})
    with_org: list[dict[str, str]] = [{"OrganizationArn": organization_arn}]
    grants = {Grant(public, "public", "all"), Grant(shared, "organization", organization_arn)}
    if ou_arn:
        with_org.append({"OrganizationalUnitArn": ou_arn})
        grants.add(Grant(shared, "organizational_unit", ou_arn))
    ec2.modify_image_attribute(ImageId=shared, LaunchPermission={"Add": with_org})
    return tuple(sorted((public, shared, private))), frozenset(grants)


def _launch_templates(
    ec2: Any, subnet: str, profile_arn: str | None
) -> dict[str, tuple[str | None, str | None]]:
    """Two templates; returns name -> (default version's IMDS tokens, latest version's)."""
    data: dict[str, Any] = {
        "InstanceType": "t3.micro",
        "MetadataOptions": {"HttpTokens": "required", "HttpEndpoint": "enabled"},
        "UserData": "IyEvYmluL3NoCmVjaG8gc2VlZA==",
    }
    if profile_arn:
        data["IamInstanceProfile"] = {"Arn": profile_arn}
    ec2.create_launch_template(LaunchTemplateName="workers", LaunchTemplateData=data)
    ec2.create_launch_template_version(
        LaunchTemplateName="workers",
        LaunchTemplateData={
            "InstanceType": "t3.micro",
            "MetadataOptions": {"HttpTokens": "optional"},
            "NetworkInterfaces": [{"DeviceIndex": 0, "SubnetId": subnet, "AssociatePublicIpAddress": True}],
        },
    )
    ec2.create_launch_template(LaunchTemplateName="bastion", LaunchTemplateData={"InstanceType": "t3.nano"})
    return {"workers": ("required", "optional"), "bastion": (None, None)}


def _settings(ec2: Any, variant: int) -> dict[str, Any]:
    """The account settings of this region, set as ``variant`` says; returns what they now are."""
    if variant % 2 == 0:
        ec2.enable_ebs_encryption_by_default()
        ec2.modify_instance_metadata_defaults(HttpTokens="required", HttpPutResponseHopLimit=2)
        ec2.enable_serial_console_access()
        return {
            "ebs_encryption_by_default": True,
            "snapshot_block_public_access": "unblocked",
            "image_block_public_access": "unblocked",
            "metadata_http_tokens": "required",
            "serial_console_access_enabled": True,
        }
    # Blocking public sharing here would keep the seeded public snapshot and AMI from being shared: the
    # blocks go on after the shares, as when a customer blocks new sharing later.
    ec2.enable_snapshot_block_public_access(State="block-new-sharing")
    ec2.enable_image_block_public_access(ImageBlockPublicAccessState="block-new-sharing")
    return {
        "ebs_encryption_by_default": False,
        "snapshot_block_public_access": "block-new-sharing",
        "image_block_public_access": "block-new-sharing",
        "metadata_http_tokens": None,
        "serial_console_access_enabled": False,
    }


def _endpoint_service(account: AccountSession, region: str, subnet: str) -> tuple[str, tuple[str, ...]]:
    balancer = account.client("elbv2", region).create_load_balancer(
        Name="api-internal", Subnets=[subnet], Type="network", Scheme="internal"
    )["LoadBalancers"][0]["LoadBalancerArn"]
    ec2 = account.client("ec2", region)
    service = ec2.create_vpc_endpoint_service_configuration(
        NetworkLoadBalancerArns=[balancer], AcceptanceRequired=True
    )["ServiceConfiguration"]["ServiceId"]
    principal = f"arn:aws:iam::{SHARED_WITH_ACCOUNT}:root"
    ec2.modify_vpc_endpoint_service_permissions(ServiceId=service, AddAllowedPrincipals=[principal])
    return str(service), (principal,)
