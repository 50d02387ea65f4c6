"""Seed one account's EC2 network and instances in one region, and peer VPCs across regions.

Per VPC (10.<n>.0.0/16): subnets (/20 each); security groups "web" (HTTPS and HTTP from anywhere) and
"app" (8080 from "web", SSH from 10.0.0.0/8), repeated when there are more; an internet gateway with a
public route table for the first subnet; a NAT gateway in the first subnet with a private route table for
the others; instances in every subnet with the given instance profile. What AWS adds by itself is read
back: the default VPC (its subnets, security group and route table), each VPC's main route table and
default security group, the network interfaces of instances and NAT gateways, every group's egress rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from types import MappingProxyType
from typing import Any

from local_aws.seed.concurrency import run_all
from local_aws.seed.sessions import AccountSession
from local_aws.seed.specs import Ec2Spec
from local_aws.seed.truth import Ec2RegionTruth

INSTANCE_TYPE = "t3.micro"
AMI_NAME = "amzn2-ami-hvm-2.0.*-x86_64-gp2"
ANYWHERE = [{"CidrIp": "0.0.0.0/0"}]
_WEB_RULES: tuple[dict[str, Any], ...] = (
    {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": ANYWHERE},
    {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": ANYWHERE},
)


def _app_rules(web_group: str) -> tuple[dict[str, Any], ...]:
    return (
        {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "UserIdGroupPairs": [{"GroupId": web_group}]},
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]},
    )


def _image_id(ec2: Any) -> str:
    """The newest Amazon Linux 2 image (a name filter: moto answers an unfiltered listing in seconds)."""
    images = ec2.describe_images(Owners=["amazon"], Filters=[{"Name": "name", "Values": [AMI_NAME]}])[
        "Images"
    ]
    return str(max(images, key=lambda i: i["Name"])["ImageId"])


def _in_vpc(vpc_id: str) -> list[dict[str, Any]]:
    return [{"Name": "vpc-id", "Values": [vpc_id]}]


@dataclass
class _Found:
    """What one region holds, gathered while seeding."""

    vpcs: set[str] = field(default_factory=set)
    subnets: set[str] = field(default_factory=set)
    groups: set[str] = field(default_factory=set)
    route_tables: set[str] = field(default_factory=set)
    gateways: set[str] = field(default_factory=set)
    nats: set[str] = field(default_factory=set)
    interfaces: set[str] = field(default_factory=set)
    instances: dict[str, str | None] = field(default_factory=dict)

    def add_vpc_defaults(self, ec2: Any, vpc: str) -> None:
        """A VPC's own subnets, security groups and route tables as EC2 lists them."""
        self.vpcs.add(vpc)
        self.subnets |= {s["SubnetId"] for s in ec2.describe_subnets(Filters=_in_vpc(vpc))["Subnets"]}
        self.groups |= {
            g["GroupId"] for g in ec2.describe_security_groups(Filters=_in_vpc(vpc))["SecurityGroups"]
        }
        tables = ec2.describe_route_tables(Filters=_in_vpc(vpc))["RouteTables"]
        self.route_tables |= {t["RouteTableId"] for t in tables}


def seed_ec2(
    account: AccountSession,
    region: str,
    spec: Ec2Spec,
    *,
    instance_profile_arn: str | None = None,
    vpc_offset: int = 0,
) -> Ec2RegionTruth:
    """Create ``spec``'s resources in one account and region (CIDRs from 10.<vpc_offset>.0.0/16 on)."""
    ec2 = account.client("ec2", region)
    default_vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    image_id = _image_id(ec2)
    found = _Found()
    found.add_vpc_defaults(ec2, default_vpc)
    for v in range(spec.vpcs):
        _seed_vpc(
            ec2, found, spec, f"10.{vpc_offset + v}", image_id=image_id, profile_arn=instance_profile_arn
        )
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": sorted(found.groups)}])
    return Ec2RegionTruth(
        account_id=account.account_id,
        region=region,
        default_vpc_id=default_vpc,
        vpcs=tuple(sorted(found.vpcs)),
        subnets=tuple(sorted(found.subnets)),
        security_groups=tuple(sorted(found.groups)),
        security_group_rules=len(rules["SecurityGroupRules"]),
        instances=tuple(sorted(found.instances)),
        instance_profiles=MappingProxyType({i: arn for i, arn in sorted(found.instances.items()) if arn}),
        network_interfaces=tuple(sorted(found.interfaces)),
        route_tables=tuple(sorted(found.route_tables)),
        internet_gateways=tuple(sorted(found.gateways)),
        nat_gateways=tuple(sorted(found.nats)),
    )


