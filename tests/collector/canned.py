"""Canned API responses in the shapes the AWS API reference documents (as botocore returns them)."""

from __future__ import annotations

import json
import urllib.parse
from datetime import UTC, datetime
from typing import Any

ACCOUNT = "111122223333"
CREATED = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
ALLOW_ALL_S3 = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
}
TRUST_EC2 = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


def encoded(doc: dict[str, Any]) -> str:
    """A policy document as IAM's raw API returns it (URL-encoded JSON text)."""
    return urllib.parse.quote(json.dumps(doc))


def entity_id(prefix: str, name: str) -> str:
    """IAM unique IDs are at least 16 characters."""
    return (prefix + name.upper() + "0" * 16)[:21]


def arn(kind: str, name: str, account: str = ACCOUNT) -> str:
    return f"arn:aws:iam::{account}:{kind}/{name}"


def user(
    name: str, *, groups: tuple[str, ...] = (), boundary: str | None = None, **extra: Any
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "Path": "/",
        "UserName": name,
        "UserId": entity_id("AIDA", name),
        "Arn": arn("user", name),
        "CreateDate": CREATED,
        "GroupList": list(groups),
        "UserPolicyList": [],
        "AttachedManagedPolicies": [],
        "Tags": [],
    }
    if boundary:
        item["PermissionsBoundary"] = {
            "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
            "PermissionsBoundaryArn": boundary,
        }
    item.update(extra)
    return item


def group(name: str, **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "Path": "/",
        "GroupName": name,
        "GroupId": entity_id("AGPA", name),
        "Arn": arn("group", name),
        "CreateDate": CREATED,
        "GroupPolicyList": [],
        "AttachedManagedPolicies": [],
    }
    item.update(extra)
    return item


def role(name: str, **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "Path": "/",
        "RoleName": name,
        "RoleId": entity_id("AROA", name),
        "Arn": arn("role", name),
        "CreateDate": CREATED,
        "AssumeRolePolicyDocument": encoded(TRUST_EC2),
        "InstanceProfileList": [],
        "RolePolicyList": [],
        "AttachedManagedPolicies": [],
        "Tags": [],
        "RoleLastUsed": {},
    }
    item.update(extra)
    return item


def managed(policy_arn: str, doc: dict[str, Any] = ALLOW_ALL_S3, *, versions: int = 1) -> dict[str, Any]:
    name = policy_arn.rsplit("/", 1)[-1]
    return {
        "PolicyName": name,
        "PolicyId": entity_id("ANPA", name),
        "Arn": policy_arn,
        "Path": "/",
        "DefaultVersionId": f"v{versions}",
        "AttachmentCount": 1,
        "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": True,
        "CreateDate": CREATED,
        "UpdateDate": CREATED,
        "PolicyVersionList": [
            {
                "Document": encoded(doc if v == versions else {"Version": "2012-10-17", "Statement": []}),
                "VersionId": f"v{v}",
                "IsDefaultVersion": v == versions,
                "CreateDate": CREATED,
            }
            for v in range(1, versions + 1)
        ],
    }


REPORT_HEADER = (
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,"
    "cert_2_active,cert_2_last_rotated"
)


def report_line(name: str, key1: tuple[str, str] | None = None, key2: tuple[str, str] | None = None) -> str:
    """One credential report row; a key is (last_rotated, last_used_date)."""

    def slot(key: tuple[str, str] | None) -> str:
        if key is None:
            return "false,N/A,N/A,N/A,N/A"
        return f"true,{key[0]},{key[1]},us-east-1,iam"

    return (
        f"{name},{arn('user', name)},2024-01-02T03:04:05+00:00,true,2024-05-01T00:00:00+00:00,"
        f"2024-01-02T03:04:05+00:00,N/A,true,{slot(key1)},{slot(key2)},false,N/A,false,N/A"
    )


def report(*lines: str) -> bytes:
    root = (
        f"<root_account>,arn:aws:iam::{ACCOUNT}:root,2020-01-01T00:00:00+00:00,not_supported,"
        "2024-05-01T00:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,"
        "false,N/A,false,N/A"
    )
    return "\n".join([REPORT_HEADER, root, *lines]).encode() + b"\n"
