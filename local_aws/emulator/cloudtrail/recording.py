"""Which API calls become management events, and the event a call becomes. Pure (no moto).

The emulator records every successful, mutating call of the JSON and Query protocols (IAM, STS,
Organizations, IAM Identity Center, the identity store, EC2, CloudFormation...) as a management event of the
caller's account, so seeding an account produces realistic events. Read-only calls (Describe*, List*, Get*,
AssumeRole...) are not recorded: the collector's own reads would otherwise change what it reads next.
Events of global services are delivered to us-east-1, as CloudTrail does.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from local_aws.emulator.cloudtrail.events import ManagementEvent, Resource, UserIdentity, hide_secrets

GLOBAL_EVENTS_REGION = "us-east-1"
# SigV4 signing names of the services whose events CloudTrail records in us-east-1.
GLOBAL_SERVICES = frozenset({"iam", "sts", "organizations", "cloudfront", "route53"})
READ_ONLY_PREFIXES = (
    "Describe",
    "Get",
    "List",
    "Lookup",
    "Search",
    "BatchGet",
    "Head",
    "Simulate",
    "Check",
    "Validate",
    "Decode",
    "Query",
    "Scan",
    "Select",
    "Estimate",
    "Preview",
)
# Read-only by CloudTrail's readOnly flag although the name does not say so.
READ_ONLY_OPERATIONS = frozenset(
    {
        "AssumeRole",
        "AssumeRoleWithSAML",
        "AssumeRoleWithWebIdentity",
        "AssumeRoot",
        "GetSessionToken",
        "GetFederationToken",
        "GenerateCredentialReport",
        "GenerateServiceLastAccessedDetails",
        "GenerateOrganizationsAccessReport",
    }
)
# Request parameters that name a resource, per SigV4 signing name: LookupEvents' ResourceType/ResourceName.
RESOURCE_PARAMETERS: Mapping[str, Mapping[str, str]] = {
    "iam": {
        "UserName": "AWS::IAM::User",
        "GroupName": "AWS::IAM::Group",
        "RoleName": "AWS::IAM::Role",
        "PolicyArn": "AWS::IAM::Policy",
        "InstanceProfileName": "AWS::IAM::InstanceProfile",
        "AccessKeyId": "AWS::IAM::AccessKey",
    },
    "ec2": {
        "InstanceId": "AWS::EC2::Instance",
        "VpcId": "AWS::EC2::VPC",
        "SubnetId": "AWS::EC2::Subnet",
        "GroupId": "AWS::EC2::SecurityGroup",
        "NetworkInterfaceId": "AWS::EC2::NetworkInterface",
        "RouteTableId": "AWS::EC2::RouteTable",
        "InternetGatewayId": "AWS::EC2::InternetGateway",
        "NatGatewayId": "AWS::EC2::NatGateway",
        "VpcPeeringConnectionId": "AWS::EC2::VPCPeeringConnection",
        "ImageId": "AWS::EC2::Ami",
    },
    "sso": {
        "InstanceArn": "AWS::SSO::Instance",
        "PermissionSetArn": "AWS::SSO::PermissionSet",
    },
    "organizations": {
        "AccountId": "AWS::Organizations::Account",
        "PolicyId": "AWS::Organizations::Policy",
    },
    "cloudformation": {
        "StackName": "AWS::CloudFormation::Stack",
        "StackSetName": "AWS::CloudFormation::StackSet",
    },
}
_INDEXED_KEY_RE = re.compile(r"^(?P<name>[A-Za-z]+)(?:\.\d+)?$")


def is_read_only(operation: str) -> bool:
    return operation.startswith(READ_ONLY_PREFIXES) or operation in READ_ONLY_OPERATIONS


def event_source(service: str) -> str:
    """CloudTrail's eventSource for a SigV4 signing name (sso-admin signs as "sso": sso.amazonaws.com)."""
    return f"{service}.amazonaws.com"


def event_region(service: str, region: str) -> str:
    return GLOBAL_EVENTS_REGION if service in GLOBAL_SERVICES else region


def operation_of(environ: Mapping[str, Any], body: bytes) -> tuple[str, dict[str, Any]] | None:
    """(operation, request parameters) of a JSON-protocol or Query-protocol call; None for anything else."""
    target = str(environ.get("HTTP_X_AMZ_TARGET") or "")
    content_type = str(environ.get("CONTENT_TYPE") or "")
    if target and "json" in content_type:
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            return None
        return target.rsplit(".", 1)[-1], params if isinstance(params, dict) else {}
    pairs = parse_qsl(str(environ.get("QUERY_STRING") or ""), keep_blank_values=True)
    if "x-www-form-urlencoded" in content_type:
        pairs += parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    params = dict(pairs)
    action = params.pop("Action", None)
    params.pop("Version", None)
    return (action, params) if action else None


def resources_of(service: str, params: Mapping[str, Any]) -> tuple[Resource, ...]:
    """The resources a call names in its parameters, in parameter order, without duplicates."""
    table = RESOURCE_PARAMETERS.get(service, {})
    found: dict[Resource, None] = {}
    for key, value in params.items():
        match = _INDEXED_KEY_RE.fullmatch(str(key))
        resource_type = table.get(match["name"]) if match else None
        if resource_type is None:
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item:
                found[Resource(resource_type, item)] = None
    return tuple(found)


def event_for_call(
    *,
    account_id: str,
    region: str,
    service: str,
    operation: str,
    params: Mapping[str, Any],
    identity: UserIdentity,
    now: datetime,
    source_ip: str = "127.0.0.1",
    user_agent: str = "",
) -> ManagementEvent:
    """The management event of one successful call."""
    return ManagementEvent(
        event_id=str(uuid.uuid4()),
        account_id=account_id,
        region=event_region(service, region),
        event_time=now,
        event_source=event_source(service),
        event_name=operation,
        read_only=is_read_only(operation),
        identity=identity,
        resources=resources_of(service, params),
        request_parameters=json.dumps(hide_secrets(dict(params))),
        source_ip=source_ip,
        user_agent=user_agent,
    )