def _seed_vpc(
    ec2: Any, found: _Found, spec: Ec2Spec, prefix: str, *, image_id: str, profile_arn: str | None
) -> None:
    vpc = ec2.create_vpc(CidrBlock=f"{prefix}.0.0/16")["Vpc"]["VpcId"]
    found.add_vpc_defaults(ec2, vpc)  # the main route table and the default security group
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"{prefix}.{16 * s}.0/20")["Subnet"]["SubnetId"]
        for s in range(spec.subnets_per_vpc)
    ]
    found.subnets |= set(subnets)
    groups = _security_groups(ec2, vpc, spec.security_groups_per_vpc)
    found.groups |= set(groups)
    if spec.internet_gateway:
        igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
        found.gateways.add(igw)
        found.route_tables.add(_route_table(ec2, vpc, {"GatewayId": igw}, subnets[:1]))
    if spec.nat_gateway:
        allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
        nat = ec2.create_nat_gateway(SubnetId=subnets[0], AllocationId=allocation)["NatGateway"]
        found.nats.add(nat["NatGatewayId"])
        found.interfaces |= {a["NetworkInterfaceId"] for a in nat.get("NatGatewayAddresses", [])}
        if len(subnets) > 1:
            found.route_tables.add(_route_table(ec2, vpc, {"NatGatewayId": nat["NatGatewayId"]}, subnets[1:]))
    if spec.instances_per_subnet:
        launch = partial(
            _launch,
            image_id=image_id,
            groups=groups[:1],
            count=spec.instances_per_subnet,
            profile_arn=profile_arn,
        )
        for batch in run_all(partial(launch, ec2, subnet) for subnet in subnets):
            for instance in batch:
                found.instances[instance["InstanceId"]] = (instance.get("IamInstanceProfile") or {}).get(
                    "Arn"
                )
                found.interfaces |= {n["NetworkInterfaceId"] for n in instance.get("NetworkInterfaces", [])}


def _security_groups(ec2: Any, vpc: str, count: int) -> list[str]:
    created: list[str] = []
    for index in range(count):
        base = "web" if index % 2 == 0 else "app"
        name = base if index < 2 else f"{base}-{index}"
        group = ec2.create_security_group(GroupName=name, Description=f"{name} tier", VpcId=vpc)["GroupId"]
        rules = _WEB_RULES if base == "web" else _app_rules(created[0])
        ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=list(rules))
        created.append(group)
    return created


def _route_table(ec2: Any, vpc: str, target: dict[str, str], subnets: list[str]) -> str:
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", **target)
    for subnet in subnets:
        ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
    return str(table)


def _launch(
    ec2: Any, subnet: str, *, image_id: str, groups: list[str], count: int, profile_arn: str | None
) -> list[dict[str, Any]]:
    extra: dict[str, Any] = {"IamInstanceProfile": {"Arn": profile_arn}} if profile_arn else {}
    if groups:
        extra["SecurityGroupIds"] = groups
    reservation = ec2.run_instances(
        ImageId=image_id, InstanceType=INSTANCE_TYPE, MinCount=count, MaxCount=count, SubnetId=subnet, **extra
    )
    return list(reservation["Instances"])


def peer_vpcs(account: AccountSession, requester: tuple[str, str], accepter: tuple[str, str]) -> str:
    """An accepted VPC peering between two (region, VPC ID) of one account; returns its ID."""
    (requester_region, requester_vpc), (accepter_region, accepter_vpc) = requester, accepter
    peering = account.client("ec2", requester_region).create_vpc_peering_connection(
        VpcId=requester_vpc, PeerVpcId=accepter_vpc, PeerRegion=accepter_region
    )["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    account.client("ec2", accepter_region).accept_vpc_peering_connection(VpcPeeringConnectionId=peering)
    return str(peering)
