"""Canned answers of the EC2 listings beyond instances and the core network, in the shapes the EC2 API
reference documents (as botocore returns them)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from tests.collector.canned import ACCOUNT

CREATED = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
OTHER_ACCOUNT = "444455556666"
ORG_ARN = f"arn:aws:organizations::{ACCOUNT}:organization/o-exampleorg1"
OU_ARN = f"arn:aws:organizations::{ACCOUNT}:ou/o-exampleorg1/ou-ab12-cdef3456"
PROFILE_ARN = f"arn:aws:iam::{ACCOUNT}:instance-profile/batch/worker"
ENDPOINT_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::artifacts/*",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-exampleorg1"}},
        }
    ],
}


def volume(volume_id: str = "vol-0a1") -> dict[str, Any]:
    return {
        "VolumeId": volume_id,
        "Size": 8,
        "SnapshotId": "",
        "AvailabilityZone": "eu-west-1a",
        "State": "in-use",
        "CreateTime": CREATED,
        "Attachments": [
            {"VolumeId": volume_id, "InstanceId": "i-0e1", "Device": "/dev/xvda", "State": "attached"}
        ],
        "Encrypted": True,
        "KmsKeyId": f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "VolumeType": "gp3",
        "MultiAttachEnabled": False,
        "Tags": [{"Key": "Name", "Value": "root"}],
    }


def snapshot(snapshot_id: str = "snap-0b1") -> dict[str, Any]:
    return {
        "SnapshotId": snapshot_id,
        "VolumeId": "vol-0a1",
        "State": "completed",
        "StartTime": CREATED,
        "Progress": "100%",
        "OwnerId": ACCOUNT,
        "Description": "nightly",
        "VolumeSize": 8,
        "Encrypted": False,
        "StorageTier": "standard",
        "Tags": [],
    }


def volume_permissions(snapshot_id: str, *grantees: dict[str, str]) -> dict[str, Any]:
    """DescribeSnapshotAttribute(createVolumePermission)."""
    return {"SnapshotId": snapshot_id, "CreateVolumePermissions": list(grantees)}


def image(image_id: str = "ami-0c1", *, public: bool = False) -> dict[str, Any]:
    return {
        "ImageId": image_id,
        "ImageLocation": f"{ACCOUNT}/golden",
        "State": "available",
        "OwnerId": ACCOUNT,
        "CreationDate": "2024-05-06T07:08:09.000Z",
        "Public": public,
        "Architecture": "x86_64",
        "ImageType": "machine",
        "Name": "golden",
        "RootDeviceType": "ebs",
        "BlockDeviceMappings": [
            {"DeviceName": "/dev/xvda", "Ebs": {"SnapshotId": "snap-0b1", "VolumeSize": 8}},
            {"DeviceName": "/dev/sdb", "VirtualName": "ephemeral0"},
        ],
        "PlatformDetails": "Linux/UNIX",
        "ImdsSupport": "v2.0",
        "Tags": [{"Key": "team", "Value": "platform"}],
    }


def launch_permissions(image_id: str, *grantees: dict[str, str]) -> dict[str, Any]:
    """DescribeImageAttribute(launchPermission)."""
    return {"ImageId": image_id, "LaunchPermissions": list(grantees)}


def key_pair(name: str = "deploy") -> dict[str, Any]:
    return {
        "KeyPairId": f"key-{name}",
        "KeyName": name,
        "KeyType": "ed25519",
        "KeyFingerprint": "1f:51:ae:28:bf:89:e9:d8:1f:25:5d:37:2d:7d:b8:ca:9f:f5:f1:6f",
        "CreateTime": CREATED,
        "Tags": [],
    }


def launch_template(template_id: str = "lt-0d1", *, default: int = 1, latest: int = 2) -> dict[str, Any]:
    return {
        "LaunchTemplateId": template_id,
        "LaunchTemplateName": f"name-{template_id}",
        "CreateTime": CREATED,
        "CreatedBy": f"arn:aws:iam::{ACCOUNT}:root",
        "DefaultVersionNumber": default,
        "LatestVersionNumber": latest,
        "Tags": [],
    }


def template_version(
    template_id: str, number: int, *, default: bool, tokens: str | None, profile: dict[str, str] | None
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "ImageId": "ami-0c1",
        "NetworkInterfaces": [
            {
                "DeviceIndex": 0,
                "SubnetId": "subnet-0b1",
                "AssociatePublicIpAddress": True,
                "Groups": ["sg-0c1"],
            }
        ],
        "UserData": "IyEvYmluL3NoCmV4cG9ydCBEQl9QQVNTV09SRD1odW50ZXIy",  # "export DB_PASSWORD=..."
    }
    if tokens:
        data["MetadataOptions"] = {
            "HttpTokens": tokens,
            "HttpEndpoint": "enabled",
            "HttpPutResponseHopLimit": 1,
        }
    if profile:
        data["IamInstanceProfile"] = profile
    return {
        "LaunchTemplateId": template_id,
        "LaunchTemplateName": f"name-{template_id}",
        "VersionNumber": number,
        "CreateTime": CREATED,
        "DefaultVersion": default,
        "LaunchTemplateData": data,
    }


def address(allocation_id: str = "eipalloc-0e1") -> dict[str, Any]:
    return {
        "AllocationId": allocation_id,
        "PublicIp": "198.51.100.20",
        "Domain": "vpc",
        "InstanceId": "i-0e1",
        "AssociationId": "eipassoc-1",
        "NetworkInterfaceId": "eni-0d1",
        "NetworkInterfaceOwnerId": ACCOUNT,
        "PrivateIpAddress": "10.0.1.10",
        "PublicIpv4Pool": "amazon",
        "Tags": [],
    }


def network_acl(acl_id: str = "acl-0f1") -> dict[str, Any]:
    return {
        "NetworkAclId": acl_id,
        "VpcId": "vpc-0a1",
        "IsDefault": False,
        "OwnerId": ACCOUNT,
        "Associations": [
            {"NetworkAclAssociationId": "aclassoc-1", "NetworkAclId": acl_id, "SubnetId": "subnet-0b1"}
        ],
        "Entries": [
            {
                "RuleNumber": 100,
                "Protocol": "6",
                "RuleAction": "allow",
                "Egress": False,
                "CidrBlock": "0.0.0.0/0",
                "PortRange": {"From": 22, "To": 22},
            },
            {
                "RuleNumber": 32767,
                "Protocol": "-1",
                "RuleAction": "deny",
                "Egress": False,
                "CidrBlock": "0.0.0.0/0",
            },
        ],
        "Tags": [],
    }


def vpc_endpoint(endpoint_id: str = "vpce-0a1", policy: Any = ENDPOINT_POLICY) -> dict[str, Any]:
    item: dict[str, Any] = {
        "VpcEndpointId": endpoint_id,
        "VpcEndpointType": "Gateway",
        "VpcId": "vpc-0a1",
        "ServiceName": "com.amazonaws.eu-west-1.s3",
        "State": "available",
        "RouteTableIds": ["rtb-0f1"],
        "SubnetIds": [],
        "Groups": [],
        "PrivateDnsEnabled": False,
        "RequesterManaged": False,
        "NetworkInterfaceIds": [],
        "CreationTimestamp": CREATED,
        "OwnerId": ACCOUNT,
        "Tags": [],
    }
    if policy is not None:
        item["PolicyDocument"] = policy if isinstance(policy, str) else json.dumps(policy)
    return item


def endpoint_service(service_id: str = "vpce-svc-0b1") -> dict[str, Any]:
    return {
        "ServiceType": [{"ServiceType": "Interface"}],
        "ServiceId": service_id,
        "ServiceName": f"com.amazonaws.vpce.eu-west-1.{service_id}",
        "ServiceState": "Available",
        "AvailabilityZones": ["eu-west-1a"],
        "AcceptanceRequired": False,
        "ManagesVpcEndpoints": False,
        "NetworkLoadBalancerArns": [
            f"arn:aws:elasticloadbalancing:eu-west-1:{ACCOUNT}:loadbalancer/net/api/1"
        ],
        "Tags": [],
    }


def allowed_principal(principal: str, kind: str = "Account") -> dict[str, Any]:
    return {
        "PrincipalType": kind,
        "Principal": principal,
        "ServicePermissionId": f"vpce-svc-perm-{len(principal)}",
    }


def transit_gateway(tgw_id: str = "tgw-0c1", owner: str = ACCOUNT) -> dict[str, Any]:
    return {
        "TransitGatewayId": tgw_id,
        "TransitGatewayArn": f"arn:aws:ec2:eu-west-1:{owner}:transit-gateway/{tgw_id}",
        "State": "available",
        "OwnerId": owner,
        "Description": "hub",
        "CreationTime": CREATED,
        "Options": {"AmazonSideAsn": 64512, "AutoAcceptSharedAttachments": "enable"},
        "Tags": [],
    }


def tgw_route_table(table_id: str, tgw_id: str = "tgw-0c1", *, default: bool = True) -> dict[str, Any]:
    return {
        "TransitGatewayRouteTableId": table_id,
        "TransitGatewayId": tgw_id,
        "State": "available",
        "DefaultAssociationRouteTable": default,
        "DefaultPropagationRouteTable": default,
        "CreationTime": CREATED,
        "Tags": [],
    }


def tgw_attachment(attachment_id: str = "tgw-attach-0d1") -> dict[str, Any]:
    return {
        "TransitGatewayAttachmentId": attachment_id,
        "TransitGatewayId": "tgw-0c1",
        "TransitGatewayOwnerId": ACCOUNT,
        "ResourceOwnerId": OTHER_ACCOUNT,
        "ResourceType": "vpc",
        "ResourceId": "vpc-0ther",
        "State": "available",
        "Association": {"TransitGatewayRouteTableId": "tgw-rtb-1", "State": "associated"},
        "CreationTime": CREATED,
        "Tags": [],
    }


def egress_only_gateway(gateway_id: str = "eigw-0e1") -> dict[str, Any]:
    return {
        "EgressOnlyInternetGatewayId": gateway_id,
        "Attachments": [{"State": "attached", "VpcId": "vpc-0a1"}],
        "Tags": [],
    }


def prefix_list(list_id: str = "pl-0f1", owner: str = ACCOUNT) -> dict[str, Any]:
    return {
        "PrefixListId": list_id,
        "AddressFamily": "IPv4",
        "State": "create-complete",
        "PrefixListArn": f"arn:aws:ec2:eu-west-1:{owner}:prefix-list/{list_id}",
        "PrefixListName": "offices",
        "MaxEntries": 10,
        "Version": 3,
        "OwnerId": owner,
        "Tags": [],
    }


def flow_log(flow_log_id: str = "fl-0a1") -> dict[str, Any]:
    return {
        "CreationTime": CREATED,
        "DeliverLogsPermissionArn": f"arn:aws:iam::{ACCOUNT}:role/flow-logs",
        "DeliverLogsStatus": "SUCCESS",
        "FlowLogId": flow_log_id,
        "FlowLogStatus": "ACTIVE",
        "LogGroupName": "vpc-flow",
        "ResourceId": "vpc-0a1",
        "TrafficType": "ALL",
        "LogDestinationType": "cloud-watch-logs",
        "LogDestination": f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:vpc-flow",
        "Tags": [],
    }


def vpn_gateway(gateway_id: str = "vgw-0b1") -> dict[str, Any]:
    return {
        "VpnGatewayId": gateway_id,
        "State": "available",
        "Type": "ipsec.1",
        "AmazonSideAsn": 64512,
        "VpcAttachments": [
            {"VpcId": "vpc-0a1", "State": "attached"},
            {"VpcId": "vpc-old", "State": "detached"},
        ],
        "Tags": [],
    }


def customer_gateway(gateway_id: str = "cgw-0c1") -> dict[str, Any]:
    return {
        "CustomerGatewayId": gateway_id,
        "State": "available",
        "Type": "ipsec.1",
        "IpAddress": "203.0.113.12",
        "BgpAsn": "65000",
        "DeviceName": "office-router",
        "Tags": [],
    }


def vpn_connection(connection_id: str = "vpn-0d1") -> dict[str, Any]:
    return {
        "VpnConnectionId": connection_id,
        "State": "available",
        "Type": "ipsec.1",
        "CustomerGatewayId": "cgw-0c1",
        "VpnGatewayId": "vgw-0b1",
        "Category": "VPN",
        "CustomerGatewayConfiguration": (
            "<vpn_connection><pre_shared_key>s3cr3t-one</pre_shared_key></vpn_connection>"
        ),
        "Options": {
            "StaticRoutesOnly": True,
            "TunnelOptions": [
                {"OutsideIpAddress": "192.0.2.1", "PreSharedKey": "s3cr3t-one"},
                {"OutsideIpAddress": "192.0.2.2", "PreSharedKey": "s3cr3t-two"},
            ],
        },
        "VgwTelemetry": [
            {"OutsideIpAddress": "192.0.2.1", "Status": "UP", "AcceptedRouteCount": 1},
            {"OutsideIpAddress": "192.0.2.2", "Status": "DOWN", "AcceptedRouteCount": 0},
        ],
        "Tags": [],
    }


def instance_connect_endpoint(endpoint_id: str = "eice-0e1") -> dict[str, Any]:
    return {
        "OwnerId": ACCOUNT,
        "InstanceConnectEndpointId": endpoint_id,
        "InstanceConnectEndpointArn": (
            f"arn:aws:ec2:eu-west-1:{ACCOUNT}:instance-connect-endpoint/{endpoint_id}"
        ),
        "State": "create-complete",
        "DnsName": f"{endpoint_id}.ec2-instance-connect-endpoint.eu-west-1.amazonaws.com",
        "NetworkInterfaceIds": ["eni-0ic"],
        "VpcId": "vpc-0a1",
        "AvailabilityZone": "eu-west-1a",
        "CreatedAt": CREATED,
        "SubnetId": "subnet-0b1",
        "PreserveClientIp": False,
        "SecurityGroupIds": ["sg-0c1"],
        "Tags": [],
    }


# The account-level settings, one answer per call (boto3 operation name -> answer).
SETTINGS: dict[str, dict[str, Any]] = {
    "get_ebs_encryption_by_default": {"EbsEncryptionByDefault": True, "SseType": "sse-ebs"},
    "get_snapshot_block_public_access_state": {"State": "block-new-sharing", "ManagedBy": "account"},
    "get_image_block_public_access_state": {
        "ImageBlockPublicAccessState": "unblocked",
        "ManagedBy": "account",
    },
    "get_instance_metadata_defaults": {
        "AccountLevel": {"HttpTokens": "required", "HttpPutResponseHopLimit": 2, "ManagedBy": "account"}
    },
    "get_serial_console_access_status": {"SerialConsoleAccessEnabled": False, "ManagedBy": "account"},
}
