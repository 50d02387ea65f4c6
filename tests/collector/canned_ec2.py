"""Canned EC2 and CloudTrail answers in the shapes the API references document (as botocore returns them)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from tests.collector.canned import ACCOUNT

LAUNCHED = datetime(2024, 3, 4, 5, 6, 7, tzinfo=UTC)
PROFILE_ARN = f"arn:aws:iam::{ACCOUNT}:instance-profile/apps/web-profile"


def vpc(vpc_id: str = "vpc-0a1", *, default: bool = False) -> dict[str, Any]:
    return {
        "VpcId": vpc_id,
        "OwnerId": ACCOUNT,
        "CidrBlock": "10.0.0.0/16",
        "CidrBlockAssociationSet": [
            {"AssociationId": "a1", "CidrBlock": "10.0.0.0/16", "CidrBlockState": {"State": "associated"}},
            {"AssociationId": "a2", "CidrBlock": "10.1.0.0/16", "CidrBlockState": {"State": "associated"}},
        ],
        "Ipv6CidrBlockAssociationSet": [{"AssociationId": "a3", "Ipv6CidrBlock": "2600:1f18::/56"}],
        "IsDefault": default,
        "State": "available",
        "DhcpOptionsId": "dopt-1",
        "InstanceTenancy": "default",
        "Tags": [{"Key": "Name", "Value": "main"}],
    }


def subnet(subnet_id: str = "subnet-0b1", vpc_id: str = "vpc-0a1") -> dict[str, Any]:
    return {
        "SubnetId": subnet_id,
        "SubnetArn": f"arn:aws:ec2:eu-west-1:{ACCOUNT}:subnet/{subnet_id}",
        "VpcId": vpc_id,
        "CidrBlock": "10.0.1.0/24",
        "AvailabilityZone": "eu-west-1a",
        "AvailabilityZoneId": "euw1-az1",
        "AvailableIpAddressCount": 250,
        "MapPublicIpOnLaunch": True,
        "DefaultForAz": False,
        "State": "available",
        "OwnerId": ACCOUNT,
        "Ipv6CidrBlockAssociationSet": [],
    }


def security_group(group_id: str = "sg-0c1", *, arn: bool = True) -> dict[str, Any]:
    group: dict[str, Any] = {
        "GroupId": group_id,
        "GroupName": "web",
        "Description": "web servers",
        "VpcId": "vpc-0a1",
        "OwnerId": ACCOUNT,
        # Merged by the API: one entry for port 443 from two sources; the rules listing splits them.
        "IpPermissions": [
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                "UserIdGroupPairs": [{"GroupId": "sg-0lb", "UserId": ACCOUNT}],
            }
        ],
        "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
        "Tags": [{"Key": "team", "Value": "web"}],
    }
    if arn:
        group["SecurityGroupArn"] = f"arn:aws:ec2:eu-west-1:{ACCOUNT}:security-group/{group_id}"
    return group


def rules(group_id: str = "sg-0c1") -> list[dict[str, Any]]:
    return [
        {
            "SecurityGroupRuleId": "sgr-1",
            "GroupId": group_id,
            "GroupOwnerId": ACCOUNT,
            "IsEgress": False,
            "IpProtocol": "tcp",
            "FromPort": 443,
            "ToPort": 443,
            "CidrIpv4": "0.0.0.0/0",
            "Description": "https from anywhere",
        },
        {
            "SecurityGroupRuleId": "sgr-2",
            "GroupId": group_id,
            "GroupOwnerId": ACCOUNT,
            "IsEgress": False,
            "IpProtocol": "tcp",
            "FromPort": 443,
            "ToPort": 443,
            "ReferencedGroupInfo": {"GroupId": "sg-0lb", "UserId": ACCOUNT},
        },
        {
            "SecurityGroupRuleId": "sgr-3",
            "GroupId": group_id,
            "GroupOwnerId": ACCOUNT,
            "IsEgress": True,
            "IpProtocol": "-1",
            "FromPort": -1,
            "ToPort": -1,
            "CidrIpv4": "0.0.0.0/0",
        },
    ]


def network_interface(eni_id: str = "eni-0d1", instance_id: str | None = "i-0e1") -> dict[str, Any]:
    eni: dict[str, Any] = {
        "NetworkInterfaceId": eni_id,
        "InterfaceType": "interface",
        "Status": "in-use",
        "VpcId": "vpc-0a1",
        "SubnetId": "subnet-0b1",
        "AvailabilityZone": "eu-west-1a",
        "PrivateIpAddress": "10.0.1.10",
        "Association": {"PublicIp": "203.0.113.10"},
        "RequesterManaged": False,
        "Groups": [{"GroupId": "sg-0c1", "GroupName": "web"}],
        "PrivateIpAddresses": [
            {"PrivateIpAddress": "10.0.1.10", "Primary": True, "Association": {"PublicIp": "203.0.113.10"}},
            {"PrivateIpAddress": "10.0.1.11", "Primary": False},
        ],
        "Description": "primary",
        "TagSet": [{"Key": "Name", "Value": "web-eni"}],
    }
    if instance_id:
        eni["Attachment"] = {"InstanceId": instance_id, "DeviceIndex": 0, "Status": "attached"}
    return eni


def route_table(table_id: str = "rtb-0f1", *, main: bool = True) -> dict[str, Any]:
    return {
        "RouteTableId": table_id,
        "VpcId": "vpc-0a1",
        "OwnerId": ACCOUNT,
        "Associations": [
            {"RouteTableAssociationId": "rtbassoc-1", "Main": main},
            {"RouteTableAssociationId": "rtbassoc-2", "Main": False, "SubnetId": "subnet-0b1"},
        ],
        "Routes": [
            {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"},
            {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "igw-0g1", "State": "active"},
        ],
        "Tags": [],
    }


def internet_gateway(igw_id: str = "igw-0g1") -> dict[str, Any]:
    return {
        "InternetGatewayId": igw_id,
        "OwnerId": ACCOUNT,
        "Attachments": [{"VpcId": "vpc-0a1", "State": "available"}],
        "Tags": [],
    }


def nat_gateway(nat_id: str = "nat-0h1") -> dict[str, Any]:
    return {
        "NatGatewayId": nat_id,
        "VpcId": "vpc-0a1",
        "SubnetId": "subnet-0b1",
        "State": "available",
        "ConnectivityType": "public",
        "CreateTime": LAUNCHED,
        "NatGatewayAddresses": [
            {"AllocationId": "eipalloc-1", "PublicIp": "198.51.100.7", "PrivateIp": "10.0.1.5"}
        ],
    }


def peering(pcx_id: str = "pcx-0i1") -> dict[str, Any]:
    return {
        "VpcPeeringConnectionId": pcx_id,
        "Status": {"Code": "active", "Message": "Active"},
        "RequesterVpcInfo": {"VpcId": "vpc-0a1", "OwnerId": ACCOUNT, "Region": "eu-west-1"},
        "AccepterVpcInfo": {"VpcId": "vpc-0z9", "OwnerId": "444455556666", "Region": "us-east-1"},
    }


def instance(instance_id: str = "i-0e1", *, profile: str | None = PROFILE_ARN) -> dict[str, Any]:
    item: dict[str, Any] = {
        "InstanceId": instance_id,
        "InstanceType": "t3.micro",
        "ImageId": "ami-0123",
        "State": {"Code": 16, "Name": "running"},
        "VpcId": "vpc-0a1",
        "SubnetId": "subnet-0b1",
        "PrivateIpAddress": "10.0.1.10",
        "PublicIpAddress": "203.0.113.10",
        "KeyName": "ops",
        "LaunchTime": LAUNCHED,
        "SecurityGroups": [{"GroupId": "sg-0c1", "GroupName": "web"}],
        "NetworkInterfaces": [{"NetworkInterfaceId": "eni-0d1"}],
        "MetadataOptions": {"HttpTokens": "required", "HttpEndpoint": "enabled"},
        "Tags": [{"Key": "Name", "Value": "web-1"}],
    }
    if profile:
        item["IamInstanceProfile"] = {"Arn": profile, "Id": "AIPAEXAMPLE0000000001"}
    return item


def reservation(*instances: dict[str, Any], owner: str = ACCOUNT) -> dict[str, Any]:
    return {"ReservationId": f"r-{len(instances)}", "OwnerId": owner, "Instances": list(instances)}


# --- CloudTrail ---------------------------------------------------------------------------------------------


def event(
    event_id: str,
    at: datetime,
    *,
    name: str = "RunInstances",
    source: str = "ec2.amazonaws.com",
    region: str = "eu-west-1",
    read_only: bool = False,
) -> dict[str, Any]:
    detail = {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": "AROAEXAMPLE:alice",
            "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/Admin/alice",
            "accountId": ACCOUNT,
            "accessKeyId": "ASIAEXAMPLE",
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "arn": f"arn:aws:iam::{ACCOUNT}:role/Admin",
                    "userName": "Admin",
                }
            },
        },
        "eventTime": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": source,
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": "192.0.2.1",
        "userAgent": "aws-cli/2",
        "readOnly": read_only,
        "eventID": event_id,
        "managementEvent": True,
        "recipientAccountId": ACCOUNT,
    }
    return {
        "EventId": event_id,
        "EventName": name,
        "ReadOnly": "true" if read_only else "false",
        "AccessKeyId": "ASIAEXAMPLE",
        "EventTime": at,
        "EventSource": source,
        "Username": "alice",
        "Resources": [{"ResourceType": "AWS::EC2::Instance", "ResourceName": "i-0e1"}],
        "CloudTrailEvent": json.dumps(detail),
    }
